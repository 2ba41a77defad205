using System.Text.Json;
using TradingPlatform;
using TradingPlatform.Config;

// The only place that reads CDK context and environment variables; everything else takes typed settings.
try
{
    var settings = ConfigurationLoader.Load(
        ReadCliContext(),
        Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
        Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION"));

    var app = TradingPlatformApp.CreateApp();
    TradingPlatformApp.Build(app, settings);
    app.Synth();
    return 0;
}
catch (ConfigurationException error)
{
    Console.Error.WriteLine(error.Message);
    return 1;
}

// The CDK CLI passes cdk.json context and -c values as JSON in CDK_CONTEXT_JSON. Reading all keys here
// (not just known ones) is what lets the loader reject a misspelt key instead of silently ignoring it.
static Dictionary<string, string> ReadCliContext()
{
    var json = Environment.GetEnvironmentVariable("CDK_CONTEXT_JSON");
    if (string.IsNullOrWhiteSpace(json))
    {
        return [];
    }

    using var document = JsonDocument.Parse(json);
    return document.RootElement.EnumerateObject()
        .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
        .ToDictionary(
            p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
}
