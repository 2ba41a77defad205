using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.KMS;
using Constructs;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Data;

public sealed record TradingTablesProps
{
    /// <summary>Required. Encrypts both tables (customer-managed).</summary>
    public required IKey Key { get; init; }
    /// <summary>Required. The sessions table's fixed name (also its alarms' dimension).</summary>
    public required string SessionsTableName { get; init; }
    /// <summary>Required. The api-keys table's fixed name (also its alarms' dimension).</summary>
    public required string ApiKeysTableName { get; init; }
    /// <summary>Required. Deletion protection on both tables.</summary>
    public required bool DeletionProtection { get; init; }
    /// <summary>Required. What happens to the tables when the stack is deleted or they are replaced.</summary>
    public required RemovalPolicy RemovalPolicy { get; init; }
    /// <summary>Required. Creates the throttle and system-error alarms of each table.</summary>
    public required PlatformAlarms Alarms { get; init; }
}

/// <summary>
/// The DynamoDB tables: user sessions (expiring through TTL) and API keys. On demand, point-in-time recovery,
/// encrypted with the database key, with an alarm on throttling and one on DynamoDB's own errors per table.
/// </summary>
public sealed class TradingTables : PlatformComponent
{
    /// <summary>
    /// The data-plane operations whose SystemErrors are watched. SystemErrors exists only per operation, and an alarm's
    /// metric math may use at most 10 metrics, so the control-plane, transactional-read and PartiQL operations (which
    /// clients of these tables do not use) are left out.
    /// </summary>
    public static readonly string[] WatchedOperations =
    [
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactWriteItems",
    ];

    public Table Sessions { get; }
    public Table ApiKeys { get; }
    public IReadOnlyList<Alarm> Alarms { get; }

    public TradingTables(Construct scope, string id, TradingTablesProps props)
        : base(scope, id)
    {
        Sessions = CreateTable("SessionsTable", props.SessionsTableName, "sessionId", props, "expiresAt");
        ApiKeys = CreateTable("ApiKeysTable", props.ApiKeysTableName, "apiKeyId", props, timeToLiveAttribute: null);
        Alarms =
        [
            .. TableAlarms(props.SessionsTableName, "SessionsTable", "sessions-table", props.Alarms),
            .. TableAlarms(props.ApiKeysTableName, "ApiKeysTable", "api-keys-table", props.Alarms),
        ];
    }

    private Table CreateTable(
        string id, string tableName, string partitionKey, TradingTablesProps props, string? timeToLiveAttribute) =>
        new(this, id, new TableProps
        {
            TableName = tableName,
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = partitionKey, Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST,
            PointInTimeRecovery = true,
            Encryption = TableEncryption.CUSTOMER_MANAGED,
            EncryptionKey = props.Key,
            TimeToLiveAttribute = timeToLiveAttribute,
            DeletionProtection = props.DeletionProtection,
            RemovalPolicy = props.RemovalPolicy,
        });

    /// <summary>
    /// Throttles and system errors, each alarming on any occurrence (one is one too many; see AlarmThresholds).
    /// On-demand tables have no provisioned capacity, but they still throttle: above twice the previous peak within
    /// 30 minutes, above a partition's limits (hot keys) and above the table's throughput quota. ReadThrottleEvents and
    /// WriteThrottleEvents are reported per table (TableName only) for every operation that consumes capacity, so
    /// their sum covers all of them with two metrics. DynamoDB reports both kinds only when they happen, so missing
    /// data means none happened: NOT_BREACHING.
    /// </summary>
    private IEnumerable<Alarm> TableAlarms(string tableName, string id, string name, PlatformAlarms alarms)
    {
        var period = Duration.Minutes(5);
        // The table's fixed physical name, as in the Api layer's dashboard.
        Metric TableMetric(string metricName) => new(new MetricProps
        {
            Namespace = "AWS/DynamoDB",
            MetricName = metricName,
            DimensionsMap = new Dictionary<string, string> { ["TableName"] = tableName },
            Statistic = Stats.SUM,
            Period = period,
        });

        var throttles = new MathExpression(new MathExpressionProps
        {
            Expression = "FILL(reads, 0) + FILL(writes, 0)",
            UsingMetrics = new Dictionary<string, IMetric>
            {
                ["reads"] = TableMetric("ReadThrottleEvents"),
                ["writes"] = TableMetric("WriteThrottleEvents"),
            },
            Label = $"{name} throttle events",
            Period = period,
        });
        yield return alarms.Add(this, $"{id}ThrottlesAlarm", new AlarmDefinition(
            $"{name}-throttled",
            $"DynamoDB throttled requests to {tableName}: callers get ProvisionedThroughputExceeded errors and retry or fail.",
            throttles, 1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            // Throttle events are only reported when they happen: no data is no throttling.
            TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 });

        // FILL(.., 0) in both sums: metric math drops a timestamp that one series lacks, so without it an error in one
        // operation would vanish whenever another operation had no datapoint (which, for error counts, is always).
        var systemErrors = new MathExpression(new MathExpressionProps
        {
            Expression = string.Join(" + ", WatchedOperations.Select(op => $"FILL({op.ToLowerInvariant()}, 0)")),
            UsingMetrics = WatchedOperations.ToDictionary(op => op.ToLowerInvariant(), op => (IMetric)new Metric(new MetricProps
            {
                Namespace = "AWS/DynamoDB",
                MetricName = "SystemErrors",
                DimensionsMap = new Dictionary<string, string> { ["TableName"] = tableName, ["Operation"] = op },
                Statistic = Stats.SUM,
                Period = period,
            })),
            Label = $"{name} system errors",
            Period = period,
        });
        yield return alarms.Add(this, $"{id}SystemErrorsAlarm", new AlarmDefinition(
            $"{name}-system-errors",
            $"DynamoDB answered requests to {tableName} with HTTP 500 (an AWS-side fault): callers see failures until it passes.",
            systemErrors, 1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            // System errors are only reported when they happen: no data is no errors (and no traffic).
            TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 });
    }
}
