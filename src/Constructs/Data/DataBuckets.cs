using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;

namespace TradingPlatform.Constructs.Data;

/// <summary>
/// The S3 buckets of trading data, from the secure defaults (private, TLS-only, KMS with bucket keys, versioned):
/// ingestion and analytics tier to Glacier, archival to Deep Archive after 90 days; all log access to one
/// access-log bucket (SSE-S3, the only encryption S3 log delivery supports).
/// </summary>
public sealed class DataBuckets : PlatformComponent
{
    public Bucket AccessLogs { get; }
    public Bucket Ingestion { get; }
    public Bucket Analytics { get; }
    public Bucket Archival { get; }

    public DataBuckets(Construct scope, string id, EnvironmentSettings settings, IKey s3Key) : base(scope, id)
    {
        AccessLogs = SecureDefaults.AccessLogsBucket(this, "AccessLogsBucket", settings);
        Ingestion = SecureDefaults.DataBucket(this, "IngestionBucket", settings, s3Key, AccessLogs,
            SecureDefaults.TransitionAfter90Days("ToGlacier", StorageClass.GLACIER));
        Analytics = SecureDefaults.DataBucket(this, "AnalyticsBucket", settings, s3Key, AccessLogs,
            SecureDefaults.TransitionAfter90Days("ToGlacier", StorageClass.GLACIER));
        Archival = SecureDefaults.DataBucket(this, "ArchivalBucket", settings, s3Key, AccessLogs,
            SecureDefaults.TransitionAfter90Days("ToDeepArchive", StorageClass.DEEP_ARCHIVE));

        SuppressControlTower();
    }

    // Control Tower CT.S3.PR.9 (Object Lock), bucket by bucket.
    private void SuppressControlTower()
    {
        GuardSuppressions.Add(Ingestion, new GuardSuppression(ControlTowerRules.S3ObjectLock,
            "Landing zone for raw trade batches, rewritten and expired by lifecycle; versioning guards overwrites and WORM retention would block the deletions data retention requires."));
        GuardSuppressions.Add(Analytics, new GuardSuppression(ControlTowerRules.S3ObjectLock,
            "Derived aggregates recomputed from the ingested trades on every run; versioning keeps prior results for a year, WORM would pin data meant to expire."));
        GuardSuppressions.Add(Archival, new GuardSuppression(ControlTowerRules.S3ObjectLock,
            "Object Lock (WORM) for the archive is delivered by the archival Object Lock change on its own branch; remove this suppression when that merges."));
    }
}
