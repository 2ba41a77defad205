using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Data;

public sealed record DataBucketsProps
{
    /// <summary>Required. Encrypts the data buckets and the archival replicas.</summary>
    public required IKey S3Key { get; init; }
    /// <summary>Required. Removal of the buckets (emptied first when destroyed) and the exemptions of dev-like kinds.</summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. The environment's suffix, in the replication role's and policy's descriptions.</summary>
    public required string Suffix { get; init; }
    /// <summary>Required. The region the buckets live in: S3 uses the keys through s3.&lt;region&gt;.amazonaws.com only.</summary>
    public required string Region { get; init; }
    /// <summary>Object Lock (WORM) default retention of the archival bucket. Default: null, no lock (dev-like environments).</summary>
    public RecordsRetention? RecordsRetention { get; init; }
    /// <summary>
    /// Locked buckets (<see cref="LockedBuckets"/>) that existed before Object Lock was set at creation: they keep the
    /// lock through ObjectLockConfiguration only. Default: none, every locked bucket is created locked.
    /// </summary>
    public IReadOnlyList<string> BucketsPredatingObjectLock { get; init; } = [];
    /// <summary>Required. Creates the replication-failure alarm.</summary>
    public required PlatformAlarms Alarms { get; init; }

    /// <summary>
    /// Where trades/ is also replicated, in the recovery region (the Recovery layer's locked replica). Default: null,
    /// no cross-region copy (dev-like environments).
    /// </summary>
    public RecordsReplicaDestination? RecordsReplica { get; init; }

    public bool PredatesObjectLock(string lockedBucket) => BucketsPredatingObjectLock.Contains(lockedBucket);
}

/// <summary>The records replica in another region, by derived names (the Recovery layer creates it; see RecoveryStack).</summary>
public sealed record RecordsReplicaDestination
{
    /// <summary>Required. The replica bucket's ARN.</summary>
    public required string BucketArn { get; init; }
    /// <summary>Required. The recovery region (its key is used through s3.&lt;region&gt;.amazonaws.com only).</summary>
    public required string Region { get; init; }
    /// <summary>Required. The alias (without "alias/") of the recovery region's records key, which encrypts every replica.</summary>
    public required string KeyAlias { get; init; }
    /// <summary>
    /// Replication Time Control: 99.99% of objects replicated within 15 minutes, with an SLA (and its cost). Default:
    /// false (replication is best effort, usually within minutes).
    /// </summary>
    public bool ReplicationTimeControl { get; init; }
}

/// <summary>
/// The S3 buckets of trading data, from the secure defaults (private, TLS-only, KMS with bucket keys, versioned):
/// ingestion and analytics tier to Glacier, archival to Deep Archive after 90 days; all log access to one
/// access-log bucket (SSE-S3, the only encryption S3 log delivery supports).
/// Trading records are WORM (SEC 17a-4(f), FINRA 4511): every object under trades/ in the ingestion bucket is
/// replicated (same region) to the archival bucket, which in staging and prod has S3 Object Lock with the
/// environment's default retention, so each accepted batch has a copy nobody can alter or delete until it ends.
/// </summary>
public sealed class DataBuckets : PlatformComponent
{
    /// <summary>What is replicated to the archival bucket: the accepted trade batches (not idempotency records).</summary>
    public const string RecordsPrefix = "trades/";
    public const string ReplicationRuleId = "TradesToArchival";
    /// <summary>
    /// The rule that copies trades/ to the recovery region's replica. From the ingestion bucket, not from the archival
    /// bucket: S3 does not replicate objects that are themselves replicas (archival holds only replicas), so a chained
    /// rule on the archival bucket would copy nothing. Both rules start from the same accepted batch.
    /// </summary>
    public const string RecoveryReplicationRuleId = "TradesToRecoveryReplica";
    /// <summary>Replication Time Control's threshold, and so the latency alarm's: 15 minutes.</summary>
    public const int ReplicationThresholdMinutes = 15;

    public Bucket AccessLogs { get; }
    public Bucket Ingestion { get; }
    public Bucket Analytics { get; }
    public Bucket Archival { get; }
    /// <summary>The records replica in the recovery region that trades/ is also replicated to; null without one.</summary>
    public RecordsReplicaDestination? RecordsReplicaDestination { get; }
    /// <summary>The role S3 assumes to copy trades/ from the ingestion bucket to the archival bucket.</summary>
    public Role ReplicationRole { get; }
    /// <summary>Fires when an object under trades/ failed to replicate: that batch has no unalterable copy.</summary>
    public Alarm ReplicationFailedAlarm { get; }
    /// <summary>Fires when trades/ failed to replicate to the recovery region. Null without a replica.</summary>
    public Alarm? RecoveryReplicationFailedAlarm { get; }
    /// <summary>Fires when replication to the recovery region lags past 15 minutes. Null without a replica.</summary>
    public Alarm? RecoveryReplicationLatencyAlarm { get; }

