using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using TradingPlatform.Config;
using Xunit;

// jsii (the bridge to the CDK's JavaScript) is not thread-safe: tests must not run in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace TradingPlatform.Tests;

/// <summary>One environment synthesized once: its stacks and their templates, shared read-only by all tests.</summary>
public sealed class SynthesizedEnvironment
{
    public SynthesizedEnvironment(EnvironmentSettings settings)
    {
        Settings = settings;
        var app = TradingPlatformApp.CreateApp();
        Stacks = TradingPlatformApp.Build(app, settings);
        // One synthesis of the whole app; Template.FromStack reuses the cached assembly.
        Assembly = app.Synth();
        Security = Template.FromStack(Stacks.Security);
        Network = Template.FromStack(Stacks.Network);
        Data = Template.FromStack(Stacks.Data);
        Api = Template.FromStack(Stacks.Api);
        Json = Stacks.All.ToDictionary(
            stack => stack.StackName,
            stack => JsonNode.Parse(File.ReadAllText(Assembly.GetStackArtifact(stack.ArtifactId).TemplateFullPath))!.AsObject());
    }

    public EnvironmentSettings Settings { get; }
    public TradingPlatformStacks Stacks { get; }
    public Amazon.CDK.CXAPI.CloudAssembly Assembly { get; }
    public Template Security { get; }
    public Template Network { get; }
    public Template Data { get; }
    public Template Api { get; }
    /// <summary>Templates as plain JSON by stack name, for questions Assertions cannot ask (counts, cross-stack).</summary>
    public IReadOnlyDictionary<string, JsonObject> Json { get; }

    public JsonObject JsonOf(Stack stack) => Json[stack.StackName];
}

/// <summary>
/// Synthesizing through jsii costs seconds, so each environment is synthesized at most once per test run
/// and shared by every test class (an xunit collection fixture).
/// </summary>
public sealed class SynthesizedApps
{
    private readonly ConcurrentDictionary<string, Lazy<SynthesizedEnvironment>> environments = new();

    public SynthesizedEnvironment Dev => For("dev");
    public SynthesizedEnvironment Prod => For("prod");

    /// <summary>The trading clients of <see cref="StagingWithOverrides"/>: two on the shared plan, one with limits of its own.</summary>
    public const string StagingTradingClients = """["desk-a", {"name": "risk-engine", "rateLimit": 200, "burstLimit": 400}, "desk-b"]""";

    /// <summary>
    /// Staging deployed into prod's account with the optional context set: no Config recorder of its own, alert
    /// e-mails, trading clients (as cdk.json gives them: a JSON array), a records retention in years. One synthesis
    /// serves every test of context overrides.
    /// </summary>
    public SynthesizedEnvironment StagingWithOverrides => ForJson("staging", new Dictionary<string, JsonElement>
    {
        [ConfigurationLoader.CreateConfigRecorderKey] = JsonSerializer.SerializeToElement("false"),
        [ConfigurationLoader.AlertEmailsKey] = JsonSerializer.SerializeToElement("oncall@example.com, risk@example.com"),
        [ConfigurationLoader.TradingClientsKey] = JsonDocument.Parse(StagingTradingClients).RootElement.Clone(),
        [ConfigurationLoader.RecordsRetentionYearsKey] = JsonSerializer.SerializeToElement(StagingRetentionYearsOverride),
    });

    public const int StagingRetentionYearsOverride = 2;

    public SynthesizedEnvironment For(string suffix, IReadOnlyDictionary<string, string>? extraContext = null) =>
        ForJson(suffix, (extraContext ?? new Dictionary<string, string>())
            .ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value)));

    /// <summary>Context as the CLI passes it from cdk.json: any JSON value.</summary>
    public SynthesizedEnvironment ForJson(string suffix, IReadOnlyDictionary<string, JsonElement> extraContext)
    {
        var context = new Dictionary<string, JsonElement>(extraContext)
        {
            [ConfigurationLoader.EnvironmentSuffixKey] = JsonSerializer.SerializeToElement(suffix),
        };
        var key = string.Join(";", context.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value.GetRawText()}"));
        return environments.GetOrAdd(key, _ => new Lazy<SynthesizedEnvironment>(
            () => new SynthesizedEnvironment(ConfigurationLoader.Load(context)))).Value;
    }

    /// <summary>
    /// An app built from settings the loader would never produce (a damaged preset), synthesized once per name:
    /// how the rule tests prove that a rule fails when a preset loses what the rule protects.
    /// </summary>
    public SynthesizedEnvironment Damaged(string name, Func<EnvironmentSettings> settings) =>
        environments.GetOrAdd($"damaged:{name}", _ => new Lazy<SynthesizedEnvironment>(
            () => new SynthesizedEnvironment(settings()))).Value;
}

[CollectionDefinition(Name)]
public sealed class SynthesizedAppsCollection : ICollectionFixture<SynthesizedApps>
{
    public const string Name = "Synthesized apps";
}
