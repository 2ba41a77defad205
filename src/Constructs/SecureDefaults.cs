using Amazon.CDK;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;

namespace TradingPlatform.Constructs;

/// <summary>
/// What an environment decides about the data it stores, for the secure defaults' buckets and log groups. The stacks
/// derive it from their settings; a component that stores data takes it as one property.
/// </summary>
public sealed record StoragePolicy
{
    /// <summary>
    /// Required. The environment's kind: exemptions that excuse missing protection (the auto-delete provider, a short
    /// log retention) follow the kind, never the setting they excuse.
    /// </summary>
    public required EnvironmentKind Kind { get; init; }

    /// <summary>
    /// Required. What happens to buckets and log groups (and other stateful resources of the component) when their
    /// stack is deleted or they are replaced; with DESTROY, buckets are emptied first.
    /// </summary>
    public required RemovalPolicy RemovalPolicy { get; init; }

    /// <summary>How long log groups keep events. Default: one year (PCI-DSS 10.7's audit year).</summary>
    public RetentionDays LogRetention { get; init; } = RetentionDays.ONE_YEAR;

    /// <summary>Stateful resources are destroyed with their stack, so buckets must be emptied first.</summary>
    public bool DestroysDataOnDelete => RemovalPolicy == RemovalPolicy.DESTROY;

    /// <summary>
    /// Whether the environment keeps cross-region copies (staging and prod: the trade records' replica and the backup
    /// copies in the recovery region), which the reasons of the buckets that do not replicate must say. Default: false.
    /// </summary>
    public bool CopiesToRecoveryRegion { get; init; }
}

