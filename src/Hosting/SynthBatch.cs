using System.Diagnostics;
using System.Text.Json;
using TradingPlatform.Config;

namespace TradingPlatform.Hosting;

/// <summary>
/// Synthesizes several environments in one process: what the synth cache (scripts/synth-cache.mjs) runs on a miss,
/// one process per core. Starting jsii and loading the CDK's JavaScript costs ~3.4 s per process, more than
/// building and synthesizing one environment; the CLI adds ~1.7 s more. Each app gets exactly what `cdk synth`
/// would hand it (the synth cache captures the CLI's context and environment once and gives them here), so the
/// assemblies are byte for byte those of `npx cdk synth` (.ci/run compares them).
/// </summary>
public static class SynthBatch
{
    /// <summary>Names a JSON file: <c>{"assemblies": [{"name": "dev", "outdir": "/abs", "context": {...}}]}</c>.</summary>
    public const string BatchFileVariable = "TRADINGPLATFORM_SYNTH_BATCH";

    public sealed record Assembly(string Name, string Outdir, Dictionary<string, JsonElement> Context);

    private sealed record Batch(List<Assembly> Assemblies);

    public static IReadOnlyList<Assembly> Read(string file)
    {
        var batch = JsonSerializer.Deserialize<Batch>(File.ReadAllText(file), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"{file}: empty batch");
        if (batch.Assemblies is not { Count: > 0 } || batch.Assemblies.Any(a => a.Name is null || a.Outdir is null || a.Context is null))
        {
            throw new InvalidDataException($"{file}: each assembly needs a name, an outdir and a context");
        }

        return batch.Assemblies;
    }

    /// <summary>
    /// Synthesizes each assembly in turn; prints one line per assembly on stdout. A configuration problem in one
    /// stops the batch (the caller reports it with the variant's name).
    /// </summary>
    public static void Run(IReadOnlyList<Assembly> assemblies, string? defaultAccount, string? defaultRegion, TextWriter output)
    {
        foreach (var assembly in assemblies)
        {
            var started = Stopwatch.StartNew();
            AppConfiguration settings;
            try
            {
                settings = ConfigurationLoader.LoadApp(assembly.Context, defaultAccount, defaultRegion);
            }
            catch (ConfigurationException error)
            {
                throw new ConfigurationException(error.Problems.Select(problem => $"variant '{assembly.Name}': {problem}").ToList());
            }

            var app = TradingPlatformApp.CreateApp(assembly.Outdir, assembly.Context.ToDictionary(kv => kv.Key, kv => ToJsii(kv.Value)));
            JsiiScratch.ReleaseLoadedTarballs();
            TradingPlatformApp.Build(app, settings);
            app.Synth();
            output.WriteLine($"{assembly.Name}: synthesized in {started.Elapsed.TotalSeconds:0.0} s");
        }
    }

    /// <summary>A context value as the CLI's JSON gives it to the CDK: strings, numbers, booleans, arrays, objects.</summary>
    private static object ToJsii(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(ToJsii).ToArray(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => ToJsii(p.Value)),
        _ => throw new InvalidDataException($"context value {value} has no CDK form (null or undefined)"),
    };
}
