using Shouldly;
using Xunit;

namespace TradingPlatform.Tests.Rules;

/// <summary>
/// Every platform rule, on every kind of environment: dev, an ephemeral pr-N, staging and prod. A failure names
/// the rule, why it matters, and each resource that breaks it.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class PlatformRuleTests(SynthesizedApps apps)
{
    public static readonly string[] Presets = ["dev", "pr-7", "staging", "prod"];

    public static TheoryData<string, string> EveryRuleOnEveryPreset()
    {
        var data = new TheoryData<string, string>();
        foreach (var suffix in Presets)
        {
            foreach (var rule in PlatformRules.All)
            {
                data.Add(suffix, rule.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryRuleOnEveryPreset))]
    public void Rule_holds(string suffix, string ruleName)
    {
        var rule = PlatformRules.All.Single(r => r.Name == ruleName);
        var violations = rule.Violations(PlatformView.Of(apps.For(suffix))).ToList();
        violations.ShouldBeEmpty(
            $"Rule broken in '{suffix}': {rule.Name}. Why it matters: {rule.Why}.\n  - " + string.Join("\n  - ", violations));
    }

    [Fact]
    public void Rule_names_are_unique()
    {
        PlatformRules.All.Select(r => r.Name).ShouldBeUnique("each rule is its own test case, found by name");
    }
}
