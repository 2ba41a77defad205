using Amazon.CDK;
using Amazon.CDK.AWS.APIGateway;
using Amazon.CDK.AWS.Cognito;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.WAFv2;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;
using TradingPlatform.Constructs.Api;
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
    /// <summary>The client registry the function authorizes callers with (GetItem only).</summary>
    public required ITable ApiKeysTable { get; init; }
    /// <summary>Folder holding the published data-processing function (see <see cref="DataProcessorAsset"/>).</summary>
    public required string DataProcessorAssetDir { get; init; }
    /// <summary>Encrypts the function's environment variables.</summary>
    public required IKey LambdaKey { get; init; }
    /// <summary>Encrypts the function, API access and WAF log groups.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>The machine clients' user pool (Security layer): POST /data requires one of its access tokens.</summary>
    public required IUserPool MachineClientPool { get; init; }
    /// <summary>Creates this layer's alarms, reporting to the alert topic; its catalog holds every layer's alarms.</summary>
    public required PlatformAlarms Alarms { get; init; }
}

/// <summary>
/// The stateless edge, deployed last: the ingestion function, the REST API in front of it, the web firewall in front
/// of that, and the environment's operations view: the dashboard and the platform-health alarm over every layer.
/// </summary>
public sealed class ApiStack : LayerStack
{
    public IngestionFunction Ingestion { get; }
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

        Ingestion = new IngestionFunction(this, "Ingestion", settings, new IngestionFunctionProps
        {
            Vpc = props.Vpc,
            DatabaseClientSecurityGroup = props.DatabaseClientSecurityGroup,
            IngestionBucket = props.IngestionBucket,
            AnalyticsBucket = props.AnalyticsBucket,
            ApiKeysTable = props.ApiKeysTable,
            AssetDir = props.DataProcessorAssetDir,
            LambdaKey = props.LambdaKey,
            LogsKey = props.LogsKey,
        }, alarms);
        TradingApi = new TradingRestApi(this, "RestApi", settings, Ingestion.Function, props.LogsKey, props.MachineClientPool, alarms);
        Firewall = new WebFirewall(this, "Firewall", settings, TradingApi.Api.DeploymentStage, props.LogsKey, alarms);

        new CfnOutput(this, "ApiUrl", new CfnOutputProps
        {
            Value = Api.Url,
            Description = "API Gateway URL",
            ExportName = $"ApiUrl-{settings.Suffix}",
        });

        Dashboard = new PlatformDashboard(this, "Dashboard", alarms, new PlatformDashboardSources(Ingestion, TradingApi, Firewall));
        // Last: every alarm of every layer, this one included, is in the catalog by now.
        Health = new PlatformHealth(this, "Health", alarms);
    }
}
