using Amazon.CDK;
using Amazon.CDK.AWS.Logs;

namespace TradingPlatform.Config;

/// <summary>What kind of environment a suffix names; decides the preset it starts from.</summary>
public enum EnvironmentKind
{
    /// <summary>The shared development environment (suffix "dev").</summary>
    Dev,
    /// <summary>Any other suffix, e.g. "pr-123": short-lived, dev-like, shares an account with dev.</summary>
    Ephemeral,
    /// <summary>Pre-production mirror of prod (suffix "staging").</summary>
    Staging,
    /// <summary>Production (suffix "prod").</summary>
    Prod,
}

public static class EnvironmentKindExtensions
{
    /// <summary>
    /// dev and ephemeral environments are disposable: their data may be destroyed with the stack. Exemptions
    /// that excuse missing protection (cdk-nag suppressions) follow this, never the setting they excuse, so a
    /// staging or prod preset that lost its protection fails the compliance gate instead of excusing itself.
    /// </summary>
    public static bool IsDisposable(this EnvironmentKind kind) => kind is EnvironmentKind.Dev or EnvironmentKind.Ephemeral;
}

/// <summary>
/// Every decision that differs between environments, made once at synth time.
/// Stacks read these values; they never look at the suffix to decide behaviour.
/// </summary>
public sealed record EnvironmentSettings
{
    /// <summary>Lower-case name of the environment; feeds resource names, stack ids and export names.</summary>
    public required string Suffix { get; init; }
    public required EnvironmentKind Kind { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }

    /// <summary>NAT gateways: 1 for dev-like environments (cost), one per AZ in prod (no cross-AZ dependency).</summary>
    public required int NatGateways { get; init; }

    /// <summary>
    /// Serverless v2 minimum capacity in ACU. 0 (dev-like kinds only, the loader refuses it elsewhere): every instance
    /// pauses when idle and resumes on the next connection, so an unused environment pays no database capacity.
    /// </summary>
    public required double AuroraMinCapacity { get; init; }
    public required double AuroraMaxCapacity { get; init; }
    /// <summary>Whether the database pauses when idle (minimum capacity 0): then silence from it is not an outage.</summary>
    public bool AuroraPausesWhenIdle => AuroraMinCapacity == 0;

    /// <summary>Serverless v2 readers that scale with the writer, in other AZs: failover targets.</summary>
    public required int AuroraReaders { get; init; }

    /// <summary>Deletion protection on the Aurora cluster and the DynamoDB tables.</summary>
    public required bool DeletionProtection { get; init; }
    /// <summary>What happens to stateful resources when their stack is deleted or they are replaced.</summary>
    public required RemovalPolicy StatefulRemovalPolicy { get; init; }
    /// <summary>Termination protection on the stateful stacks (Security, Data).</summary>
    public required bool TerminationProtection { get; init; }

    public required RetentionDays LogRetention { get; init; }
    /// <summary>WAF rate-based rule: requests allowed per client IP in any 5-minute window.</summary>
    public required int WafRequestsPerFiveMinutesPerIp { get; init; }
    /// <summary>Reserved concurrency of the data-processing function: caps its blast radius on Aurora and S3.</summary>
    public required int FunctionReservedConcurrency { get; init; }

    /// <summary>
    /// AWS Config allows one recorder (and one delivery channel) per account and region. The environment
    /// that owns them creates them; any other environment in the same account only adds its rules.
    /// </summary>
    public required bool CreateConfigRecorder { get; init; }

    /// <summary>Where alarms and compliance alerts go besides the topic: e-mail addresses subscribed to it (may be empty).</summary>
    public IReadOnlyList<string> AlertEmails { get; init; } = [];

    /// <summary>
    /// Machine clients of the API (may be empty): each gets a Cognito app client with the client-credentials grant and
    /// its own API key. With none, POST /data still requires a token, so no client can call it.
    /// </summary>
    public IReadOnlyList<TradingClient> TradingClients { get; init; } = [];

