using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;
using TradingPlatform.Constructs.Data;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Stacks;

public sealed class DataStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    public required IVpc Vpc { get; init; }
    /// <summary>Encrypts Aurora storage, its master secret, Performance Insights and the DynamoDB tables.</summary>
    public required IKey DatabaseKey { get; init; }
    /// <summary>Encrypts the data buckets.</summary>
    public required IKey S3Key { get; init; }
    /// <summary>Encrypts the Aurora log group.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>Encrypts the backup vault.</summary>
    public required IKey BackupKey { get; init; }
    /// <summary>Creates this layer's alarms, reporting to the alert topic.</summary>
    public required PlatformAlarms Alarms { get; init; }
}

/// <summary>
/// Everything that holds trading data: Aurora, DynamoDB, the S3 buckets and their backups. Stateful: its removal
/// policies and deletion protection come from the environment, and in prod it is termination-protected.
/// It composes the components and declares the seed's outputs; each component owns its resources and alarms.
/// </summary>
public sealed class DataStack : LayerStack
{
    public const int PostgresPort = TradingDatabase.PostgresPort;

    public TradingDatabase Database { get; }
    public TradingTables Tables { get; }
    public DataBuckets Buckets { get; }
    public DataBackups Backups { get; }

    // The references other layers and the composition root use, unchanged by the move into components.
    public DatabaseCluster Cluster => Database.Cluster;
    /// <summary>Members of this group, and only they, may connect to Aurora on 5432.</summary>
    public SecurityGroup DatabaseClientSecurityGroup => Database.ClientSecurityGroup;
    public Table SessionsTable => Tables.Sessions;
    public Table ApiKeysTable => Tables.ApiKeys;
    public Bucket IngestionBucket => Buckets.Ingestion;
    public Bucket AnalyticsBucket => Buckets.Analytics;
    public Bucket ArchivalBucket => Buckets.Archival;

    public DataStack(Construct scope, string id, DataStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;

        Database = new TradingDatabase(this, "Database", settings, props.Vpc, props.DatabaseKey, props.LogsKey, props.Alarms);
        Tables = new TradingTables(this, "Tables", settings, props.DatabaseKey, props.Alarms);
        Buckets = new DataBuckets(this, "Buckets", settings, props.S3Key, props.Alarms);
        Backups = new DataBackups(this, "Backups", settings, props.BackupKey, Cluster, [SessionsTable, ApiKeysTable], props.Alarms);

        Output("DatabaseEndpoint", Cluster.ClusterEndpoint.Hostname, "Database cluster endpoint", $"DatabaseEndpoint-{settings.Suffix}");
        Output("IngestionBucketName", IngestionBucket.BucketName, "Ingestion S3 bucket name", $"IngestionBucket-{settings.Suffix}");
        Output("AnalyticsBucketName", AnalyticsBucket.BucketName, "Analytics S3 bucket name", $"AnalyticsBucket-{settings.Suffix}");
        Output("ArchivalBucketName", ArchivalBucket.BucketName, "Archival S3 bucket name", $"ArchivalBucket-{settings.Suffix}");
    }

    private void Output(string id, string value, string description, string exportName) =>
        new CfnOutput(this, id, new CfnOutputProps { Value = value, Description = description, ExportName = exportName });
}
