using TradingPlatform.Config;
using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>
/// Each preset synthesizes, and each decision it makes is visible in the templates. dev and prod are the
/// two ends; pr-7 stands for any other suffix (an ephemeral, dev-like environment in the dev account).
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class EnvironmentPresetTests(SynthesizedApps apps)
{
    private SynthesizedEnvironment Dev => apps.Dev;
    private SynthesizedEnvironment Prod => apps.Prod;
    private SynthesizedEnvironment Ephemeral => apps.For("pr-7");

    [Fact]
    public void Every_preset_synthesizes_its_stacks_named_after_it_four_dev_like_five_with_recovery()
    {
        foreach (var (suffix, env) in new[] { ("dev", Dev), ("staging", apps.For("staging")), ("prod", Prod), ("pr-7", Ephemeral) })
        {
            string[] layers = EnvironmentPresets.KindOf(suffix).IsDisposable()
                ? ["Security", "Network", "Data", "Api"]
                : ["Security", "Network", "Recovery", "Data", "Api"];
            env.StackNames.ShouldBe(layers.Select(l => $"TradingPlatform-{suffix}-{l}").ToList(), ignoreOrder: true,
                customMessage: "dev-like environments have no recovery stack (no copy cost); staging and prod have one");
        }
    }

    [Fact]
    public void Nat_gateways_one_for_dev_like_one_per_az_in_prod()
    {
        // Cost in dev; in prod an AZ outage must not cut the other AZs' private subnets off.
        Dev.Network.ResourceCountIs("AWS::EC2::NatGateway", 1);
        Ephemeral.Network.ResourceCountIs("AWS::EC2::NatGateway", 1);
        Prod.Network.ResourceCountIs("AWS::EC2::NatGateway", 3);
    }

    [Fact]
    public void Aurora_capacity_and_readers_grow_in_prod()
    {
        // Dev-like kinds pause when idle (0 ACU) up to the seed's 2 ACU: an unused environment pays no capacity.
        Dev.Data.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object>
        {
            ["ServerlessV2ScalingConfiguration"] = new Dictionary<string, object>
            {
                ["MinCapacity"] = 0, ["MaxCapacity"] = 2, ["SecondsUntilAutoPause"] = TradingPlatform.Constructs.Data.TradingDatabase.SecondsUntilAutoPause,
            },
        });
        Prod.Data.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object>
        {
            ["ServerlessV2ScalingConfiguration"] = new Dictionary<string, object> { ["MinCapacity"] = 2, ["MaxCapacity"] = 16 },
        });
        Dev.Data.ResourceCountIs("AWS::RDS::DBInstance", 2);
        Prod.Data.ResourceCountIs("AWS::RDS::DBInstance", 3);
    }

    [Fact]
    public void First_reader_scales_with_the_writer_so_failover_keeps_capacity()
    {
        // Promotion tier 0-1 readers track the writer's capacity (CDK renders PromotionTier for them).
        var tiers = Prod.JsonOf(Prod.Stacks.Data).ResourcesOfType("AWS::RDS::DBInstance")
            .Where(i => i.LogicalId.Contains("reader"))
            .Select(i => (int?)i.Resource.Properties()["PromotionTier"])
            .ToList();
        tiers.ShouldContain(1, "reader1 must be in the writer's scaling tier");
    }

    [Fact]
    public void Deletion_protection_only_where_the_environment_asks_for_it()
    {
        foreach (var (env, expected) in new[] { (Dev, false), (Ephemeral, false), (Prod, true) })
        {
            env.Data.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object> { ["DeletionProtection"] = expected });
            env.Data.AllResourcesProperties("AWS::DynamoDB::Table", new Dictionary<string, object> { ["DeletionProtectionEnabled"] = expected });
        }
    }

    [Theory]
    [InlineData("AWS::S3::Bucket")]
    [InlineData("AWS::DynamoDB::Table")]
    [InlineData("AWS::Logs::LogGroup")]
    public void Dev_destroys_stateful_resources_and_prod_retains_them(string type)
    {
        Dev.Data.AllResources(type, new Dictionary<string, object> { ["DeletionPolicy"] = "Delete" });
        Prod.Data.AllResources(type, new Dictionary<string, object> { ["DeletionPolicy"] = "Retain", ["UpdateReplacePolicy"] = "Retain" });
    }

    [Fact]
    public void Keys_are_destroyed_with_dev_and_retained_in_prod()
    {
        Dev.Security.AllResources("AWS::KMS::Key", new Dictionary<string, object> { ["DeletionPolicy"] = "Delete" });
        Prod.Security.AllResources("AWS::KMS::Key", new Dictionary<string, object> { ["DeletionPolicy"] = "Retain" });
    }

    [Fact]
    public void Aurora_leaves_a_final_snapshot_in_prod()
    {
        Dev.Data.HasResource("AWS::RDS::DBCluster", new Dictionary<string, object> { ["DeletionPolicy"] = "Delete" });
        Prod.Data.HasResource("AWS::RDS::DBCluster", new Dictionary<string, object> { ["DeletionPolicy"] = "Snapshot", ["UpdateReplacePolicy"] = "Snapshot" });
    }

    [Fact]
    public void Dev_empties_its_buckets_before_deleting_them_and_prod_never_does()
    {
        // Without emptying, CloudFormation cannot delete a non-empty bucket and the dev stack deletion fails.
        var devBuckets = Dev.JsonOf(Dev.Stacks.Data).ResourcesOfType("AWS::S3::Bucket").Count();
        Dev.Data.ResourceCountIs("Custom::S3AutoDeleteObjects", devBuckets);
        Prod.Data.ResourceCountIs("Custom::S3AutoDeleteObjects", 0);
        Prod.Security.ResourceCountIs("Custom::S3AutoDeleteObjects", 0);
    }

    [Fact]
    public void Stateful_stacks_are_termination_protected_in_prod_only()
    {
        Prod.Stacks.Security.TerminationProtection.ShouldBeTrue();
        Prod.Stacks.Data.TerminationProtection.ShouldBeTrue();
        Prod.Stacks.Network.TerminationProtection.ShouldBeFalse("the network holds no data");
        Prod.Stacks.Api.TerminationProtection.ShouldBeFalse("the API layer is stateless and may be rolled back by replacement");
        Dev.Stacks.All.ShouldAllBe(s => !s.TerminationProtection);
    }

    [Fact]
    public void Log_retention_is_a_month_in_dev_and_a_year_in_prod()
    {
        // PCI-DSS 10.7 asks for a year of audit history in the cardholder environment.
        foreach (var (env, days) in new[] { (Dev, 30), (Prod, 365) })
        {
            foreach (var stack in env.Stacks.All)
            {
                foreach (var (id, group) in env.JsonOf(stack).ResourcesOfType("AWS::Logs::LogGroup"))
                {
                    ((int)group.Properties()["RetentionInDays"]!).ShouldBe(days, $"{stack.StackName}/{id}");
                }
            }
        }
    }

    [Fact]
    public void Waf_rate_limit_follows_the_preset()
    {
        foreach (var (env, limit) in new[] { (Dev, 2_000), (Prod, 10_000) })
        {
            env.Api.HasResourceProperties("AWS::WAFv2::WebACL", new Dictionary<string, object>
            {
                ["Rules"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Statement"] = new Dictionary<string, object>
                    {
                        ["RateBasedStatement"] = new Dictionary<string, object> { ["Limit"] = limit, ["AggregateKeyType"] = "IP" },
                    },
                })]),
            });
        }
    }

    [Fact]
    public void Dev_and_prod_own_the_account_recorder()
    {
        Dev.Security.ResourceCountIs("AWS::Config::ConfigurationRecorder", 1);
        Prod.Security.ResourceCountIs("AWS::Config::ConfigurationRecorder", 1);
        Dev.Security.ResourceCountIs("AWS::Config::DeliveryChannel", 1);
    }

    [Fact]
    public void Ephemeral_environment_uses_the_existing_recorder_and_still_adds_its_rules()
    {
        // One recorder and one delivery channel per account and region: a second one fails to create.
        var json = Ephemeral.JsonOf(Ephemeral.Stacks.Security);
        json.ResourcesOfType("AWS::Config::ConfigurationRecorder").ShouldBeEmpty();
        json.ResourcesOfType("AWS::Config::DeliveryChannel").ShouldBeEmpty();
        json.ResourcesOfType("AWS::S3::Bucket").ShouldBeEmpty("the Config bucket belongs to the recorder's owner");

        // The same managed rules as the recorder's owner, compared by what they check (a count would accept two rules
        // swapped for two others).
        static string[] Identifiers(IEnumerable<(string LogicalId, JsonObject Resource)> rules) =>
            rules.Select(r => (string)r.Resource.Properties()["Source"]!["SourceIdentifier"]!).Order().ToArray();
        var rules = json.ResourcesOfType("AWS::Config::ConfigRule").ToList();
        Identifiers(rules).ShouldBe(Identifiers(Dev.JsonOf(Dev.Stacks.Security).ResourcesOfType("AWS::Config::ConfigRule")));
        rules.ShouldAllBe(r => !r.Resource.DependsOn().Any(), "the rules rely on the recorder that already exists");
    }

    [Fact]
    public void Recorder_ownership_can_be_switched_off_by_context()
    {
        // A second environment in prod's account: -c createConfigRecorder=false.
        var secondEnvironment = apps.StagingWithOverrides;
        secondEnvironment.Settings.CreateConfigRecorder.ShouldBeFalse("the override must reach the settings");
        secondEnvironment.Security.ResourceCountIs("AWS::Config::ConfigurationRecorder", 0);
        secondEnvironment.Security.ResourceCountIs("AWS::Config::DeliveryChannel", 0);
    }
}
