using System.Text.Json.Nodes;
using TradingPlatform.Config;

namespace TradingPlatform.Tests.Rules;

/// <summary>
/// The layers: the four of the primary region in deploy order, then Recovery (staging and prod only, in the recovery
/// region, deployed before Data). A view holds only the layers its environment has.
/// </summary>
public enum Layer { Security, Network, Data, Api, Recovery }

/// <summary>
/// What the rules look at: one environment's synthesized templates and stack settings, and the environment
/// KIND, derived from the suffix alone. Rules never read the preset's values: a rule states what must hold
/// for that kind, so a bad preset fails it instead of being compared with itself.
/// </summary>
public sealed class PlatformView
{
    public PlatformView(string suffix, IReadOnlyDictionary<Layer, JsonObject> templates, IReadOnlyDictionary<Layer, bool> terminationProtection,
        IReadOnlyList<string>? bucketsPredatingObjectLock = null, IReadOnlyDictionary<Layer, string>? regions = null)
    {
        Regions = regions ?? new Dictionary<Layer, string>();
        Suffix = suffix;
        BucketsPredatingObjectLock = bucketsPredatingObjectLock ?? [];
        Kind = EnvironmentPresets.KindOf(suffix);
        Templates = templates;
        TerminationProtection = terminationProtection;
    }

    public static PlatformView Of(SynthesizedEnvironment env)
    {
        var layers = Enum.GetValues<Layer>().Where(layer => env.Json.ContainsKey(StackName(env.Settings.Suffix, layer))).ToList();
        return new(
            env.Settings.Suffix,
            layers.ToDictionary(layer => layer, layer => env.Json[StackName(env.Settings.Suffix, layer)]),
            layers.ToDictionary(layer => layer, layer => layer == Layer.Recovery
                ? env.Stacks.Recovery!.TerminationProtection
                : env.Stacks.All[(int)layer].TerminationProtection),
            env.Settings.BucketsPredatingObjectLock,
            RegionsOf(env, layers));
    }

    /// <summary>Each layer's region, as the cloud assembly's manifest records the stack's environment (aws://account/region).</summary>
    private static Dictionary<Layer, string> RegionsOf(SynthesizedEnvironment env, IEnumerable<Layer> layers)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(env.Directory, "manifest.json")))!["artifacts"]!;
        return layers.ToDictionary(layer => layer,
            layer => ((string)manifest[StackName(env.Settings.Suffix, layer)]!["environment"]!).Split('/').Last());
    }

    /// <summary>Each layer's region (from the manifest): the Recovery layer's must differ from the others'.</summary>
    public IReadOnlyDictionary<Layer, string> Regions { get; }

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
        BucketsPredatingObjectLock,
        Regions.ToDictionary(r => r.Key, r => r.Value));

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
