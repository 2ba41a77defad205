using System.Globalization;
using System.Text.Json;
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
    public const string AlertEmailsKey = "alertEmails";
    public const string TradingClientsKey = "tradingClients";
    public const string RecordsRetentionYearsKey = "recordsRetentionYears";
    public const string BucketsPredatingObjectLockKey = "bucketsPredatingObjectLock";
    public const string RecoveryRegionKey = "recoveryRegion";

    public static readonly IReadOnlyList<string> KnownKeys =
    [
        EnvironmentSuffixKey, AccountKey, RegionKey, CreateConfigRecorderKey,
        NatGatewaysKey, AuroraMinCapacityKey, AuroraMaxCapacityKey, AlertEmailsKey, TradingClientsKey, RecordsRetentionYearsKey,
        BucketsPredatingObjectLockKey, RecoveryRegionKey, AuditTrailKey, DeliveryKey,
    ];

    /// <summary>SNS accepts any number of subscriptions; more than this is a mailing list's job, not ours.</summary>
    public const int MaxAlertEmails = 10;

    [GeneratedRegex("^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$")]
    private static partial Regex SuffixPattern();

    /// <summary>
    /// Each client is an app client, an API key, a usage-plan association and maybe a usage plan of its own: 50 keeps
    /// the Security and Api stacks far below CloudFormation's 500 resources per stack.
    /// </summary>
    public const int MaxTradingClients = 50;

    // Client names become parts of app client, API key and usage plan names and of construct ids.
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")]
    private static partial Regex ClientNamePattern();

    // Cognito's rule for a domain prefix: lower-case letters, digits and hyphens, not at either end, 1-63 characters.
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DomainPrefixPattern();

    /// <summary>Words Cognito refuses in a domain prefix.</summary>
    private static readonly string[] ReservedDomainWords = ["aws", "amazon", "cognito"];

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")]
    private static partial Regex RegionPattern();

    // A deliberately plain address shape: local part, one @, a dotted domain; no spaces, commas or quotes.
    [GeneratedRegex(@"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")]
    private static partial Regex EmailPattern();

    /// <param name="context">
    /// Context as the CDK CLI passes it (CDK_CONTEXT_JSON): JSON values. A -c value arrives as a JSON string;
    /// cdk.json may hold any JSON type, so each key states which types it takes.
    /// </param>
    /// <param name="defaultAccount">CDK_DEFAULT_ACCOUNT from the CLI, if any.</param>
    /// <param name="defaultRegion">CDK_DEFAULT_REGION from the CLI, if any.</param>
    public static EnvironmentSettings Load(
        IReadOnlyDictionary<string, JsonElement> context, string? defaultAccount = null, string? defaultRegion = null)
    {
        var problems = new List<string>();

        foreach (var key in context.Keys.Where(k => !KnownKeys.Contains(k) && !CdkContextKeys.IsPassedByCdk(k)))
        {
            problems.Add(UnknownKeyProblem(key));
        }

        var suffix = ReadString(context, EnvironmentSuffixKey, problems) ?? DefaultSuffix;
        if (suffix.Length > MaxSuffixLength)
        {
            problems.Add(
                $"{EnvironmentSuffixKey} '{suffix}' is {suffix.Length} characters long; the limit is {MaxSuffixLength} " +
                "(it is part of stack, database and function names that have length limits)");
        }
        else if (!SuffixPattern().IsMatch(suffix))
        {
            problems.Add(
                $"{EnvironmentSuffixKey} '{suffix}' is invalid: use 1-{MaxSuffixLength} characters of lower-case letters, " +
                "digits and single hyphens, starting with a letter and not ending with a hyphen (e.g. dev, staging, prod, pr-123)");
        }

        var account = FirstNonEmpty(ReadString(context, AccountKey, problems), defaultAccount) ?? PlaceholderAccount;
        if (!AccountPattern().IsMatch(account))
        {
            problems.Add($"{AccountKey} '{account}' is invalid: an AWS account id is exactly 12 digits");
        }

        var region = FirstNonEmpty(ReadString(context, RegionKey, problems), defaultRegion) ?? PlaceholderRegion;
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

        if (ReadScalar(context, CreateConfigRecorderKey, "true or false", JsonValueKind.True, JsonValueKind.False, problems) is { } recorderText)
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

        if (ReadScalar(context, NatGatewaysKey, "a whole number from 1 to 3", JsonValueKind.Number, JsonValueKind.Number, problems) is { } natText)
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

        settings = settings with { AlertEmails = ParseAlertEmails(context, problems) };
        settings = settings with { TradingClients = ParseTradingClients(context, problems) };
        settings = ApplyRecordsRetention(context, settings, problems);
        settings = settings with { BucketsPredatingObjectLock = ParseBucketsPredatingObjectLock(context, settings, problems) };
        settings = ApplyRecoveryRegion(context, settings, problems);
        settings = ApplyAuditTrail(context, settings, problems);

        settings = settings with
        {
            AuroraMinCapacity = ParseCapacity(context, AuroraMinCapacityKey, settings.AuroraMinCapacity, problems, allowPause: true),
            AuroraMaxCapacity = ParseCapacity(context, AuroraMaxCapacityKey, settings.AuroraMaxCapacity, problems, allowPause: false),
        };

        // Contradictions between values that are each valid on their own.
        if (settings.AuroraPausesWhenIdle && !settings.Kind.IsDisposable())
        {
            problems.Add(
                $"{AuroraMinCapacityKey} 0 (pause when idle) is for dev-like environments only: {settings.Suffix} must answer " +
                "at once, and its alarms treat a silent database as a down one; use 0.5 or more");
        }

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

        // Derived from two valid values, but Cognito has rules of its own for the token domain's prefix.
        var prefix = settings.TokenDomainPrefix;
        if (!DomainPrefixPattern().IsMatch(prefix))
        {
            problems.Add(
                $"the token domain prefix '{prefix}' (trading-<{EnvironmentSuffixKey}>-<{AccountKey}>) is invalid: Cognito " +
                "allows 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen");
        }

        foreach (var word in ReservedDomainWords.Where(prefix.Contains))
        {
            problems.Add(
                $"the token domain prefix '{prefix}' (trading-<{EnvironmentSuffixKey}>-<{AccountKey}>) contains '{word}', " +
                $"which Cognito does not allow in a domain prefix: choose an {EnvironmentSuffixKey} without it");
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }

        return settings;
    }

    /// <summary>The same, for context given as plain strings (what -c key=value passes).</summary>
    public static EnvironmentSettings Load(
        IReadOnlyDictionary<string, string> context, string? defaultAccount = null, string? defaultRegion = null) =>
        Load(context.ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value)), defaultAccount, defaultRegion);

    /// <summary>Names the closest key of ours, so "environment-suffix" or "environmentSufix" says what was meant.</summary>
    private static string UnknownKeyProblem(string key)
    {
        var closest = KnownKeys
            .Select(known => (known, distance: EditDistance(Normalize(key), Normalize(known))))
            .MinBy(candidate => candidate.distance);
        var hint = closest.distance <= Math.Max(2, closest.known.Length / 4)
            ? $"did you mean '{closest.known}'? "
            : "";
        return $"unknown context key '{key}': {hint}allowed keys: {string.Join(", ", KnownKeys)} " +
               "(plus the CDK's own: feature flags, lookups, aws:cdk:*)";

        static string Normalize(string k) => new(k.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(
                    Math.Min(current[j - 1] + 1, previous[j] + 1),
                    previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>A key that only takes a JSON string (names and ids: a number would lose leading zeros).</summary>
    private static string? ReadString(IReadOnlyDictionary<string, JsonElement> context, string key, List<string> problems)
    {
        if (!context.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        problems.Add($"{key} must be a JSON string, got {Describe(value)}");
        return null;
    }

    /// <summary>
    /// A key that takes a JSON scalar of the given kinds, or the same value as a string (-c passes strings).
    /// Returns the value's text, or null (with a problem) when it is absent or of another JSON type.
    /// </summary>
    private static string? ReadScalar(
        IReadOnlyDictionary<string, JsonElement> context, string key, string allowed,
        JsonValueKind kind, JsonValueKind otherKind, List<string> problems)
    {
        if (!context.TryGetValue(key, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        if (value.ValueKind == kind || value.ValueKind == otherKind)
        {
            return value.GetRawText();
        }

        problems.Add($"{key} must be {allowed} (a JSON {kind.ToString().ToLowerInvariant()} or a string), got {Describe(value)}");
        return null;
    }

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        if (text.Length > 40)
        {
            text = text[..40] + "...";
        }

        var type = value.ValueKind switch
        {
            JsonValueKind.Array => "a JSON array",
            JsonValueKind.Object => "a JSON object",
            JsonValueKind.Null => "JSON null",
            JsonValueKind.Number => "a JSON number",
            JsonValueKind.True or JsonValueKind.False => "a JSON boolean",
            _ => "a JSON string",
        };
        return $"{type} {text}";
    }

    /// <summary>A JSON array of addresses (cdk.json) or one comma-separated string (-c alertEmails=a@x.com,b@y.com).</summary>
    private static IReadOnlyList<string> ParseAlertEmails(IReadOnlyDictionary<string, JsonElement> context, List<string> problems)
    {
        if (!context.TryGetValue(AlertEmailsKey, out var value))
        {
            return [];
        }

        List<string> addresses;
        if (value.ValueKind == JsonValueKind.String)
        {
            addresses = value.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        else if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            addresses = value.EnumerateArray().Select(e => e.GetString()!.Trim()).ToList();
        }
        else
        {
            problems.Add($"{AlertEmailsKey} must be a JSON array of strings or a comma-separated string, got {Describe(value)}");
            return [];
        }

        foreach (var address in addresses.Where(a => !EmailPattern().IsMatch(a)))
        {
            problems.Add($"{AlertEmailsKey} '{address}' is not an e-mail address (expected name@example.com)");
        }

        foreach (var duplicate in addresses.GroupBy(a => a, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"{AlertEmailsKey} lists '{duplicate.Key}' {duplicate.Count()} times: each address is subscribed once");
        }

        if (addresses.Count > MaxAlertEmails)
        {
            problems.Add($"{AlertEmailsKey} lists {addresses.Count} addresses; the limit is {MaxAlertEmails} (subscribe a mailing list instead)");
        }

        return addresses;
    }

    /// <summary>
    /// A JSON array (cdk.json) whose items are a client name or {"name": "desk-a", "rateLimit": 500, "burstLimit": 1000},
    /// or one comma-separated string of names (-c tradingClients=desk-a,desk-b).
    /// </summary>
    /// <summary>
    /// Which environments' locked buckets predate Object Lock at creation. One value serves every environment (cdk.json):
    /// a JSON object {"&lt;suffix&gt;": ["&lt;locked bucket&gt;", ...]}, or for -c the string "suffix:bucket[,suffix:bucket...]".
    /// Every entry is checked, not only this environment's: a typo for another environment would otherwise surface
    /// only when that one deploys, as the replacement of its bucket.
    /// </summary>
    private static IReadOnlyList<string> ParseBucketsPredatingObjectLock(
        IReadOnlyDictionary<string, JsonElement> context, EnvironmentSettings settings, List<string> problems)
    {
        const string Shape = "a JSON object {\"<environmentSuffix>\": [\"<bucket>\", ...]} or a string \"<environmentSuffix>:<bucket>[,...]\"";
        if (!context.TryGetValue(BucketsPredatingObjectLockKey, out var value))
        {
            return [];
        }

        var entries = new List<(string Suffix, string Bucket)>();
        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var environment in value.EnumerateObject())
            {
                if (environment.Value.ValueKind != JsonValueKind.Array
                    || environment.Value.EnumerateArray().Any(b => b.ValueKind != JsonValueKind.String))
                {
                    problems.Add($"{BucketsPredatingObjectLockKey}.{environment.Name} must be a JSON array of bucket names, got {Describe(environment.Value)}");
                    continue;
                }

                entries.AddRange(environment.Value.EnumerateArray().Select(b => (environment.Name, b.GetString()!)));
            }
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            foreach (var item in value.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = item.Split(':', StringSplitOptions.TrimEntries);
                if (parts.Length != 2)
                {
                    problems.Add($"{BucketsPredatingObjectLockKey} item '{item}' is invalid: expected <environmentSuffix>:<bucket>, e.g. prod:{LockedBuckets.Archival}");
                    continue;
                }

                entries.Add((parts[0], parts[1]));
            }
        }
        else
        {
            problems.Add($"{BucketsPredatingObjectLockKey} must be {Shape}, got {Describe(value)}");
            return [];
        }

        foreach (var suffix in entries.Select(e => e.Suffix).Distinct())
        {
            if (!SuffixPattern().IsMatch(suffix))
            {
                problems.Add($"{BucketsPredatingObjectLockKey} names environment '{suffix}', which is not a valid {EnvironmentSuffixKey}");
            }
            else if (EnvironmentPresets.KindOf(suffix).IsDisposable())
            {
                problems.Add(
                    $"{BucketsPredatingObjectLockKey} names environment '{suffix}', a dev-like environment: its buckets are " +
                    "never locked, so none can predate Object Lock (only staging and prod lock records)");
            }
        }

        foreach (var (suffix, bucket) in entries.Where(e => !LockedBuckets.Names.Contains(e.Bucket)))
        {
            problems.Add(
                $"{BucketsPredatingObjectLockKey} names bucket '{bucket}' for '{suffix}': the locked buckets are " +
                string.Join(", ", LockedBuckets.Names));
        }

        foreach (var (suffix, bucket) in entries.Where(e => LockedBuckets.Names.Contains(e.Bucket) && !LockedBuckets.MayPredateObjectLock.Contains(e.Bucket)))
        {
            problems.Add(
                $"{BucketsPredatingObjectLockKey} names bucket '{bucket}' for '{suffix}': it was created with Object Lock from its " +
                $"first deploy, so it cannot predate it (only {string.Join(", ", LockedBuckets.MayPredateObjectLock)} can)");
        }

        foreach (var duplicate in entries.GroupBy(e => e).Where(g => g.Count() > 1))
        {
            problems.Add($"{BucketsPredatingObjectLockKey} lists '{duplicate.Key.Bucket}' for '{duplicate.Key.Suffix}' {duplicate.Count()} times");
        }

        var mine = entries.Where(e => e.Suffix == settings.Suffix).Select(e => e.Bucket).Distinct().Order(StringComparer.Ordinal).ToList();
        if (mine.Count > 0 && settings.RecordsRetention is null)
        {
            problems.Add(
                $"{BucketsPredatingObjectLockKey} lists {string.Join(", ", mine)} for '{settings.Suffix}', which locks no records " +
                "(no records retention): remove the entry");
        }

        return mine;
    }

    private static IReadOnlyList<TradingClient> ParseTradingClients(IReadOnlyDictionary<string, JsonElement> context, List<string> problems)
    {
        if (!context.TryGetValue(TradingClientsKey, out var value))
        {
            return [];
        }

        var clients = new List<TradingClient>();
        if (value.ValueKind == JsonValueKind.String)
        {
            clients.AddRange(value.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(name => new TradingClient(name)));
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var item in value.EnumerateArray())
            {
                position++;
                if (item.ValueKind == JsonValueKind.String)
                {
                    clients.Add(new TradingClient(item.GetString()!.Trim()));
                }
                else if (item.ValueKind == JsonValueKind.Object && ParseTradingClient(item, position, problems) is { } client)
                {
                    clients.Add(client);
                }
                else if (item.ValueKind != JsonValueKind.Object)
                {
                    problems.Add(
                        $"{TradingClientsKey} item {position} must be a client name or an object " +
                        $"{{\"name\": ..., \"rateLimit\": ..., \"burstLimit\": ...}}, got {Describe(item)}");
                }
            }
        }
        else
        {
            problems.Add(
                $"{TradingClientsKey} must be a JSON array (of names or {{\"name\", \"rateLimit\", \"burstLimit\"}} objects) " +
                $"or a comma-separated string of names, got {Describe(value)}");
            return [];
        }

        foreach (var name in clients.Select(c => c.Name).Where(n => n.Length is < 3 or > 32 || !ClientNamePattern().IsMatch(n)))
        {
            problems.Add(
                $"{TradingClientsKey} name '{name}' is invalid: use 3-32 lower-case letters, digits and single hyphens, " +
                "not starting or ending with a hyphen (e.g. desk-a)");
        }

        foreach (var duplicate in clients.GroupBy(c => c.Name).Where(g => g.Count() > 1))
        {
            problems.Add(
                $"{TradingClientsKey} lists '{duplicate.Key}' {duplicate.Count()} times: each name is one app client and one API key, " +
                "so names must be unique");
        }

        if (clients.Count > MaxTradingClients)
        {
            problems.Add($"{TradingClientsKey} lists {clients.Count} clients; the limit is {MaxTradingClients} (CloudFormation's resources per stack)");
        }

        return clients;
    }

    private static TradingClient? ParseTradingClient(JsonElement item, int position, List<string> problems)
    {
        string[] allowed = ["name", "rateLimit", "burstLimit"];
        var label = item.TryGetProperty("name", out var nameValue) && nameValue.ValueKind == JsonValueKind.String
            ? $"'{nameValue.GetString()}'"
            : $"item {position}";
        var before = problems.Count;

        foreach (var property in item.EnumerateObject().Where(p => !allowed.Contains(p.Name)))
        {
            problems.Add($"{TradingClientsKey} {label} has an unknown property '{property.Name}': allowed are {string.Join(", ", allowed)}");
        }

        if (nameValue.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{TradingClientsKey} {label} needs \"name\" as a JSON string, got {(nameValue.ValueKind == JsonValueKind.Undefined ? "none" : Describe(nameValue))}");
        }

        var rate = Limit("rateLimit");
        var burst = Limit("burstLimit");
        if ((rate is null) != (burst is null) && problems.Count == before)
        {
            problems.Add(
                $"{TradingClientsKey} {label} gives only {(rate is null ? "burstLimit" : "rateLimit")}: give both rateLimit and " +
                $"burstLimit, or neither (then the shared usage plan's {ThrottleLimits.SharedPlan.RateLimit} rps / " +
                $"{ThrottleLimits.SharedPlan.BurstLimit} burst applies)");
        }
        else if (rate is not null && burst is not null && burst < rate)
        {
            problems.Add(
                $"{TradingClientsKey} {label}: burstLimit {burst} is below rateLimit {rate}; the burst must be at least the steady rate");
        }

        if (problems.Count > before)
        {
            return null;
        }

        return new TradingClient(nameValue.GetString()!.Trim(), rate is null ? null : new ThrottleLimits(rate.Value, burst!.Value));

        int? Limit(string property)
        {
            if (!item.TryGetProperty(property, out var limit))
            {
                return null;
            }

            var text = limit.ValueKind is JsonValueKind.String or JsonValueKind.Number ? (limit.ValueKind == JsonValueKind.String ? limit.GetString()! : limit.GetRawText()) : null;
            if (text is not null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
            {
                return number;
            }

            problems.Add($"{TradingClientsKey} {label} {property} {limit.GetRawText()} is invalid: use a positive whole number of requests per second");
            return null;
        }
    }

    /// <summary>
    /// recordsRetentionYears: the archival bucket's default Object Lock retention in whole years (1-100, S3's limit
    /// for a default retention). It changes the period, never the mode: prod stays COMPLIANCE, staging GOVERNANCE.
    /// Dev-like environments have no Object Lock (they must stay disposable), so the key is a contradiction there.
    /// </summary>
    private static EnvironmentSettings ApplyRecordsRetention(
        IReadOnlyDictionary<string, JsonElement> context, EnvironmentSettings settings, List<string> problems)
    {
        var allowed = $"a whole number of years from 1 to {RecordsRetention.MaxYears}";
        if (ReadScalar(context, RecordsRetentionYearsKey, allowed, JsonValueKind.Number, JsonValueKind.Number, problems) is not { } text)
        {
            return settings;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var years) || years is < 1 or > RecordsRetention.MaxYears)
        {
            problems.Add(
                $"{RecordsRetentionYearsKey} '{text}' is invalid: use {allowed} (S3 Object Lock's limit for a default " +
                "retention; no fractions, signs or units)");
            return settings;
        }

        if (settings.RecordsRetention is not { } current)
        {
            problems.Add(
                $"{RecordsRetentionYearsKey} {years} contradicts environment '{settings.Suffix}': {settings.Kind} environments " +
                "have no Object Lock, because locked records could not be deleted and the environment must stay disposable");
            return settings;
        }

        return settings with { RecordsRetention = RecordsRetention.OfYears(current.Mode, years) };
    }

    /// <summary>
    /// recoveryRegion: where staging and prod keep the copies that must survive the loss of the primary region (the
    /// preset's default pairs each primary with a region of the same jurisdiction, EnvironmentPresets.DefaultRecoveryRegions).
    /// Refused when it equals the primary region (a copy in the same region dies with it) and in dev-like environments
    /// (they have no Recovery layer). A staging or prod whose primary has no default must set it.
    /// </summary>
    private static EnvironmentSettings ApplyRecoveryRegion(
        IReadOnlyDictionary<string, JsonElement> context, EnvironmentSettings settings, List<string> problems)
    {
        var given = ReadString(context, RecoveryRegionKey, problems);
        if (given is not null && !RegionPattern().IsMatch(given))
        {
            problems.Add($"{RecoveryRegionKey} '{given}' is invalid: expected an AWS region code such as us-west-2 or eu-central-1");
            return settings;
        }

        if (settings.Kind.IsDisposable())
        {
            if (given is not null)
            {
                problems.Add(
                    $"{RecoveryRegionKey} '{given}' contradicts environment '{settings.Suffix}': {settings.Kind} environments have no " +
                    "Recovery layer (their data is disposable; only staging and prod copy to a second region)");
            }

            return settings with { RecoveryRegion = null };
        }

        var recovery = given ?? settings.RecoveryRegion;
        if (recovery is null)
        {
            problems.Add(
                $"{RecoveryRegionKey} is required for '{settings.Suffix}' in {settings.Region}: there is no default recovery region " +
                "for that primary region; set one in the same jurisdiction (e.g. -c recoveryRegion=...)");
            return settings;
        }

        if (recovery == settings.Region)
        {
            problems.Add(
                $"{RecoveryRegionKey} '{recovery}' is the primary region ({RegionKey} {settings.Region}): the recovery copies must " +
                "be in another region, or the loss of the region loses them too");
            return settings;
        }

        if (PartitionOf(recovery) != PartitionOf(settings.Region))
        {
            problems.Add(
                $"{RecoveryRegionKey} '{recovery}' is in partition {PartitionOf(recovery)}, the primary region ({settings.Region}) in " +
                $"{PartitionOf(settings.Region)}: AWS Backup copies and S3 replication never cross a partition (nor its accounts); " +
                "choose a recovery region of the same partition");
            return settings;
        }

        return settings with { RecoveryRegion = recovery };
    }

    /// <summary>
    /// The AWS partition of a region code (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b...): copies and replication stay
    /// inside one. The code's shape is already checked (RegionPattern).
    /// </summary>
    public static string PartitionOf(string region)
    {
        var segment = region.Split('-')[1];
        return region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
            : segment == "gov" ? "aws-us-gov"
            : segment.StartsWith("iso", StringComparison.Ordinal) ? (segment.Length == 3 ? "aws-iso" : $"aws-iso-{segment[3..]}")
            : "aws";
    }

    private static double ParseCapacity(
        IReadOnlyDictionary<string, JsonElement> context, string key, double fallback, List<string> problems, bool allowPause)
    {
        if (ReadScalar(context, key, "a number of Aurora capacity units", JsonValueKind.Number, JsonValueKind.Number, problems) is not { } text)
        {
            return fallback;
        }

        // Aurora Serverless v2 accepts 0.5 to 256 ACU in half-unit steps, and a minimum of 0 (pause when idle) on the
        // engine versions that support it (ours does; TradingDatabase writes it past CDK 2.160's L2).
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var acu)
            && ((acu is >= 0.5 and <= 256 && acu * 2 == Math.Floor(acu * 2)) || (allowPause && acu == 0)))
        {
            return acu;
        }

        problems.Add($"{key} '{text}' is invalid: use Aurora capacity units from 0.5 to 256 in steps of 0.5" +
            (allowPause ? ", or 0 to pause when idle (dev-like environments)" : ""));
        return fallback;
    }

    private static string? FirstNonEmpty(params string?[] values) =>
        values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
