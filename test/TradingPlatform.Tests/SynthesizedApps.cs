using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using TradingPlatform.Config;
using Xunit;

// jsii (the bridge to the CDK's JavaScript) is not thread-safe: tests must not run in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace TradingPlatform.Tests;

/// <summary>One stack of a synthesized environment, as its cloud assembly describes it.</summary>
public sealed record SynthesizedStack(
    string StackName,
    IReadOnlyList<string> Dependencies,
    bool TerminationProtection,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Components);

/// <summary>The stacks of an environment (Recovery only in staging and prod, in the recovery region).</summary>
public sealed record SynthesizedStacks(
    SynthesizedStack Security, SynthesizedStack Network, SynthesizedStack Data, SynthesizedStack Api, SynthesizedStack? Recovery = null)
{
    /// <summary>The four primary-region layers, in deploy order (indexable by <see cref="Rules.Layer"/>).</summary>
    public IReadOnlyList<SynthesizedStack> All => [Security, Network, Data, Api];
}

/// <summary>
/// One environment's cloud assembly, read once and shared read-only by all tests: the settings it was built from,
/// its stacks as the manifest describes them, and their templates (as Assertions templates and as plain JSON).
/// </summary>
public sealed class SynthesizedEnvironment
{
    public SynthesizedEnvironment(EnvironmentSettings settings, string assemblyDirectory)
    {
        Settings = settings;
        Directory = assemblyDirectory;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(assemblyDirectory, "manifest.json")))!["artifacts"]!.AsObject();
        var stackArtifacts = manifest.Where(a => (string?)a.Value!["type"] == "aws:cloudformation:stack").ToList();
        StackNames = stackArtifacts.Select(a => a.Key).ToList();
        Json = stackArtifacts.ToDictionary(
            a => a.Key,
            a => JsonNode.Parse(File.ReadAllText(Path.Combine(assemblyDirectory, (string)a.Value!["properties"]!["templateFile"]!)))!.AsObject());

        SynthesizedStack Describe(string layer)
        {
            var name = $"{settings.StackIdPrefix}-{layer}";
            var artifact = manifest[name] ?? throw new InvalidOperationException($"{assemblyDirectory} has no stack {name}");
            var properties = artifact["properties"]!;
            return new SynthesizedStack(
                name,
                (artifact["dependencies"]?.AsArray() ?? []).Select(d => (string)d!).Where(StackNames.Contains).ToList(),
                (bool?)properties["terminationProtection"] ?? false,
                (properties["tags"]?.AsObject() ?? []).ToDictionary(t => t.Key, t => (string)t.Value!),
                (artifact["metadata"]?.AsObject() ?? [])
                    .SelectMany(m => m.Value!.AsArray())
                    .Where(entry => (string?)entry!["type"] == "tradingplatform:components")
                    .SelectMany(entry => entry!["data"]!.AsArray().Select(p => (string)p!))
                    .ToList());
        }

        var hasRecovery = StackNames.Contains($"{settings.StackIdPrefix}-Recovery");
        Stacks = new SynthesizedStacks(Describe("Security"), Describe("Network"), Describe("Data"), Describe("Api"),
            hasRecovery ? Describe("Recovery") : null);
        // Template.FromString refuses a template with a dependency cycle, as CloudFormation does: every template of every
        // variant is checked for one here (RulesBiteTests shows it biting).
        Recovery = hasRecovery ? Template.FromString(Json[Stacks.Recovery!.StackName].ToJsonString()) : null;
        Security = Template.FromString(Json[Stacks.Security.StackName].ToJsonString());
        Network = Template.FromString(Json[Stacks.Network.StackName].ToJsonString());
        Data = Template.FromString(Json[Stacks.Data.StackName].ToJsonString());
        Api = Template.FromString(Json[Stacks.Api.StackName].ToJsonString());
    }

    public EnvironmentSettings Settings { get; }
    /// <summary>The cloud assembly's directory (as `cdk synth -o` writes it).</summary>
    public string Directory { get; }
    /// <summary>Every stack artifact of the assembly, as the manifest lists them.</summary>
    public IReadOnlyList<string> StackNames { get; }
    public SynthesizedStacks Stacks { get; }
    public Template Security { get; }
    public Template Network { get; }
    public Template Data { get; }
    public Template Api { get; }
    /// <summary>The Recovery stack's template (staging and prod); null in dev-like environments.</summary>
    public Template? Recovery { get; }
    /// <summary>Templates as plain JSON by stack name, for questions Assertions cannot ask (counts, cross-stack).</summary>
    public IReadOnlyDictionary<string, JsonObject> Json { get; }

    public JsonObject JsonOf(SynthesizedStack stack) => Json[stack.StackName];

    /// <summary>The name of every CloudWatch alarm of the environment (composites excluded), across its stacks.</summary>
    public IReadOnlyList<string> AlarmNames => Json.Values
        .SelectMany(t => t.ResourcesOfType("AWS::CloudWatch::Alarm"))
        .Select(a => (string)a.Resource.Properties()["AlarmName"]!)
        .ToList();
}

