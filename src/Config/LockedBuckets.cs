namespace TradingPlatform.Config;

/// <summary>
/// The buckets that keep records under S3 Object Lock, by the name the configuration uses for them
/// (<see cref="ConfigurationLoader.BucketsPredatingObjectLockKey"/>).
/// </summary>
public static class LockedBuckets
{
    /// <summary>The archival (WORM) bucket of the Data layer: the trade records replicated from ingestion.</summary>
    public const string Archival = "archival";

    public static readonly IReadOnlyList<string> Names = [Archival];
}
