using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Constructs.Recovery;

public sealed record RecordsReplicaProps
{
    /// <summary>Required. The replica's fixed, globally unique name: the Data layer's replication rule names it (another region).</summary>
    public required string BucketName { get; init; }
    /// <summary>Required. The recovery region's records key: every replica is encrypted with it.</summary>
    public required IKey Key { get; init; }
    /// <summary>Required. Removal of the buckets; staging and prod retain them.</summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. The environment's suffix, in the lock's metadata.</summary>
    public required string Suffix { get; init; }
    /// <summary>
    /// Required. The Object Lock mode and default retention: the primary archival bucket's, never less (SEC 17a-4(f)
    /// keeps the duplicate for the same period).
    /// </summary>
    public required RecordsRetention Retention { get; init; }
}

/// <summary>
/// The duplicate of the trade records, in the recovery region: a data bucket (KMS with the recovery region's key,
/// private, TLS-only, versioned, access-logged to its own log bucket) created with S3 Object Lock (the top-level
/// ObjectLockEnabled and the default retention, at creation: it is a new bucket), named in LockedBuckets.
/// </summary>
public sealed class RecordsReplica : PlatformComponent
{
    public Bucket AccessLogs { get; }
    public Bucket Replica { get; }

    public RecordsReplica(Construct scope, string id, RecordsReplicaProps props) : base(scope, id)
    {
        AccessLogs = SecureDefaults.AccessLogsBucket(this, "RecordsReplicaAccessLogsBucket", props.Storage);
        Replica = SecureDefaults.DataBucket(this, "RecordsReplicaBucket", props.Storage, props.Key, AccessLogs,
            new SecureDefaults.DataBucketOptions
            {
                NoncurrentVersionExpirationDays = Math.Max(
                    SecureDefaults.DataBucketOptions.DefaultNoncurrentVersionExpirationDays, props.Retention.UpperBoundDays),
                ObjectLockEnabled = true,
                ReplicationExemption =
                    "This bucket is the cross-region duplicate of the trade records (the replication destination); replicating it again would only add a third copy.",
            },
            SecureDefaults.TransitionAfter90Days("ToDeepArchive", StorageClass.DEEP_ARCHIVE));
        ((CfnBucket)Replica.Node.DefaultChild!).BucketName = props.BucketName;
        SecureDefaults.LockRecords(Replica, LockedBuckets.RecordsReplica, props.Suffix, props.Retention);
    }
}
