using System.Text.Json.Nodes;
using TradingPlatform.Config;

namespace TradingPlatform.Tests.Rules;

/// <summary>The four layers, in deploy order.</summary>
public enum Layer { Security, Network, Data, Api }

/// <summary>
/// What the rules look at: one environment's synthesized templates and stack settings, and the environment
/// KIND, derived from the suffix alone. Rules never read the preset's values: a rule states what must hold
/// for that kind, so a bad preset fails it instead of being compared with itself.
/// </summary>
public sealed class PlatformView
{
    public PlatformView(string suffix, IReadOnlyDictionary<Layer, JsonObject> templates, IReadOnlyDictionary<Layer, bool> terminationProtection,
        IReadOnlyList<string>? bucketsPredatingObjectLock = null)
    {
        Suffix = suffix;
        BucketsPredatingObjectLock = bucketsPredatingObjectLock ?? [];
        Kind = EnvironmentPresets.KindOf(suffix);
        Templates = templates;
        TerminationProtection = terminationProtection;
    }

    public static PlatformView Of(SynthesizedEnvironment env) => new(
        env.Settings.Suffix,
        Enum.GetValues<Layer>().ToDictionary(layer => layer, layer => env.Json[StackName(env.Settings.Suffix, layer)]),
        Enum.GetValues<Layer>().ToDictionary(layer => layer, layer => env.Stacks.All[(int)layer].TerminationProtection),
        env.Settings.BucketsPredatingObjectLock);

    public string Suffix { get; }
    public EnvironmentKind Kind { get; }
    public IReadOnlyDictionary<Layer, JsonObject> Templates { get; }
    public IReadOnlyDictionary<Layer, bool> TerminationProtection { get; }

    /// <summary>The locked buckets this environment's configuration declares as created before Object Lock at creation.</summary>
    public IReadOnlyList<string> BucketsPredatingObjectLock { get; }

    public static string StackName(string suffix, Layer layer) => $"TradingPlatform-{suffix}-{layer}";

    public string StackName(Layer layer) => StackName(Suffix, layer);

    /// <summary>A deep copy whose templates a test may damage, to prove that a rule catches the damage.</summary>
    public PlatformView Mutable() => new(
        Suffix,
        Templates.ToDictionary(t => t.Key, t => t.Value.DeepClone().AsObject()),
        TerminationProtection.ToDictionary(t => t.Key, t => t.Value),
        BucketsPredatingObjectLock);

    /// <summary>Every resource of a type across the layers.</summary>
    public IEnumerable<(Layer Layer, string LogicalId, JsonObject Resource)> Resources(params string[] types) =>
        Templates.SelectMany(t => t.Value["Resources"]!.AsObject()
            .Where(r => types.Contains((string?)r.Value!["Type"]))
            .Select(r => (t.Key, r.Key, r.Value!.AsObject())));

    public JsonObject? Resource(Layer layer, string logicalId) => Templates[layer]["Resources"]![logicalId]?.AsObject();

    /// <summary>Every export across the layers with its value as written in the producing template.</summary>
    public IEnumerable<(Layer Layer, string Name, JsonNode Value)> Exports() =>
        Templates.SelectMany(t => (t.Value["Outputs"]?.AsObject() ?? [])
            .Where(o => o.Value!["Export"]?["Name"] is not null)
            .Select(o => (t.Key, (string)o.Value!["Export"]!["Name"]!, o.Value!["Value"]!)));

    /// <summary>
    /// Whether a value refers to a resource (Ref or Fn::GetAtt), directly in its own template or through an
    /// import of an export whose value refers to it: how a key in the Security layer is used by the Data layer.
    /// </summary>
    public bool RefersTo(JsonNode? value, string logicalId)
    {
        var exported = Exports().ToDictionary(e => e.Name, e => e.Value);
        return Refers(value);

        bool Refers(JsonNode? node) => node switch
        {
            JsonObject o when o["Ref"] is JsonValue r => (string)r! == logicalId,
            JsonObject o when o["Fn::GetAtt"] is JsonArray a => (string)a[0]! == logicalId,
            JsonObject o when o["Fn::ImportValue"] is JsonValue i => exported.TryGetValue((string)i!, out var v) && Refers(v),
            JsonObject o => o.Any(kv => Refers(kv.Value)),
            JsonArray a => a.Any(Refers),
            _ => false,
        };
    }
}
