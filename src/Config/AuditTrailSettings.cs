namespace TradingPlatform.Config;

/// <summary>Which trail keeps the complete record of a class of CloudTrail events.</summary>
public enum AuditEventRecorder
{
    /// <summary>The platform's own trail (trading-audit-&lt;env&gt;) records every event of the class.</summary>
    Platform,
    /// <summary>
    /// An organization trail, named in <see cref="AuditTrailSettings.OrganizationTrailArn"/>, already records them: the
    /// platform's trail records only what its alarms watch (see <see cref="AuditTrailSettings"/>), never the rest again.
    /// </summary>
    Organization,
}

/// <summary>
/// The audit trail (PCI DSS v4.0.1 requirement 10): who read, wrote or tried to delete the trade records and the client
/// registry, and who changed the controls that protect them. Staging and prod have one by default; dev-like
/// environments only when the auditTrail context key is set (and then disposable: no Object Lock).
///
/// Whichever trail keeps the complete record, the platform's own trail always exists: every audit alarm is a metric
/// filter on its log group, the one place that sees both regions (a multi-region trail) and IAM (a global service). With
/// an organization trail it records only what those alarms need and the organization's copy (in another account)
/// cannot give them:
/// - management events recorded by the organization: the platform's trail records the management WRITE events only
///   (key disabled, bucket policy changed, role changed, trail or recorder stopped...), a second copy billed at $2.00
///   per 100,000; the reads (the bulk: KMS Decrypt, Describe*, Get*) are the organization's alone;
/// - data events recorded by the organization: the platform's trail records the data events on the records and the
///   registry that the ingestion function does not make (everyone else's reads and writes, its own are the
///   organization's alone), and every delete, retention or legal-hold call on the locked records, whoever makes it.
/// </summary>
public sealed record AuditTrailSettings
{
    /// <summary>PCI DSS 10.5.1: audit log history is kept at least twelve months.</summary>
    public const int MinimumLockDays = 365;

    private readonly RecordsRetention? logLock;

    /// <summary>Which trail keeps the complete record of the data events on the records and the registry.</summary>
    public required AuditEventRecorder DataEvents { get; init; }

    /// <summary>Which trail keeps the complete record of the account's management events.</summary>
    public required AuditEventRecorder ManagementEvents { get; init; }

    /// <summary>
    /// The organization trail that records what is set to <see cref="AuditEventRecorder.Organization"/> (its ARN, for the
    /// documentation of who holds which record); null when the platform's trail records everything.
    /// </summary>
    public string? OrganizationTrailArn { get; init; }

    /// <summary>
    /// S3 Object Lock of the trail's bucket: the mode and default retention of every log and digest file, at least
    /// <see cref="MinimumLockDays"/> days (refused otherwise). Null in dev-like environments, which must stay disposable.
    /// </summary>
    public required RecordsRetention? LogLock
    {
        get => logLock;
        init => logLock = value is { UpperBoundDays: < MinimumLockDays } || value is { Days: < MinimumLockDays }
            ? throw new ArgumentOutOfRangeException(nameof(LogLock), value,
                $"the audit trail's logs are locked at least {MinimumLockDays} days (PCI DSS 10.5.1: twelve months)")
            : value;
    }

    /// <summary>Everything recorded by the platform's own trail: an account without an organization trail.</summary>
    public static AuditTrailSettings PlatformRecordsAll(RecordsRetention? logLock) => new()
    {
        DataEvents = AuditEventRecorder.Platform,
        ManagementEvents = AuditEventRecorder.Platform,
        LogLock = logLock,
    };

    public override string ToString() =>
        $"data events: {DataEvents}, management events: {ManagementEvents}" +
        (OrganizationTrailArn is null ? "" : $" (organization trail {OrganizationTrailArn})") +
        (LogLock is null ? ", logs not locked" : $", logs locked {LogLock}");
}
