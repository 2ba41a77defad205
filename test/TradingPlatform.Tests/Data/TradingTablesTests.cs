using Shouldly;
using TradingPlatform.Constructs.Data;
using Xunit;

namespace TradingPlatform.Tests.Data;

/// <summary>The tables component: an alarm on throttling and one on DynamoDB's own errors, per table.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class TradingTablesTests(SynthesizedApps apps)
{
    public static TheoryData<string, string> Tables() => new()
    {
        { "dev", "sessions-table" }, { "dev", "api-keys-table" }, { "prod", "sessions-table" }, { "prod", "api-keys-table" },
    };

    private static string PhysicalName(SynthesizedEnvironment env, string table) =>
        table == "sessions-table" ? env.Settings.Names.SessionsTable : env.Settings.Names.ApiKeysTable;

    [Theory]
    [MemberData(nameof(Tables))]
    public void Throttling_alarms_on_any_read_or_write_throttle_event_of_the_table(string suffix, string table)
    {
        // On-demand tables still throttle (beyond twice the previous peak, hot partitions, the table quota).
        // Read/WriteThrottleEvents exist per table for every operation, so their sum misses none of them.
        var env = apps.For(suffix);
        var alarm = env.Alarm($"{table}-throttled");
        var inputs = alarm.MathInputs();
        inputs.Values.Select(m => (string)m["Metric"]!["MetricName"]!).Order().ShouldBe(["ReadThrottleEvents", "WriteThrottleEvents"]);
        foreach (var input in inputs.Values)
        {
            ((string)input["Metric"]!["Namespace"]!).ShouldBe("AWS/DynamoDB");
            input["Metric"]!["Dimensions"]!.ToJsonString().ShouldBe($"[{{\"Name\":\"TableName\",\"Value\":\"{PhysicalName(env, table)}\"}}]");
            ((string)input["Stat"]!).ShouldBe("Sum", "a count of events");
            ((int)input["Period"]!).ShouldBe(300);
        }

        // Missing series must count as 0, or a read throttle without a write one would produce no datapoint.
        alarm.MathExpression().ShouldBe("FILL(reads, 0) + FILL(writes, 0)");
        ShouldFireOnFirstOccurrenceAndTreatSilenceAsFine(alarm);
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void System_errors_alarm_on_any_error_of_every_watched_operation(string suffix, string table)
    {
        // SystemErrors only exists per operation: each watched operation is one input, each filled with 0.
        var env = apps.For(suffix);
        var alarm = env.Alarm($"{table}-system-errors");
        var inputs = alarm.MathInputs();
        inputs.Count.ShouldBeLessThanOrEqualTo(10, "CloudWatch allows at most 10 metrics in an alarm's metric math");
        inputs.Values.Select(m => (string)m["Metric"]!["Dimensions"]!.AsArray().Single(d => (string)d!["Name"]! == "Operation")!["Value"]!)
            .ShouldBe(TradingTables.WatchedOperations, ignoreOrder: true);
        foreach (var (id, input) in inputs)
        {
            ((string)input["Metric"]!["MetricName"]!).ShouldBe("SystemErrors");
            input["Metric"]!["Dimensions"]!.ToJsonString().ShouldContain($"{{\"Name\":\"TableName\",\"Value\":\"{PhysicalName(env, table)}\"}}");
            ((string)input["Stat"]!).ShouldBe("Sum");
            ((int)input["Period"]!).ShouldBe(300);
            alarm.MathExpression().ShouldContain($"FILL({id}, 0)", customMessage: "an error in one operation must not vanish when another has no datapoint");
        }

        ShouldFireOnFirstOccurrenceAndTreatSilenceAsFine(alarm);
    }

    private static void ShouldFireOnFirstOccurrenceAndTreatSilenceAsFine(System.Text.Json.Nodes.JsonObject alarm)
    {
        // One throttle or system error is one too many, in every kind of environment (AlarmThresholds has no value for them).
        ((double)alarm["Threshold"]!).ShouldBe(1);
        ((string)alarm["ComparisonOperator"]!).ShouldBe("GreaterThanOrEqualToThreshold");
        ((int)alarm["EvaluationPeriods"]!).ShouldBe(1, "alarm on the first period with an occurrence");
        // DynamoDB reports these only when they happen: no data is no throttling / no errors.
        ((string)alarm["TreatMissingData"]!).ShouldBe("notBreaching");
        alarm.ShouldNotifyTheAlertTopicOnAlarmAndOk();
    }
}
