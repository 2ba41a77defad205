using Amazon.CDK;
using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.WAFv2;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Api;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Data;
using TradingPlatform.Constructs.Monitoring;
using TradingPlatform.Constructs.Network;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Stacks;

/// <summary>
/// What the Api layer takes: its settings and the components of the layers deployed before it, whose typed references
/// become imports. Each component's own props say what it uses them for.
/// </summary>
public sealed class ApiStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    /// <summary>The Security layer's keys (Lambda and logs keys).</summary>
    public required EncryptionKeys Keys { get; init; }
    /// <summary>The Security layer's machine-client identity (the user pool the authorizer trusts).</summary>
    public required MachineClientIdentity Identity { get; init; }
    /// <summary>The Security layer's alarm factory; its catalog holds every layer's alarms.</summary>
    public required PlatformAlarms Alarms { get; init; }
    /// <summary>The Network layer's VPC.</summary>
    public required TradingNetwork Network { get; init; }
    /// <summary>The Data layer's database (its client security group).</summary>
    public required TradingDatabase Database { get; init; }
    /// <summary>The Data layer's tables (the api-keys table, the client registry).</summary>
    public required TradingTables Tables { get; init; }
    /// <summary>The Data layer's buckets (ingestion and analytics).</summary>
    public required DataBuckets Buckets { get; init; }
    /// <summary>Folder holding the published data-processing function (see <see cref="DataProcessorAsset"/>).</summary>
    public required string DataProcessorAssetDir { get; init; }
}

/// <summary>
/// The stateless edge, deployed last: the ingestion function, the REST API in front of it, the web firewall in front
/// of that, and the environment's operations view: the dashboard and the platform-health alarm over every layer.
/// </summary>
public sealed class ApiStack : LayerStack
{
    public IngestionFunction Ingestion { get; }
    public IngestionRollout Rollout { get; }
    public TradingRestApi TradingApi { get; }
    public WebFirewall Firewall { get; }
    public PlatformDashboard Dashboard { get; }
    public PlatformHealth Health { get; }

    public Function DataProcessingFunction => Ingestion.Function;
    public RestApi Api => TradingApi.Api;
    public CfnWebACL WebAcl => Firewall.WebAcl;

    public ApiStack(Construct scope, string id, ApiStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;
        var alarms = props.Alarms;
        var storage = settings.Storage();

        Ingestion = new IngestionFunction(this, "Ingestion", new IngestionFunctionProps
        {
            Vpc = props.Network.Vpc,
            DatabaseClientSecurityGroup = props.Database.ClientSecurityGroup,
            IngestionBucket = props.Buckets.Ingestion,
            AnalyticsBucket = props.Buckets.Analytics,
            ApiKeysTable = props.Tables.ApiKeys,
            AssetDir = props.DataProcessorAssetDir,
            LambdaKey = props.Keys.LambdaKey,
            LogsKey = props.Keys.LogsKey,
            Storage = storage,
            FunctionName = settings.Names.DataProcessorFunction,
            EnvironmentSuffix = settings.Suffix,
            ReservedConcurrency = settings.FunctionReservedConcurrency,
            Alarms = alarms,
            Thresholds = settings.Alarms,
        });
        TradingApi = new TradingRestApi(this, "RestApi", new TradingRestApiProps
        {
            // The alias, never the function: requests reach the version CodeDeploy has shifted them to.
            Handler = Ingestion.LiveAlias,
            LogsKey = props.Keys.LogsKey,
            Storage = storage,
            MachineClientPool = props.Identity.Pool,
            Names = settings.Names,
            StageName = settings.Suffix,
            Clients = settings.TradingClients,
            Alarms = alarms,
            Thresholds = settings.Alarms,
        });
        Firewall = new WebFirewall(this, "Firewall", new WebFirewallProps
        {
            Stage = TradingApi.Api.DeploymentStage,
            LogsKey = props.Keys.LogsKey,
            Storage = storage,
            WebAclName = settings.Names.WebAcl,
            Region = settings.Region,
            RequestsPerFiveMinutesPerIp = settings.WafRequestsPerFiveMinutesPerIp,
            Alarms = alarms,
            Thresholds = settings.Alarms,
        });

        Rollout = new IngestionRollout(this, "Rollout", new IngestionRolloutProps
        {
            Ingestion = Ingestion,
            Rollout = settings.Rollout,
            ApiServerErrorRatePerMinute = TradingApi.ServerErrorRate(Duration.Minutes(1)),
            ApplicationName = settings.Names.FunctionDeploymentApplication,
            DeploymentGroupName = settings.Names.FunctionDeploymentGroup,
            PreTrafficCheckName = settings.Names.PreTrafficCheckFunction,
            LogsKey = props.Keys.LogsKey,
            LambdaKey = props.Keys.LambdaKey,
            Storage = storage,
            Alarms = alarms,
        });

        new CfnOutput(this, "ApiUrl", new CfnOutputProps
        {
            Value = Api.Url,
            Description = "API Gateway URL",
            ExportName = $"ApiUrl-{settings.Suffix}",
        });

        // Both read the alarm catalog, which seals it: an alarm created after them fails synthesis (AlarmCatalog).
        Dashboard = new PlatformDashboard(this, "Dashboard", new PlatformDashboardProps
        {
            Catalog = alarms.Catalog,
            Sources = new PlatformDashboardSources(Ingestion, TradingApi, Firewall),
            Names = settings.Names,
            StageName = settings.Suffix,
            FunctionReservedConcurrency = settings.FunctionReservedConcurrency,
        });
        Health = new PlatformHealth(this, "Health", new PlatformHealthProps
        {
            Catalog = alarms.Catalog,
            Topic = alarms.Topic,
            EnvironmentSuffix = settings.Suffix,
            DashboardName = settings.Names.Dashboard,
        });
    }
}
