using Amazon.CDK;
using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.Cognito;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Constructs.Api;

public sealed record TradingRestApiProps
{
    /// <summary>Required. The function behind POST /data (Lambda proxy).</summary>
    public required IFunction Handler { get; init; }
    /// <summary>Required. Encrypts the access-log group.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>Required. Retention and removal of the access-log group.</summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. The machine clients' user pool: POST /data requires one of its access tokens.</summary>
    public required IUserPool MachineClientPool { get; init; }
    /// <summary>Required. The environment's fixed names: the API's, its authorizer's, usage plans' and API keys'.</summary>
    public required ResourceNames Names { get; init; }
    /// <summary>Required. The stage clients call (the environment's suffix).</summary>
    public required string StageName { get; init; }
    /// <summary>The machine clients: each gets its own API key (and its own usage plan if it has limits). Default: none.</summary>
    public IReadOnlyList<TradingClient> Clients { get; init; } = [];
    /// <summary>Required. Creates the API's alarms.</summary>
    public required PlatformAlarms Alarms { get; init; }
    /// <summary>Required. The alarm thresholds (5XX share, p99 latency).</summary>
    public required AlarmThresholds Thresholds { get; init; }
}

/// <summary>
/// The REST API clients hold: POST /data with an access token of the machine-client pool (scope trades.write) AND an
/// API key under a usage plan (one key per configured client), a request model and validator in front of the
/// ingestion function, JSON access logs and execution logs without bodies, its cdk-nag exemptions, and the alarms on
/// what clients see: the share of requests answered 5XX and the p99 latency.
/// </summary>
public sealed class TradingRestApi : PlatformComponent
{
    public RestApi Api { get; }
    public IReadOnlyList<Alarm> Alarms { get; }
    public CognitoUserPoolsAuthorizer Authorizer { get; }
    /// <summary>The usage plan of every client without limits of its own (the seed's plan: 1000 rps, 2000 burst per key).</summary>
    public UsagePlan UsagePlan { get; }
    /// <summary>Each configured client's own API key, by client name.</summary>
    public IReadOnlyDictionary<string, IApiKey> ClientApiKeys { get; }

    private readonly string stageName;

