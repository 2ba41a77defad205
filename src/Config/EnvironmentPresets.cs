using Amazon.CDK;
using Amazon.CDK.AWS.Logs;

namespace TradingPlatform.Config;

/// <summary>The starting point for each kind of environment; context overrides are applied on top.</summary>
public static class EnvironmentPresets
{
    public static EnvironmentKind KindOf(string suffix) => suffix switch
    {
        "dev" => EnvironmentKind.Dev,
        "staging" => EnvironmentKind.Staging,
        "prod" => EnvironmentKind.Prod,
        _ => EnvironmentKind.Ephemeral,
    };

    /// <summary>
    /// Production thresholds. The API should answer well inside the function's 25 s timeout. The function's
    /// reservation (100) bounds the connections the platform itself opens to Aurora, so more than 150 means a leak or
    /// a client we do not know. Below 256 MiB of freeable memory an instance is close to swapping.
    /// </summary>
    private static readonly AlarmThresholds ProductionAlarms = new()
    {
        Api5xxPercent = 1,
        ApiP99LatencyMs = 2_000,
        WafBlockedRequests = 1_000,
        FunctionErrors = 1,
        FunctionDurationShareOfTimeout = 0.8,
        FunctionConcurrencyShareOfReservation = 0.8,
        AuroraCpuPercent = 80,
        AuroraAcuUtilizationPercent = 90,
        AuroraFreeableMemoryMiB = 256,
        AuroraConnections = 150,
        AuroraReplicaLagMs = 1_000,
        NatPacketsDropped = 100,
        EvaluationPeriods = 2,
    };

    /// <summary>Prod's default records retention: SEC 17a-4(f) and FINRA 4511 keep trade records six years; 7 is the common margin.</summary>
    public const int DefaultProdRetentionYears = 7;

    /// <summary>
    /// Staging's default: GOVERNANCE for 30 days. Staging rehearses prod's lock (replicas arrive locked, deletes are
    /// refused, the lifecycle waits) long enough to observe across a release cycle, while its test data still
    /// becomes deletable within a month, and an admin with s3:BypassGovernanceRetention can clear it sooner.
    /// </summary>
    public const int DefaultStagingRetentionDays = 30;

    /// <summary>
    /// The preset of an environment. Staging is written out in full: it rehearses prod. Prod is staging with what
    /// production needs more of; dev and the ephemeral pr-N environments are staging made cheap and disposable.
    /// Each difference between kinds is one line below.
    /// </summary>
    public static EnvironmentSettings For(string suffix, string account, string region)
    {
        var kind = KindOf(suffix);
        var staging = Staging(suffix, kind, account, region);
        return kind switch
        {
            EnvironmentKind.Staging => staging,
            EnvironmentKind.Prod => staging with
            {
                AuroraMinCapacity = 2, AuroraMaxCapacity = 16, AuroraReaders = 2,
                TerminationProtection = true,
                // PCI-DSS 10.7: keep audit trail history for at least one year.
                LogRetention = RetentionDays.ONE_YEAR,
                WafRequestsPerFiveMinutesPerIp = 10_000,
                FunctionReservedConcurrency = 100,
                Alarms = ProductionAlarms,
                // A tenth of prod's requests try a new version for 10 minutes before the rest do.
                Rollout = staging.Rollout with { Shift = TrafficShift.Canary(10, 10), Api5xxPercentPerMinute = 2 },
                RecordsRetention = RecordsRetention.OfYears(RecordsLockMode.Compliance, DefaultProdRetentionYears),
                // Nobody, root included, deletes or shortens an audit log file for a year (PCI DSS 10.3, 10.5.1).
                AuditTrail = staging.AuditTrail! with { LogLock = RecordsRetention.OfYears(RecordsLockMode.Compliance, AuditLogRetentionYears) },
            },
            _ => staging with
            {
                NatGateways = 1,
                // Up to the seed's 2 ACU, and paused when idle (0 ACU): an unused dev or pr-N pays storage, not capacity
                // (0.5 ACU around the clock was 2 x $43.80 a month, the largest line of a pr-N: docs/cost.md). A paused
                // database takes about 15 s to answer its next connection, which nobody waits on in a disposable kind.
                AuroraMinCapacity = 0,
                AuroraMaxCapacity = 2,
                DeletionProtection = false,
                StatefulRemovalPolicy = RemovalPolicy.DESTROY,
                LogRetention = RetentionDays.ONE_MONTH,
                WafRequestsPerFiveMinutesPerIp = 2_000,
                FunctionReservedConcurrency = 10,
                // Ephemeral environments share the dev account, whose recorder dev already owns.
                CreateConfigRecorder = kind == EnvironmentKind.Dev,
                // Dev-like alarms catch broken builds, not blips: looser, and only after three periods.
                Alarms = ProductionAlarms with
                {
                    Api5xxPercent = 5, ApiP99LatencyMs = 5_000, WafBlockedRequests = 200, FunctionErrors = 10,
                    AuroraCpuPercent = 90, AuroraConnections = 200, AuroraReplicaLagMs = 5_000, EvaluationPeriods = 3,
                },
                // Nobody depends on a dev-like API: a new version takes it at once, once the pre-traffic check passed.
                Rollout = staging.Rollout with
                {
                    Shift = TrafficShift.AllAtOnce, NewVersionErrorsPerMinute = 5, NewVersionDurationShareOfTimeout = 0.9,
                    Api5xxPercentPerMinute = 10, EvaluationMinutes = 3,
                },
                // Disposable: a locked version could not be deleted, so neither could the bucket nor the stack.
                RecordsRetention = null,
                // Disposable data needs no second region: no recovery stack, no cross-region copy or transfer cost.
                RecoveryRegion = null,
                // No audit trail unless the auditTrail key turns it on (and then with no Object Lock: disposable).
                AuditTrail = null,
            },
        };
    }

