using Amazon.CDK.Assertions;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

[Collection(SynthesizedAppsCollection.Name)]
public sealed class NetworkStackTests(SynthesizedApps apps)
{
    private readonly Template template = apps.Dev.Network;

    [Fact]
    public void Vpc_keeps_the_seed_cidr_and_name()
    {
        template.HasResourceProperties("AWS::EC2::VPC", new Dictionary<string, object>
        {
            ["CidrBlock"] = "10.0.0.0/16",
            ["Tags"] = Match.ArrayWith([new Dictionary<string, object> { ["Key"] = "Name", ["Value"] = "trading-vpc-dev" }]),
        });
    }

    [Fact]
    public void Public_and_private_subnets_span_three_availability_zones()
    {
        // Three AZs only happen with a concrete account/region and the cached AZ lookup (cdk.context.json
        // for the CLI, the same values in the test app); env-agnostic stacks silently get two.
        var subnets = apps.Dev.JsonOf(apps.Dev.Stacks.Network).ResourcesOfType("AWS::EC2::Subnet")
            .Select(s => s.Resource.Properties())
            .ToList();

        subnets.Count.ShouldBe(6, "3 public + 3 private /24 subnets");
        subnets.Select(s => (string)s["AvailabilityZone"]!).Distinct().Count().ShouldBe(3);
        subnets.ShouldAllBe(s => ((string)s["CidrBlock"]!).EndsWith("/24"));
    }

    [Fact]
    public void Public_subnets_do_not_hand_out_public_ips()
    {
        // Only the NAT gateways (Elastic IPs) live there; an instance launched by mistake stays private.
        var subnets = apps.Dev.JsonOf(apps.Dev.Stacks.Network).ResourcesOfType("AWS::EC2::Subnet").ToList();
        subnets.ShouldAllBe(s => s.Resource.Properties()["MapPublicIpOnLaunch"] == null
                                 || !(bool)s.Resource.Properties()["MapPublicIpOnLaunch"]!);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    [InlineData("staging")]
    [InlineData("prod")]
    public void Private_subnets_have_egress_through_nat(string suffix)
    {
        // Each private subnet's route table sends 0.0.0.0/0 to a NAT gateway of this VPC (not the internet gateway, not
        // nothing): the function reaches AWS APIs without a public address. How many NATs is the prod rule's business.
        var env = apps.For(suffix);
        var json = env.JsonOf(env.Stacks.Network);
        var nats = json.ResourcesOfType("AWS::EC2::NatGateway").Select(n => n.LogicalId).ToHashSet();
        nats.ShouldNotBeEmpty();
        var privateSubnets = json.ResourcesOfType("AWS::EC2::Subnet").Where(s => s.LogicalId.Contains("PrivateSubnet")).Select(s => s.LogicalId).ToList();
        privateSubnets.Count.ShouldBe(3);
        foreach (var subnet in privateSubnets)
        {
            var table = json.ResourcesOfType("AWS::EC2::SubnetRouteTableAssociation")
                .Single(a => (string?)a.Resource.Properties()["SubnetId"]!["Ref"] == subnet).Resource.Properties()["RouteTableId"]!["Ref"]!.GetValue<string>();
            var defaultRoute = json.ResourcesOfType("AWS::EC2::Route")
                .Single(r => (string?)r.Resource.Properties()["RouteTableId"]!["Ref"] == table && (string?)r.Resource.Properties()["DestinationCidrBlock"] == "0.0.0.0/0")
                .Resource.Properties();
            ((string?)defaultRoute["NatGatewayId"]?["Ref"]).ShouldBeOneOf(nats.ToArray(), $"{subnet}'s default route must go through a NAT gateway");
            defaultRoute.ContainsKey("GatewayId").ShouldBeFalse($"{subnet} must not route to the internet gateway");
        }
    }

    [Theory]
    [InlineData("s3")]
    [InlineData("dynamodb")]
    public void Gateway_endpoints_keep_S3_and_DynamoDB_traffic_off_the_internet(string service)
    {
        template.HasResourceProperties("AWS::EC2::VPCEndpoint", new Dictionary<string, object>
        {
            ["VpcEndpointType"] = "Gateway",
            ["ServiceName"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Fn::Join"] = Match.ArrayWith([Match.ArrayWith([$".{service}"])]),
            }),
        });
    }

    [Fact]
    public void Flow_logs_capture_all_traffic_into_an_encrypted_log_group_with_retention()
    {
        // PCI-DSS 10.x: network activity is logged, encrypted at rest and kept for the preset's retention.
        template.HasResourceProperties("AWS::EC2::FlowLog", new Dictionary<string, object>
        {
            ["ResourceType"] = "VPC",
            ["TrafficType"] = "ALL",
            ["LogDestinationType"] = "cloud-watch-logs",
        });
        template.HasResourceProperties("AWS::Logs::LogGroup", new Dictionary<string, object>
        {
            ["KmsKeyId"] = Match.ObjectLike(new Dictionary<string, object> { ["Fn::ImportValue"] = Match.AnyValue() }),
            ["RetentionInDays"] = 30,
        });
    }

    [Fact]
    public void Vpc_id_is_exported_under_the_seed_name()
    {
        template.HasOutput("VpcId", new Dictionary<string, object>
        {
            ["Export"] = new Dictionary<string, object> { ["Name"] = "VpcId-dev" },
        });
    }
}
