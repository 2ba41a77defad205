using System.Text.Json.Nodes;
using Shouldly;
using Xunit;
using static TradingPlatform.Tests.Api.AlarmTemplate;

namespace TradingPlatform.Tests.Api;

/// <summary>The ingestion function's alarms, and why it has no dead-letter queue.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class IngestionFunctionTests(SynthesizedApps apps)
{
    private SynthesizedEnvironment Env(string suffix) => suffix == "prod" ? apps.Prod : apps.Dev;

    private static (string LogicalId, JsonObject Properties) Function(SynthesizedEnvironment env) =>
        ApiJson(env).ResourcesOfType("AWS::Lambda::Function")
            .Where(f => f.LogicalId.StartsWith("DataProcessingFunction"))
            .Select(f => (f.LogicalId, f.Resource.Properties()))
            .Single();

    // Expected values are the presets' (EnvironmentPresets) written out: prod pages early, dev-like only on broken
    // builds. Duration: 0.8 of the 25 s timeout. Concurrency: 0.8 of the reservation (prod 100, dev 10).
    // Throttles fire on any occurrence in a single period: each one is a refused trade batch.
    [Theory]
    [InlineData("prod", "ingestion-function-errors", "Errors", "Sum", 1, "GreaterThanOrEqualToThreshold", 2)]
    [InlineData("dev", "ingestion-function-errors", "Errors", "Sum", 10, "GreaterThanOrEqualToThreshold", 3)]
    [InlineData("prod", "ingestion-function-throttles", "Throttles", "Sum", 1, "GreaterThanOrEqualToThreshold", 1)]
    [InlineData("dev", "ingestion-function-throttles", "Throttles", "Sum", 1, "GreaterThanOrEqualToThreshold", 1)]
    [InlineData("prod", "ingestion-function-duration", "Duration", "p99", 20_000, "GreaterThanThreshold", 2)]
    [InlineData("dev", "ingestion-function-duration", "Duration", "p99", 20_000, "GreaterThanThreshold", 3)]
    [InlineData("prod", "ingestion-function-concurrency", "ConcurrentExecutions", "Maximum", 80, "GreaterThanThreshold", 2)]
    [InlineData("dev", "ingestion-function-concurrency", "ConcurrentExecutions", "Maximum", 8, "GreaterThanThreshold", 3)]
    public void Alarm_watches_the_function_with_the_kinds_threshold(
        string suffix, string name, string metric, string statistic, double threshold, string comparison, int periods)
    {
        var env = Env(suffix);
        var alarm = Alarm(env, name);

        ((string)alarm["Namespace"]!).ShouldBe("AWS/Lambda");
        ((string)alarm["MetricName"]!).ShouldBe(metric);
        // A percentile is an ExtendedStatistic in CloudFormation; the plain statistics are Statistic.
        ((string?)(statistic.StartsWith('p') ? alarm["ExtendedStatistic"] : alarm["Statistic"])).ShouldBe(statistic);
        // The alarm must watch OUR function: a wrong dimension watches a metric that never exists and never fires.
        Dimensions(alarm).ShouldBe(new Dictionary<string, string> { ["FunctionName"] = $"{{Ref:{Function(env).LogicalId}}}" }, ignoreOrder: true);
        ((int)alarm["Period"]!).ShouldBe(300);
        ((double)alarm["Threshold"]!).ShouldBe(threshold);
        ((string)alarm["ComparisonOperator"]!).ShouldBe(comparison);
        ((int)alarm["EvaluationPeriods"]!).ShouldBe(periods);
        ((int)alarm["DatapointsToAlarm"]!).ShouldBe(periods);
        // No invocations, no datapoints: silence is not an error, a throttle, a slow request or a crowd.
        ((string)alarm["TreatMissingData"]!).ShouldBe("notBreaching");
        ShouldNotifyTheAlertTopic(alarm);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Duration_and_concurrency_alarms_fire_before_the_limits_they_warn_about(string suffix)
    {
        // Rule: a warning at or above the limit arrives together with the failure (timeouts, throttles) it should
        // prevent. Checked against the function as deployed, not against the preset that built it.
        var env = Env(suffix);
        var function = Function(env).Properties;
        ((double)Alarm(env, "ingestion-function-duration")["Threshold"]!).ShouldBeLessThan((int)function["Timeout"]! * 1000.0);
        ((double)Alarm(env, "ingestion-function-concurrency")["Threshold"]!)
            .ShouldBeLessThan((int)function["ReservedConcurrentExecutions"]!);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Function_has_no_dead_letter_queue_because_it_is_only_invoked_synchronously(string suffix)
    {
        // Lambda sends only failed ASYNCHRONOUS invocations to a DLQ. API Gateway's Lambda proxy invokes synchronously:
        // the client gets the error (and retries with its Idempotency-Key), so a DLQ would stay empty forever and give
        // false comfort. If an asynchronous invoker is ever added (S3 notification, EventBridge, SNS, an event source),
        // this fails: give the function an on-failure destination or DLQ then.
        var env = Env(suffix);
        var json = ApiJson(env);
        var (functionId, function) = Function(env);
        function.ContainsKey("DeadLetterConfig").ShouldBeFalse("a DLQ on a synchronously invoked function receives nothing");
        json.ResourcesOfType("AWS::SQS::Queue").ShouldBeEmpty();
        json.ResourcesOfType("AWS::Lambda::EventSourceMapping").ShouldBeEmpty();
        json.ResourcesOfType("AWS::Lambda::EventInvokeConfig").ShouldBeEmpty();

        // Invokers of the function itself or of any of its aliases (API Gateway invokes the live alias).
        var targets = json.ResourcesOfType("AWS::Lambda::Alias")
            .Where(a => Flatten(a.Resource.Properties()["FunctionName"]) == $"{{Ref:{functionId}}}")
            .Select(a => $"{{Ref:{a.LogicalId}}}")
            .Append($"{{Ref:{functionId}}}")
            .ToList();
        var invokers = json.ResourcesOfType("AWS::Lambda::Permission")
            .Select(p => p.Resource.Properties())
            .Where(p => targets.Contains(Flatten(p["FunctionName"])) || Flatten(p["FunctionName"]).Contains(functionId))
            .Select(p => (string)p["Principal"]!)
            .ToList();
        invokers.ShouldNotBeEmpty();
        invokers.ShouldAllBe(principal => principal == "apigateway.amazonaws.com", "only API Gateway (synchronous) may invoke it");
        var integration = json.ResourcesOfType("AWS::ApiGateway::Method").Single().Resource.Properties()["Integration"]!;
        ((string)integration["Type"]!).ShouldBe("AWS_PROXY", "Lambda proxy: RequestResponse, i.e. synchronous");
    }
}