    public DataBuckets(Construct scope, string id, DataBucketsProps props) : base(scope, id)
    {
        // The body's names for its inputs since before it had props.
        var (settings, s3Key, alarms) = (props, props.S3Key, props.Alarms);
        RecordsReplicaDestination = props.RecordsReplica;
        AccessLogs = SecureDefaults.AccessLogsBucket(this, "AccessLogsBucket", settings.Storage);
        Ingestion = SecureDefaults.DataBucket(this, "IngestionBucket", settings.Storage, s3Key, AccessLogs,
            new SecureDefaults.DataBucketOptions { ReplicationSource = true },
            SecureDefaults.TransitionAfter90Days("ToGlacier", StorageClass.GLACIER));
        Analytics = SecureDefaults.DataBucket(this, "AnalyticsBucket", settings.Storage, s3Key, AccessLogs,
            SecureDefaults.TransitionAfter90Days("ToGlacier", StorageClass.GLACIER));
        Archival = SecureDefaults.DataBucket(this, "ArchivalBucket", settings.Storage, s3Key, AccessLogs,
            new SecureDefaults.DataBucketOptions
            {
                // Deleting a noncurrent version before its retention ends only fails against the lock (silently, and
                // again every day): the lifecycle waits until no version can still be locked.
                NoncurrentVersionExpirationDays = Math.Max(
                    SecureDefaults.DataBucketOptions.DefaultNoncurrentVersionExpirationDays,
                    settings.RecordsRetention?.UpperBoundDays ?? 0),
                // A new locked bucket is created locked, the documented way; one that predates that keeps the nested
                // form only (see LockRecords).
                ObjectLockEnabled = settings.RecordsRetention is not null && !settings.PredatesObjectLock(LockedBuckets.Archival),
                // Its records do leave the region where there is a replica, from the ingestion bucket (see
                // RecoveryReplicationRuleId): say so, rather than that the platform keeps no cross-region copy.
                ReplicationExemption = settings.RecordsReplica is null ? null
                    : "The records' cross-region copy is made from the ingestion bucket, which replicates trades/ to the recovery region's locked replica: S3 does not replicate replicas, and this bucket holds only replicas.",
            },
            SecureDefaults.TransitionAfter90Days("ToDeepArchive", StorageClass.DEEP_ARCHIVE));

        if (settings.RecordsRetention is { } retention)
        {
            LockRecords(settings, retention);
        }

        // Replicated in every kind, dev-like included: dev and pr-N rehearse the same rule, role and KMS permissions
        // that prod depends on, and it costs nothing there (no lock, both buckets emptied and deleted with the stack).
        ReplicationRole = ReplicateRecords(settings, s3Key);
        ReplicationFailedAlarm = alarms.Add(this, "RecordsReplicationFailedAlarm", new AlarmDefinition(
            "records-replication-failed",
            "Objects under trades/ failed to replicate to the archival (WORM) bucket: those batches have no unalterable copy " +
            "until they are replicated again (S3 does not retry a failed replication).",
            new Metric(new MetricProps
            {
                Namespace = "AWS/S3",
                MetricName = "OperationsFailedReplication",
                DimensionsMap = new Dictionary<string, string>
                {
                    ["SourceBucket"] = Ingestion.BucketName,
                    ["DestinationBucket"] = Archival.BucketName,
                    ["RuleId"] = ReplicationRuleId,
                },
                Statistic = Stats.SUM,
                Period = Duration.Minutes(5),
            }),
            1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            // Published only when replication fails: no data is no failure (and no traffic).
            TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 });
        if (settings.RecordsReplica is { } replica)
        {
            var dimensions = new Dictionary<string, string>
            {
                ["SourceBucket"] = Ingestion.BucketName,
                ["DestinationBucket"] = replica.BucketArn.Split(':').Last(),
                ["RuleId"] = RecoveryReplicationRuleId,
            };
            RecoveryReplicationFailedAlarm = alarms.Add(this, "RecoveryReplicationFailedAlarm", new AlarmDefinition(
                "records-recovery-replication-failed",
                "Objects under trades/ failed to replicate to the records replica in the recovery region: those batches have " +
                "no copy outside the primary region (S3 does not retry a failed replication).",
                new Metric(new MetricProps
                {
                    Namespace = "AWS/S3", MetricName = "OperationsFailedReplication", DimensionsMap = dimensions,
                    Statistic = Stats.SUM, Period = Duration.Minutes(5),
                }),
                1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 });
            RecoveryReplicationLatencyAlarm = alarms.Add(this, "RecoveryReplicationLatencyAlarm", new AlarmDefinition(
                "records-recovery-replication-latency",
                $"Replication of trades/ to the recovery region lags more than {ReplicationThresholdMinutes} minutes: the records' " +
                "recovery point objective after a region loss is missed.",
                new Metric(new MetricProps
                {
                    Namespace = "AWS/S3", MetricName = "ReplicationLatency", DimensionsMap = dimensions,
                    Statistic = Stats.MAXIMUM, Period = Duration.Minutes(5),
                }),
                ReplicationThresholdMinutes * 60, ComparisonOperator.GREATER_THAN_THRESHOLD, TreatMissingData.NOT_BREACHING));
        }

        SuppressControlTower(settings);
    }

