using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.RDS;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Data;

public sealed record TradingDatabaseProps
{
    /// <summary>Required. The cluster lives in its private subnets.</summary>
    public required IVpc Vpc { get; init; }
    /// <summary>Required. Encrypts storage, the RDS-managed master secret and Performance Insights.</summary>
    public required IKey DatabaseKey { get; init; }
    /// <summary>Required. Encrypts the log group the cluster exports to.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>
    /// Required. Retention and removal of the log group; its removal policy decides the cluster's too (DESTROY, or a
    /// final SNAPSHOT where data must survive the stack), its kind whether a missing deletion protection is excused.
    /// </summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. The cluster's fixed identifier (also the log group's name and the alarms' dimension).</summary>
    public required string ClusterIdentifier { get; init; }
    /// <summary>Required. Serverless v2 minimum capacity in ACU: 0.5 or more, or 0 to pause when idle.</summary>
    public required double MinCapacity { get; init; }
    /// <summary>Required. Serverless v2 maximum capacity in ACU.</summary>
    public required double MaxCapacity { get; init; }
    /// <summary>Required. Serverless v2 readers in other AZs: failover targets (the first scales with the writer).</summary>
    public required int Readers { get; init; }
    /// <summary>Required. Deletion protection on the cluster.</summary>
    public required bool DeletionProtection { get; init; }
    /// <summary>Required. The environment's suffix, in the reason that excuses a disposable environment's cluster.</summary>
    public required string EnvironmentSuffix { get; init; }
    /// <summary>Required. Creates the database's alarms.</summary>
    public required PlatformAlarms Alarms { get; init; }
    /// <summary>Required. The alarm thresholds (CPU, ACU, memory, connections, replica lag).</summary>
    public required AlarmThresholds Thresholds { get; init; }
}

/// <summary>
/// The trading database: Aurora Serverless v2 PostgreSQL (a writer and readers in other AZs), its security groups
/// (the database's and the one its clients join), the encrypted log group it exports to, an RDS-managed master
/// password, enhanced monitoring and Performance Insights, and the alarms that watch it.
/// </summary>
public sealed class TradingDatabase : PlatformComponent
{
    public const int PostgresPort = 5432;

    /// <summary>Enhanced monitoring granularity: OS metrics (per-process CPU, memory, I/O) every minute.</summary>
    public static readonly Duration MonitoringInterval = Duration.Seconds(60);

    /// <summary>
    /// How long a database with minimum capacity 0 stays idle (no user connection) before it pauses: long enough that a
    /// developer's session or a CI run does not wait on a resume between two queries.
    /// </summary>
    public const int SecondsUntilAutoPause = 1800;

    // Aurora PostgreSQL 17.5; CDK 2.160 predates the constant, hence Of(). Auto minor upgrades stay on.
    private static readonly AuroraPostgresEngineVersion EngineVersion = AuroraPostgresEngineVersion.Of("17.5", "17");

    public DatabaseCluster Cluster { get; }
    /// <summary>Members of this group, and only they, may connect to Aurora on 5432.</summary>
    public SecurityGroup ClientSecurityGroup { get; }
    public IReadOnlyList<Alarm> Alarms { get; }

