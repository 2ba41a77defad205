using System.Text.Json.Nodes;
using Shouldly;
using Xunit;
using static TradingPlatform.Tests.Api.AlarmTemplate;

namespace TradingPlatform.Tests.Api;

/// <summary>The environment's dashboard: where the person paged by an alarm looks first.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class PlatformDashboardTests(SynthesizedApps apps)
{
    private SynthesizedEnvironment Env(string suffix) => suffix == "prod" ? apps.Prod : apps.Dev;

    private sealed record PlottedMetric(string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions, string? Stat);

    private static JsonObject Dashboard(SynthesizedEnvironment env)
    {
        var dashboards = env.Stacks.All.SelectMany(s => env.JsonOf(s).ResourcesOfType("AWS::CloudWatch::Dashboard")).ToList();
        dashboards.Count.ShouldBe(1, "one dashboard per environment");
        return dashboards.Single().Resource.Properties();
    }

    /// <summary>The dashboard body (an Fn::Join of JSON text and references) parsed, references as {Ref:id} text.</summary>
    private static JsonObject Body(SynthesizedEnvironment env) => JsonNode.Parse(Flatten(Dashboard(env)["DashboardBody"]))!.AsObject();

    private static List<JsonObject> Widgets(SynthesizedEnvironment env) =>
        Body(env)["widgets"]!.AsArray().Select(w => w!.AsObject()).ToList();

    private static List<PlottedMetric> Metrics(SynthesizedEnvironment env) =>
        Widgets(env).SelectMany(w => w["properties"]?["metrics"]?.AsArray() ?? [])
            .Select(m => m!.AsArray())
            .Where(m => m[0] is JsonValue)
            .Select(m =>
            {
                var parts = m.Where(p => p is JsonValue).Select(p => (string)p!).ToList();
                var dimensions = new Dictionary<string, string>();
                for (var i = 2; i + 1 < parts.Count; i += 2)
                {
                    dimensions[parts[i]] = parts[i + 1];
                }

                return new PlottedMetric(parts[0], parts[1], dimensions, 
                    // The CDK leaves out the default statistic, Average.
                    (string?)m.OfType<JsonObject>().SingleOrDefault()?["stat"] ?? "Average");
            })
            .ToList();

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Dashboard_is_named_after_the_environment(string suffix)
    {
        // The runbook and the composite alarm's description send people to trading-platform-<env>.
        ((string)Dashboard(Env(suffix))["DashboardName"]!).ShouldBe($"trading-platform-{suffix}");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Dashboard_shows_the_state_of_every_alarm_of_every_layer(string suffix)
    {
        // First question when paged: which alarms are red. Every catalog alarm, other layers' by ARN.
        var env = Env(suffix);
        var widget = Widgets(env).Single(w => (string?)w["type"] == "alarm");
        var shown = widget["properties"]!["alarms"]!.AsArray().Select(a => (string)a!)
            .Select(arn => arn.StartsWith("{GetAtt:") ? AlarmNameOf(env, arn["{GetAtt:".Length..arn.IndexOf('.')]) : arn[(arn.LastIndexOf(':') + 1)..])
            .ToList();
        shown.ShouldBe(env.AlarmNames, ignoreOrder: true);
        // CloudWatch's limit for one alarm status widget: beyond it, split the widget.
        shown.Count.ShouldBeLessThanOrEqualTo(100);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Dashboard_follows_a_request_from_the_edge_to_the_data(string suffix)
    {
        // One metric per question an on-call engineer asks; a wrong dimension plots an empty graph, which reads as
        // "all quiet". The data layer is addressed by literal names, so the dashboard needs no cross-stack export.
        var env = Env(suffix);
        var metrics = Metrics(env);
        var api = new Dictionary<string, string> { ["ApiName"] = $"trading-api-{suffix}", ["Stage"] = $"{{Ref:{ApiJson(env).ResourcesOfType("AWS::ApiGateway::Stage").Single().LogicalId}}}" };
        var function = new Dictionary<string, string> { ["FunctionName"] = $"{{Ref:{ApiJson(env).ResourcesOfType("AWS::Lambda::Function").Single(f => f.LogicalId.StartsWith("DataProcessingFunction")).LogicalId}}}" };
        var cluster = new Dictionary<string, string> { ["DBClusterIdentifier"] = $"trading-db-{suffix}" };
        var waf = new Dictionary<string, string> { ["WebACL"] = $"trading-api-{suffix}-waf", ["Region"] = env.Settings.Region, ["Rule"] = "ALL" };

        void ShouldPlot(string ns, string name, Dictionary<string, string> dimensions, string stat) =>
            metrics.ShouldContain(m => m.Namespace == ns && m.Name == name && m.Stat == stat
                                       && m.Dimensions.Count == dimensions.Count && !m.Dimensions.Except(dimensions).Any(),
                $"{ns} {name} ({stat}) with {string.Join(", ", dimensions)}");

        ShouldPlot("AWS/WAFV2", "AllowedRequests", waf, "Sum");
        ShouldPlot("AWS/WAFV2", "BlockedRequests", waf, "Sum");
        ShouldPlot("AWS/ApiGateway", "Count", api, "Sum");
        ShouldPlot("AWS/ApiGateway", "4XXError", api, "Sum");
        ShouldPlot("AWS/ApiGateway", "5XXError", api, "Sum");
        ShouldPlot("AWS/ApiGateway", "Latency", api, "p50");
        ShouldPlot("AWS/ApiGateway", "Latency", api, "p99");
        ShouldPlot("AWS/Lambda", "Invocations", function, "Sum");
        ShouldPlot("AWS/Lambda", "Errors", function, "Sum");
        ShouldPlot("AWS/Lambda", "Throttles", function, "Sum");
        ShouldPlot("AWS/Lambda", "Duration", function, "p99");
        ShouldPlot("AWS/Lambda", "ConcurrentExecutions", function, "Maximum");
        ShouldPlot("AWS/RDS", "CPUUtilization", cluster, "Average");
        ShouldPlot("AWS/RDS", "ACUUtilization", cluster, "Average");
        ShouldPlot("AWS/RDS", "DatabaseConnections", cluster, "Maximum");
        ShouldPlot("AWS/RDS", "FreeableMemory", cluster, "Minimum");
        foreach (var table in new[] { $"user-sessions-{suffix}", $"api-keys-{suffix}" })
        {
            var byTable = new Dictionary<string, string> { ["TableName"] = table };
            ShouldPlot("AWS/DynamoDB", "ReadThrottleEvents", byTable, "Sum");
            ShouldPlot("AWS/DynamoDB", "WriteThrottleEvents", byTable, "Sum");
            ShouldPlot("AWS/DynamoDB", "ConsumedReadCapacityUnits", byTable, "Sum");
            ShouldPlot("AWS/DynamoDB", "ConsumedWriteCapacityUnits", byTable, "Sum");
        }

        // SystemErrors is published per table and operation: a search expression per table sums the operations.
        var expressions = Widgets(env).SelectMany(w => w["properties"]?["metrics"]?.AsArray() ?? [])
            .Select(m => m!.AsArray()).Where(m => m[0] is JsonObject).Select(m => (string)m[0]!["expression"]!).ToList();
        foreach (var table in new[] { $"user-sessions-{suffix}", $"api-keys-{suffix}" })
        {
            expressions.ShouldContain(e => e.Contains("MetricName=\"SystemErrors\"") && e.Contains($"TableName=\"{table}\""));
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Dashboard_imports_nothing_from_other_layers(string suffix)
    {
        // A reference to the Data layer's cluster or tables would add exports that lock the Data layer (an export
        // in use cannot change or go): the dashboard uses the fixed names instead.
        Flatten(Dashboard(Env(suffix))["DashboardBody"]).ShouldNotContain("{Import:");
    }
}