    /// <summary>
    /// Prefix of the Cognito domain that serves the token endpoint (https://&lt;prefix&gt;.auth.&lt;region&gt;.amazoncognito.com):
    /// unique per region across all AWS accounts, hence the account in it. The loader validates it.
    /// </summary>
    public string TokenDomainPrefix => $"trading-{Suffix}-{Account}";

    /// <summary>Alarm thresholds: what counts as "wake someone up" in this kind of environment.</summary>
    public required AlarmThresholds Alarms { get; init; }

    /// <summary>
    /// How a new version of the ingestion function takes the API's traffic (CodeDeploy, through the function's live alias)
    /// and which of its misbehaviours roll it back.
    /// </summary>
    public required FunctionRollout Rollout { get; init; }

    /// <summary>
    /// S3 Object Lock (WORM) on the archival bucket: the mode and default retention every new record version gets.
    /// Null in dev-like environments, which must stay disposable (a locked object cannot be deleted, so neither
    /// could its bucket nor its stack).
    /// </summary>
    public required RecordsRetention? RecordsRetention { get; init; }

    /// <summary>
    /// Locked buckets (<see cref="LockedBuckets"/>) of this environment that were created before Object Lock was set at
    /// creation: they keep Object Lock through the nested ObjectLockConfiguration only, since adding the top-level
    /// ObjectLockEnabled to an existing bucket makes CloudFormation replace it. Every other locked bucket is created
    /// with both, the documented way. Default: none (a new environment).
    /// </summary>
    public IReadOnlyList<string> BucketsPredatingObjectLock { get; init; } = [];

    /// <summary>Whether the named locked bucket takes the nested-only form (see <see cref="BucketsPredatingObjectLock"/>).</summary>
    public bool PredatesObjectLock(string lockedBucket) => BucketsPredatingObjectLock.Contains(lockedBucket);

    /// <summary>
    /// The region of the Recovery layer (TradingPlatform-&lt;env&gt;-Recovery): the recovery vault every backup rule copies
    /// to, and the locked replica of the trade records. Null in dev-like environments (no recovery stack, no copy cost).
    /// Never the primary <see cref="Region"/> (the loader refuses it): a copy in the same region dies with it.
    /// </summary>
    public string? RecoveryRegion { get; init; }

    /// <summary>
    /// The audit trail of the platform's records, keys and registry (trading-audit-&lt;env&gt;, Data layer): what it records,
    /// which organization trail records the rest, and how long its logs are locked. Staging and prod have one; null (no
    /// trail) in dev-like environments unless the auditTrail context key turns it on.
    /// </summary>
    public AuditTrailSettings? AuditTrail { get; init; }

    /// <summary>The Recovery layer's names, derived from account, recovery region and suffix; null without a recovery region.</summary>
    public RecoveryNames? Recovery => RecoveryRegion is { } region ? new RecoveryNames(Suffix, Account, region) : null;

    /// <summary>Stateful resources are destroyed with their stack, so buckets must be emptied first.</summary>
    public bool DestroysDataOnDelete => StatefulRemovalPolicy == RemovalPolicy.DESTROY;

    /// <summary>The environment's fixed physical resource names.</summary>
    public ResourceNames Names => new(Suffix);

    /// <summary>Prefix of every stack id: TradingPlatform-&lt;suffix&gt;.</summary>
    public string StackIdPrefix => $"TradingPlatform-{Suffix}";
}

