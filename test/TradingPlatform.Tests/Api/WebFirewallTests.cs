using Shouldly;
using Xunit;
using static TradingPlatform.Tests.Api.AlarmTemplate;

namespace TradingPlatform.Tests.Api;

[Collection(SynthesizedAppsCollection.Name)]
public sealed class WebFirewallTests(SynthesizedApps apps)
{
    private SynthesizedEnvironment Env(string suffix) => suffix == "prod" ? apps.Prod : apps.Dev;

    // Presets: prod 1,000 blocked requests in 5 minutes, dev-like 200 (staging 500).
    [Theory]
    [InlineData("prod", 1_000, 2)]
    [InlineData("dev", 200, 3)]
    public void Blocked_requests_alarm_watches_the_whole_web_acl(string suffix, double threshold, int periods)
    {
        // A spike of blocked requests is an attack, a scanner, or a legitimate client caught by a rule (which then
        // sees 403s): someone should look either way.
        var env = Env(suffix);
        var alarm = Alarm(env, "waf-blocked-requests");
        ((string)alarm["Namespace"]!).ShouldBe("AWS/WAFV2");
        ((string)alarm["MetricName"]!).ShouldBe("BlockedRequests");
        ((string)alarm["Statistic"]!).ShouldBe("Sum");
        ((int)alarm["Period"]!).ShouldBe(300);

        // WAF publishes regional metrics under the web ACL's metric name, the region and the rule (ALL = every rule).
        // A dimension that does not match watches a metric that does not exist: the alarm would never fire.
        var acl = ApiJson(env).ResourcesOfType("AWS::WAFv2::WebACL").Single().Resource.Properties();
        Dimensions(alarm).ShouldBe(new Dictionary<string, string>
        {
            ["WebACL"] = (string)acl["VisibilityConfig"]!["MetricName"]!,
            ["Region"] = env.Settings.Region,
            ["Rule"] = "ALL",
        }, ignoreOrder: true);
        ((bool)acl["VisibilityConfig"]!["CloudWatchMetricsEnabled"]!).ShouldBeTrue("without metrics the alarm has nothing to watch");

        ((double)alarm["Threshold"]!).ShouldBe(threshold);
        ((string)alarm["ComparisonOperator"]!).ShouldBe("GreaterThanThreshold");
        ((int)alarm["EvaluationPeriods"]!).ShouldBe(periods);
        // WAF publishes BlockedRequests only when it blocked something: silence is a quiet period.
        ((string)alarm["TreatMissingData"]!).ShouldBe("notBreaching");
        ShouldNotifyTheAlertTopic(alarm);
    }
}
