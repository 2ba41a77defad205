using System.Text.Json.Nodes;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>How the four stacks fit together: ids, deploy order, and the exports that join them.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class AppWiringTests(SynthesizedApps apps)
{
    private SynthesizedEnvironment Dev => apps.Dev;

    [Fact]
    public void App_has_exactly_the_four_layer_stacks()
    {
        // Users deploy and roll back by these ids: renaming one orphans a deployed stack.
        Dev.Stacks.All.Select(s => s.StackName).ShouldBe(
        [
            "TradingPlatform-dev-Security",
            "TradingPlatform-dev-Network",
            "TradingPlatform-dev-Data",
            "TradingPlatform-dev-Api",
        ], ignoreOrder: true);
        Dev.StackNames.Count.ShouldBe(4);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    [InlineData("staging")]
    [InlineData("prod")]
    [InlineData("staging-with-overrides")]
    public void Layers_depend_on_each_other_in_deploy_order(string variant)
    {
        // Each layer depends on exactly the layers before it, in every environment: a strict chain, which also rules
        // out a cycle (a stack can only wait for one deployed earlier) and a missing edge (a layer deployed before what
        // it imports). An edge the CDK adds for a new reference in one environment only shows up here too.
        var env = apps.For(variant);
        string Name(string layer) => $"TradingPlatform-{env.Settings.Suffix}-{layer}";
        env.Stacks.Security.Dependencies.ShouldBeEmpty("security is the first layer");
        env.Stacks.Network.Dependencies.ShouldBe([Name("Security")]);
        // Staging and prod: Data also waits for Recovery (another region), which waits for nothing.
        string[] beforeData = env.Stacks.Recovery is null
            ? [Name("Security"), Name("Network")]
            : [Name("Security"), Name("Network"), Name("Recovery")];
        env.Stacks.Recovery?.Dependencies.ShouldBeEmpty("Recovery names nothing of the primary region");
        env.Stacks.Data.Dependencies.ShouldBe(beforeData, ignoreOrder: true,
            customMessage: "Data must deploy after Recovery: its copy actions and replication rule name the recovery vault and replica");
        env.Stacks.Api.Dependencies.ShouldBe([Name("Security"), Name("Network"), Name("Data")], ignoreOrder: true);
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    [InlineData("staging-with-overrides")]
    [InlineData("prod-new")]
    public void Staging_and_prod_have_a_fifth_stack_in_the_recovery_region(string variant)
    {
        var env = apps.For(variant);
        var prefix = $"TradingPlatform-{env.Settings.Suffix}";
        env.StackNames.ShouldBe(
            [$"{prefix}-Security", $"{prefix}-Network", $"{prefix}-Recovery", $"{prefix}-Data", $"{prefix}-Api"], ignoreOrder: true);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(env.Directory, "manifest.json")))!["artifacts"]!;
        var recoveryEnv = (string)manifest[$"{prefix}-Recovery"]!["environment"]!;
        var dataEnv = (string)manifest[$"{prefix}-Data"]!["environment"]!;
        recoveryEnv.ShouldNotBe(dataEnv, "the recovery stack must live in another region than the data it keeps copies of");
        recoveryEnv.ShouldEndWith("/" + env.Settings.RecoveryRegion);
    }

    [Fact]
    public void Every_import_has_a_matching_export_in_an_earlier_layer()
    {
        // An import without an export fails the deploy; an export from a later layer means a cycle.
        var order = Dev.Stacks.All.Select(s => s.StackName).ToList();
        var exportedBy = Dev.Json
            .SelectMany(t => t.Value.ExportNames().Select(name => (name, stack: t.Key)))
            .ToDictionary(e => e.name, e => e.stack);

        foreach (var (consumer, json) in Dev.Json)
        {
            foreach (var import in json.ImportedNames())
            {
                exportedBy.ShouldContainKey(import, $"{consumer} imports {import}, which no stack exports");
                order.IndexOf(exportedBy[import]).ShouldBeLessThan(order.IndexOf(consumer),
                    $"{consumer} imports {import} from {exportedBy[import]}, which deploys later");
            }
        }

        Dev.Json.Values.SelectMany(t => t.ImportedNames()).ShouldNotBeEmpty("the layers are joined by imports");
    }

    [Fact]
    public void Seed_export_names_are_all_present()
    {
        // Other teams' stacks import these names; they are a contract carried over from the seed.
        var exports = Dev.Json.Values.SelectMany(t => t.ExportNames()).ToList();
        exports.ShouldContain("VpcId-dev");
        exports.ShouldContain("DatabaseEndpoint-dev");
        exports.ShouldContain("ApiUrl-dev");
        exports.ShouldContain("IngestionBucket-dev");
        exports.ShouldContain("AnalyticsBucket-dev");
        exports.ShouldContain("ArchivalBucket-dev");
    }

    [Theory]
    [InlineData("Environment", "dev")]
    [InlineData("CostCenter", "trading-platform")]
    [InlineData("Compliance", "PCI-DSS")]
    [InlineData("DataClassification", "Confidential")]
    public void Every_stack_carries_the_seed_tags(string key, string value)
    {
        // Tags drive cost allocation and scope PCI-DSS audits; each stack applies them to all its resources.
        foreach (var stack in Dev.Stacks.All)
        {
            stack.Tags.ShouldContainKeyAndValue(key, value, $"{stack.StackName} lacks tag {key}");
        }

        Dev.Network.HasResourceProperties("AWS::EC2::VPC", new Dictionary<string, object>
        {
            ["Tags"] = Amazon.CDK.Assertions.Match.ArrayWith([new Dictionary<string, object> { ["Key"] = key, ["Value"] = value }]),
        });
    }
}
