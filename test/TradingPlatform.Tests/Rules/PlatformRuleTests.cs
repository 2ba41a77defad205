using Shouldly;
using TradingPlatform.Config;
using Xunit;

namespace TradingPlatform.Tests.Rules;

/// <summary>
/// Every platform rule, on every kind of environment: dev, an ephemeral pr-N, staging and prod. A failure names
/// the rule, why it matters, and each resource that breaks it.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class PlatformRuleTests(SynthesizedApps apps)
{
    /// <summary>
    /// The presets (staging and prod as cdk.json configures them: their archival buckets predate Object Lock at creation),
    /// a brand-new prod (nothing predates), staging with every optional context key (trading clients, no recorder of its
    /// own, a new archival bucket), and the longest valid suffix with the longest client name (an ephemeral environment).
    /// </summary>
    public static readonly string[] Presets = ["dev", "pr-7", "staging", "prod", "prod-new", "staging-with-overrides", SynthesizedApps.LongestNames];

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
    public void Longest_valid_suffix_keeps_every_derived_name_within_its_limit()
    {
        // The names are read from the longest environment's templates, as CloudFormation will see them, not rebuilt
        // here: a name that gains a word in the app is measured as it is. (The rule runs on every variant; this proves
        // the variant is the longest the loader accepts and that the rule read its names.)
        var env = apps.For(SynthesizedApps.LongestNames);
        env.Settings.Suffix.Length.ShouldBe(ConfigurationLoader.MaxSuffixLength, "the variant must use the longest suffix the loader accepts");
        env.Settings.TradingClients.Select(c => c.Name).ShouldContain(SynthesizedApps.LongestClientName);
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(new Dictionary<string, string>
        {
            [ConfigurationLoader.TradingClientsKey] = SynthesizedApps.LongestClientName + "x",
        }), "a client name one character longer must be refused, or this is not the longest");

        var view = PlatformView.Of(env);
        var names = NameLimits.Names(view).Select(n => n.Name).ToList();
        foreach (var expected in new[]
                 {
                     $"trading-db-{env.Settings.Suffix}", $"data-processor-{env.Settings.Suffix}", $"trading-backups-{env.Settings.Suffix}",
                     $"trading-{env.Settings.Suffix}-{ConfigurationLoader.PlaceholderAccount}",
                     $"trading-{env.Settings.Suffix}-{SynthesizedApps.LongestClientName}",
                 })
        {
            names.ShouldContain(expected, $"the rule must measure '{expected}' as the template has it");
        }

        NameLimits.Check(view).ShouldBeEmpty();
    }

    [Fact]
    public void Rule_names_are_unique()
    {
        PlatformRules.All.Select(r => r.Name).ShouldBeUnique("each rule is its own test case, found by name");
    }
}