    /// <summary>
    /// The default retention, in ObjectLockConfiguration (with its own ObjectLockEnabled = "Enabled"), on both paths:
    /// - created locked (the default): the bucket also has the top-level ObjectLockEnabled (DataBucketOptions), as S3 and
    ///   CloudFormation document for a new bucket; the nested form alone has been reported to leave a new bucket in
    ///   CREATE_IN_PROGRESS until "Internal Error" (aws-cloudformation/cloudformation-coverage-roadmap#626);
    /// - predating (the environment lists the bucket in bucketsPredatingObjectLock): the nested form only, which updates
    ///   an existing versioned bucket in place (S3 allows enabling Object Lock on one since November 2023), whereas
    ///   adding the top-level flag would replace it (roadmap#1929): a new, empty bucket under a new name, and the
    ///   ArchivalBucket-&lt;env&gt; export other teams import would change.
    /// The bucket's metadata names it (tradingplatform:lockedBucket), so that the rollout check can say which context
    /// value keeps an existing bucket in place. Once enabled, Object Lock can never be disabled, nor versioning suspended.
    /// </summary>
    private void LockRecords(DataBucketsProps settings, RecordsRetention retention) =>
        SecureDefaults.LockRecords(Archival, LockedBuckets.Archival, settings.Suffix, retention);

