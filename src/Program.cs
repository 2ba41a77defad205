using System.Text.Json;
using TradingPlatform;
using TradingPlatform.Config;
using TradingPlatform.Diagnostics;
using TradingPlatform.Hosting;

// The only place that reads CDK context and environment variables; everything else takes typed settings.
// bench/synth-profile.sh sets this to a file: the phases of this run and the callbacks into .NET are written there.
var profileFile = Environment.GetEnvironmentVariable("TRADINGPLATFORM_SYNTH_PROFILE");
if (!string.IsNullOrEmpty(profileFile))
{
    SynthProfile.Start();
}

try
{
    // The synth cache's batch mode: several environments in this one process (src/Hosting/SynthBatch.cs).
    var batchFile = Environment.GetEnvironmentVariable(SynthBatch.BatchFileVariable);
    if (!string.IsNullOrEmpty(batchFile))
    {
        SynthBatch.Run(SynthBatch.Read(batchFile),
            Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"), Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"), Console.Out);
        return 0;
    }

    // One environment (a hand deploy), or with a `delivery` object the pipeline that deploys dev, staging and prod.
    var configuration = ConfigurationLoader.LoadApp(
        ReadCliContext(),
        Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
        Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"));
    SynthProfile.Phase("read and validate configuration");

    // The first call into the CDK starts jsii's Node runtime and loads the CDK's JavaScript into it.
    var app = TradingPlatformApp.CreateApp();
    SynthProfile.Phase("start jsii and the CDK (new App)");
    // The CDK's packages are loaded now: their tarball copies in the private temp folder are dead weight.
    JsiiScratch.ReleaseLoadedTarballs();
    TradingPlatformApp.Build(app, configuration);
    SynthProfile.Phase("build the constructs");
    app.Synth();
    SynthProfile.Phase("synthesize (aspects, logical ids, templates, assets)");
    if (SynthProfile.Enabled)
    {
        SynthProfile.Write(profileFile!);
    }

    return 0;
}
catch (ConfigurationException error)
{
    // The CLI shows the app's stderr and stops with a non-zero exit: nothing is synthesized or deployed.
    Console.Error.WriteLine(error.Message);
    return 1;
}

// The CDK CLI passes cdk.json context, cdk.context.json lookups and -c values as one JSON object in
// CDK_CONTEXT_JSON; what does not fit in the environment it writes to a file named by
// CONTEXT_OVERFLOW_LOCATION_ENV. All keys are read, with their JSON types, so that the loader can refuse a
// misspelt key or a value of the wrong type instead of silently ignoring it.
static Dictionary<string, JsonElement> ReadCliContext()
{
    var context = new Dictionary<string, JsonElement>();
    Merge(Environment.GetEnvironmentVariable("CDK_CONTEXT_JSON"), "CDK_CONTEXT_JSON");
    var overflowFile = Environment.GetEnvironmentVariable("CONTEXT_OVERFLOW_LOCATION_ENV");
    if (!string.IsNullOrEmpty(overflowFile))
    {
        Merge(File.ReadAllText(overflowFile), overflowFile);
    }

    return context;

    void Merge(string? json, string source)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                context[property.Name] = property.Value.Clone();
            }
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
        {
            throw new ConfigurationException([$"the CDK context in {source} is not a JSON object: {error.Message}"]);
        }
    }
}
