using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Alias = Amazon.CDK.AWS.Lambda.Alias;
using AliasProps = Amazon.CDK.AWS.Lambda.AliasProps;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Api;

public sealed record IngestionFunctionProps
{
    /// <summary>Required. The function runs in its private subnets.</summary>
    public required IVpc Vpc { get; init; }
    /// <summary>Required. The function joins this group so Aurora admits it on 5432.</summary>
    public required ISecurityGroup DatabaseClientSecurityGroup { get; init; }
    /// <summary>Required. Where the handler writes trades and idempotency records (and reads them back).</summary>
    public required IBucket IngestionBucket { get; init; }
    /// <summary>Required. Where the handler writes per-symbol aggregates (and reads them back).</summary>
    public required IBucket AnalyticsBucket { get; init; }
    /// <summary>
    /// Required. The client registry (the api-keys table): the function reads one item per caller (GetItem) and nothing
    /// else. The sessions table is deliberately not a property: the function has no business there.
    /// </summary>
    public required ITable ApiKeysTable { get; init; }
    /// <summary>Required. Folder holding the published data-processing function (see <see cref="DataProcessorAsset"/>).</summary>
    public required string AssetDir { get; init; }
    /// <summary>Required. Encrypts the function's environment variables.</summary>
    public required IKey LambdaKey { get; init; }
    /// <summary>Required. Encrypts the function's log group.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>Required. Retention and removal of the function's log group.</summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. The function's fixed name (and its log group's, /aws/lambda/&lt;name&gt;).</summary>
    public required string FunctionName { get; init; }
    /// <summary>Required. The environment's suffix, handed to the handler as ENVIRONMENT.</summary>
    public required string EnvironmentSuffix { get; init; }
    /// <summary>Required. Reserved concurrency: caps the function's blast radius on Aurora and S3.</summary>
    public required int ReservedConcurrency { get; init; }
    /// <summary>Required. Creates the function's alarms.</summary>
    public required PlatformAlarms Alarms { get; init; }
    /// <summary>Required. The alarm thresholds (errors, duration and concurrency shares).</summary>
    public required AlarmThresholds Thresholds { get; init; }
}

/// <summary>
/// The data-processing (ingestion) function behind POST /data: the C# handler in private subnets as a database
/// client, its encrypted log group, least-privilege grants on its S3 prefixes, its cdk-nag exemptions, and the
/// alarms that say it fails, is throttled, is about to time out or is about to run out of its reservation.
/// </summary>
/// <remarks>
/// No dead-letter queue: API Gateway invokes the function synchronously (Lambda proxy), and Lambda only sends
/// asynchronous invocations that failed to a DLQ. A failed request is answered 5XX to the client, who retries with
/// its Idempotency-Key; the errors and 5XX alarms are what tells us.
/// </remarks>
public sealed class IngestionFunction : PlatformComponent
{
    public const string Handler = "DataProcessor::TradingPlatform.Functions.DataProcessor.Function::HandleAsync";
    /// <summary>Where the handler writes in the ingestion bucket: trade NDJSON and idempotency records.</summary>
    public static readonly IReadOnlyList<string> IngestionPrefixes = ["trades/*", "idempotency/*"];
    /// <summary>Where the handler writes per-symbol aggregates in the analytics bucket.</summary>
    public const string AnalyticsPrefix = "aggregates/*";
    /// <summary>The handler gives S3 20 s in all, which keeps it inside API Gateway's 29 s integration timeout.</summary>
    public static readonly Duration Timeout = Duration.Seconds(25);

    /// <summary>The alias API Gateway invokes; CodeDeploy moves it from one version to the next (IngestionRollout).</summary>
    public const string LiveAliasName = "live";

    public Function Function { get; }
    /// <summary>The version published from the function's current code and configuration (a new one when either changes).</summary>
    public IVersion CurrentVersion { get; }
    /// <summary>What clients' requests reach: never $LATEST, always a published version.</summary>
    public Alias LiveAlias { get; }
    public IReadOnlyList<Alarm> Alarms { get; }

