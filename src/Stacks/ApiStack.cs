using Amazon.CDK;
using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SQS;
using Amazon.CDK.AWS.WAFv2;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Stacks;

public sealed class ApiStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    public required IVpc Vpc { get; init; }
    /// <summary>The function joins this group so Aurora admits it on 5432.</summary>
    public required ISecurityGroup DatabaseClientSecurityGroup { get; init; }
    public required IBucket IngestionBucket { get; init; }
    public required IBucket AnalyticsBucket { get; init; }
    /// <summary>Folder holding the published data-processing function (see <see cref="DataProcessorAsset"/>).</summary>
    public required string DataProcessorAssetDir { get; init; }
    /// <summary>Encrypts the function's environment variables and its dead-letter queue.</summary>
    public required IKey LambdaKey { get; init; }
    /// <summary>Encrypts the function, API access and WAF log groups.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>Creates this layer's alarms, reporting to the alert topic.</summary>
    public required PlatformAlarms Alarms { get; init; }
}

/// <summary>The stateless edge: data-processing function, REST API with API keys and usage plan, WAF.</summary>
public sealed class ApiStack : LayerStack
{
    public const string DataProcessorHandler = "DataProcessor::TradingPlatform.Functions.DataProcessor.Function::HandleAsync";
    /// <summary>Where the handler writes in the ingestion bucket: trade NDJSON and idempotency records.</summary>
    public static readonly IReadOnlyList<string> IngestionPrefixes = ["trades/*", "idempotency/*"];
    /// <summary>Where the handler writes per-symbol aggregates in the analytics bucket.</summary>
    public const string AnalyticsPrefix = "aggregates/*";

    public Function DataProcessingFunction { get; }
    public RestApi Api { get; }
    public CfnWebACL WebAcl { get; }

    public ApiStack(Construct scope, string id, ApiStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;

        DataProcessingFunction = CreateFunction(settings, props);
        Api = CreateApi(settings, props);
        WebAcl = CreateWebAcl(settings, props);

        new CfnOutput(this, "ApiUrl", new CfnOutputProps
        {
            Value = Api.Url,
            Description = "API Gateway URL",
            ExportName = $"ApiUrl-{settings.Suffix}",
        });
    }

    private Function CreateFunction(EnvironmentSettings settings, ApiStackProps props)
    {
        var functionName = settings.Names.DataProcessorFunction;

        var deadLetterQueue = new Queue(this, "DataProcessingDeadLetterQueue", new QueueProps
        {
            Encryption = QueueEncryption.KMS,
            EncryptionMasterKey = props.LambdaKey,
            EnforceSSL = true,
            RetentionPeriod = Duration.Days(14),
        });

        var function = new Function(this, "DataProcessingFunction", new FunctionProps
        {
            FunctionName = functionName,
            // CDK 2.160 predates the dotnet10 constant (the seed's nodejs18.x is past end of support).
            Runtime = new Runtime("dotnet10", RuntimeFamily.DOTNET_CORE),
            Handler = DataProcessorHandler,
            // Published by the app's build (TradingPlatform.csproj); see DataProcessorAsset.
            Code = Code.FromAsset(props.DataProcessorAssetDir),
            Architecture = Architecture.ARM_64,
            MemorySize = 512,
            // The handler gives S3 20 s in all, which keeps it inside API Gateway's 29 s integration timeout.
            Timeout = Duration.Seconds(25),
            Environment = new Dictionary<string, string>
            {
                ["ENVIRONMENT"] = settings.Suffix,
                ["INGESTION_BUCKET"] = props.IngestionBucket.BucketName,
                ["ANALYTICS_BUCKET"] = props.AnalyticsBucket.BucketName,
            },
            EnvironmentEncryption = props.LambdaKey,
            // Private subnets: the function reaches Aurora and AWS APIs, and nothing reaches it but API Gateway.
            Vpc = props.Vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            SecurityGroups = [props.DatabaseClientSecurityGroup],
            // An explicit, encrypted log group replaces the seed's deprecated logRetention custom resource.
            LogGroup = SecureDefaults.LogGroup(this, "DataProcessingLogGroup", settings, props.LogsKey, $"/aws/lambda/{functionName}"),
            Tracing = Tracing.ACTIVE,
            ReservedConcurrentExecutions = settings.FunctionReservedConcurrency,
            DeadLetterQueue = deadLetterQueue,
        });

        // Only what the handler does: write trades (and idempotency records) and aggregates, and read them
        // back (HeadObject) to answer retries; listing lets a missing key read as 404 rather than 403.
        foreach (var prefix in IngestionPrefixes)
        {
            props.IngestionBucket.GrantPut(function, prefix);
            props.IngestionBucket.GrantRead(function, prefix);
        }

        props.AnalyticsBucket.GrantPut(function, AnalyticsPrefix);
        props.AnalyticsBucket.GrantRead(function, AnalyticsPrefix);

        // Sending to the KMS-encrypted dead-letter queue needs the key as well as sqs:SendMessage.
        deadLetterQueue.GrantSendMessages(function);

        NagSuppressions.Add(function.Role!.Node.FindChild("DefaultPolicy"),
            new NagSuppression("PCI.DSS.321-IAMNoInlinePolicy",
                "Generated from least-privilege grants, attached to this function's role only."),
            new NagSuppression("AwsSolutions-IAM5",
                "X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions.",
                "Resource::*"),
            new NagSuppression("AwsSolutions-IAM5",
                "CDK grant action groups (put, abort multipart, read back for idempotent retries), confined to the handler's prefixes.",
                "Action::s3:Abort*", "Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*"),
            new NagSuppression("AwsSolutions-IAM5",
                "Encrypting each new object needs fresh data keys from the S3 and Lambda keys named in the statement.",
                "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"),
            new NagSuppression("AwsSolutions-IAM5",
                "Object keys are generated per batch, so access is granted per prefix: trades/, idempotency/ and aggregates/ only.",
                @"/^Resource::.*IngestionBucket.*\/(trades|idempotency)\/\*$/g",
                @"/^Resource::.*AnalyticsBucket.*\/aggregates\/\*$/g"));
        NagSuppressions.Add(function.Role!,
            new NagSuppression("AwsSolutions-IAM4",
                "AWS-managed Lambda policies: CloudWatch Logs writes and the VPC network interfaces the function needs.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"));
        return function;
    }

