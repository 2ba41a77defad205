using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.RDS;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Stacks;

public sealed class DataStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    public required IVpc Vpc { get; init; }
    /// <summary>Encrypts Aurora storage, its master secret and the DynamoDB tables.</summary>
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
/// Everything that holds trading data: Aurora, DynamoDB and the S3 buckets. Stateful: its removal
/// policies and deletion protection come from the environment, and in prod it is termination-protected.
/// </summary>
public sealed class DataStack : LayerStack
{
    public const int PostgresPort = 5432;

    // Aurora PostgreSQL 17.5; CDK 2.160 predates the constant, hence Of(). Auto minor upgrades stay on.
    private static readonly AuroraPostgresEngineVersion EngineVersion = AuroraPostgresEngineVersion.Of("17.5", "17");

    public DatabaseCluster Cluster { get; }
    /// <summary>Members of this group, and only they, may connect to Aurora on 5432.</summary>
    public SecurityGroup DatabaseClientSecurityGroup { get; }
    public Table SessionsTable { get; }
    public Table ApiKeysTable { get; }
    public Bucket IngestionBucket { get; }
    public Bucket AnalyticsBucket { get; }
    public Bucket ArchivalBucket { get; }

    public DataStack(Construct scope, string id, DataStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;

        DatabaseClientSecurityGroup = new SecurityGroup(this, "DatabaseClientSecurityGroup", new SecurityGroupProps
        {
            Vpc = props.Vpc,
            Description = "Workloads allowed to reach the trading database",
            // Clients may call AWS APIs over TLS and the database; nothing else leaves them.
            AllowAllOutbound = false,
        });
        DatabaseClientSecurityGroup.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "AWS APIs over TLS (via NAT or gateway endpoints)");

        Cluster = CreateCluster(settings, props);
        SessionsTable = CreateTable("SessionsTable", settings.Names.SessionsTable, "sessionId", settings, props.DatabaseKey, "expiresAt");
        ApiKeysTable = CreateTable("ApiKeysTable", settings.Names.ApiKeysTable, "apiKeyId", settings, props.DatabaseKey, timeToLiveAttribute: null);

        var accessLogs = SecureDefaults.AccessLogsBucket(this, "AccessLogsBucket", settings);
        IngestionBucket = SecureDefaults.DataBucket(this, "IngestionBucket", settings, props.S3Key, accessLogs,
            SecureDefaults.TransitionAfter90Days("ToGlacier", StorageClass.GLACIER));
        AnalyticsBucket = SecureDefaults.DataBucket(this, "AnalyticsBucket", settings, props.S3Key, accessLogs,
            SecureDefaults.TransitionAfter90Days("ToGlacier", StorageClass.GLACIER));
        ArchivalBucket = SecureDefaults.DataBucket(this, "ArchivalBucket", settings, props.S3Key, accessLogs,
            SecureDefaults.TransitionAfter90Days("ToDeepArchive", StorageClass.DEEP_ARCHIVE));

