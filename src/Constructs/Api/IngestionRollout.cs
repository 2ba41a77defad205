using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CodeDeploy;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Api;

public sealed record IngestionRolloutProps
{
    /// <summary>Required. The function whose live alias CodeDeploy shifts (see <see cref="IngestionFunction"/>).</summary>
    public required IngestionFunction Ingestion { get; init; }
    /// <summary>Required. The traffic shift and the rollback alarms' thresholds.</summary>
    public required FunctionRollout Rollout { get; init; }
    /// <summary>
    /// Required. The API's share of requests answered 5XX over one minute: a rollback alarm, because a new version can
    /// fail requests before it runs (API Gateway cannot invoke it), which no metric of the function shows.
    /// </summary>
    public required IMetric ApiServerErrorRatePerMinute { get; init; }
    /// <summary>Required. The CodeDeploy application's name.</summary>
    public required string ApplicationName { get; init; }
    /// <summary>Required. The deployment group's name.</summary>
    public required string DeploymentGroupName { get; init; }
    /// <summary>Required. The pre-traffic check's function name (and its log group's, /aws/lambda/&lt;name&gt;).</summary>
    public required string PreTrafficCheckName { get; init; }
    /// <summary>Required. Encrypts the check's log group and environment.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>Required. Encrypts the check's environment variables, like the ingestion function's.</summary>
    public required IKey LambdaKey { get; init; }
    /// <summary>Required. Retention and removal of the check's log group.</summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. Creates the rollback alarms (named, notifying the alert topic, in the catalog).</summary>
    public required PlatformAlarms Alarms { get; init; }
}

/// <summary>
/// Progressive delivery of the ingestion function: a CodeDeploy deployment group that moves the function's live alias
/// to each new version in the environment's traffic shift, after a pre-traffic check of the new version, and rolls it
/// back when the deployment fails, is stopped, or a rollback alarm fires. The rollback alarms watch the new version's
/// own invocations (ExecutedVersion dimension) and the API's 5XX rate over 1-minute periods.
/// </summary>
/// <remarks>
/// CloudFormation runs the deployment: the alias gets a CodeDeployLambdaAliasUpdate update policy, so an update that
/// moves it to a new version waits for CodeDeploy, and `cdk deploy` with it. Creating the alias (a new environment, or
/// the first deploy of this component) is not an update: it points at the version at once, without a deployment.
/// </remarks>
public sealed class IngestionRollout : PlatformComponent
{
    /// <summary>The check's code, inlined into the template (src/Functions/PreTrafficHook/index.js, embedded at build).</summary>
    public static string PreTrafficCheckCode { get; } = ReadEmbedded("PreTrafficHook.index.js");

    /// <summary>Lambda's newest Node runtime: its bundled AWS SDK v3 is all the check needs.</summary>
    public static readonly Runtime PreTrafficCheckRuntime = new(SupportedNodeRuntime.NodeRuntime, RuntimeFamily.NODEJS,
        new LambdaRuntimeProps { SupportsInlineCode = true });

    public LambdaDeploymentGroup DeploymentGroup { get; }
    public Function PreTrafficCheck { get; }
    /// <summary>The alarms that roll a deployment back (also in the alarm catalog, notifying the alert topic).</summary>
    public IReadOnlyList<Alarm> RollbackAlarms { get; }