    private RestApi CreateApi(EnvironmentSettings settings, ApiStackProps props)
    {
        var accessLogs = SecureDefaults.LogGroup(this, "ApiAccessLogGroup", settings, props.LogsKey);

        var api = new RestApi(this, "TradingApi", new RestApiProps
        {
            RestApiName = settings.Names.RestApi,
            Description = "API for trading analytics platform",
            EndpointTypes = [EndpointType.REGIONAL],
            // Execution logging needs the account-level CloudWatch role. It is shared by every API in the
            // region, so keep it when this stack goes away (another environment may rely on it).
            CloudWatchRole = true,
            CloudWatchRoleRemovalPolicy = RemovalPolicy.RETAIN,
            DeployOptions = new StageOptions
            {
                StageName = settings.Suffix,
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

        var validator = api.AddRequestValidator("TradeBatchValidator", new RequestValidatorOptions
        {
            ValidateRequestBody = true,
            ValidateRequestParameters = true,
        });
        var tradeBatchModel = api.AddModel("TradeBatchModel", new ModelOptions
        {
            ContentType = "application/json",
            ModelName = "TradeBatch",
            Schema = TradeBatchSchema.Create(),
        });

        var dataResource = api.Root.AddResource("data");
        var postData = dataResource.AddMethod("POST", new LambdaIntegration(DataProcessingFunction), new MethodOptions
        {
            ApiKeyRequired = true,
            RequestValidator = validator,
            RequestModels = new Dictionary<string, IModel> { ["application/json"] = tradeBatchModel },
        });

        var usagePlan = api.AddUsagePlan("UsagePlan", new UsagePlanProps
        {
            Name = settings.Names.UsagePlan,
            Throttle = new ThrottleSettings { RateLimit = 1000, BurstLimit = 2000 },
        });
        usagePlan.AddApiStage(new UsagePlanPerApiStage { Stage = api.DeploymentStage });

        var apiKey = api.AddApiKey("ApiKey", new ApiKeyOptions { ApiKeyName = settings.Names.ApiKey });
        usagePlan.AddApiKey(apiKey);

        NagSuppressions.Add(postData,
            new NagSuppression("AwsSolutions-APIG4",
                "Callers are trading systems, not users: each is identified by its API key under the usage plan (seed contract), behind WAF."),
            new NagSuppression("AwsSolutions-COG4",
                "No end users sign in to this API; machine clients authenticate with API keys, so a Cognito authorizer has no user pool to use."));
        NagSuppressions.Add(api.DeploymentStage,
            new NagSuppression("PCI.DSS.321-APIGWCacheEnabledAndEncrypted",
                "The API only accepts POST /data writes; caching their responses would be wrong, so no cache (and no cached data) exists."),
            new NagSuppression("PCI.DSS.321-APIGWSSLEnabled",
                "Client certificates authenticate API Gateway to HTTP back ends; the only integration is Lambda proxy over the signed AWS API."));
        NagSuppressions.Add(api.Node.FindChild("CloudWatchRole"),
            new NagSuppression("AwsSolutions-IAM4",
                "The account-level API Gateway logging role needs exactly the AWS-managed push-to-CloudWatch policy.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"));

        return api;
    }

    private CfnWebACL CreateWebAcl(EnvironmentSettings settings, ApiStackProps props)
    {
        var aclName = settings.Names.WebAcl;

        CfnWebACL.RuleProperty ManagedGroup(string name, int priority, params string[] countOnly) => new()
        {
            Name = name,
            Priority = priority,
            OverrideAction = new CfnWebACL.OverrideActionProperty { None = new Dictionary<string, object>() },
            Statement = new CfnWebACL.StatementProperty
            {
                ManagedRuleGroupStatement = new CfnWebACL.ManagedRuleGroupStatementProperty
                {
                    VendorName = "AWS",
                    Name = name,
                    RuleActionOverrides = countOnly.Length == 0
                        ? null
                        : countOnly.Select(rule => (object)new CfnWebACL.RuleActionOverrideProperty
                        {
                            Name = rule,
                            ActionToUse = new CfnWebACL.RuleActionProperty { Count = new CfnWebACL.CountActionProperty() },
                        }).ToArray(),
                },
            },
            VisibilityConfig = Visibility(name),
        };

        // L1: WAFv2 has no L2 construct in the CDK.
        var webAcl = new CfnWebACL(this, "ApiWebAcl", new CfnWebACLProps
        {
            Name = aclName,
            Scope = "REGIONAL",
            DefaultAction = new CfnWebACL.DefaultActionProperty { Allow = new CfnWebACL.AllowActionProperty() },
            VisibilityConfig = Visibility(aclName),
            Rules = new object[]
            {
                // Trade batches are legitimately larger than the common rule set's 8 KB body limit;
                // the API's own size limit and request validator bound the body instead.
                ManagedGroup("AWSManagedRulesCommonRuleSet", 0, "SizeRestrictions_BODY"),
                ManagedGroup("AWSManagedRulesKnownBadInputsRuleSet", 1),
                ManagedGroup("AWSManagedRulesSQLiRuleSet", 2),
                ManagedGroup("AWSManagedRulesAmazonIpReputationList", 3),
                new CfnWebACL.RuleProperty
                {
                    Name = "RateLimitPerIp",
                    Priority = 4,
                    Action = new CfnWebACL.RuleActionProperty { Block = new CfnWebACL.BlockActionProperty() },
                    Statement = new CfnWebACL.StatementProperty
                    {
                        RateBasedStatement = new CfnWebACL.RateBasedStatementProperty
                        {
                            Limit = settings.WafRequestsPerFiveMinutesPerIp,
                            AggregateKeyType = "IP",
                        },
                    },
                    VisibilityConfig = Visibility("RateLimitPerIp"),
                },
            },
        });

        var association = new CfnWebACLAssociation(this, "ApiWebAclAssociation", new CfnWebACLAssociationProps
        {
            ResourceArn = Api.DeploymentStage.StageArn,
            WebAclArn = webAcl.AttrArn,
        });
        association.Node.AddDependency(Api.DeploymentStage);

        // WAF requires the destination log group's name to start with "aws-waf-logs-".
        var wafLogs = SecureDefaults.LogGroup(this, "WafLogGroup", settings, props.LogsKey, $"aws-waf-logs-{aclName}");
        new CfnLoggingConfiguration(this, "ApiWebAclLogging", new CfnLoggingConfigurationProps
        {
            ResourceArn = webAcl.AttrArn,
            // WAF wants the log group ARN without the ":*" suffix that LogGroupArn carries.
            LogDestinationConfigs =
            [
                FormatArn(new ArnComponents
                {
                    Service = "logs",
                    Resource = "log-group",
                    ResourceName = wafLogs.LogGroupName,
                    ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
                }),
            ],
            // Credentials never reach the logs.
            RedactedFields = new object[]
            {
                new CfnLoggingConfiguration.FieldToMatchProperty { SingleHeader = new Dictionary<string, object> { ["Name"] = "x-api-key" } },
                new CfnLoggingConfiguration.FieldToMatchProperty { SingleHeader = new Dictionary<string, object> { ["Name"] = "authorization" } },
            },
        });

        return webAcl;
    }

    private static CfnWebACL.VisibilityConfigProperty Visibility(string metricName) => new()
    {
        CloudWatchMetricsEnabled = true,
        MetricName = metricName,
        SampledRequestsEnabled = true,
    };
}
