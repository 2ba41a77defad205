using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Data;
using TradingPlatform.Constructs.Monitoring;
using TradingPlatform.Constructs.Network;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Stacks;

public sealed class DataStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    /// <summary>The Network layer's VPC, where Aurora lives.</summary>
    public required TradingNetwork Network { get; init; }
    /// <summary>The Security layer's keys: database, S3, logs and backup keys.</summary>
    public required EncryptionKeys Keys { get; init; }
    /// <summary>The Security layer's alarm factory.</summary>
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
    /// <summary>The audit trail of the records, keys and registry, with its alarms; null where the environment has none.</summary>
    public AuditTrail? Audit { get; }

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
        var keys = props.Keys;
        var storage = settings.Storage();

        Database = new TradingDatabase(this, "Database", new TradingDatabaseProps
        {
            Vpc = props.Network.Vpc,
            DatabaseKey = keys.DatabaseKey,
            LogsKey = keys.LogsKey,
            Storage = storage,
            ClusterIdentifier = settings.Names.DatabaseCluster,
            MinCapacity = settings.AuroraMinCapacity,
            MaxCapacity = settings.AuroraMaxCapacity,
            Readers = settings.AuroraReaders,
            DeletionProtection = settings.DeletionProtection,
            EnvironmentSuffix = settings.Suffix,
            Alarms = props.Alarms,
            Thresholds = settings.Alarms,
        });
        Tables = new TradingTables(this, "Tables", new TradingTablesProps
        {
            Key = keys.DatabaseKey,
            SessionsTableName = settings.Names.SessionsTable,
            ApiKeysTableName = settings.Names.ApiKeysTable,
            DeletionProtection = settings.DeletionProtection,
            RemovalPolicy = settings.StatefulRemovalPolicy,
            Alarms = props.Alarms,
        });
        Buckets = new DataBuckets(this, "Buckets", new DataBucketsProps
        {
            S3Key = keys.S3Key,
            Storage = storage,
            Suffix = settings.Suffix,
            Region = settings.Region,
            RecordsRetention = settings.RecordsRetention,
            BucketsPredatingObjectLock = settings.BucketsPredatingObjectLock,
            Alarms = props.Alarms,
            // The Recovery layer's replica, by its derived names (see RecoveryStack); RTC in prod.
            RecordsReplica = settings.Recovery is { } recovery
                ? new RecordsReplicaDestination
                {
                    BucketArn = recovery.RecordsReplicaBucketArn(Partition),
                    Region = recovery.Region,
                    KeyAlias = recovery.RecordsReplicaKeyAlias,
                    ReplicationTimeControl = settings.Kind == EnvironmentKind.Prod,
                }
                : null,
        });
        Backups = new DataBackups(this, "Backups", new DataBackupsProps
        {
            VaultKey = keys.BackupKey,
            VaultName = settings.Names.BackupVault,
            PlanName = settings.Names.BackupPlan,
            RemovalPolicy = settings.StatefulRemovalPolicy,
            Production = settings.Kind == EnvironmentKind.Prod,
            Cluster = Cluster,
            Tables = [SessionsTable, ApiKeysTable],
            Alarms = props.Alarms,
            CopyToVaultArn = settings.Recovery?.BackupVaultArn(Partition),
        });

        if (settings.AuditTrail is { } audit)
        {
            // Here, with the records: the trail names the buckets and the table by reference, the replica (recovery region)
            // by its derived name, and the Security layer's keys, all layers deployed before this one.
            Audit = new AuditTrail(this, "Audit", new AuditTrailProps
            {
                Settings = audit,
                Names = settings.Names,
                Storage = storage,
                AccessLogs = Buckets.AccessLogs,
                RecordBuckets = [IngestionBucket, AnalyticsBucket, ArchivalBucket],
                LockedRecords = ArchivalBucket,
                Replica = Buckets.RecordsReplicaDestination,
                Registry = ApiKeysTable,
                PlatformKeys = [keys.DatabaseKey, keys.S3Key, keys.LambdaKey, keys.LogsKey, keys.AlertsKey, keys.BackupKey],
                Alarms = props.Alarms,
            });
            new CfnOutput(this, "AuditTrailBucketName", new CfnOutputProps
            {
                Value = Audit.Bucket.BucketName,
                Description = "The audit trail's bucket (CloudTrail log and digest files, Object Lock in staging and prod)",
            });
        }

        Output("DatabaseEndpoint", Cluster.ClusterEndpoint.Hostname, "Database cluster endpoint", $"DatabaseEndpoint-{settings.Suffix}");
        Output("IngestionBucketName", IngestionBucket.BucketName, "Ingestion S3 bucket name", $"IngestionBucket-{settings.Suffix}");
        Output("AnalyticsBucketName", AnalyticsBucket.BucketName, "Analytics S3 bucket name", $"AnalyticsBucket-{settings.Suffix}");
        Output("ArchivalBucketName", ArchivalBucket.BucketName, "Archival S3 bucket name", $"ArchivalBucket-{settings.Suffix}");
    }

    private void Output(string id, string value, string description, string exportName) =>
        new CfnOutput(this, id, new CfnOutputProps { Value = value, Description = description, ExportName = exportName });
}
