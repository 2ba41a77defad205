using System.Text.Json.Nodes;
using Shouldly;
using Xunit;
using static TradingPlatform.Tests.Api.AlarmTemplate;

namespace TradingPlatform.Tests.Api;

/// <summary>The REST API's alarms, on what clients see, and the usage plan's key association across the move.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class TradingRestApiTests(SynthesizedApps apps)
{
    private SynthesizedEnvironment Env(string suffix) => suffix == "prod" ? apps.Prod : apps.Dev;

    private static string StageId(SynthesizedEnvironment env) =>
        ApiJson(env).ResourcesOfType("AWS::ApiGateway::Stage").Single().LogicalId;

    /// <summary>The stage clients call: a metric of the API without the stage (or of another API) would stay empty.</summary>
    private static void ShouldBeTheStage(SynthesizedEnvironment env, JsonObject metric) =>
        Dimensions(metric).ShouldBe(new Dictionary<string, string>
        {
            ["ApiName"] = $"trading-api-{env.Settings.Suffix}",
            ["Stage"] = $"{{Ref:{StageId(env)}}}",
        }, ignoreOrder: true);

    // Presets: prod 1 %, dev-like 5 % (staging 2 %); prod over 2 periods, dev-like over 3.
    [Theory]
    [InlineData("prod", 1, 2)]
    [InlineData("dev", 5, 3)]
    public void Server_error_rate_alarm_is_the_share_of_requests_answered_5xx(string suffix, double percent, int periods)
    {
        // Rule: page on the SHARE of failed requests, not on a count, so it means the same at 10 and 10,000 requests.
        // 100 * Sum(5XXError) / Sum(Count): 5XXError is 0 or 1 per request, so this is Average(5XXError)*100 written
        // out, with both sums the dashboard shows.
        var env = Env(suffix);
        var alarm = Alarm(env, "api-5xx-rate");
        var metrics = alarm["Metrics"]!.AsArray().Select(m => m!.AsObject()).ToList();
        var expression = metrics.Single(m => m.ContainsKey("Expression"));
        ((string)expression["Expression"]!).ShouldBe("100 * errors / requests");
        expression.ContainsKey("ReturnData").ShouldBeFalse("the expression is what the alarm evaluates");

        var inputs = metrics.Where(m => m.ContainsKey("MetricStat")).ToDictionary(m => (string)m["Id"]!, m => m["MetricStat"]!.AsObject());
        inputs.Keys.ShouldBe(["errors", "requests"], ignoreOrder: true);
        foreach (var (id, metricName) in new[] { ("errors", "5XXError"), ("requests", "Count") })
        {
            var stat = inputs[id];
            ((string)stat["Metric"]!["Namespace"]!).ShouldBe("AWS/ApiGateway");
            ((string)stat["Metric"]!["MetricName"]!).ShouldBe(metricName);
            ((string)stat["Stat"]!).ShouldBe("Sum", "a ratio of sums; averages of 0/1 counts would not add up");
            ((int)stat["Period"]!).ShouldBe(300);
            ShouldBeTheStage(env, stat["Metric"]!.AsObject());
        }

        ((double)alarm["Threshold"]!).ShouldBe(percent);
        ((string)alarm["ComparisonOperator"]!).ShouldBe("GreaterThanThreshold");
        ((int)alarm["EvaluationPeriods"]!).ShouldBe(periods);
        // No requests: both sums and the ratio are missing, and nothing failed.
        ((string)alarm["TreatMissingData"]!).ShouldBe("notBreaching");
        ShouldNotifyTheAlertTopic(alarm);
    }

    // Presets: prod 2 s, dev-like 5 s (staging 3 s), all well inside API Gateway's 29 s integration timeout.
    [Theory]
    [InlineData("prod", 2_000, 2)]
    [InlineData("dev", 5_000, 3)]
    public void Latency_alarm_watches_the_p99_clients_see(string suffix, double milliseconds, int periods)
    {
        // Latency (not IntegrationLatency) is what the client waits for; p99, because averages hide the slow tail
        // that makes trading systems time out and retry.
        var env = Env(suffix);
        var alarm = Alarm(env, "api-p99-latency");
        ((string)alarm["Namespace"]!).ShouldBe("AWS/ApiGateway");
        ((string)alarm["MetricName"]!).ShouldBe("Latency");
        ((string)alarm["ExtendedStatistic"]!).ShouldBe("p99");
        ShouldBeTheStage(env, alarm);
        ((int)alarm["Period"]!).ShouldBe(300);
        ((double)alarm["Threshold"]!).ShouldBe(milliseconds);
        ((double)alarm["Threshold"]!).ShouldBeLessThan(29_000, "a latency alarm at the integration timeout only confirms the 504s");
        ((string)alarm["ComparisonOperator"]!).ShouldBe("GreaterThanThreshold");
        ((int)alarm["EvaluationPeriods"]!).ShouldBe(periods);
        // No requests, no latency datapoint: nobody waited.
        ((string)alarm["TreatMissingData"]!).ShouldBe("notBreaching");
        ShouldNotifyTheAlertTopic(alarm);
    }

    [Theory]
    [InlineData("dev", "TradingApiUsagePlanUsagePlanKeyResourceTradingPlatformdevApiTradingApiApiKey615AE81957C6F01B")]
    [InlineData("prod", "TradingApiUsagePlanUsagePlanKeyResourceTradingPlatformprodApiTradingApiApiKey6A34022588848086")]
    public void Usage_plan_key_association_keeps_its_logical_id(string suffix, string logicalId)
    {
        // The CDK names this association after the API key's construct path, which the TradingRestApi component
        // would change. A new logical id is created before the old one is deleted, and API Gateway refuses a second
        // association of the same key with the same plan: the deploy would fail. These are the ids deployed before.
        var associations = ApiJson(Env(suffix)).ResourcesOfType("AWS::ApiGateway::UsagePlanKey").ToList();
        associations.Select(a => a.LogicalId).ShouldBe([logicalId]);
        var properties = associations.Single().Resource.Properties();
        ((string)properties["KeyType"]!).ShouldBe("API_KEY");
        Flatten(properties["KeyId"]).ShouldBe("{Ref:TradingApiApiKey7F359AC8}");
        Flatten(properties["UsagePlanId"]).ShouldBe("{Ref:TradingApiUsagePlanA35CE22E}");
    }
}
