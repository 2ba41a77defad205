using System.Text.Json.Nodes;

namespace TradingPlatform.Tests;

/// <summary>Small queries over a template's JSON, for what Amazon.CDK.Assertions cannot express directly.</summary>
public static class TemplateJson
{
    public static IEnumerable<(string LogicalId, JsonObject Resource)> ResourcesOfType(this JsonObject template, string type) =>
        template["Resources"]!.AsObject()
            .Where(r => (string?)r.Value!["Type"] == type)
            .Select(r => (r.Key, r.Value!.AsObject()));

    public static JsonObject Properties(this JsonObject resource) => resource["Properties"]?.AsObject() ?? [];

    public static IEnumerable<string> DependsOn(this JsonObject resource) => resource["DependsOn"] switch
    {
        JsonArray array => array.Select(n => (string)n!),
        JsonValue value => [(string)value!],
        _ => [],
    };

    public static IEnumerable<string> ExportNames(this JsonObject template) =>
        (template["Outputs"]?.AsObject() ?? [])
            .Select(o => (string?)o.Value!["Export"]?["Name"])
            .OfType<string>();

    /// <summary>Every Fn::ImportValue name anywhere in the template.</summary>
    public static IEnumerable<string> ImportedNames(this JsonObject template) => Walk(template)
        .OfType<JsonObject>()
        .Where(o => o.ContainsKey("Fn::ImportValue"))
        .Select(o => (string)o["Fn::ImportValue"]!);

    private static IEnumerable<JsonNode> Walk(JsonNode? node)
    {
        if (node is null)
        {
            yield break;
        }

        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(kv => kv.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var descendant in Walk(child))
            {
                yield return descendant;
            }
        }
    }
}