    public TradingRestApi(
        Construct scope, string id, TradingRestApiProps props)
        : base(scope, id)
    {
        var names = props.Names;
        stageName = props.StageName;
        var accessLogs = SecureDefaults.LogGroup(this, "ApiAccessLogGroup", props.Storage, props.LogsKey);

        Api = new RestApi(this, "TradingApi", new RestApiProps
        {
            RestApiName = names.RestApi,
            Description = "API for trading analytics platform",
            EndpointTypes = [EndpointType.REGIONAL],
            // Execution logging needs the account-level CloudWatch role. It is shared by every API in the
            // region, so keep it when this stack goes away (another environment may rely on it).
            CloudWatchRole = true,
            CloudWatchRoleRemovalPolicy = RemovalPolicy.RETAIN,
            DeployOptions = new StageOptions
            {
                StageName = props.StageName,
                LoggingLevel = MethodLoggingLevel.INFO,
                // Must be explicitly false: true (the seed) writes full request/response bodies, i.e.
                // trading data, to CloudWatch; leaving it unset is not a guarantee.
                DataTraceEnabled = false,
                MetricsEnabled = true,
                TracingEnabled = true,
                AccessLogDestination = new LogGroupLogDestination(accessLogs),
                AccessLogFormat = AccessLogFormat.JsonWithStandardFields(new JsonWithStandardFieldProps
                {
                    Caller = true, HttpMethod = true, Ip = true, Protocol = true, RequestTime = true,
                    ResourcePath = true, ResponseLength = true, Status = true, User = true,
                }),
            },
        });

        var validator = Api.AddRequestValidator("TradeBatchValidator", new RequestValidatorOptions
        {
            ValidateRequestBody = true,
            ValidateRequestParameters = true,
        });
        var tradeBatchModel = Api.AddModel("TradeBatchModel", new ModelOptions
        {
            ContentType = "application/json",
            ModelName = "TradeBatch",
            Schema = TradeBatchSchema.Create(),
        });

        // Tokens from the machine-client pool only, and only with the write scope: API Gateway then checks the access
        // token (signature, expiry, scope) before the function runs; the function matches its client_id to the API key.
        Authorizer = new CognitoUserPoolsAuthorizer(this, "MachineClientAuthorizer", new CognitoUserPoolsAuthorizerProps
        {
            AuthorizerName = names.MachineClientAuthorizer,
            CognitoUserPools = [props.MachineClientPool],
        });

        var dataResource = Api.Root.AddResource("data");
        var postData = dataResource.AddMethod("POST", new LambdaIntegration(props.Handler), new MethodOptions
        {
            AuthorizationType = AuthorizationType.COGNITO,
            Authorizer = Authorizer,
            AuthorizationScopes = [MachineClientIdentity.WriteScope],
            // Both: the token says which client, the key meters and throttles it (and is looked up in the api-keys table).
            ApiKeyRequired = true,
            RequestValidator = validator,
            RequestModels = new Dictionary<string, IModel> { ["application/json"] = tradeBatchModel },
        });

        var usagePlan = UsagePlan = Api.AddUsagePlan("UsagePlan", new UsagePlanProps
        {
            Name = names.UsagePlan,
            Throttle = Throttle(ThrottleLimits.SharedPlan),
        });
        usagePlan.AddApiStage(new UsagePlanPerApiStage { Stage = Api.DeploymentStage });

        // The seed's shared key stays in the plan (clients hold it), but it is in no client's registry entry, so the
        // function refuses it: clients move to their own keys, then a later release deletes it.
        var apiKey = Api.AddApiKey("ApiKey", new ApiKeyOptions { ApiKeyName = names.ApiKey });
        Associate(usagePlan, apiKey);

        // One key per client, its ids derived from the client's name (stable when the list is reordered). A client with
        // limits of its own gets a usage plan of its own: API Gateway throttles each key by its plan's limits.
        var clientKeys = new Dictionary<string, IApiKey>();
        foreach (var client in props.Clients)
        {
            var key = Api.AddApiKey($"ClientApiKey-{client.Name}", new ApiKeyOptions { ApiKeyName = names.ClientApiKey(client.Name) });
            var plan = usagePlan;
            if (client.Limits is { } limits)
            {
                plan = Api.AddUsagePlan($"ClientUsagePlan-{client.Name}", new UsagePlanProps
                {
                    Name = names.ClientUsagePlan(client.Name),
                    Throttle = Throttle(limits),
                });
                plan.AddApiStage(new UsagePlanPerApiStage { Stage = Api.DeploymentStage });
            }

            Associate(plan, key);
            clientKeys[client.Name] = key;
        }

        ClientApiKeys = clientKeys;
        NagSuppressions.Add(Api.DeploymentStage,
            new NagSuppression("PCI.DSS.321-APIGWCacheEnabledAndEncrypted",
                "The API only accepts POST /data writes; caching their responses would be wrong, so no cache (and no cached data) exists."),
            new NagSuppression("PCI.DSS.321-APIGWSSLEnabled",
                "Client certificates authenticate API Gateway to HTTP back ends; the only integration is Lambda proxy over the signed AWS API."));
        NagSuppressions.Add(Api.Node.FindChild("CloudWatchRole"),
            new NagSuppression("AwsSolutions-IAM4",
                "The account-level API Gateway logging role needs exactly the AWS-managed push-to-CloudWatch policy.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"));

        ScopeInvokePermissions(postData, props.StageName);
        Alarms = CreateAlarms(props.Thresholds, props.Alarms);
    }

    private static ThrottleSettings Throttle(ThrottleLimits limits) =>
        new() { RateLimit = limits.RateLimit, BurstLimit = limits.BurstLimit };

    /// <summary>
    /// What usagePlan.AddApiKey(apiKey) does, except the construct id: the CDK names the association after the key's
    /// path, which now includes this component; with the path the key had before components existed, the association
    /// keeps its logical id. (A new id would be created before the old one is deleted, and API Gateway refuses a second
    /// association of the same key and plan: the deploy would fail.)
    /// </summary>
    private static void Associate(UsagePlan plan, IApiKey key) =>
        new CfnUsagePlanKey(plan, $"UsagePlanKeyResource:{UniqueIdWithoutComponents(key)}", new CfnUsagePlanKeyProps
        {
            KeyId = key.KeyId,
            KeyType = "API_KEY",
            UsagePlanId = plan.UsagePlanId,
        });