    public IngestionRollout(Construct scope, string id, IngestionRolloutProps props)
        : base(scope, id)
    {
        var ingestion = props.Ingestion;
        var version = ingestion.CurrentVersion;

        PreTrafficCheck = new Function(this, "PreTrafficCheck", new FunctionProps
        {
            FunctionName = props.PreTrafficCheckName,
            Description = "CodeDeploy BeforeAllowTraffic: a new version must refuse a request without identity (401), storing nothing.",
            Runtime = PreTrafficCheckRuntime,
            Handler = "index.handler",
            Code = Code.FromInline(PreTrafficCheckCode),
            Architecture = Architecture.ARM_64,
            MemorySize = 128,
            // A new .NET version's cold start in the VPC, then CodeDeploy's answer: well inside a minute.
            Timeout = Duration.Minutes(1),
            // The version to check changes with every release: so does this variable, and the check is updated before
            // the alias (it depends on the version) and so before CodeDeploy calls it.
            Environment = new Dictionary<string, string> { ["VERSION_ARN"] = version.FunctionArn },
            EnvironmentEncryption = props.LambdaKey,
            LogGroup = SecureDefaults.LogGroup(this, "PreTrafficCheckLogGroup", props.Storage, props.LogsKey, $"/aws/lambda/{props.PreTrafficCheckName}"),
            Tracing = Tracing.ACTIVE,
            // One deployment at a time calls it; the reservation also keeps it from ever taking the account's concurrency.
            ReservedConcurrentExecutions = 1,
        });
        // Invoke exactly the version under test: not the alias, not $LATEST, not another function.
        version.GrantInvoke(PreTrafficCheck);

        RollbackAlarms = CreateRollbackAlarms(props, version);
        var rollout = props.Rollout;
        DeploymentGroup = new LambdaDeploymentGroup(this, "DeploymentGroup", new LambdaDeploymentGroupProps
        {
            Application = new LambdaApplication(this, "DeploymentApplication", new LambdaApplicationProps { ApplicationName = props.ApplicationName }),
            DeploymentGroupName = props.DeploymentGroupName,
            Alias = ingestion.LiveAlias,
            DeploymentConfig = DeploymentConfigOf(rollout.Shift),
            Alarms = RollbackAlarms.ToArray(),
            // Every way a deployment can end badly returns the alias to the version it came from.
            AutoRollback = new AutoRollbackConfig { FailedDeployment = true, StoppedDeployment = true, DeploymentInAlarm = true },
            PreHook = PreTrafficCheck,
        });

        // The alias names the check and the group in its update policy, which is not a reference CloudFormation orders by:
        // the check (with the new VERSION_ARN) and the alarms (watching the new version) are updated before the shift starts.
        ingestion.LiveAlias.Node.AddDependency(PreTrafficCheck, DeploymentGroup);
        foreach (var alarm in RollbackAlarms)
        {
            ingestion.LiveAlias.Node.AddDependency(alarm);
        }

        Suppress();
    }

    /// <summary>CodeDeploy's predefined configuration for <paramref name="shift"/> (no custom configuration resource).</summary>
    public static ILambdaDeploymentConfig DeploymentConfigOf(TrafficShift shift) => shift.ConfigName switch
    {
        "CodeDeployDefault.LambdaAllAtOnce" => LambdaDeploymentConfig.ALL_AT_ONCE,
        "CodeDeployDefault.LambdaCanary10Percent5Minutes" => LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
        "CodeDeployDefault.LambdaCanary10Percent10Minutes" => LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
        "CodeDeployDefault.LambdaCanary10Percent15Minutes" => LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
        "CodeDeployDefault.LambdaCanary10Percent30Minutes" => LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
        "CodeDeployDefault.LambdaLinear10PercentEvery1Minute" => LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
        "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes" => LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES,
        "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes" => LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
        "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes" => LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES,
        var name => throw new ArgumentOutOfRangeException(nameof(shift), name, "not a predefined CodeDeploy Lambda configuration"),
    };

    /// <summary>
    /// A metric of the new version's own invocations through the live alias, over one minute. Lambda publishes alias
    /// invocations under FunctionName + Resource (function:alias) for both versions together, and adds ExecutedVersion
    /// for the version that ran: that dimension is what keeps the old version's traffic, healthy or not, out of it.
    /// </summary>
    private static Metric NewVersionMetric(IngestionFunction ingestion, IVersion version, string metricName, string statistic) => new(new MetricProps
    {
        Namespace = "AWS/Lambda",
        MetricName = metricName,
        DimensionsMap = new Dictionary<string, string>
        {
            ["FunctionName"] = ingestion.Function.FunctionName,
            ["Resource"] = $"{ingestion.Function.FunctionName}:{IngestionFunction.LiveAliasName}",
            ["ExecutedVersion"] = version.Version,
        },
        Statistic = statistic,
        Period = Duration.Minutes(1),
    });

