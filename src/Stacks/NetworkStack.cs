using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;

namespace TradingPlatform.Stacks;

public sealed class NetworkStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    /// <summary>Encrypts the flow-log group.</summary>
    public required IKey LogsKey { get; init; }
}

/// <summary>The VPC every workload runs in: 3 AZs, public subnets for NAT only, private subnets for the rest.</summary>
public sealed class NetworkStack : LayerStack
{
    public Vpc Vpc { get; }

    public NetworkStack(Construct scope, string id, NetworkStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;

        Vpc = new Vpc(this, "TradingVpc", new VpcProps
        {
            VpcName = $"trading-vpc-{settings.Suffix}",
            IpAddresses = IpAddresses.Cidr("10.0.0.0/16"),
            MaxAzs = 3,
            NatGateways = settings.NatGateways,
            SubnetConfiguration =
            [
                new SubnetConfiguration
                {
                    CidrMask = 24,
                    Name = "Public",
                    SubnetType = SubnetType.PUBLIC,
                    // Nothing we run needs a public IP; the NAT gateways use their own Elastic IPs.
                    MapPublicIpOnLaunch = false,
                },
                new SubnetConfiguration
                {
                    CidrMask = 24,
                    Name = "Private",
                    SubnetType = SubnetType.PRIVATE_WITH_EGRESS,
                },
            ],
            // S3 and DynamoDB traffic stays on the AWS network and skips the NAT gateways.
            GatewayEndpoints = new Dictionary<string, IGatewayVpcEndpointOptions>
            {
                ["S3"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 },
                ["DynamoDB"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.DYNAMODB },
            },
            FlowLogs = new Dictionary<string, IFlowLogOptions>
            {
                ["AllTraffic"] = new FlowLogOptions
                {
                    TrafficType = FlowLogTrafficType.ALL,
                    Destination = FlowLogDestination.ToCloudWatchLogs(
                        SecureDefaults.LogGroup(this, "FlowLogGroup", settings, props.LogsKey)),
                },
            },
        });

        foreach (var subnet in Vpc.PublicSubnets)
        {
            NagSuppressions.Add(subnet.Node.FindChild("DefaultRoute"),
                new NagSuppression("PCI.DSS.321-VPCNoUnrestrictedRouteToIGW",
                    "Public subnets hold only the NAT gateways (no public IPs are auto-assigned); this route is their way out."));
        }

        NagSuppressions.Add(Vpc.Node.FindChild("AllTraffic").Node.FindChild("IAMRole").Node.FindChild("DefaultPolicy"),
            new NagSuppression("PCI.DSS.321-IAMNoInlinePolicy",
                "CDK-generated flow-log delivery policy, attached to the flow-log role only and scoped to its log group."));
        // The default security group is stripped of all rules by this CDK helper (feature flag in TradingPlatformApp).
        NagSuppressions.AddToCdkProvider(this, "Custom::VpcRestrictDefaultSGCustomResourceProvider",
            "removes every rule from the VPC's default security group", hasInlinePolicy: true);

        new CfnOutput(this, "VpcId", new CfnOutputProps
        {
            Value = Vpc.VpcId,
            Description = "VPC ID",
            ExportName = $"VpcId-{settings.Suffix}",
        });
    }
}
