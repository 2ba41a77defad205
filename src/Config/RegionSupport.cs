using System.Text.Json;

namespace TradingPlatform.Config;

/// <summary>
/// The regions the platform is checked in, from src/Config/regions.json, which the CloudFormation linter gate
/// (scripts/lint-gate) reads too: every template is linted for each of these regions, and the gate fails when this
/// file's view of the pipeline's regions disagrees with the linter's resource schemas. One file, so the loader and the
/// gate cannot drift apart.
/// </summary>
public static class RegionSupport
{
    private sealed record RegionsFile(
        Dictionary<string, string> RecoveryDefaults, Dictionary<string, string[]> MissingTypes);

    private static readonly RegionsFile File = Load();

    /// <summary>Each primary region's default recovery region (see <see cref="EnvironmentPresets.DefaultRecoveryRegions"/>).</summary>
    public static IReadOnlyDictionary<string, string> RecoveryDefaults { get; } = File.RecoveryDefaults;

    /// <summary>
    /// The regions every template is linted for: each primary with a default recovery region, and those recovery regions.
    /// A delivery pipeline may live only in one of them (where nothing it uses is missing) and deploy only to them.
    /// </summary>
    public static IReadOnlyList<string> CheckedRegions { get; } =
        File.RecoveryDefaults.Keys.Concat(File.RecoveryDefaults.Values).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Checked regions where a resource type the app uses does not exist (CloudFormation's resource schemas for that
    /// region, as cfn-lint ships them). Each such type is handled where the app would use it: the loader refuses a delivery
    /// pipeline there, naming the types (<see cref="DeliverySettings.PipelineResourceTypes"/>); an environment there has no
    /// cost budget (<see cref="Constructs.Security.CostBudget"/>). The linter gate checks the table both ways.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> MissingTypes { get; } =
        File.MissingTypes.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);

    /// <summary>Whether CloudFormation has the resource type in the region (as far as the table knows: unknown regions say yes).</summary>
    public static bool Has(string region, string resourceType) =>
        !MissingTypes.TryGetValue(region, out var missing) || !missing.Contains(resourceType);

    private static RegionsFile Load()
    {
        using var stream = typeof(RegionSupport).Assembly.GetManifestResourceStream("TradingPlatform.regions.json")
            ?? throw new InvalidOperationException("the app is built without src/Config/regions.json (TradingPlatform.csproj embeds it)");
        return JsonSerializer.Deserialize<RegionsFile>(stream, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidOperationException("src/Config/regions.json is empty");
    }
}