    public IngestionFunction(Construct scope, string id, IngestionFunctionProps props)
        : base(scope, id)
    {
        var functionName = props.FunctionName;

        Function = new Function(this, "DataProcessingFunction", new FunctionProps
        {
            FunctionName = functionName,
            // CDK 2.160 predates the dotnet10 constant (the seed's nodejs18.x is past end of support).
            Runtime = new Runtime("dotnet10", RuntimeFamily.DOTNET_CORE),
            Handler = Handler,
            // Published by the app's build (TradingPlatform.csproj); see DataProcessorAsset.
            Code = Code.FromAsset(props.AssetDir),
            Architecture = Architecture.ARM_64,
            MemorySize = 512,
            Timeout = Timeout,
            Environment = new Dictionary<string, string>
            {
                ["ENVIRONMENT"] = props.EnvironmentSuffix,
                ["INGESTION_BUCKET"] = props.IngestionBucket.BucketName,
                ["ANALYTICS_BUCKET"] = props.AnalyticsBucket.BucketName,
                ["API_KEYS_TABLE"] = props.ApiKeysTable.TableName,
            },
            EnvironmentEncryption = props.LambdaKey,
            // Private subnets: the function reaches Aurora and AWS APIs, and nothing reaches it but API Gateway.
            Vpc = props.Vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            SecurityGroups = [props.DatabaseClientSecurityGroup],
            // An explicit, encrypted log group replaces the seed's deprecated logRetention custom resource.
            LogGroup = SecureDefaults.LogGroup(this, "DataProcessingLogGroup", props.Storage, props.LogsKey, $"/aws/lambda/{functionName}"),
            Tracing = Tracing.ACTIVE,
            ReservedConcurrentExecutions = props.ReservedConcurrency,
        });

        // Only what the handler does: write trades (and idempotency records) and aggregates, and read them
        // back (HeadObject) to answer retries; listing lets a missing key read as 404 rather than 403.
        foreach (var prefix in IngestionPrefixes)
        {
            props.IngestionBucket.GrantPut(Function, prefix);
            props.IngestionBucket.GrantRead(Function, prefix);
        }

        props.AnalyticsBucket.GrantPut(Function, AnalyticsPrefix);
        props.AnalyticsBucket.GrantRead(Function, AnalyticsPrefix);

        // The client registry: one GetItem per caller (cached), no Query, Scan or BatchGetItem (GrantReadData would add
        // them). Reading an item of a table encrypted with the database key needs kms:Decrypt on that key, and only
        // through DynamoDB (kms:ViaService): the key also encrypts the sessions table and Aurora, which the function
        // cannot read anyway without their own permissions.
        props.ApiKeysTable.Grant(Function, "dynamodb:GetItem");
        if (props.ApiKeysTable.EncryptionKey is { } tableKey)
        {
            Function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
            {
                Actions = ["kms:Decrypt"],
                Resources = [tableKey.KeyArn],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"dynamodb.{Stack.Of(this).Region}.amazonaws.com" },
                },
            }));
        }

        // The CDK publishes a version whose logical id hashes the function's code and configuration: any change to
        // either is a new version. The old one is deleted only in the update's clean-up, after the deployment
        // succeeded, so a rollback (CodeDeploy's or CloudFormation's) still finds it.
        CurrentVersion = Function.CurrentVersion;
        LiveAlias = new Alias(this, "LiveAlias", new AliasProps
        {
            AliasName = LiveAliasName,
            Version = CurrentVersion,
            Description = "What API Gateway invokes; CodeDeploy shifts it to each new version.",
        });

        Suppress();
        Alarms = CreateAlarms(props.Thresholds, props.ReservedConcurrency, props.Alarms);
    }

    private void Suppress()
    {
        NagSuppressions.Add(Function.Role!.Node.FindChild("DefaultPolicy"),
            new NagSuppression("PCI.DSS.321-IAMNoInlinePolicy",
                "Generated from least-privilege grants, attached to this function's role only."),
            new NagSuppression("AwsSolutions-IAM5",
                "X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.",
                "Resource::*"),
            new NagSuppression("AwsSolutions-IAM5",
                "CDK grant action groups (put, abort multipart, read back for idempotent retries), confined to the handler's prefixes.",
                "Action::s3:Abort*", "Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*"),
            new NagSuppression("AwsSolutions-IAM5",
                "Encrypting each new object needs fresh data keys from the S3 key named in the statement.",
                "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"),
            new NagSuppression("AwsSolutions-IAM5",
                "Object keys are generated per batch, so access is granted per prefix: trades/, idempotency/ and aggregates/ only.",
                @"/^Resource::.*IngestionBucket.*\/(trades|idempotency)\/\*$/g",
                @"/^Resource::.*AnalyticsBucket.*\/aggregates\/\*$/g"));
        NagSuppressions.Add(Function.Role!,
            new NagSuppression("AwsSolutions-IAM4",
                "AWS-managed Lambda policies: CloudWatch Logs writes and the VPC network interfaces the function needs.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"));
        GuardSuppressions.Add(Function, new GuardSuppression(ControlTowerRules.LambdaInsideVpc,
            "Runs in the VPC's private subnets: SubnetIds and SecurityGroupIds are Fn::ImportValue of the Network and Data layers' exports, which the rule cannot resolve."));
    }

    /// <summary>A metric of this function over 5 minutes (FunctionName dimension).</summary>
    public IMetric Metric(string metricName, string statistic) => Function.Metric(metricName, new MetricOptions
    {
        Statistic = statistic,
        Period = Duration.Minutes(5),
    });

    private IReadOnlyList<Alarm> CreateAlarms(AlarmThresholds thresholds, int reservation, PlatformAlarms alarms)
    {
        var timeoutMs = Timeout.ToMilliseconds();

        // Every metric below is only published when the function is invoked: no datapoint means no traffic,
        // which is neither an error, a throttle, a slow request nor a crowd. Silence is NOT_BREACHING throughout;
        // "is the API receiving traffic at all" is a business question the dashboard answers, not a page.
        return
        [
            alarms.Add(this, "DataProcessingErrorsAlarm", new AlarmDefinition(
                "ingestion-function-errors",
                "The ingestion function failed invocations (unhandled exceptions, timeouts, out of memory): clients get 5XX.",
                Metric("Errors", Stats.SUM), thresholds.FunctionErrors, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                TreatMissingData.NOT_BREACHING)),
            alarms.Add(this, "DataProcessingThrottlesAlarm", new AlarmDefinition(
                "ingestion-function-throttles",
                "The ingestion function hit its reserved concurrency and Lambda refused requests: clients get 5XX/429.",
                // Any throttle is a refused trade batch: one period, one occurrence.
                Metric("Throttles", Stats.SUM), 1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 }),
            alarms.Add(this, "DataProcessingDurationAlarm", new AlarmDefinition(
                "ingestion-function-duration",
                $"The ingestion function's p99 duration is close to its {Timeout.ToSeconds()} s timeout: slow S3 or Aurora; requests are about to time out.",
                Metric("Duration", Stats.Percentile(99)), thresholds.FunctionDurationShareOfTimeout * timeoutMs,
                ComparisonOperator.GREATER_THAN_THRESHOLD,
                TreatMissingData.NOT_BREACHING)),
            alarms.Add(this, "DataProcessingConcurrencyAlarm", new AlarmDefinition(
                "ingestion-function-concurrency",
                $"The ingestion function uses most of its {reservation} reserved concurrent executions: the next burst is throttled.",
                Metric("ConcurrentExecutions", Stats.MAXIMUM), thresholds.FunctionConcurrencyShareOfReservation * reservation,
                ComparisonOperator.GREATER_THAN_THRESHOLD,
                TreatMissingData.NOT_BREACHING)),
        ];
    }
}
