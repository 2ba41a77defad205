using System.Text.RegularExpressions;
using Shouldly;
using Xunit;
using static TradingPlatform.Tests.Api.AlarmTemplate;

namespace TradingPlatform.Tests.Api;

/// <summary>The platform-health composite alarm: one signal for "is anything wrong", over every layer.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed partial class PlatformHealthTests(SynthesizedApps apps)
{
    private SynthesizedEnvironment Env(string suffix) => suffix == "prod" ? apps.Prod : apps.Dev;

    [GeneratedRegex("""ALARM\("([^"]+)"\)""")]
    private static partial Regex AlarmTerm();

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Composite_alarm_is_in_alarm_when_any_alarm_of_any_layer_is(string suffix)
    {
        // Rule: every alarm registered in the catalog (every layer's, through PlatformAlarms) is in the rule, in
        // ALARM state, OR-ed. An alarm missing from the rule fires without turning the platform unhealthy.
        var env = Env(suffix);
        var composite = ApiJson(env).ResourcesOfType("AWS::CloudWatch::CompositeAlarm").Single().Resource.Properties();
        ((string)composite["AlarmName"]!).ShouldBe($"trading-{suffix}-platform-health");

        var rule = Flatten(composite["AlarmRule"]);
        var terms = AlarmTerm().Matches(rule).Select(m => m.Groups[1].Value).ToList();
        // Other layers' alarms by ARN built from their literal names; this layer's by GetAtt of the alarm resource.
        var covered = terms.Select(term => term.StartsWith("{GetAtt:")
                ? AlarmNameOf(env, term["{GetAtt:".Length..term.IndexOf('.')])
                : term[(term.LastIndexOf(":alarm:", StringComparison.Ordinal) + ":alarm:".Length)..])
            .ToList();

        var catalog = env.AlarmNames;
        catalog.Count.ShouldBeGreaterThan(0);
        covered.ShouldBe(catalog, ignoreOrder: true, customMessage: "the composite covers exactly the catalog, each alarm once");
        terms.Where(t => !t.StartsWith("{GetAtt:"))
            .ShouldAllBe(arn => arn.StartsWith($"arn:aws:cloudwatch:{env.Settings.Region}:{env.Settings.Account}:alarm:trading-{suffix}-"));
        // Only ALARM(...) terms joined by OR: an AND, NOT or another state would hide a firing alarm.
        AlarmTerm().Replace(rule, "X").Replace("(", "").Replace(")", "").Split(" OR ").ShouldAllBe(part => part == "X");
        rule.ShouldNotContain("{Import:", customMessage: "no cross-stack export for another layer's alarm");
    }

    [Fact]
    public void Composite_alarm_rule_fits_cloudwatchs_limit_in_the_largest_environment()
    {
        // CloudWatch refuses an AlarmRule longer than 10,240 characters, at deploy time. Prod has the most alarms
        // (a NAT gateway per AZ); measure the rule as deployed, each alarm as its full ARN.
        var env = apps.Prod;
        var composite = ApiJson(env).ResourcesOfType("AWS::CloudWatch::CompositeAlarm").Single().Resource.Properties();
        var deployed = AlarmTerm().Replace(Flatten(composite["AlarmRule"]), term => term.Groups[1].Value.StartsWith("{GetAtt:")
            ? $"ALARM(\"arn:aws:cloudwatch:{env.Settings.Region}:{env.Settings.Account}:alarm:{AlarmNameOf(env, term.Groups[1].Value["{GetAtt:".Length..term.Groups[1].Value.IndexOf('.')])}\")"
            : term.Value);
        deployed.Length.ShouldBeLessThanOrEqualTo(10_240, "split the composite (e.g. one per layer) before it outgrows the limit");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Composite_alarm_notifies_the_alert_topic_when_unhealthy_and_when_healthy_again(string suffix)
    {
        var composite = ApiJson(Env(suffix)).ResourcesOfType("AWS::CloudWatch::CompositeAlarm").Single().Resource.Properties();
        ShouldNotifyTheAlertTopic(composite);
        ((bool?)composite["ActionsEnabled"] ?? true).ShouldBeTrue();
    }

    [Fact]
    public void Every_layer_contributes_alarms_to_the_catalog()
    {
        // The Api layer's own alarms are in the catalog next to the Network layer's NAT alarms: the composite and the
        // dashboard see both (a layer that forgot PlatformAlarms would be invisible to both).
        var names = apps.Dev.AlarmNames;
        names.ShouldContain("trading-dev-nat-1-packets-dropped");
        names.ShouldContain("trading-dev-api-5xx-rate");
        names.ShouldContain("trading-dev-ingestion-function-errors");
        names.ShouldContain("trading-dev-waf-blocked-requests");
    }
}
