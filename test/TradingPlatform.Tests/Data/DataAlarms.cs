using System.Text.Json.Nodes;
using Shouldly;

namespace TradingPlatform.Tests.Data;

/// <summary>Finding the Data layer's alarms by name and checking what every platform alarm must do.</summary>
internal static class DataAlarms
{
    public static JsonObject DataJson(this SynthesizedEnvironment env) => env.JsonOf(env.Stacks.Data);

    /// <summary>The properties of the Data layer alarm named trading-&lt;env&gt;-<paramref name="name"/>.</summary>
    public static JsonObject Alarm(this SynthesizedEnvironment env, string name)
    {
        var alarmName = $"trading-{env.Settings.Suffix}-{name}";
        var found = env.DataJson().ResourcesOfType("AWS::CloudWatch::Alarm")
            .Select(a => a.Resource.Properties())
            .Where(p => (string?)p["AlarmName"] == alarmName)
            .ToList();
        found.Count.ShouldBe(1, $"the Data layer of {env.Settings.Suffix} must have exactly one alarm named {alarmName}");
        return found.Single();
    }

    /// <summary>
    /// Someone must hear both when it fires and when it is over: ALARM and OK go to the Security layer's alert topic,
    /// which the Data layer can only reach through the topic's export (a literal ARN would survive the topic's deletion).
    /// </summary>
    public static void ShouldNotifyTheAlertTopicOnAlarmAndOk(this JsonObject alarm)
    {
        foreach (var actions in new[] { "AlarmActions", "OKActions" })
        {
            var list = alarm[actions]?.AsArray() ?? [];
            list.Count.ShouldBe(1, $"{alarm["AlarmName"]}: {actions} must notify the alert topic, and only it");
            var import = (string?)list[0]!["Fn::ImportValue"];
            import.ShouldNotBeNull($"{alarm["AlarmName"]}: {actions} must import the Security layer's topic export");
            import.ShouldContain("-Security:");
            import.ShouldContain("AlertTopic");
        }
    }

    /// <summary>A single-metric alarm's metric: namespace, name, dimensions, statistic, period.</summary>
    public static (string Namespace, string Name, Dictionary<string, string> Dimensions, string Statistic, int Period) Metric(this JsonObject alarm) =>
        ((string)alarm["Namespace"]!, (string)alarm["MetricName"]!,
            (alarm["Dimensions"]?.AsArray() ?? []).ToDictionary(d => (string)d!["Name"]!, d => d!["Value"]!.ToJsonString().Trim('"')),
            (string)alarm["Statistic"]!, (int)alarm["Period"]!);

    /// <summary>The metrics a metric-math alarm reads (ReturnData false), by id.</summary>
    public static Dictionary<string, JsonObject> MathInputs(this JsonObject alarm) =>
        alarm["Metrics"]!.AsArray()
            .Where(m => m!["MetricStat"] is not null)
            .ToDictionary(m => (string)m!["Id"]!, m => m!["MetricStat"]!.AsObject());

    public static string MathExpression(this JsonObject alarm) =>
        alarm["Metrics"]!.AsArray().Select(m => (string?)m!["Expression"]).OfType<string>().Single();
}
