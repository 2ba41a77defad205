using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Network;

public sealed record TradingNetworkProps
{
    /// <summary>Required. The VPC's Name tag.</summary>
    public required string VpcName { get; init; }
    /// <summary>Required. NAT gateways: 1 for cost, or one per AZ so no AZ depends on another.</summary>
    public required int NatGateways { get; init; }
    /// <summary>Required. Encrypts the flow-log group.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>Required. Retention and removal of the flow-log group.</summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. Creates the NAT gateway alarms.</summary>
    public required PlatformAlarms Alarms { get; init; }
    /// <summary>Required. The alarm thresholds (packets a NAT gateway may drop per period).</summary>
    public required AlarmThresholds Thresholds { get; init; }
}

/// <summary>
/// The VPC every workload runs in: 3 AZs, public subnets for the NAT gateways only, private subnets for the rest,
/// flow logs of all traffic, S3 and DynamoDB gateway endpoints, and alarms on the NAT gateways, the private
/// subnets' only way to the internet (and to AWS APIs without an endpoint).
/// </summary>
public sealed class TradingNetwork : PlatformComponent
{
    public Vpc Vpc { get; }
    public IReadOnlyList<Alarm> Alarms { get; }

    public TradingNetwork(Construct scope, string id, TradingNetworkProps props)
        : base(scope, id)
    {
        Vpc = new Vpc(this, "TradingVpc", new VpcProps
        {
            VpcName = props.VpcName,
            IpAddresses = IpAddresses.Cidr("10.0.0.0/16"),
            MaxAzs = 3,
            NatGateways = props.NatGateways,
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
                        SecureDefaults.LogGroup(this, "FlowLogGroup", props.Storage, props.LogsKey)),
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
        NagSuppressions.AddToCdkProvider(Stack.Of(this), "Custom::VpcRestrictDefaultSGCustomResourceProvider",
            "removes every rule from the VPC's default security group", hasInlinePolicy: true);

        Alarms = NatGatewayAlarms(props.Thresholds, props.Alarms);
    }

    private IReadOnlyList<Alarm> NatGatewayAlarms(AlarmThresholds thresholds, PlatformAlarms alarms)
    {
        var result = new List<Alarm>();
        var natGateways = Vpc.PublicSubnets
            .Select((subnet, index) => (Az: index + 1, Gateway: subnet.Node.TryFindChild("NATGateway") as CfnNatGateway))
            .Where(n => n.Gateway is not null);
        foreach (var (az, gateway) in natGateways)
        {
            Metric NatMetric(string name) => new(new MetricProps
            {
                Namespace = "AWS/NATGateway",
                MetricName = name,
                DimensionsMap = new Dictionary<string, string> { ["NatGatewayId"] = gateway!.Ref },
                Statistic = Stats.SUM,
                Period = Duration.Minutes(5),
            });

            result.Add(alarms.Add(this, $"NatGateway{az}PortAllocationErrors", new AlarmDefinition(
                $"nat-{az}-port-allocation-errors",
                $"NAT gateway {az} could not allocate a source port: connections from the private subnets to the internet fail.",
                NatMetric("ErrorPortAllocation"), 1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                // No datapoints means no traffic through the gateway, not a failure.
                TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 }));
            result.Add(alarms.Add(this, $"NatGateway{az}PacketsDropped", new AlarmDefinition(
                $"nat-{az}-packets-dropped",
                $"NAT gateway {az} is dropping packets: calls to AWS APIs without an endpoint, and the internet, time out.",
                NatMetric("PacketsDropCount"), thresholds.NatPacketsDropped, ComparisonOperator.GREATER_THAN_THRESHOLD,
                TreatMissingData.NOT_BREACHING)));
        }

        return result;
    }
}