    /// <summary>
    /// Same-region replication of trades/ from the ingestion bucket to the archival bucket, KMS-encrypted replicas,
    /// delete markers not replicated (a delete in the ingestion bucket never reaches the records). CDK 2.160's Bucket
    /// has no replication props (BucketProps.ReplicationRules came later), so the rule is set on the L1 resource.
    /// </summary>
    private Role ReplicateRecords(DataBucketsProps settings, IKey s3Key)
    {
        var role = new Role(this, "ReplicationRole", new RoleProps
        {
            // Only S3 can assume it, and only a bucket owner with iam:PassRole on it in this account can name it in a
            // replication configuration, so no other account's bucket can make S3 use it.
            AssumedBy = new ServicePrincipal("s3.amazonaws.com"),
            Description = $"S3 replication of {RecordsPrefix} from the ingestion bucket to the archival (WORM) bucket ({settings.Suffix})",
        });

        var s3ViaService = $"s3.{settings.Region}.amazonaws.com";
        // A customer-managed policy, not an inline one (PCI-DSS 7: reviewable on its own). It refers to the buckets and
        // the ingestion bucket refers to the role, so a policy inside the role would be a dependency cycle anyway.
        var policy = new ManagedPolicy(this, "ReplicationPolicy", new ManagedPolicyProps
        {
            Description = $"Least privilege for S3 to replicate {RecordsPrefix} to the archival bucket ({settings.Suffix})",
            Roles = [role],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadReplicationConfiguration",
                    Actions = ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                    Resources = [Ingestion.BucketArn],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadSourceRecords",
                    Actions = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                    Resources = [Ingestion.ArnForObjects(RecordsPrefix + "*")],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    // No s3:ReplicateDelete: deletions in the ingestion bucket never reach the records.
                    Sid = "WriteReplicas",
                    Actions = ["s3:ReplicateObject", "s3:ReplicateTags"],
                    Resources = [Archival.ArnForObjects(RecordsPrefix + "*")],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    // Bucket keys make the bucket ARN the encryption context; an object ARN appears for objects
                    // written without one. Either way, only through S3 and only for the ingestion bucket's trades/.
                    Sid = "DecryptSourceRecords",
                    Actions = ["kms:Decrypt"],
                    Resources = [s3Key.KeyArn],
                    Conditions = new Dictionary<string, object>
                    {
                        ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = s3ViaService },
                        ["StringLike"] = new Dictionary<string, object>
                        {
                            ["kms:EncryptionContext:aws:s3:arn"] = new[] { Ingestion.BucketArn, Ingestion.ArnForObjects(RecordsPrefix + "*") },
                        },
                    },
                }),
                .. RecoveryReplicaStatements(settings),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "EncryptReplicas",
                    Actions = ["kms:Encrypt", "kms:GenerateDataKey"],
                    Resources = [s3Key.KeyArn],
                    Conditions = new Dictionary<string, object>
                    {
                        ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = s3ViaService },
                        ["StringLike"] = new Dictionary<string, object>
                        {
                            ["kms:EncryptionContext:aws:s3:arn"] = new[] { Archival.BucketArn, Archival.ArnForObjects(RecordsPrefix + "*") },
                        },
                    },
                }),
            ],
        });
        NagSuppressions.Add(policy,
            new NagSuppression("AwsSolutions-IAM5",
                "S3 replication reads and writes object versions whose keys are generated per batch: granted on trades/ only, in the ingestion (read) and archival (write) buckets.",
                @"/^Resource::.*IngestionBucket.*\/trades\/\*$/g",
                @"/^Resource::.*ArchivalBucket.*\/trades\/\*$/g"));
        if (settings.RecordsReplica is not null)
        {
            NagSuppressions.Add(policy,
                new NagSuppression("AwsSolutions-IAM5",
                    "Replicas in the recovery region: writes are granted on the replica's trades/ only, and its key (created in another region, so only its alias is known here) only through S3 in that region and only for the key carrying the replica's alias (kms:ResourceAliases).",
                    @"/^Resource::arn:aws:s3:::trading-records-.*\/trades\/\*$/g",
                    @"/^Resource::arn:aws:kms:.*:key\/\*$/g"));
        }

        var ingestion = (CfnBucket)Ingestion.Node.DefaultChild!;
        ingestion.ReplicationConfiguration = new CfnBucket.ReplicationConfigurationProperty
        {
            Role = role.RoleArn,
            Rules = new CfnBucket.ReplicationRuleProperty[]
            {
                TradesRule(ReplicationRuleId, 1, new CfnBucket.ReplicationDestinationProperty
                {
                    Bucket = Archival.BucketArn,
                    // Replication metrics (OperationsFailedReplication...) for the failure alarm; 15 minutes is the
                    // only threshold S3 accepts, and without Replication Time Control it only shapes the metrics.
                    Metrics = new CfnBucket.MetricsProperty
                    {
                        Status = "Enabled",
                        EventThreshold = new CfnBucket.ReplicationTimeValueProperty { Minutes = 15 },
                    },
                    EncryptionConfiguration = new CfnBucket.EncryptionConfigurationProperty { ReplicaKmsKeyId = s3Key.KeyArn },
                }),
            }.Concat(RecoveryReplicationRules(settings)).ToArray(),
        };

        return role;
    }

    /// <summary>
    /// trades/ to the recovery region's locked replica, beside the archival rule: same filter, no delete markers, each
    /// replica encrypted with the recovery region's key (named by its alias ARN, which S3 accepts as the replica key),
    /// Replication Time Control where the destination asks for it (prod).
    /// </summary>
    private CfnBucket.ReplicationRuleProperty[] RecoveryReplicationRules(DataBucketsProps settings)
    {
        if (settings.RecordsReplica is not { } replica)
        {
            return [];
        }

        var stack = Stack.Of(this);
        var rtc = replica.ReplicationTimeControl;
        var fifteenMinutes = new CfnBucket.ReplicationTimeValueProperty { Minutes = ReplicationThresholdMinutes };
        return
        [
            TradesRule(RecoveryReplicationRuleId, 2, new CfnBucket.ReplicationDestinationProperty
            {
                Bucket = replica.BucketArn,
                Metrics = new CfnBucket.MetricsProperty { Status = "Enabled", EventThreshold = fifteenMinutes },
                ReplicationTime = rtc
                    ? new CfnBucket.ReplicationTimeProperty { Status = "Enabled", Time = fifteenMinutes }
                    : null,
                EncryptionConfiguration = new CfnBucket.EncryptionConfigurationProperty
                {
                    ReplicaKmsKeyId = $"arn:{stack.Partition}:kms:{replica.Region}:{stack.Account}:alias/{replica.KeyAlias}",
                },
            }),
        ];
    }

    /// <summary>
    /// A replication rule for trades/ in the V2 schema (Filter + Priority + DeleteMarkerReplication, which S3 needs for a
    /// prefix filter): delete markers are not replicated, and SSE-KMS objects are selected (every object here is one;
    /// without it S3 would skip all of them).
    /// </summary>
    private static CfnBucket.ReplicationRuleProperty TradesRule(string id, int priority, CfnBucket.ReplicationDestinationProperty destination) => new()
    {
        Id = id,
        Status = "Enabled",
        Priority = priority,
        Filter = new CfnBucket.ReplicationRuleFilterProperty { Prefix = RecordsPrefix },
        DeleteMarkerReplication = new CfnBucket.DeleteMarkerReplicationProperty { Status = "Disabled" },
        SourceSelectionCriteria = new CfnBucket.SourceSelectionCriteriaProperty
        {
            SseKmsEncryptedObjects = new CfnBucket.SseKmsEncryptedObjectsProperty { Status = "Enabled" },
        },
        Destination = destination,
    };

    private PolicyStatement[] RecoveryReplicaStatements(DataBucketsProps settings)
    {
        if (settings.RecordsReplica is not { } replica)
        {
            return [];
        }

        var stack = Stack.Of(this);
        return
        [
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "WriteRecoveryReplicas",
                Actions = ["s3:ReplicateObject", "s3:ReplicateTags"],
                Resources = [$"{replica.BucketArn}/{RecordsPrefix}*"],
            }),
            new PolicyStatement(new PolicyStatementProps
            {
                // Like EncryptReplicas: only through S3 in the key's region, and only for the replica bucket (the bucket
                // ARN with bucket keys, an object ARN under trades/ without), of the one key carrying the replica's alias.
                Sid = "EncryptRecoveryReplicas",
                Actions = ["kms:Encrypt", "kms:GenerateDataKey"],
                Resources = [$"arn:{stack.Partition}:kms:{replica.Region}:{stack.Account}:key/*"],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"s3.{replica.Region}.amazonaws.com" },
                    ["StringLike"] = new Dictionary<string, object>
                    {
                        ["kms:EncryptionContext:aws:s3:arn"] = new[] { replica.BucketArn, $"{replica.BucketArn}/{RecordsPrefix}*" },
                    },
                    ["ForAnyValue:StringEquals"] = new Dictionary<string, object> { ["kms:ResourceAliases"] = $"alias/{replica.KeyAlias}" },
                },
            }),
        ];
    }

    // Control Tower CT.S3.PR.9 (Object Lock), bucket by bucket.
    private void SuppressControlTower(DataBucketsProps settings)
    {
        GuardSuppressions.Add(Ingestion, new GuardSuppression(ControlTowerRules.S3ObjectLock,
            "Landing zone for raw trade batches, rewritten and expired by lifecycle; versioning guards overwrites and WORM retention would block the deletions data retention requires."));
        GuardSuppressions.Add(Analytics, new GuardSuppression(ControlTowerRules.S3ObjectLock,
            "Derived aggregates recomputed from the ingested trades on every run; versioning keeps prior results for a year, WORM would pin data meant to expire."));
        // The archival bucket holds the records: locked in staging and prod. A disposable environment has no lock,
        // because a locked record could never be deleted, nor its bucket, nor its stack. By kind, not by the setting
        // it excuses: a staging or prod that lost its lock fails the gate. A bucket created locked passes the rule
        // (it has the top-level ObjectLockEnabled); one that predates that has the lock through
        // ObjectLockConfiguration only (see LockRecords).
        if (settings.Storage.Kind.IsDisposable())
        {
            GuardSuppressions.Add(Archival, new GuardSuppression(ControlTowerRules.S3ObjectLock,
                "Disposable dev-like environment: a locked record could never be deleted, nor its bucket or stack; staging and prod lock the records (WORM)."));
        }
        else if (settings.PredatesObjectLock(LockedBuckets.Archival))
        {
            GuardSuppressions.Add(Archival, new GuardSuppression(ControlTowerRules.S3ObjectLock,
                "Object Lock is on through ObjectLockConfiguration (Enabled, with a default retention); this bucket predates Object Lock at creation and the top-level ObjectLockEnabled this rule reads would make CloudFormation replace it and its exported name."));
        }
    }
}