/// <summary>
/// The environments the tests read, each synthesized at most once per set of inputs and shared by every test class
/// (an xunit collection fixture). They come from the synth cache (scripts/synth-cache.mjs): the same assemblies that
/// `npx cdk synth` writes and that the compliance gates and the rollout check's tests read, made in parallel
/// processes on a miss and reused while nothing that shapes a template has changed. Only an environment the loader
/// would never produce (a damaged preset) is synthesized here, in this process.
/// </summary>
public sealed class SynthesizedApps
{
    /// <summary>
    /// The environments synthesized for the tests, in SynthVariants.json (scripts/test.sh hands the same file to the
    /// synth cache before the tests start, so all of them are made in one batch): the presets with cdk.json's
    /// defaults; "staging-with-overrides", staging deployed into prod's account with every optional context key set
    /// (no Config recorder of its own, alert e-mails, trading clients as a JSON array, two of them on the shared plan
    /// and one with limits of its own, a records retention in years, an organization trail that records the management
    /// and data events, so the platform's audit trail records only what its alarms need), so that one synthesis serves
    /// every test of context overrides; and "longest-names", the longest names the loader accepts (the longest suffix,
    /// the longest client name with limits of its own, so it has its own usage plan, three NAT gateways with an alarm
    /// pair each, and the audit trail turned on in a dev-like environment, disposable), what every name limit must fit. Values are JSON as cdk.json gives them (the synth cache passes strings
    /// as -c would, other values as cdk.json would).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonElement>> Variants = ReadVariants();

    /// <summary>The variant with the longest valid suffix and the longest client name: what every name limit must fit.</summary>
    public const string LongestNames = "longest-names";

    /// <summary>A suffix of the maximum length, and a client name of the maximum length (32).</summary>
    public static readonly string LongestSuffix = Variants[LongestNames][ConfigurationLoader.EnvironmentSuffixKey].GetString()!;

