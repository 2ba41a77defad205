using System.Reflection;

namespace TradingPlatform.Constructs.Api;

/// <summary>
/// Where the app's build published the data-processing function (TradingPlatform.csproj, target
/// PublishDataProcessor). The build stamps the folder into this assembly, so the CLI and the tests,
/// which run from different folders, find the same asset. It sits beside <see cref="IngestionFunction"/>, the component
/// that deploys it (the handler's name is there too); the composition root hands the folder to the Api layer, which
/// passes it on as <see cref="IngestionFunctionProps.AssetDir"/>.
/// </summary>
public static class DataProcessorAsset
{
    public static string Directory { get; } = Locate();

    private static string Locate()
    {
        var directory = typeof(DataProcessorAsset).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "DataProcessorAssetDir")?.Value
            ?? throw new InvalidOperationException("The build did not stamp DataProcessorAssetDir; build TradingPlatform.csproj with dotnet build");

        if (!File.Exists(Path.Combine(directory, "DataProcessor.dll")))
        {
            throw new InvalidOperationException(
                $"The data-processing function is not published at '{directory}': rebuild the app (dotnet build TradingPlatform.csproj)");
        }

        return directory;
    }
}