    /// <summary>
    /// API Gateway's invoke permissions for the method (live and test-invoke), as the CDK makes them, with two changes:
    /// <list type="bullet">
    /// <item>Control Tower CT.LAMBDA.PR.2: the CDK scopes them with a SourceArn built at deploy time (Fn::Join);
    /// SourceAccount adds the confused-deputy guard as a literal the rule reads: only API Gateway calls on behalf of this
    /// account's APIs may invoke the handler.</item>
    /// <item>API Gateway may invoke the handler before a deployment can route a request to it. The CDK's live permission
    /// names the stage through a reference to the Stage resource, so CloudFormation could only create it after the stage
    /// had moved to the new target: seconds of 500s whenever the target changes (as it did from the function to its live
    /// alias). With the stage's literal name (the same value) the permission no longer waits for the stage, and the
    /// method, hence the deployment and the stage, waits for the permission. Only the live one: the test-invoke
    /// permission serves the console's Test button, not clients (and one dependency keeps DependsOn free of an order
    /// that would follow construct paths, which differ in a pipeline stage).</item>
    /// </list>
    /// </summary>
    private void ScopeInvokePermissions(Method method, string stageName)
    {
        // The method's own resource, not the construct: a construct dependency would also make its children (the
        // permissions) depend on each other, a cycle.
        var methodResource = (Amazon.CDK.CfnResource)method.Node.DefaultChild!;
        foreach (var permission in method.Node.Children.OfType<CfnPermission>())
        {
            permission.AddPropertyOverride("SourceAccount", Stack.Of(method).Account);
            if (!permission.Node.Id.StartsWith("ApiPermission.Test", StringComparison.Ordinal))
            {
                permission.AddPropertyOverride("SourceArn", Api.ArnForExecuteApi(method.HttpMethod, method.Resource.Path, stageName));
                methodResource.AddDependency(permission);
            }
        }
    }

    /// <summary>The CDK's Names.nodeUniqueId of a construct, computed on its path without platform components.</summary>
    private static string UniqueIdWithoutComponents(IConstruct construct) =>
        LogicalIds.Make(construct.Node.Scopes.Skip(1).Where(scope => scope is not PlatformComponent).Select(scope => scope.Node.Id).ToList());

    /// <summary>A metric of the stage clients call (ApiName and Stage dimensions), over 5 minutes.</summary>
    public IMetric Metric(string metricName, string statistic) => Api.DeploymentStage.Metric(metricName, new MetricOptions
    {
        Statistic = statistic,
        Period = Duration.Minutes(5),
    });

    /// <summary>
    /// The share of requests answered 5XX over <paramref name="period"/>, for an alarm that must not wait for the stage:
    /// the stage is named by its literal name (the value a reference to it resolves to). The live alias's rollback alarms
    /// need this: the stage deploys the method that invokes the alias, whose update waits for them.
    /// </summary>
    public IMetric ServerErrorRate(Duration period) =>
        ErrorRate(StageMetric("5XXError", Stats.SUM, period), StageMetric("Count", Stats.SUM, period), period);

    /// <summary>
    /// The share of requests answered 5XX, as the ratio of two sums: 5XXError is 0 or 1 per request, so this equals
    /// its Average*100, but written out an alarm reads the same as the dashboard's two counts. With no requests both
    /// sums are missing and so is the ratio.
    /// </summary>
    private static MathExpression ErrorRate(IMetric errors, IMetric requests, Duration period) => new(new MathExpressionProps
    {
        Expression = "100 * errors / requests",
        UsingMetrics = new Dictionary<string, IMetric> { ["errors"] = errors, ["requests"] = requests },
        Label = "5XX responses (% of requests)",
        Period = period,
    });

    private Metric StageMetric(string metricName, string statistic, Duration period) => new(new MetricProps
    {
        Namespace = "AWS/ApiGateway",
        MetricName = metricName,
        DimensionsMap = new Dictionary<string, string> { ["ApiName"] = Api.RestApiName, ["Stage"] = stageName },
        Statistic = statistic,
        Period = period,
    });

    private IReadOnlyList<Alarm> CreateAlarms(AlarmThresholds thresholds, PlatformAlarms alarms)
    {
        var serverErrorRate = ErrorRate(Metric("5XXError", Stats.SUM), Metric("Count", Stats.SUM), Duration.Minutes(5));

        return
        [
            alarms.Add(this, "TradingApi5xxAlarm", new AlarmDefinition(
                "api-5xx-rate",
                "The REST API answers too many requests with 5XX: trade batches are not being stored.",
                serverErrorRate, thresholds.Api5xxPercent, ComparisonOperator.GREATER_THAN_THRESHOLD,
                // No requests, no datapoint: nothing failed. Traffic volume is on the dashboard.
                TreatMissingData.NOT_BREACHING)),
            alarms.Add(this, "TradingApiLatencyAlarm", new AlarmDefinition(
                "api-p99-latency",
                "The REST API's p99 latency as clients see it is too high: clients' timeouts and retries follow.",
                Metric("Latency", Stats.Percentile(99)), thresholds.ApiP99LatencyMs, ComparisonOperator.GREATER_THAN_THRESHOLD,
                // No requests, no latency datapoint: nobody waited.
                TreatMissingData.NOT_BREACHING)),
        ];
    }
}
