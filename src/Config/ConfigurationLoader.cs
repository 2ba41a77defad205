using System.Globalization;
using System.Text.RegularExpressions;

namespace TradingPlatform.Config;

/// <summary>Raised at synth time when configuration is wrong; the message names each bad value and the rule.</summary>
public sealed class ConfigurationException(IReadOnlyList<string> problems)
    : Exception("Invalid TradingPlatform configuration:\n  - " + string.Join("\n  - ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Turns CDK context (-c key=value, cdk.json) plus the CLI's default account/region into validated
/// <see cref="EnvironmentSettings"/>. All validation lives here so every error reads the same way.
/// </summary>
public static partial class ConfigurationLoader
{
    /// <summary>Used when neither context nor the CLI supplies an account: synth works offline, deploy does not.</summary>
    public const string PlaceholderAccount = "123456789012";
    public const string PlaceholderRegion = "us-east-1";
    public const string DefaultSuffix = "dev";

    // The suffix feeds the longest names we create: "TradingPlatform-<suffix>-Security" (stack),
    // "trading-db-<suffix>" (Aurora identifier: 63 chars, no "--", no trailing "-"),
    // "trading-api-<suffix>-waf", "data-processor-<suffix>" (Lambda: 64 chars). 20 keeps them all valid.
    public const int MaxSuffixLength = 20;

    public const string EnvironmentSuffixKey = "environmentSuffix";
    public const string AccountKey = "account";
    public const string RegionKey = "region";
    public const string CreateConfigRecorderKey = "createConfigRecorder";
    public const string NatGatewaysKey = "natGateways";
    public const string AuroraMinCapacityKey = "auroraMinCapacity";
    public const string AuroraMaxCapacityKey = "auroraMaxCapacity";

    public static readonly IReadOnlyList<string> KnownKeys =
    [
        EnvironmentSuffixKey, AccountKey, RegionKey, CreateConfigRecorderKey,
        NatGatewaysKey, AuroraMinCapacityKey, AuroraMaxCapacityKey,
    ];

    [GeneratedRegex("^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$")]
    private static partial Regex SuffixPattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")]
    private static partial Regex RegionPattern();

    // Our own keys are plain camelCase words; CDK's keys carry ':' or '/' or '-' (feature flags, lookups).
    [GeneratedRegex("^[A-Za-z]+$")]
    private static partial Regex OwnKeyShape();

    /// <param name="context">Context values as strings (JSON scalars rendered as text).</param>
    /// <param name="defaultAccount">CDK_DEFAULT_ACCOUNT from the CLI, if any.</param>
    /// <param name="defaultRegion">CDK_DEFAULT_REGION from the CLI, if any.</param>
    public static EnvironmentSettings Load(
        IReadOnlyDictionary<string, string> context, string? defaultAccount = null, string? defaultRegion = null)
    {
        var problems = new List<string>();

        foreach (var key in context.Keys.Where(k => OwnKeyShape().IsMatch(k) && !KnownKeys.Contains(k)))
        {
            problems.Add($"unknown context key '{key}'; allowed keys: {string.Join(", ", KnownKeys)}");
        }

        var suffix = context.GetValueOrDefault(EnvironmentSuffixKey, DefaultSuffix);
        if (suffix.Length is 0 or > MaxSuffixLength || !SuffixPattern().IsMatch(suffix))
        {
            problems.Add(
                $"{EnvironmentSuffixKey} '{suffix}' is invalid: use 1-{MaxSuffixLength} characters of lower-case letters, " +
                "digits and single hyphens, starting with a letter and not ending with a hyphen (e.g. dev, staging, prod, pr-123)");
        }

        var account = FirstNonEmpty(context.GetValueOrDefault(AccountKey), defaultAccount) ?? PlaceholderAccount;
        if (!AccountPattern().IsMatch(account))
        {
            problems.Add($"{AccountKey} '{account}' is invalid: an AWS account id is exactly 12 digits");
        }

        var region = FirstNonEmpty(context.GetValueOrDefault(RegionKey), defaultRegion) ?? PlaceholderRegion;
        if (!RegionPattern().IsMatch(region))
        {
            problems.Add($"{RegionKey} '{region}' is invalid: expected an AWS region code such as us-east-1 or eu-west-2");
        }

        if (problems.Count > 0)
        {
            // The preset depends on a valid suffix; report what we have rather than guess further.
            throw new ConfigurationException(problems);
        }

        var settings = EnvironmentPresets.For(suffix, account, region);

        if (context.TryGetValue(CreateConfigRecorderKey, out var recorderText))
        {
            if (bool.TryParse(recorderText, out var createRecorder))
            {
                settings = settings with { CreateConfigRecorder = createRecorder };
            }
            else
            {
                problems.Add($"{CreateConfigRecorderKey} '{recorderText}' is invalid: use true or false");
            }
        }

        if (context.TryGetValue(NatGatewaysKey, out var natText))
        {
            if (int.TryParse(natText, NumberStyles.None, CultureInfo.InvariantCulture, out var nat) && nat is >= 1 and <= 3)
            {
                settings = settings with { NatGateways = nat };
            }
            else
            {
                problems.Add($"{NatGatewaysKey} '{natText}' is invalid: use a whole number from 1 to 3 (one per AZ at most)");
            }
        }

        settings = settings with
        {
            AuroraMinCapacity = ParseCapacity(context, AuroraMinCapacityKey, settings.AuroraMinCapacity, problems),
            AuroraMaxCapacity = ParseCapacity(context, AuroraMaxCapacityKey, settings.AuroraMaxCapacity, problems),
        };

        // Contradictions between values that are each valid on their own.
        if (settings.AuroraMinCapacity > settings.AuroraMaxCapacity)
        {
            problems.Add(
                $"{AuroraMinCapacityKey} {settings.AuroraMinCapacity} is greater than {AuroraMaxCapacityKey} " +
                $"{settings.AuroraMaxCapacity}: the minimum must not exceed the maximum");
        }

        if (settings.Kind == EnvironmentKind.Prod && settings.NatGateways < 3)
        {
            problems.Add(
                $"{NatGatewaysKey} {settings.NatGateways} contradicts environment 'prod': production needs one NAT gateway " +
                "per AZ (3) so that losing one AZ does not cut the others off");
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }

        return settings;
    }

    private static double ParseCapacity(
        IReadOnlyDictionary<string, string> context, string key, double fallback, List<string> problems)
    {
        if (!context.TryGetValue(key, out var text))
        {
            return fallback;
        }

        // Aurora Serverless v2 accepts 0.5 to 256 ACU in half-unit steps (CDK 2.160 rejects lower minimums).
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var acu)
            && acu is >= 0.5 and <= 256 && acu * 2 == Math.Floor(acu * 2))
        {
            return acu;
        }

        problems.Add($"{key} '{text}' is invalid: use Aurora capacity units from 0.5 to 256 in steps of 0.5");
        return fallback;
    }

    private static string? FirstNonEmpty(params string?[] values) =>
        values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