    public static readonly string LongestClientName = Variants[LongestNames][ConfigurationLoader.TradingClientsKey]
        .EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object).Select(c => c.GetProperty("name").GetString()!).Single();

    public static readonly int StagingRetentionYearsOverride =
        Variants["staging-with-overrides"][ConfigurationLoader.RecordsRetentionYearsKey].GetInt32();

    private readonly Lazy<IReadOnlyDictionary<string, string>> directories = new(() => SynthCache.Ensure(Variants));
    private readonly ConcurrentDictionary<string, Lazy<SynthesizedEnvironment>> environments = new();

    public SynthesizedEnvironment Dev => For("dev");
    public SynthesizedEnvironment Prod => For("prod");
    public SynthesizedEnvironment StagingWithOverrides => Variant("staging-with-overrides");

    /// <summary>The variant with the committed delivery configuration (delivery.sample.json): the pipeline's assembly.</summary>
    public const string DeliveryVariant = "delivery";

    /// <summary>The delivery pipeline's cloud assembly (TradingPlatform-Delivery and a nested assembly per stage).</summary>
    public string DeliveryDirectory => directories.Value[DeliveryVariant];

    /// <summary>An environment preset with cdk.json's defaults.</summary>
    public SynthesizedEnvironment For(string suffix) => Variant(suffix);

    private SynthesizedEnvironment Variant(string name) => environments.GetOrAdd(name, _ => new Lazy<SynthesizedEnvironment>(() =>
        new SynthesizedEnvironment(
            ConfigurationLoader.Load(ContextOf(name)),
            directories.Value[name]))).Value;

    /// <summary>
    /// The context the app got for a variant, as the CLI composes it: cdk.json's context (e.g. which buckets predate
    /// Object Lock at creation), the variant's keys over it. The settings the tests read must be the app's.
    /// </summary>
    public static Dictionary<string, JsonElement> ContextOf(string variant)
    {
        using var cdkJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "cdk.json")));
        var context = cdkJson.RootElement.GetProperty("context").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.Clone());
        foreach (var (key, value) in Variants[variant])
        {
            context[key] = value;
        }

        return context;
    }

    /// <summary>
    /// An app built from settings the loader would never produce (a damaged preset), synthesized in this process: how
    /// the rule tests prove that a rule fails when a preset loses what the rule protects. Like the synth cache, it is
    /// kept in artifacts/synth/damaged-NAME/KEY, the key hashing the built app, the published function and this test
    /// assembly (which holds the damage), so it is made again whenever any of them changes.
    /// </summary>
    public SynthesizedEnvironment Damaged(string name, Func<EnvironmentSettings> settings) =>
        environments.GetOrAdd($"damaged:{name}", _ => new Lazy<SynthesizedEnvironment>(() =>
        {
            var built = settings();
            var dir = Path.Combine(SynthCache.RepositoryRoot(), "artifacts", "synth", $"damaged-{name}", DamagedKey(name));
            if (!File.Exists(Path.Combine(dir, "manifest.json")))
            {
                // Only a complete assembly takes the key's name; older ones of this variant go.
                var variantDir = Path.GetDirectoryName(dir)!;
                if (System.IO.Directory.Exists(variantDir))
                {
                    System.IO.Directory.Delete(variantDir, recursive: true);
                }

                var outdir = Path.Combine(variantDir, $".tmp-{Guid.NewGuid():N}");
                var app = TradingPlatformApp.CreateApp(outdir);
                TradingPlatformApp.Build(app, built);
                app.Synth();
                System.IO.Directory.Move(outdir, dir);
            }

            return new SynthesizedEnvironment(built, dir);
        })).Value;

    private static string DamagedKey(string name)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var repo = SynthCache.RepositoryRoot();
        var inputs = new[]
            {
                typeof(TradingPlatformApp).Assembly.Location,
                Path.ChangeExtension(typeof(TradingPlatformApp).Assembly.Location, ".deps.json"),
                typeof(SynthesizedApps).Assembly.Location,
            }
            .Concat(System.IO.Directory.GetFiles(Path.Combine(repo, "artifacts", "functions", "DataProcessor"), "*", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal));
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"damaged/1\0{name}\0"));
        foreach (var file in inputs)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..20];
    }

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonElement>> ReadVariants()
    {
        var file = Path.Combine(SynthCache.RepositoryRoot(), "test", "TradingPlatform.Tests", "SynthVariants.json");
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.EnumerateObject().ToDictionary(
            variant => variant.Name,
            variant => (IReadOnlyDictionary<string, JsonElement>)variant.Value.EnumerateObject()
                .ToDictionary(key => key.Name, key => key.Value.Clone()));
    }
}

/// <summary>Runs scripts/synth-cache.mjs with the repository's Node for the given variants; returns their directories.</summary>
public static class SynthCache
{
    public static IReadOnlyDictionary<string, string> Ensure(IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonElement>> variants)
    {
        var repo = RepositoryRoot();
        var node = Path.Combine(repo, "node_modules", ".bin", "node");
        if (!File.Exists(node))
        {
            throw new InvalidOperationException($"{node} is missing: run 'npm ci' in {repo} first");
        }

        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(repo, "scripts", "synth-cache.mjs"));
        start.ArgumentList.Add("--variants");
        start.ArgumentList.Add(JsonSerializer.Serialize(variants));
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/synth-cache.mjs exited {process.ExitCode}:\n{stderr.Result}");
        }

        return JsonSerializer.Deserialize<Dictionary<string, string>>(stdout)!;
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cdk.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("no cdk.json above the test assembly");
    }
}

[CollectionDefinition(Name)]
public sealed class SynthesizedAppsCollection : ICollectionFixture<SynthesizedApps>
{
    public const string Name = "Synthesized apps";
}