/// <summary>
/// The secure defaults every stack starts from, in one place (buckets, log groups), so a hardening fix
/// lands everywhere at once. Callers state only what differs: the key, the lifecycle, the log target.
/// </summary>
public static class SecureDefaults
{
    /// <summary>
    /// A bucket that receives S3 server access logs. S3 log delivery supports only SSE-S3 on the target
    /// bucket, hence no KMS key here; it is private, TLS-only and versioned like the rest.
    /// </summary>
    public static Bucket AccessLogsBucket(Construct scope, string id, StoragePolicy storage)
    {
        var bucket = new Bucket(scope, id, new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            MinimumTLSVersion = 1.2,
            Versioned = true,
            RemovalPolicy = storage.RemovalPolicy,
            AutoDeleteObjects = storage.DestroysDataOnDelete,
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Id = "ExpireAccessLogs",
                    // PCI-DSS 10.7: one year of audit history.
                    Expiration = Duration.Days(365),
                    NoncurrentVersionExpiration = Duration.Days(30),
                    AbortIncompleteMultipartUploadAfter = Duration.Days(7),
                },
            ],
        });
        SuppressAutoDeleteProvider(scope, storage);
        NagSuppressions.Add(bucket,
            new NagSuppression("PCI.DSS.321-S3DefaultEncryptionKMS",
                "S3 server access log delivery supports only SSE-S3 on the destination bucket."),
            new NagSuppression("PCI.DSS.321-S3BucketReplicationEnabled",
                "Access logs are kept versioned in-region for one year; cross-region replication is not required for them."));
        SuppressControlTowerOnAccessLogs(bucket);
        return bucket;
    }

    /// <summary>A private, TLS-only, KMS-encrypted (bucket key), versioned bucket whose access is logged.</summary>
    public static Bucket DataBucket(
        Construct scope, string id, StoragePolicy storage, IKey key, IBucket accessLogs,
        params LifecycleRule[] lifecycleRules) =>
        DataBucket(scope, id, storage, key, accessLogs, new DataBucketOptions(), lifecycleRules);

    /// <summary>The same, with what differs for a replication source or a locked bucket.</summary>
    public static Bucket DataBucket(
        Construct scope, string id, StoragePolicy storage, IKey key, IBucket accessLogs,
        DataBucketOptions options, params LifecycleRule[] lifecycleRules)
    {
        var rules = new List<LifecycleRule>(lifecycleRules)
        {
            new LifecycleRule
            {
                Id = "NoncurrentVersions",
                // Old versions protect against overwrite and deletion for a while, then stop costing money.
                NoncurrentVersionTransitions =
                [
                    new NoncurrentVersionTransition { StorageClass = StorageClass.GLACIER, TransitionAfter = Duration.Days(30) },
                ],
                NoncurrentVersionExpiration = Duration.Days(options.NoncurrentVersionExpirationDays),
                AbortIncompleteMultipartUploadAfter = Duration.Days(7),
            },
        };

        var bucket = new Bucket(scope, id, new BucketProps
        {
            // No BucketName: S3 names are global, so CloudFormation generates a unique one per account.
            Encryption = BucketEncryption.KMS,
            EncryptionKey = key,
            BucketKeyEnabled = options.BucketKeyEnabled,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            MinimumTLSVersion = 1.2,
            Versioned = true,
            // Unset (not false) when not locked: the other buckets' templates stay as they were.
            ObjectLockEnabled = options.ObjectLockEnabled ? true : null,
            ServerAccessLogsBucket = accessLogs,
            ServerAccessLogsPrefix = $"{id}/",
            LifecycleRules = rules.ToArray(),
            RemovalPolicy = storage.RemovalPolicy,
            AutoDeleteObjects = storage.DestroysDataOnDelete,
        });
        SuppressAutoDeleteProvider(scope, storage);
        if (!options.ReplicationSource)
        {
            NagSuppressions.Add(bucket,
                new NagSuppression("PCI.DSS.321-S3BucketReplicationEnabled", options.ReplicationExemption
                    ?? (storage.CopiesToRecoveryRegion ? NotTheCrossRegionCopiesReason : NoCrossRegionCopiesReason)));
        }
        EnableEventBridgeNotifications(bucket);
        return bucket;
    }

    /// <summary>The default replication exemption where the environment keeps no cross-region copy (dev-like).</summary>
    public const string NoCrossRegionCopiesReason =
        "S3 stores objects across at least three AZs and versioning keeps prior versions; cross-region copies of trading data are a data-residency decision the platform has not taken.";

    /// <summary>The default replication exemption where it keeps the records and backups in a recovery region (staging, prod).</summary>
    public const string NotTheCrossRegionCopiesReason =
        "S3 stores objects across at least three AZs and versioning keeps prior versions; the platform's cross-region copies are the trade records (replicated from the ingestion bucket to the recovery region's locked replica) and the backups (copied to the recovery vault), not this bucket's data.";

    /// <summary>What a data bucket does differently from the defaults.</summary>
    public sealed record DataBucketOptions
    {
        /// <summary>The default: old versions protect against overwrite and deletion for a year, then stop costing money.</summary>
        public const int DefaultNoncurrentVersionExpirationDays = 365;

        /// <summary>
        /// The caller configures replication on this bucket, so it carries no replication exemption: the compliance
        /// gate checks that it really replicates.
        /// </summary>
        public bool ReplicationSource { get; init; }

        /// <summary>
        /// Object Lock set at creation: the top-level ObjectLockEnabled, which S3 and CloudFormation document for a new
        /// bucket. Only for a bucket that does not exist yet: on an existing one it makes CloudFormation replace it.
        /// </summary>
        public bool ObjectLockEnabled { get; init; }

        /// <summary>
        /// Why this bucket replicates nowhere itself (the cdk-nag exemption's reason). Default: the reason of a bucket
        /// whose data is not meant to leave its region, as true in its environment (with or without cross-region copies
        /// of the records and backups, <see cref="StoragePolicy.CopiesToRecoveryRegion"/>).
        /// </summary>
        public string? ReplicationExemption { get; init; }

        /// <summary>When noncurrent versions are deleted; a locked bucket must not try before the lock ends.</summary>
        public int NoncurrentVersionExpirationDays { get; init; } = DefaultNoncurrentVersionExpirationDays;

        /// <summary>
        /// S3 Bucket Keys (fewer KMS requests). Default: true. Off where the writer's own encryption context must reach KMS
        /// (CloudTrail log files: the key policy admits CloudTrail only for kms:EncryptionContext:aws:cloudtrail:arn, which a
        /// bucket key would replace with the bucket's ARN).
        /// </summary>
        public bool BucketKeyEnabled { get; init; } = true;
    }

    private static void SuppressAutoDeleteProvider(Construct scope, StoragePolicy storage)
    {
        // By environment kind, not by the removal policy: a staging or prod bucket that would be emptied on
        // deletion must surface in the compliance gate (see IsDisposable).
        if (storage.Kind.IsDisposable() && storage.DestroysDataOnDelete)
        {
            NagSuppressions.AddToCdkProvider(Stack.Of(scope), "Custom::S3AutoDeleteObjectsCustomResourceProvider",
                "empties dev-like buckets on stack deletion", hasInlinePolicy: false);
        }
    }

    /// <summary>
    /// Control Tower CT.S3.PR.4: every object-level change of a data bucket goes to EventBridge (default bus), where
    /// rules can react or audit. Set on the bucket itself: the L2 EventBridgeEnabled prop would instead add a CDK
    /// notifications custom resource (a Lambda outside the VPC) and leave the bucket property empty.
    /// </summary>
    private static void EnableEventBridgeNotifications(Bucket bucket) =>
        ((CfnBucket)bucket.Node.DefaultChild!).NotificationConfiguration = new CfnBucket.NotificationConfigurationProperty
        {
            EventBridgeConfiguration = new CfnBucket.EventBridgeConfigurationProperty { EventBridgeEnabled = true },
        };

    /// <summary>Control Tower controls that cannot apply to a bucket that receives S3 server access logs.</summary>
    private static void SuppressControlTowerOnAccessLogs(Bucket bucket) =>
        GuardSuppressions.Add(bucket,
            new GuardSuppression(ControlTowerRules.S3KmsEncryption,
                "S3 server access log delivery supports only SSE-S3 on the destination bucket, not SSE-KMS."),
            new GuardSuppression(ControlTowerRules.S3AccessLogging,
                "This bucket is the server access log destination; logging it into itself would loop and into another bucket only moves the gap."),
            new GuardSuppression(ControlTowerRules.S3EventNotifications,
                "Written only by S3 log delivery; no consumer reacts to log files, so an event per delivered file would be noise and cost."),
            new GuardSuppression(ControlTowerRules.S3ObjectLock,
                "Access logs expire after one year by lifecycle (PCI-DSS 10.7) and are versioned; Object Lock would block that expiry."));

    /// <summary>Metadata entry that names a locked bucket (<see cref="LockedBuckets"/>) for the rules and the rollout check.</summary>
    public const string LockedBucketMetadata = "tradingplatform:lockedBucket";

    /// <summary>
    /// S3 Object Lock's default retention on a bucket, in ObjectLockConfiguration (with its own ObjectLockEnabled =
    /// "Enabled"); the bucket names itself in metadata (<see cref="LockedBucketMetadata"/>). Whether it also has the
    /// top-level ObjectLockEnabled (created locked) is the caller's <see cref="DataBucketOptions.ObjectLockEnabled"/>.
    /// </summary>
    public static void LockRecords(Bucket bucket, string lockedBucket, string environment, RecordsRetention retention)
    {
        var cfn = (CfnBucket)bucket.Node.DefaultChild!;
        cfn.AddMetadata(LockedBucketMetadata, new Dictionary<string, object>
        {
            ["name"] = lockedBucket,
            ["environment"] = environment,
        });
        cfn.ObjectLockConfiguration = new CfnBucket.ObjectLockConfigurationProperty
        {
            ObjectLockEnabled = "Enabled",
            Rule = new CfnBucket.ObjectLockRuleProperty
            {
                DefaultRetention = new CfnBucket.DefaultRetentionProperty
                {
                    Mode = retention.Mode == RecordsLockMode.Compliance ? "COMPLIANCE" : "GOVERNANCE",
                    Years = retention.Years,
                    Days = retention.Days,
                },
            },
        };
    }

    /// <summary>A transition of current objects after the seed's 90 days.</summary>
    public static LifecycleRule TransitionAfter90Days(string id, StorageClass storageClass) => new()
    {
        Id = id,
        Enabled = true,
        Transitions = [new Transition { StorageClass = storageClass, TransitionAfter = Duration.Days(90) }],
    };

    /// <summary>A log group encrypted with the logs key and kept for the environment's retention.</summary>
    public static LogGroup LogGroup(
        Construct scope, string id, StoragePolicy storage, IKey logsKey, string? logGroupName = null)
    {
        var logGroup = new LogGroup(scope, id, new LogGroupProps
        {
            LogGroupName = logGroupName,
            EncryptionKey = logsKey,
            Retention = storage.LogRetention,
            RemovalPolicy = storage.RemovalPolicy,
        });
        SuppressControlTowerOnLogGroup(logGroup, storage, logsKey);
        return logGroup;
    }

    private static void SuppressControlTowerOnLogGroup(LogGroup logGroup, StoragePolicy storage, IKey logsKey)
    {
        if (Stack.Of(logsKey) != Stack.Of(logGroup))
        {
            GuardSuppressions.Add(logGroup, new GuardSuppression(ControlTowerRules.LogGroupEncrypted,
                "Encrypted with the Security layer's logs key: KmsKeyId is an Fn::ImportValue of the key ARN, which the rule cannot resolve."));
        }

        // By environment kind, not by the value it excuses: a prod preset with short retention must fail the gate.
        var days = ((CfnLogGroup)logGroup.Node.DefaultChild!).RetentionInDays;
        if (storage.Kind != EnvironmentKind.Prod && days is < 365)
        {
            GuardSuppressions.Add(logGroup, new GuardSuppression(ControlTowerRules.LogGroupRetention,
                $"Non-production preset keeps logs {days} days to limit cost; prod keeps them one year (PCI-DSS 10.7)."));
        }
    }
}