    public TradingDatabase(
        Construct scope, string id, TradingDatabaseProps props)
        : base(scope, id)
    {
        var (vpc, databaseKey) = (props.Vpc, props.DatabaseKey);
        ClientSecurityGroup = new SecurityGroup(this, "DatabaseClientSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "Workloads allowed to reach the trading database",
            // Clients may call AWS APIs over TLS and the database; nothing else leaves them.
            AllowAllOutbound = false,
        });
        ClientSecurityGroup.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "AWS APIs over TLS (via NAT or gateway endpoints)");

        // A fixed identifier lets us create the log group RDS exports to before the cluster exists,
        // so it is encrypted and has a retention from the start (RDS would otherwise create it bare).
        var clusterIdentifier = props.ClusterIdentifier;
        var logGroup = SecureDefaults.LogGroup(this, "DatabaseLogGroup", props.Storage, props.LogsKey,
            $"/aws/rds/cluster/{clusterIdentifier}/postgresql");

        // The database never initiates connections, so its group allows no egress at all.
        var databaseSecurityGroup = new SecurityGroup(this, "DatabaseSecurityGroup", new SecurityGroupProps
        {
            Vpc = vpc,
            Description = "Trading database: ingress from database clients on 5432 only",
            AllowAllOutbound = false,
        });

        // Performance Insights keeps samples of SQL text (which may carry trading data): the database's own key.
        // 7 days is the free tier; incidents are investigated within days, and the samples are sensitive.
        // The key can be set in place while none is set (the RDS resource provider treats it as immutable only once
        // set), so switching PI on updates the instances; changing the key later would REPLACE every instance.
        ServerlessV2ClusterInstanceProps Instance(bool scaleWithWriter) => new()
        {
            ScaleWithWriter = scaleWithWriter,
            EnablePerformanceInsights = true,
            PerformanceInsightEncryptionKey = databaseKey,
            PerformanceInsightRetention = PerformanceInsightRetention.DEFAULT,
        };
        var readers = Enumerable.Range(1, props.Readers)
            // A reader in the writer's promotion tier keeps the writer's capacity, so failover is seamless.
            .Select(n => ClusterInstance.ServerlessV2($"reader{n}", Instance(scaleWithWriter: n == 1)))
            .ToArray();

        Cluster = new DatabaseCluster(this, "TradingDatabase", new DatabaseClusterProps
        {
            SecurityGroups = [databaseSecurityGroup],
            ClusterIdentifier = clusterIdentifier,
            Engine = DatabaseClusterEngine.AuroraPostgres(new AuroraPostgresClusterEngineProps { Version = EngineVersion }),
            // CDK 2.160's L2 refuses a minimum below 0.5: a pausing cluster gets 0.5 here and 0 on the L1 below.
            ServerlessV2MinCapacity = Math.Max(props.MinCapacity, 0.5),
            ServerlessV2MaxCapacity = props.MaxCapacity,
            // Writer and readers are configured alike (ScaleWithWriter only matters for readers).
            Writer = ClusterInstance.ServerlessV2("writer", Instance(scaleWithWriter: false)),
            Readers = readers,
            Vpc = vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            Port = PostgresPort,
            StorageEncrypted = true,
            StorageEncryptionKey = databaseKey,
            IamAuthentication = true,
            CloudwatchLogsExports = ["postgresql"],
            // Enhanced monitoring on every instance; the L2 creates the role RDS publishes OS metrics with.
            MonitoringInterval = MonitoringInterval,
            Backup = new BackupProps { Retention = Duration.Days(7) },
            DeletionProtection = props.DeletionProtection,
            // Where data must survive the stack, keep a final snapshot rather than a running cluster.
            RemovalPolicy = props.Storage.DestroysDataOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
        });
        Cluster.Node.AddDependency(logGroup);
        var pauses = props.MinCapacity == 0;
        if (pauses)
        {
            PauseWhenIdle(Cluster);
        }

        UseRdsManagedMasterPassword(Cluster, databaseKey);
        AllowClients(databaseSecurityGroup);
        Suppress(props.Storage.Kind, props.EnvironmentSuffix);
        Alarms = CreateAlarms(props.Thresholds, props.Alarms, clusterIdentifier, pauses);
    }

    /// <summary>
    /// The ingress on the database group and the matching egress on the client group. Connections.AllowFrom would
    /// name these rules after the peer group's unique id, which includes this component's id: the rules would get
    /// new logical ids, and CloudFormation cannot create a duplicate of a rule that still exists ("already exists").
    /// So they are written out with the construct ids they have had since the stack created them directly.
    /// </summary>
    private void AllowClients(SecurityGroup databaseSecurityGroup)
    {
        var stackId = Stack.Of(this).Node.Id;
        var clientId = LogicalIds.Make([stackId, "DatabaseClientSecurityGroup"]);
        var databaseId = LogicalIds.Make([stackId, "DatabaseSecurityGroup"]);
        _ = new CfnSecurityGroupIngress(databaseSecurityGroup, $"from {clientId}:{PostgresPort}", new CfnSecurityGroupIngressProps
        {
            GroupId = databaseSecurityGroup.SecurityGroupId,
            SourceSecurityGroupId = ClientSecurityGroup.SecurityGroupId,
            IpProtocol = "tcp",
            FromPort = PostgresPort,
            ToPort = PostgresPort,
            Description = "Database clients",
        });
        _ = new CfnSecurityGroupEgress(ClientSecurityGroup, $"to {databaseId}:{PostgresPort}", new CfnSecurityGroupEgressProps
        {
            GroupId = ClientSecurityGroup.SecurityGroupId,
            DestinationSecurityGroupId = databaseSecurityGroup.SecurityGroupId,
            IpProtocol = "tcp",
            FromPort = PostgresPort,
            ToPort = PostgresPort,
            Description = "Database clients",
        });
    }

    /// <summary>
    /// Scale to zero: minimum capacity 0 with automatic pause (Aurora Serverless v2 on Aurora PostgreSQL 16.3 and later,
    /// 17.5 here). CDK 2.160's L2 predates it (it refuses a minimum below 0.5 and has no SecondsUntilAutoPause), so the
    /// L1's scaling configuration is overridden. The writer and the readers of promotion tiers 0-1 pause and resume
    /// together; no capacity is billed while paused, storage and backups still are.
    /// </summary>
    private static void PauseWhenIdle(DatabaseCluster cluster)
    {
        var cfnCluster = (CfnDBCluster)cluster.Node.DefaultChild!;
        cfnCluster.AddPropertyOverride("ServerlessV2ScalingConfiguration.MinCapacity", 0);
        cfnCluster.AddPropertyOverride("ServerlessV2ScalingConfiguration.SecondsUntilAutoPause", SecondsUntilAutoPause);
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

    private void Suppress(EnvironmentKind kind, string environmentSuffix)
    {
        // By environment kind, not by the DeletionProtection value it excuses (see IsDisposable).
        if (kind.IsDisposable())
        {
            NagSuppressions.Add(Cluster,
                new NagSuppression("AwsSolutions-RDS10",
                    $"'{environmentSuffix}' is a disposable dev-like environment by preset; staging and prod enable deletion protection."));
            GuardSuppressions.Add(Cluster, new GuardSuppression(ControlTowerRules.RdsClusterDeletionProtection,
                "Disposable dev-like environment by preset, torn down with its stack; staging and prod enable deletion protection."));
        }

        NagSuppressions.Add(Cluster.Node.FindChild("MonitoringRole"),
            new NagSuppression("AwsSolutions-IAM4",
                "AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy RDS needs to publish OS metrics to CloudWatch Logs (RDSOSMetrics) and nothing else.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"));
    }

    private IReadOnlyList<Alarm> CreateAlarms(AlarmThresholds thresholds, PlatformAlarms alarms, string clusterIdentifier, bool pauses)
    {
        // A database that pauses when idle reports nothing while paused: there, silence is not an outage.
        var silenceIsDown = pauses ? TreatMissingData.NOT_BREACHING : TreatMissingData.BREACHING;
        // Cluster-level metrics (DBClusterIdentifier) aggregate the datapoints of every instance, so Maximum is the
        // busiest instance and Minimum the tightest one: a writer at its limit is not averaged away by idle readers.
        // The identifier is the fixed physical name, as on the Api layer's dashboard.
        Metric ClusterMetric(string name, string statistic) => new(new MetricProps
        {
            Namespace = "AWS/RDS",
            MetricName = name,
            DimensionsMap = new Dictionary<string, string> { ["DBClusterIdentifier"] = clusterIdentifier },
            Statistic = statistic,
            Period = Duration.Minutes(5),
        });

        return
        [
            alarms.Add(this, "DatabaseCpuAlarm", new AlarmDefinition(
                "aurora-cpu-high",
                "An Aurora instance's CPU is near saturation: queries queue and the API's writes slow down or time out.",
                ClusterMetric("CPUUtilization", Stats.MAXIMUM), thresholds.AuroraCpuPercent, ComparisonOperator.GREATER_THAN_THRESHOLD,
                // Serverless v2 at >= 0.5 ACU never pauses, so no CPU datapoints means no instance is reporting: the
                // database is down or unreachable. This alarm is the one that pages for a silent database (except where
                // it pauses when idle: dev-like kinds).
                silenceIsDown)),
            alarms.Add(this, "DatabaseAcuUtilizationAlarm", new AlarmDefinition(
                "aurora-acu-near-max",
                "Aurora is running at its configured maximum capacity (ACU): it cannot scale further, so more load means slower queries.",
                ClusterMetric("ACUUtilization", Stats.MAXIMUM), thresholds.AuroraAcuUtilizationPercent,
                ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                // Silence is a down database, which aurora-cpu-high already pages for: keep the last state.
                TreatMissingData.MISSING)),
            alarms.Add(this, "DatabaseFreeableMemoryAlarm", new AlarmDefinition(
                "aurora-freeable-memory-low",
                "An Aurora instance is running out of memory: it is close to swapping, and queries and connections slow down or fail.",
                // FreeableMemory is in bytes; the threshold is set in MiB.
                ClusterMetric("FreeableMemory", Stats.MINIMUM), thresholds.AuroraFreeableMemoryMiB * 1024 * 1024,
                ComparisonOperator.LESS_THAN_THRESHOLD,
                // Silence is a down database, which aurora-cpu-high already pages for: keep the last state.
                TreatMissingData.MISSING)),
            alarms.Add(this, "DatabaseConnectionsAlarm", new AlarmDefinition(
                "aurora-connections-high",
                "An Aurora instance holds more connections than the platform opens itself: a connection leak or an unknown client.",
                ClusterMetric("DatabaseConnections", Stats.MAXIMUM), thresholds.AuroraConnections, ComparisonOperator.GREATER_THAN_THRESHOLD,
                // Silence is a down database, which aurora-cpu-high already pages for: keep the last state.
                TreatMissingData.MISSING)),
            alarms.Add(this, "DatabaseReplicaLagAlarm", new AlarmDefinition(
                "aurora-replica-lag-high",
                "An Aurora reader lags behind the writer: reads return stale data, and a failover to it would take longer.",
                // Only readers report AuroraReplicaLag, so the cluster-level series is the readers', whichever instance
                // is a reader after a failover; Maximum is the most lagging one.
                ClusterMetric("AuroraReplicaLag", Stats.MAXIMUM), thresholds.AuroraReplicaLagMs, ComparisonOperator.GREATER_THAN_THRESHOLD,
                // No lag datapoints while the cluster has readers means no reader is replicating: there is no
                // failover target, which is worth a page even while the writer (and its CPU alarm) is fine (except where
                // the cluster pauses when idle, readers included).
                silenceIsDown)),
        ];
    }
}