        Output("DatabaseEndpoint", Cluster.ClusterEndpoint.Hostname, "Database cluster endpoint", $"DatabaseEndpoint-{settings.Suffix}");
        Output("IngestionBucketName", IngestionBucket.BucketName, "Ingestion S3 bucket name", $"IngestionBucket-{settings.Suffix}");
        Output("AnalyticsBucketName", AnalyticsBucket.BucketName, "Analytics S3 bucket name", $"AnalyticsBucket-{settings.Suffix}");
        Output("ArchivalBucketName", ArchivalBucket.BucketName, "Archival S3 bucket name", $"ArchivalBucket-{settings.Suffix}");
    }

    private DatabaseCluster CreateCluster(EnvironmentSettings settings, DataStackProps props)
    {
        // A fixed identifier lets us create the log group RDS exports to before the cluster exists,
        // so it is encrypted and has a retention from the start (RDS would otherwise create it bare).
        var clusterIdentifier = settings.Names.DatabaseCluster;
        var logGroup = SecureDefaults.LogGroup(this, "DatabaseLogGroup", settings, props.LogsKey,
            $"/aws/rds/cluster/{clusterIdentifier}/postgresql");

        var readers = Enumerable.Range(1, settings.AuroraReaders)
            .Select(n => ClusterInstance.ServerlessV2($"reader{n}", new ServerlessV2ClusterInstanceProps
            {
                // A reader in the writer's promotion tier keeps the writer's capacity, so failover is seamless.
                ScaleWithWriter = n == 1,
            }))
            .ToArray();

        // The database never initiates connections, so its group allows no egress at all.
        var databaseSecurityGroup = new SecurityGroup(this, "DatabaseSecurityGroup", new SecurityGroupProps
        {
            Vpc = props.Vpc,
            Description = "Trading database: ingress from database clients on 5432 only",
            AllowAllOutbound = false,
        });

        var cluster = new DatabaseCluster(this, "TradingDatabase", new DatabaseClusterProps
        {
            SecurityGroups = [databaseSecurityGroup],
            ClusterIdentifier = clusterIdentifier,
            Engine = DatabaseClusterEngine.AuroraPostgres(new AuroraPostgresClusterEngineProps { Version = EngineVersion }),
            ServerlessV2MinCapacity = settings.AuroraMinCapacity,
            ServerlessV2MaxCapacity = settings.AuroraMaxCapacity,
            Writer = ClusterInstance.ServerlessV2("writer"),
            Readers = readers,
            Vpc = props.Vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            Port = PostgresPort,
            StorageEncrypted = true,
            StorageEncryptionKey = props.DatabaseKey,
            IamAuthentication = true,
            CloudwatchLogsExports = ["postgresql"],
            Backup = new BackupProps { Retention = Duration.Days(7) },
            DeletionProtection = settings.DeletionProtection,
            // Where data must survive the stack, keep a final snapshot rather than a running cluster.
            RemovalPolicy = settings.DestroysDataOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
        });
        cluster.Node.AddDependency(logGroup);
        UseRdsManagedMasterPassword(cluster, props.DatabaseKey);
        // By environment kind, not by the DeletionProtection value it excuses (see IsDisposable).
        if (settings.Kind.IsDisposable())
        {
            NagSuppressions.Add(cluster,
                new NagSuppression("AwsSolutions-RDS10",
                    $"'{settings.Suffix}' is a disposable dev-like environment by preset; staging and prod enable deletion protection."));
        }

        // Adds the ingress on the database group and the matching egress on the client group.
        cluster.Connections.AllowFrom(DatabaseClientSecurityGroup, Port.Tcp(PostgresPort), "Database clients");
        return cluster;
    }

    /// <summary>
    /// RDS keeps the master password in Secrets Manager, encrypted with the database key, and rotates it
    /// itself (every 7 days), with no rotation Lambda to run or patch. CDK 2.160's L2 cannot express this,
    /// so the L1 is adjusted: the L2's generated secret is removed and RDS manages the password instead.
    /// </summary>
    private static void UseRdsManagedMasterPassword(DatabaseCluster cluster, IKey databaseKey)
    {
        var cfnCluster = (CfnDBCluster)cluster.Node.DefaultChild!;
        cfnCluster.MasterUsername = "trading_admin";
        cfnCluster.AddPropertyDeletionOverride("MasterUserPassword");
        cfnCluster.ManageMasterUserPassword = true;
        cfnCluster.MasterUserSecret = new CfnDBCluster.MasterUserSecretProperty { KmsKeyId = databaseKey.KeyArn };
        if (!cluster.Node.TryRemoveChild("Secret"))
        {
            throw new InvalidOperationException("Expected the L2 cluster's generated secret to replace; CDK changed its construct tree");
        }
    }

    private Table CreateTable(
        string id, string tableName, string partitionKey, EnvironmentSettings settings, IKey key, string? timeToLiveAttribute) =>
        new(this, id, new TableProps
        {
            TableName = tableName,
            PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = partitionKey, Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST,
            PointInTimeRecovery = true,
            Encryption = TableEncryption.CUSTOMER_MANAGED,
            EncryptionKey = key,
            TimeToLiveAttribute = timeToLiveAttribute,
            DeletionProtection = settings.DeletionProtection,
            RemovalPolicy = settings.StatefulRemovalPolicy,
        });

    private void Output(string id, string value, string description, string exportName) =>
        new CfnOutput(this, id, new CfnOutputProps { Value = value, Description = description, ExportName = exportName });
}
