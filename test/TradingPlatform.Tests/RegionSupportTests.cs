using Shouldly;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Security;
using TradingPlatform.Tests.Delivery;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>
/// src/Config/regions.json says which checked regions lack a resource type the app uses (the linter gate confirms each
/// entry with cfn-lint, and fails on a gap the table omits). An entry is only safe if the app handles that type there, so
/// that a user gets a clear refusal or a stated omission at synth, never a CloudFormation failure during a deploy.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class RegionSupportTests(SynthesizedApps apps)
{
    [Fact]
    public void Every_type_a_region_lacks_is_one_the_app_refuses_or_leaves_out_there()
    {
        var handled = DeliverySettings.PipelineResourceTypes.Append(CostBudget.ResourceType).ToHashSet();
        foreach (var (region, types) in RegionSupport.MissingTypes)
        {
            types.ShouldAllBe(t => handled.Contains(t),
                $"{region}: a type listed as missing must be refused by the loader (a pipeline's type) or left out (the budget); " +
                "otherwise the table only silences the linter");
        }
    }

    [Fact]
    public void The_pipeline_resource_types_list_every_type_of_the_pipeline_stack()
    {
        // The loader refuses a pipeline where one of these is missing: a type the stack gains must be on the list.
        var types = DeliveryAssembly.Of(apps).Template["Resources"]!.AsObject().Select(r => (string)r.Value!["Type"]!).Distinct();
        types.ShouldAllBe(t => DeliverySettings.PipelineResourceTypes.Contains(t) || t.StartsWith("Custom::"));
    }

    [Fact]
    public void An_environment_gets_a_budget_wherever_CloudFormation_has_one()
    {
        CostBudget.AvailableIn("us-east-1").ShouldBeTrue();
        RegionSupport.MissingTypes.Where(kv => kv.Value.Contains(CostBudget.ResourceType)).Select(kv => kv.Key)
            .ShouldAllBe(region => !CostBudget.AvailableIn(region));
        RegionSupport.CheckedRegions.Count(CostBudget.AvailableIn).ShouldBeGreaterThan(10, "most checked regions have budgets");
    }
}
