using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Api;

/// <summary>What the dashboard shows of this layer: typed components, so a metric cannot name the wrong resource.</summary>
public sealed record PlatformDashboardSources(IngestionFunction Function, TradingRestApi Api, WebFirewall Firewall);

public sealed record PlatformDashboardProps
{
    /// <summary>
    /// Required. Every alarm of the environment, shown by state. Reading it seals it: an alarm created afterwards
    /// fails synthesis instead of missing from the dashboard.
    /// </summary>
    public required AlarmCatalog Catalog { get; init; }
    /// <summary>Required. This layer's components whose metrics are graphed.</summary>
    public required PlatformDashboardSources Sources { get; init; }
    /// <summary>Required. The environment's fixed names: the dashboard's, and the resources addressed by name.</summary>
    public required ResourceNames Names { get; init; }
    /// <summary>Required. The API stage clients call, in a heading.</summary>
    public required string StageName { get; init; }
    /// <summary>Required. The function's reserved concurrency, in a graph's title.</summary>
    public required int FunctionReservedConcurrency { get; init; }
}

/// <summary>
/// One CloudWatch dashboard per environment (named <see cref="ResourceNames.Dashboard"/>): the state of every alarm of
/// every layer, then the request path from the edge inwards (WAF, API, function) and the data layer (Aurora, DynamoDB).
/// The data layer's metrics are addressed by the resources' literal names (<see cref="ResourceNames"/>), not by
/// references, so the dashboard adds no cross-stack export.
/// </summary>
public sealed class PlatformDashboard : PlatformComponent
{
    private const int Width = 8;
    private const int Height = 6;
    private static readonly Duration Period = Duration.Minutes(5);

    public Dashboard Dashboard { get; }

    public PlatformDashboard(Construct scope, string id, PlatformDashboardProps props)
        : base(scope, id)
    {
        var sources = props.Sources;
        var names = props.Names;
        var api = sources.Api;
        var function = sources.Function;
        var waf = sources.Firewall;

        Dashboard = new Dashboard(this, "PlatformDashboard", new DashboardProps
        {
            DashboardName = names.Dashboard,
            DefaultInterval = Duration.Hours(3),
        });

        Dashboard.AddWidgets(new AlarmStatusWidget(new AlarmStatusWidgetProps
        {
            Title = $"Alarms of every layer ({props.Catalog.NamesFor(this).Count})",
            Alarms = props.Catalog.AlarmsAsSeenFrom(this).ToArray(),
            SortBy = AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
            Width = 24,
            Height = 4,
        }));

        Dashboard.AddWidgets(
            new TextWidget(new TextWidgetProps { Markdown = $"## Edge: web firewall {names.WebAcl}, REST API {names.RestApi} (stage {props.StageName})", Width = 24, Height = 1 }));
        Dashboard.AddWidgets(
            Graph("WAF: allowed and blocked requests", waf.Metric("AllowedRequests"), waf.Metric("BlockedRequests")),
            Graph("API: requests (Count)", api.Metric("Count", Stats.SUM)),
            Graph("API: 4XX and 5XX responses", api.Metric("4XXError", Stats.SUM), api.Metric("5XXError", Stats.SUM)));
        Dashboard.AddWidgets(
            Graph("API: latency p50 / p99 (ms)", api.Metric("Latency", Stats.Percentile(50)), api.Metric("Latency", Stats.Percentile(99))),
            Graph("API: integration latency p99 (ms)", api.Metric("IntegrationLatency", Stats.Percentile(99))));

        Dashboard.AddWidgets(
            new TextWidget(new TextWidgetProps { Markdown = $"## Ingestion function {names.DataProcessorFunction}", Width = 24, Height = 1 }));
        Dashboard.AddWidgets(
            Graph("Function: invocations, errors, throttles",
                function.Metric("Invocations", Stats.SUM), function.Metric("Errors", Stats.SUM), function.Metric("Throttles", Stats.SUM)),
            Graph($"Function: duration p99 (ms; timeout {IngestionFunction.Timeout.ToMilliseconds()})", function.Metric("Duration", Stats.Percentile(99))),
            Graph($"Function: concurrent executions (max; reserved {props.FunctionReservedConcurrency})",
                function.Metric("ConcurrentExecutions", Stats.MAXIMUM)));

        Dashboard.AddWidgets(
            new TextWidget(new TextWidgetProps { Markdown = $"## Data: Aurora {names.DatabaseCluster}, DynamoDB {names.SessionsTable} and {names.ApiKeysTable}", Width = 24, Height = 1 }));
        Metric Aurora(string metricName, string statistic) =>
            Literal("AWS/RDS", metricName, statistic, new() { ["DBClusterIdentifier"] = names.DatabaseCluster });
        Dashboard.AddWidgets(
            Graph("Aurora: CPU and ACU utilisation (%)", Aurora("CPUUtilization", Stats.AVERAGE), Aurora("ACUUtilization", Stats.AVERAGE)),
            Graph("Aurora: connections", Aurora("DatabaseConnections", Stats.MAXIMUM)),
            Graph("Aurora: freeable memory (bytes)", Aurora("FreeableMemory", Stats.MINIMUM)));

        string[] tables = [names.SessionsTable, names.ApiKeysTable];
        Metric Table(string table, string metricName) =>
            Literal("AWS/DynamoDB", metricName, Stats.SUM, new() { ["TableName"] = table }, $"{table} {metricName}");
        Dashboard.AddWidgets(
            Graph("DynamoDB: read / write throttle events",
                tables.SelectMany(t => new IMetric[] { Table(t, "ReadThrottleEvents"), Table(t, "WriteThrottleEvents") }).ToArray()),
            // SystemErrors is published per table AND operation: a search sums whichever operations occurred.
            Graph("DynamoDB: system errors", tables.Select(t => (IMetric)new MathExpression(new MathExpressionProps
            {
                Expression = $"SUM(SEARCH('{{AWS/DynamoDB,Operation,TableName}} MetricName=\"SystemErrors\" TableName=\"{t}\"', 'Sum', {Period.ToSeconds()}))",
                Label = $"{t} SystemErrors",
                Period = Period,
                UsingMetrics = new Dictionary<string, IMetric>(),
            })).ToArray()),
            Graph("DynamoDB: consumed read / write capacity",
                tables.SelectMany(t => new IMetric[] { Table(t, "ConsumedReadCapacityUnits"), Table(t, "ConsumedWriteCapacityUnits") }).ToArray()));
    }

    private static Metric Literal(string ns, string metricName, string statistic, Dictionary<string, string> dimensions, string? label = null) => new(new MetricProps
    {
        Label = label,
        Namespace = ns,
        MetricName = metricName,
        DimensionsMap = dimensions,
        Statistic = statistic,
        Period = Period,
    });

    private static GraphWidget Graph(string title, params IMetric[] metrics) => new(new GraphWidgetProps
    {
        Title = title,
        Left = metrics,
        Width = Width,
        Height = Height,
    });
}