/// <summary>
/// Alarm thresholds per environment kind (see EnvironmentPresets). Alarms that fire on any occurrence (throttles,
/// DynamoDB system errors, NAT port-allocation errors) have no threshold here: one is always one too many.
/// Every alarm evaluates 5-minute periods.
/// </summary>
public sealed record AlarmThresholds
{
    /// <summary>Share of API requests answered 5XX in a period, in percent.</summary>
    public required double Api5xxPercent { get; init; }
    /// <summary>p99 latency of the API as clients see it, in milliseconds.</summary>
    public required double ApiP99LatencyMs { get; init; }
    /// <summary>Requests blocked by the web firewall in a period: a spike means an attack or a misbehaving client.</summary>
    public required double WafBlockedRequests { get; init; }
    /// <summary>Invocations of the ingestion function that failed in a period (bugs, not client errors).</summary>
    public required double FunctionErrors { get; init; }
    /// <summary>p99 duration as a share of the function's timeout: above it, requests are about to time out.</summary>
    public required double FunctionDurationShareOfTimeout { get; init; }
    /// <summary>Concurrent executions as a share of the reservation: above it, the next burst is throttled.</summary>
    public required double FunctionConcurrencyShareOfReservation { get; init; }
    public required double AuroraCpuPercent { get; init; }
    /// <summary>ACU utilisation: above it, Aurora is about to hit its configured maximum capacity.</summary>
    public required double AuroraAcuUtilizationPercent { get; init; }
    public required double AuroraFreeableMemoryMiB { get; init; }
    public required double AuroraConnections { get; init; }
    public required double AuroraReplicaLagMs { get; init; }
    /// <summary>Packets a NAT gateway dropped in a period.</summary>
    public required double NatPacketsDropped { get; init; }
    /// <summary>Consecutive 5-minute periods a threshold must be crossed before the alarm fires (noise versus speed).</summary>
    public required int EvaluationPeriods { get; init; }
}

/// <summary>The shapes of traffic shift CodeDeploy offers a Lambda alias.</summary>
public enum TrafficShiftKind
{
    /// <summary>Every request moves to the new version at once (after the pre-traffic check).</summary>
    AllAtOnce,
    /// <summary>A share of requests for a while, then all of them.</summary>
    Canary,
    /// <summary>The same share more every interval until all requests have moved.</summary>
    Linear,
}

/// <summary>
/// One of CodeDeploy's predefined Lambda deployment configurations (CodeDeployDefault.Lambda*): a shape, the share
/// moved per step, and the minutes between steps. Only those exist without a custom configuration resource, so the
/// factories refuse anything else, naming what is allowed.
/// </summary>
public sealed record TrafficShift
{
    private static readonly int[] CanaryMinutes = [5, 10, 15, 30];
    private static readonly int[] LinearMinutes = [1, 2, 3, 10];

    private TrafficShift(TrafficShiftKind kind, int percent, int minutes) => (Kind, Percent, Minutes) = (kind, percent, minutes);

    public TrafficShiftKind Kind { get; }
    /// <summary>Share of requests moved in the first step (canary) or in each step (linear); 100 all at once.</summary>
    public int Percent { get; }
    /// <summary>Minutes the canary share lasts, or between two linear steps; 0 all at once.</summary>
    public int Minutes { get; }

    public static TrafficShift AllAtOnce { get; } = new(TrafficShiftKind.AllAtOnce, 100, 0);

    public static TrafficShift Canary(int percent, int minutes) =>
        percent == 10 && CanaryMinutes.Contains(minutes) ? new(TrafficShiftKind.Canary, percent, minutes)
            : throw new ArgumentOutOfRangeException(nameof(minutes), $"canary {percent}% for {minutes} min: CodeDeploy predefines 10% for {string.Join(", ", CanaryMinutes)} minutes");

    public static TrafficShift Linear(int percent, int everyMinutes) =>
        percent == 10 && LinearMinutes.Contains(everyMinutes) ? new(TrafficShiftKind.Linear, percent, everyMinutes)
            : throw new ArgumentOutOfRangeException(nameof(everyMinutes), $"linear {percent}% every {everyMinutes} min: CodeDeploy predefines 10% every {string.Join(", ", LinearMinutes)} minutes");

