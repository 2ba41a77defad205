namespace TradingPlatform.Config;

/// <summary>
/// The buckets that keep records under S3 Object Lock, by the name the configuration uses for them
/// (<see cref="ConfigurationLoader.BucketsPredatingObjectLockKey"/>).
/// </summary>
public static class LockedBuckets
{
    /// <summary>The archival (WORM) bucket of the Data layer: the trade records replicated from ingestion.</summary>
    public const string Archival = "archival";

    /// <summary>
    /// The records replica of the Recovery layer (staging and prod, in the recovery region): the same records, under the
    /// same mode and retention, kept apart from the primary region (SEC 17a-4(f)'s duplicate copy).
    /// </summary>
    public const string RecordsReplica = "records-replica";

    /// <summary>
    /// The audit trail's bucket (staging and prod): every CloudTrail log and digest file of the platform's trail, locked at
    /// least twelve months (PCI DSS 10.3, 10.5.1).
    /// </summary>
    public const string AuditTrail = "audit-trail";

    public static readonly IReadOnlyList<string> Names = [Archival, RecordsReplica, AuditTrail];

    /// <summary>
    /// The locked buckets that existed before Object Lock was set at creation, so that the configuration may list them
    /// as predating it. The records replica was created locked from its first deploy: it never predates.
    /// </summary>
    public static readonly IReadOnlyList<string> MayPredateObjectLock = [Archival];
}
