using System.Text.Json.Nodes;
using Shouldly;

namespace TradingPlatform.Tests.Api;

/// <summary>Reading the Api layer's alarms and CloudFormation string expressions out of a synthesized template.</summary>
internal static class AlarmTemplate
{
    public static JsonObject ApiJson(SynthesizedEnvironment env) => env.JsonOf(env.Stacks.Api);

    /// <summary>The alarm named trading-&lt;env&gt;-&lt;name&gt; in the Api layer (its properties).</summary>
    public static JsonObject Alarm(SynthesizedEnvironment env, string name)
    {
        var alarmName = $"trading-{env.Settings.Suffix}-{name}";
        var matches = ApiJson(env).ResourcesOfType("AWS::CloudWatch::Alarm")
            .Select(a => a.Resource.Properties())
            .Where(p => (string?)p["AlarmName"] == alarmName)
            .ToList();
        matches.Count.ShouldBe(1, $"exactly one alarm named {alarmName} in {env.Stacks.Api.StackName}");
        return matches[0];
    }

    /// <summary>
    /// Someone is told when it fires and when it recovers: both actions are the alert topic, imported from the
    /// Security layer (the only subscribers' topic; a topic of this layer would have no subscriptions).
    /// </summary>
    public static void ShouldNotifyTheAlertTopic(JsonObject alarm)
    {
        foreach (var key in new[] { "AlarmActions", "OKActions" })
        {
            var actions = alarm[key]?.AsArray() ?? [];
            actions.Count.ShouldBe(1, $"{alarm["AlarmName"]}: one {key} entry, the alert topic");
            ((string?)actions[0]!["Fn::ImportValue"]).ShouldNotBeNull($"{alarm["AlarmName"]}: {key} imports the topic from Security")
                .ShouldContain("AlertTopic");
        }
    }

    /// <summary>Name to value of a metric's dimensions, values flattened (see <see cref="Flatten"/>).</summary>
    public static Dictionary<string, string> Dimensions(JsonObject metric) =>
        (metric["Dimensions"]?.AsArray() ?? []).ToDictionary(d => (string)d!["Name"]!, d => Flatten(d!["Value"]));

    /// <summary>
    /// A CloudFormation string expression as text: literals as they are, Ref as {Ref:id}, Fn::GetAtt as
    /// {GetAtt:id.attr}, Fn::ImportValue as {Import:name}, Fn::Join joined.
    /// </summary>
    public static string Flatten(JsonNode? node) => node switch
    {
        JsonValue value => value.ToString(),
        JsonObject o when o["Ref"] is JsonValue r => $"{{Ref:{r}}}",
        JsonObject o when o["Fn::GetAtt"] is JsonArray g => $"{{GetAtt:{g[0]}.{g[1]}}}",
        JsonObject o when o["Fn::ImportValue"] is JsonValue i => $"{{Import:{i}}}",
        JsonObject o when o["Fn::Join"] is JsonArray j => string.Join((string)j[0]!, j[1]!.AsArray().Select(Flatten)),
        _ => throw new ShouldAssertException($"unexpected expression {node?.ToJsonString()}"),
    };

    /// <summary>The AlarmName of the alarm with this logical id in the Api layer.</summary>
    public static string AlarmNameOf(SynthesizedEnvironment env, string logicalId) =>
        (string)ApiJson(env)["Resources"]![logicalId]!["Properties"]!["AlarmName"]!;
}