    private IReadOnlyList<Alarm> CreateRollbackAlarms(IngestionRolloutProps props, IVersion version)
    {
        var rollout = props.Rollout;
        var alarms = props.Alarms;
        var ingestion = props.Ingestion;
        var timeoutMs = IngestionFunction.Timeout.ToMilliseconds();

        // No invocation, no datapoint: a version nobody has called yet has done nothing wrong. NOT_BREACHING throughout.
        return
        [
            alarms.Add(this, "NewVersionErrorsAlarm", new AlarmDefinition(
                "ingestion-new-version-errors",
                "The ingestion function's newest version fails invocations: during a deployment CodeDeploy rolls it back.",
                NewVersionMetric(ingestion, version, "Errors", Stats.SUM), rollout.NewVersionErrorsPerMinute,
                ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 }),
            alarms.Add(this, "NewVersionThrottlesAlarm", new AlarmDefinition(
                "ingestion-new-version-throttles",
                "Requests routed to the ingestion function's newest version are throttled (a slower version holds more of the reservation): during a deployment CodeDeploy rolls it back.",
                NewVersionMetric(ingestion, version, "Throttles", Stats.SUM), 1,
                ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 }),
            alarms.Add(this, "NewVersionDurationAlarm", new AlarmDefinition(
                "ingestion-new-version-duration",
                $"The p99 duration of the ingestion function's newest version is close to its {IngestionFunction.Timeout.ToSeconds()} s timeout: during a deployment CodeDeploy rolls it back.",
                NewVersionMetric(ingestion, version, "Duration", Stats.Percentile(99)), rollout.NewVersionDurationShareOfTimeout * timeoutMs,
                ComparisonOperator.GREATER_THAN_THRESHOLD, TreatMissingData.NOT_BREACHING) { EvaluationPeriods = rollout.EvaluationMinutes }),
            alarms.Add(this, "RolloutApi5xxAlarm", new AlarmDefinition(
                "api-5xx-rate-per-minute",
                "The REST API answered too many requests 5XX in the last minutes (any version, or none: API Gateway failed to invoke it): during a deployment CodeDeploy rolls the new version back.",
                props.ApiServerErrorRatePerMinute, rollout.Api5xxPercentPerMinute,
                ComparisonOperator.GREATER_THAN_THRESHOLD, TreatMissingData.NOT_BREACHING) { EvaluationPeriods = rollout.EvaluationMinutes }),
        ];
    }

    private void Suppress()
    {
        NagSuppressions.Add(PreTrafficCheck.Role!.Node.FindChild("DefaultPolicy"),
            new NagSuppression("PCI.DSS.321-IAMNoInlinePolicy",
                "Generated from the CDK's grants (invoke the version under test, report to its deployment group), attached to this function's role only."),
            new NagSuppression("AwsSolutions-IAM5",
                "X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.",
                "Resource::*"));
        NagSuppressions.Add(PreTrafficCheck.Role!,
            new NagSuppression("AwsSolutions-IAM4",
                "AWS-managed Lambda policy for the check's CloudWatch Logs writes only.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"));
        NagSuppressions.Add(PreTrafficCheck,
            new NagSuppression("PCI.DSS.321-LambdaInsideVPC",
                "The check handles no trading data: it calls two AWS APIs (Lambda Invoke on one version, CodeDeploy's hook status), which its role alone allows; a VPC would add network interfaces and a security group for nothing to protect."));
        GuardSuppressions.Add(PreTrafficCheck, new GuardSuppression(ControlTowerRules.LambdaInsideVpc,
            "The check handles no trading data: it calls Lambda Invoke on one version and CodeDeploy's hook status, nothing else."));
        NagSuppressions.Add(DeploymentGroup.Role,
            new NagSuppression("AwsSolutions-IAM4",
                "CodeDeploy's AWS-managed service policy for Lambda deployments, the Limited one: update the alias, read alarms, invoke CodeDeployHook_* functions (our check is granted by name).",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited"));
        if (DeploymentGroup.Role.Node.TryFindChild("DefaultPolicy") is { } servicePolicy)
        {
            NagSuppressions.Add(servicePolicy,
                new NagSuppression("PCI.DSS.321-IAMNoInlinePolicy",
                    "Generated by the CDK's grant: CodeDeploy may invoke the pre-traffic check, nothing else."),
                new NagSuppression("AwsSolutions-IAM5",
                    "lambda:InvokeFunction on the check's versions and aliases (<arn>:*), as the CDK grants invoke.",
                    @"/^Resource::<.*PreTrafficCheck.*\.Arn>:\*$/g"));
        }
    }

    private static string ReadEmbedded(string name)
    {
        using var stream = typeof(IngestionRollout).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The build did not embed {name} (TradingPlatform.csproj, EmbeddedResource)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