    private static EnvironmentSettings Staging(string suffix, EnvironmentKind kind, string account, string region) => new()
    {
        Suffix = suffix, Kind = kind, Account = account, Region = region,
        NatGateways = 3,
        AuroraMinCapacity = 0.5, AuroraMaxCapacity = 4, AuroraReaders = 1,
        DeletionProtection = true,
        StatefulRemovalPolicy = RemovalPolicy.RETAIN,
        TerminationProtection = false,
        LogRetention = RetentionDays.THREE_MONTHS,
        WafRequestsPerFiveMinutesPerIp = 5_000,
        FunctionReservedConcurrency = 25,
        CreateConfigRecorder = true,
        // Staging rehearses prod, alarms included, with a little more tolerance for load tests.
        Alarms = ProductionAlarms with { Api5xxPercent = 2, ApiP99LatencyMs = 3_000, WafBlockedRequests = 500 },
        // Staging rehearses a gradual rollout; linear, so that a release's whole traffic range is exercised in steps.
        // Any error of a new version rolls it back; a 5XX rate below the first step's 10% catches a version that fails
        // every request it gets.
        Rollout = new FunctionRollout
        {
            Shift = TrafficShift.Linear(10, 1),
            NewVersionErrorsPerMinute = 1,
            NewVersionDurationShareOfTimeout = 0.8,
            Api5xxPercentPerMinute = 3,
            EvaluationMinutes = 2,
        },
        RecordsRetention = RecordsRetention.OfDays(RecordsLockMode.Governance, DefaultStagingRetentionDays),
        // Staging rehearses prod's recovery layer in the same region pair.
        RecoveryRegion = DefaultRecoveryRegionFor(region),
        // Staging rehearses prod's audit trail: the same recording and alarms, its logs locked for the twelve months
        // PCI DSS 10.5.1 asks, in GOVERNANCE mode (an admin with s3:BypassGovernanceRetention can still clear test logs).
        AuditTrail = AuditTrailSettings.PlatformRecordsAll(RecordsRetention.OfYears(RecordsLockMode.Governance, AuditLogRetentionYears)),
    };

    /// <summary>How long staging and prod lock the audit trail's log files: PCI DSS 10.5.1's twelve months.</summary>
    public const int AuditLogRetentionYears = 1;

    /// <summary>
    /// The default recovery region of each primary region: the other region of the same jurisdiction and partition that
    /// AWS's own guidance pairs it with most often (far enough apart that one event does not take both; the same legal
    /// area, so that records and backups stay under the same data-residency rules, e.g. EU data in the EU). A primary
    /// without an entry has no default: staging and prod there must set recoveryRegion (the loader says so).
    /// </summary>
    /// <remarks>
    /// The table is src/Config/regions.json (<see cref="RegionSupport"/>), which the CloudFormation linter gate reads too:
    /// every template is linted for each of these regions.
    /// </remarks>
    public static readonly IReadOnlyDictionary<string, string> DefaultRecoveryRegions = RegionSupport.RecoveryDefaults;

    public static string? DefaultRecoveryRegionFor(string region) => DefaultRecoveryRegions.GetValueOrDefault(region);
}