    /// <summary>The predefined configuration's name, as CodeDeploy and the deployment group's template spell it.</summary>
    public string ConfigName => Kind switch
    {
        TrafficShiftKind.AllAtOnce => "CodeDeployDefault.LambdaAllAtOnce",
        TrafficShiftKind.Canary => $"CodeDeployDefault.LambdaCanary{Percent}Percent{Minutes}Minutes",
        _ => $"CodeDeployDefault.LambdaLinear{Percent}PercentEvery{Minutes}Minute{(Minutes == 1 ? "" : "s")}",
    };

    public override string ToString() => Kind switch
    {
        TrafficShiftKind.AllAtOnce => "all at once",
        TrafficShiftKind.Canary => $"canary {Percent}% for {Minutes} min, then all",
        _ => $"linear {Percent}% every {Minutes} min",
    };
}

/// <summary>
/// The ingestion function's progressive delivery: how traffic moves to a new version, and the thresholds of the
/// rollback alarms that watch the new version (and the API) while it does. Rollback alarms evaluate 1-minute periods:
/// a canary lasts minutes, so the 5-minute periods of the other alarms would see it too late.
/// </summary>
public sealed record FunctionRollout
{
    public required TrafficShift Shift { get; init; }
    /// <summary>Failed invocations of the new version in one minute that roll it back.</summary>
    public required double NewVersionErrorsPerMinute { get; init; }
    /// <summary>The new version's p99 duration, as a share of the function's timeout, that rolls it back.</summary>
    public required double NewVersionDurationShareOfTimeout { get; init; }
    /// <summary>
    /// Share of the API's requests answered 5XX in one minute that rolls the new version back, in percent. It sees every
    /// request (API Gateway does not know versions), so it must stay below the canary's share to notice a new version
    /// that fails all of its requests before the function runs (e.g. a permission the alias lacks).
    /// </summary>
    public required double Api5xxPercentPerMinute { get; init; }
    /// <summary>Consecutive 1-minute periods a rollback alarm's threshold must be crossed (errors and throttles: always 1).</summary>
    public required int EvaluationMinutes { get; init; }
}

/// <summary>How S3 Object Lock protects a locked version until its retention ends.</summary>
public enum RecordsLockMode
{
    /// <summary>Users with s3:BypassGovernanceRetention may still delete or shorten: a rehearsal of the lock.</summary>
    Governance,
    /// <summary>Nobody, root included, can delete a version or shorten its retention until it ends (SEC 17a-4(f)).</summary>
    Compliance,
}

/// <summary>
/// The archival bucket's Object Lock default retention: a mode and a period in whole years or whole days (S3 takes
/// exactly one of the two). Years are calendar years, counted by S3 from each version's creation.
/// </summary>
public sealed record RecordsRetention
{
    /// <summary>S3's bounds for a default retention: 1-100 years, 1-36500 days.</summary>
    public const int MaxYears = 100;
    public const int MaxDays = 36_500;

    private RecordsRetention(RecordsLockMode mode, int? years, int? days)
    {
        Mode = mode;
        Years = years;
        Days = days;
    }

    public RecordsLockMode Mode { get; }
    public int? Years { get; }
    public int? Days { get; }

    public static RecordsRetention OfYears(RecordsLockMode mode, int years) =>
        years is >= 1 and <= MaxYears ? new(mode, years, null)
            : throw new ArgumentOutOfRangeException(nameof(years), years, $"a default retention is 1-{MaxYears} years");

    public static RecordsRetention OfDays(RecordsLockMode mode, int days) =>
        days is >= 1 and <= MaxDays ? new(mode, null, days)
            : throw new ArgumentOutOfRangeException(nameof(days), days, $"a default retention is 1-{MaxDays} days");

    /// <summary>
    /// A number of days no shorter than the retention of any version (366 per year covers leap years): anything that
    /// deletes versions (lifecycle expiration) must wait at least this long, or it would only fail against the lock.
    /// </summary>
    public int UpperBoundDays => Years is { } years ? years * 366 : Days!.Value;

    public override string ToString() => $"{Mode.ToString().ToUpperInvariant()} {(Years is { } y ? $"{y} year(s)" : $"{Days} day(s)")}";
}
