using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Config;
using Xunit;

namespace TradingPlatform.Tests.Data;

/// <summary>The trading database component: its alarms, enhanced monitoring and Performance Insights.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class TradingDatabaseTests(SynthesizedApps apps)
{
    private const double MiB = 1024 * 1024;

    /// <summary>What each Aurora alarm must be: metric, statistic, direction, what silence means, and its preset threshold.</summary>
    private static readonly Dictionary<string, (string Metric, string Statistic, string Comparison, string MissingData, Func<AlarmThresholds, double> Threshold)> Expected = new()
    {
        // Maximum: the busiest instance; a writer at its limit must not be averaged away by idle readers.
        // Silence from a cluster that never pauses means it is down: this alarm pages for it.
        ["aurora-cpu-high"] = ("CPUUtilization", "Maximum", "GreaterThanThreshold", "breaching", t => t.AuroraCpuPercent),
        // Near the configured maximum capacity, Aurora cannot scale any further.
        ["aurora-acu-near-max"] = ("ACUUtilization", "Maximum", "GreaterThanOrEqualToThreshold", "missing", t => t.AuroraAcuUtilizationPercent),
        // Low memory is the tightest instance (Minimum), and the metric is in bytes while the preset is in MiB.
        ["aurora-freeable-memory-low"] = ("FreeableMemory", "Minimum", "LessThanThreshold", "missing", t => t.AuroraFreeableMemoryMiB * MiB),
        ["aurora-connections-high"] = ("DatabaseConnections", "Maximum", "GreaterThanThreshold", "missing", t => t.AuroraConnections),
        // No lag datapoints means no reader replicates: no failover target, worth a page on its own.
        ["aurora-replica-lag-high"] = ("AuroraReplicaLag", "Maximum", "GreaterThanThreshold", "breaching", t => t.AuroraReplicaLagMs),
    };

    public static TheoryData<string, string> AlarmsPerEnvironment()
    {
        var data = new TheoryData<string, string>();
        foreach (var suffix in new[] { "dev", "prod" })
        {
            foreach (var name in Expected.Keys)
            {
                data.Add(suffix, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AlarmsPerEnvironment))]
    public void Aurora_alarm_watches_the_cluster_with_its_kinds_threshold_and_notifies_the_alert_topic(string suffix, string name)
    {
        var env = apps.For(suffix);
        var expected = Expected[name];
        var alarm = env.Alarm(name);

        var metric = alarm.Metric();
        metric.Namespace.ShouldBe("AWS/RDS");
        metric.Name.ShouldBe(expected.Metric);
        // The fixed cluster identifier: the same series the Api layer's dashboard shows.
        metric.Dimensions.ShouldBe(new Dictionary<string, string> { ["DBClusterIdentifier"] = env.Settings.Names.DatabaseCluster });
        metric.Statistic.ShouldBe(expected.Statistic, $"{name}: which instance's value counts");
        metric.Period.ShouldBe(300, "every platform alarm evaluates 5-minute periods");

        ((string)alarm["ComparisonOperator"]!).ShouldBe(expected.Comparison);
        ((double)alarm["Threshold"]!).ShouldBe(expected.Threshold(env.Settings.Alarms), $"{name} must use the {env.Settings.Kind} preset's threshold");
        // A database that pauses when idle (dev-like kinds) is silent while paused: silence pages nobody there.
        var missingData = expected.MissingData == "breaching" && env.Settings.AuroraPausesWhenIdle ? "notBreaching" : expected.MissingData;
        ((string)alarm["TreatMissingData"]!).ShouldBe(missingData, $"{name}: what a silent database means is decided per alarm");
        ((int)alarm["EvaluationPeriods"]!).ShouldBe(env.Settings.Alarms.EvaluationPeriods, "the kind's noise-versus-speed choice");
        ((int)alarm["DatapointsToAlarm"]!).ShouldBe(env.Settings.Alarms.EvaluationPeriods);
        alarm.ShouldNotifyTheAlertTopicOnAlarmAndOk();
    }

    [Fact]
    public void Only_disposable_kinds_pause_their_database_and_silence_pages_wherever_it_never_pauses()
    {
        // Rule: staging and prod answer at once and page for a silent database; a dev-like kind may pause when idle
        // (issue 28: what a pr-N costs), and then its alarms must not page for the silence of a paused cluster.
        foreach (var suffix in new[] { "dev", "pr-7", "staging", "prod" })
        {
            var env = apps.For(suffix);
            var scaling = env.JsonOf(env.Stacks.Data).ResourcesOfType("AWS::RDS::DBCluster").Single().Resource.Properties()["ServerlessV2ScalingConfiguration"]!;
            var pauses = (double)scaling["MinCapacity"]! == 0;
            pauses.ShouldBe(env.Settings.Kind.IsDisposable(), $"{suffix}: only dev-like kinds pause when idle");
            if (pauses)
            {
                ((int)scaling["SecondsUntilAutoPause"]!).ShouldBeInRange(300, 86_400, "Aurora's bounds for the idle time");
            }
            else
            {
                scaling["SecondsUntilAutoPause"].ShouldBeNull("auto-pause applies to a minimum of 0 only");
            }

            foreach (var name in new[] { "aurora-cpu-high", "aurora-replica-lag-high" })
            {
                ((string)env.Alarm(name)["TreatMissingData"]!).ShouldBe(pauses ? "notBreaching" : "breaching", $"{suffix} {name}");
            }
        }
    }

    [Fact]
    public void Aurora_thresholds_can_fire_in_every_kind()
    {
        // Rule, not mirror: a preset whose threshold can never be crossed silences the alarm for good.
        foreach (var suffix in new[] { "dev", "staging", "prod" })
        {
            var t = apps.For(suffix).Settings.Alarms;
            t.AuroraCpuPercent.ShouldBeInRange(1, 99, $"{suffix}: CPU is a percentage; 100 or more never fires");
            t.AuroraAcuUtilizationPercent.ShouldBeInRange(1, 100, $"{suffix}: ACU utilisation tops out at 100%");
            t.AuroraFreeableMemoryMiB.ShouldBeGreaterThan(0, $"{suffix}: memory can never fall below 0");
            t.AuroraConnections.ShouldBeGreaterThan(0);
            t.AuroraReplicaLagMs.ShouldBeGreaterThan(0);
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_instance_has_enhanced_monitoring_every_60_seconds_through_the_monitoring_role(string suffix)
    {
        // OS-level metrics (per-process CPU and memory) are what tell a runaway query from a starved instance.
        var env = apps.For(suffix);
        var instances = env.DataJson().ResourcesOfType("AWS::RDS::DBInstance").ToList();
        instances.Count.ShouldBe(1 + env.Settings.AuroraReaders);
        foreach (var (id, instance) in instances)
        {
            ((int?)instance.Properties()["MonitoringInterval"]).ShouldBe(60, $"{id}: enhanced monitoring interval");
            var roleId = (string?)instance.Properties()["MonitoringRoleArn"]?["Fn::GetAtt"]?[0];
            roleId.ShouldNotBeNull($"{id}: RDS needs a role to publish OS metrics");
            var role = env.DataJson()["Resources"]![roleId]!.AsObject().Properties();
            role["AssumeRolePolicyDocument"]!.ToJsonString().ShouldContain("monitoring.rds.amazonaws.com");
            role["ManagedPolicyArns"]!.ToJsonString().ShouldContain("AmazonRDSEnhancedMonitoringRole");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_instance_has_performance_insights_encrypted_with_the_database_key(string suffix)
    {
        // PI keeps samples of SQL text, which can carry trading data: the database's key, not the AWS-managed default.
        foreach (var (id, instance) in apps.For(suffix).DataJson().ResourcesOfType("AWS::RDS::DBInstance"))
        {
            var properties = instance.Properties();
            PlatformBool(properties["EnablePerformanceInsights"]).ShouldBeTrue($"{id}: Performance Insights");
            (properties["PerformanceInsightsKMSKeyId"]?.ToJsonString() ?? "none").ShouldContain("DbEncryptionKey", customMessage: $"{id}: PI key");
            ((int?)properties["PerformanceInsightsRetentionPeriod"]).ShouldBe(7, $"{id}: the free 7-day retention");
        }
    }

    private static bool PlatformBool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;
}
