using System.Text.Json;
using System.Text.RegularExpressions;

namespace TradingPlatform.Config;

/// <summary>The app's configuration: one environment (a hand deploy), or the delivery pipeline of dev, staging and prod.</summary>
public sealed record AppConfiguration(EnvironmentSettings? Environment, DeliverySettings? Delivery);

public static partial class ConfigurationLoader
{
    public const string DeliveryKey = "delivery";

    /// <summary>The environments the pipeline deploys, in stage order; the delivery object names exactly these.</summary>
    public static readonly IReadOnlyList<string> DeliveryEnvironments = ["dev", "staging", "prod"];

    private static readonly string[] DeliveryProperties =
        ["account", "region", "connectionArn", "repository", "branch", "approversRoleArn", "notificationEmails", "environments"];

    private static readonly string[] DeliveryEnvironmentProperties = ["account", "region", "context"];

    /// <summary>
    /// Keys that configure one environment: with delivery they are given per environment (delivery.environments.&lt;env&gt;),
    /// never at the top level, where they would silently apply to every stage. environmentSuffix (cdk.json's default)
    /// is ignored and bucketsPredatingObjectLock (one value for every environment) applies as it is.
    /// </summary>
    private static readonly string[] PerEnvironmentKeys =
    [
        AccountKey, RegionKey, CreateConfigRecorderKey, NatGatewaysKey, AuroraMinCapacityKey, AuroraMaxCapacityKey,
        AlertEmailsKey, TradingClientsKey, RecordsRetentionYearsKey, RecoveryRegionKey, AuditTrailKey,
    ];

    [GeneratedRegex("^arn:aws[a-z-]*:(codestar-connections|codeconnections):([a-z0-9-]+):([0-9]{12}):connection/[0-9a-f-]{36}$")]
    private static partial Regex ConnectionArnPattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::([0-9]{12}):role/[\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex RepositoryPattern();

    // A git branch name as git check-ref-format allows it, restricted to the characters a shell and a pipeline take as is.
    [GeneratedRegex(@"^(?![-/.])(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9._/-]{1,200}(?<![/.])(?<!\.lock)$")]
    private static partial Regex BranchPattern();

    /// <summary>
    /// Without a <c>delivery</c> key: one environment, exactly as <see cref="Load(IReadOnlyDictionary{string, JsonElement}, string?, string?)"/>.
    /// With it: the delivery pipeline, every environment validated as its hand deploy would be.
    /// </summary>
    public static AppConfiguration LoadApp(
        IReadOnlyDictionary<string, JsonElement> context, string? defaultAccount = null, string? defaultRegion = null) =>
        context.ContainsKey(DeliveryKey)
            ? new AppConfiguration(null, LoadDelivery(context))
            : new AppConfiguration(Load(context, defaultAccount, defaultRegion), null);

    /// <summary>
    /// The delivery object (a JSON object in cdk.json, or its JSON text given with -c), validated: one problem per line,
    /// each naming the value and what is allowed. Each environment's settings come from <see cref="Load(IReadOnlyDictionary{string, JsonElement}, string?, string?)"/>
    /// on the context of its hand deploy (the shared context, its suffix, account and region, its own keys), so a stage
    /// is refused exactly when that deploy would be. The CLI's default account and region play no part: each
    /// environment names its own.
    /// </summary>
    public static DeliverySettings LoadDelivery(IReadOnlyDictionary<string, JsonElement> context)
    {
        var problems = new List<string>();
        foreach (var key in context.Keys.Where(k => !KnownKeys.Contains(k) && k != DeliveryKey && !CdkContextKeys.IsPassedByCdk(k)))
        {
            problems.Add(UnknownKeyProblem(key));
        }

        foreach (var key in PerEnvironmentKeys.Where(context.ContainsKey))
        {
            problems.Add(
                $"{key} is given at the top level together with {DeliveryKey}: it configures one environment, so give it in " +
                $"{DeliveryKey}.environments.<env>.context (or, for account and region, {DeliveryKey}.environments.<env>)");
        }

        var value = context[DeliveryKey];
        if (value.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var parsed = JsonDocument.Parse(value.GetString()!);
                value = parsed.RootElement.Clone();
            }
            catch (JsonException error)
            {
                // The CDK CLI keeps a -c value up to its first line break only, which leaves a pretty-printed object open.
                problems.Add(
                    $"{DeliveryKey} is not valid JSON ({error.Message}): give the object on one line (the CDK CLI keeps only the " +
                    $"first line of a -c value), e.g. -c {DeliveryKey}=\"$(cat delivery.sample.json)\"");
                throw new ConfigurationException(problems);
            }
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{DeliveryKey} must be a JSON object (see delivery.sample.json), got {Describe(value)}");
            throw new ConfigurationException(problems);
        }

        foreach (var property in value.EnumerateObject().Where(p => !DeliveryProperties.Contains(p.Name)))
        {
            problems.Add($"{DeliveryKey} has an unknown property '{property.Name}': allowed are {string.Join(", ", DeliveryProperties)}");
        }

        var account = DeliveryString(value, "account", DeliveryKey, problems, AccountPattern(), "an AWS account id is exactly 12 digits");
        var region = DeliveryString(value, "region", DeliveryKey, problems, RegionPattern(), "expected an AWS region code such as us-east-1");
        var connectionArn = DeliveryString(value, "connectionArn", DeliveryKey, problems, ConnectionArnPattern(),
            "expected arn:aws:codeconnections:<region>:<account>:connection/<id> (or codestar-connections)");
        var repository = DeliveryString(value, "repository", DeliveryKey, problems, RepositoryPattern(), "expected <owner>/<name>, e.g. example-org/trading-platform");
        var branch = DeliveryString(value, "branch", DeliveryKey, problems, BranchPattern(),
            "expected a git branch name of letters, digits, '.', '_', '-' and '/' (e.g. main or release/2026)");
        var approvers = DeliveryString(value, "approversRoleArn", DeliveryKey, problems, RoleArnPattern(), "expected arn:aws:iam::<account>:role/<name>");

        if (account is not null && connectionArn is not null && ConnectionArnPattern().Match(connectionArn).Groups[3].Value != account)
        {
            problems.Add(
                $"{DeliveryKey}.connectionArn '{connectionArn}' belongs to account {ConnectionArnPattern().Match(connectionArn).Groups[3].Value}, " +
                $"not the delivery account {account}: a pipeline can use only a connection of its own account");
        }

        if (account is not null && approvers is not null && RoleArnPattern().Match(approvers).Groups[1].Value != account)
        {
            problems.Add(
                $"{DeliveryKey}.approversRoleArn '{approvers}' is a role of account {RoleArnPattern().Match(approvers).Groups[1].Value}, not of the " +
                $"delivery account {account}: approvals are given in the pipeline's account, so the approvers are a role there");
        }

        var emails = new List<string>();
        if (value.TryGetProperty("notificationEmails", out var emailsValue))
        {
            emails = ParseAlertEmails(
                new Dictionary<string, JsonElement> { [AlertEmailsKey] = emailsValue }, problems).ToList();
            for (var i = problems.Count - 1; i >= 0 && problems[i].StartsWith(AlertEmailsKey, StringComparison.Ordinal); i--)
            {
                problems[i] = $"{DeliveryKey}.notificationEmails{problems[i][AlertEmailsKey.Length..]}";
            }
        }

        var environments = new List<DeliveryEnvironment>();
        if (!value.TryGetProperty("environments", out var environmentsValue) || environmentsValue.ValueKind != JsonValueKind.Object)
        {
            problems.Add(
                $"{DeliveryKey}.environments must be a JSON object {{\"dev\": {{...}}, \"staging\": {{...}}, \"prod\": {{...}}}}, got " +
                (environmentsValue.ValueKind == JsonValueKind.Undefined ? "none" : Describe(environmentsValue)));
        }
        else
        {
            foreach (var name in environmentsValue.EnumerateObject().Select(p => p.Name).Where(n => !DeliveryEnvironments.Contains(n)))
            {
                problems.Add(
                    $"{DeliveryKey}.environments names '{name}': the pipeline deploys exactly {string.Join(", ", DeliveryEnvironments)} " +
                    "(ephemeral environments are deployed by hand)");
            }

            var shared = context.Where(kv => kv.Key != DeliveryKey && kv.Key != EnvironmentSuffixKey && !PerEnvironmentKeys.Contains(kv.Key))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var suffix in DeliveryEnvironments)
            {
                if (!environmentsValue.TryGetProperty(suffix, out var environment))
                {
                    problems.Add($"{DeliveryKey}.environments has no '{suffix}': the pipeline deploys {string.Join(" -> ", DeliveryEnvironments)}, each needs its account and region");
                    continue;
                }

                if (DeliveryEnvironment(suffix, environment, shared, problems) is { } loaded)
                {
                    environments.Add(loaded);
                }
            }
        }

        if (region is not null && RegionPattern().IsMatch(region))
        {
            problems.AddRange(PipelineRegionProblems(region, environments));
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }

        return new DeliverySettings
        {
            Account = account!,
            Region = region!,
            ConnectionArn = connectionArn!,
            Repository = repository!,
            Branch = branch!,
            ApproversRoleArn = approvers!,
            NotificationEmails = emails,
            Environments = environments,
            Json = JsonSerializer.Serialize(value),
        };
    }

    /// <summary>
    /// Where the pipeline may live and deploy: a region whose every template CloudFormation's linter checks
    /// (<see cref="RegionSupport.CheckedRegions"/>), where every resource type of the pipeline's stack exists, and no
    /// environment (nor its recovery region) outside the pipeline's partition, since a pipeline's roles cannot be trusted
    /// across partitions. Refused here, at synth, rather than an hour into a deploy.
    /// </summary>
    private static IEnumerable<string> PipelineRegionProblems(string region, IEnumerable<DeliveryEnvironment> environments)
    {
        IReadOnlyList<string> Missing(string r) => DeliverySettings.PipelineResourceTypes.Where(t => !RegionSupport.Has(r, t)).ToList();
        var usable = RegionSupport.CheckedRegions.Where(r => Missing(r).Count == 0).ToList();
        if (!RegionSupport.CheckedRegions.Contains(region))
        {
            yield return $"{DeliveryKey}.region '{region}' is not a region the platform's templates are checked for " +
                         $"(src/Config/regions.json): the pipeline can live in {string.Join(", ", usable)}";
        }
        else if (Missing(region) is { Count: > 0 } missing)
        {
            yield return $"{DeliveryKey}.region '{region}' lacks what the pipeline uses: {string.Join(", ", missing)} do(es) not exist there " +
                         $"(CloudFormation's resource schemas for {region}); the pipeline can live in {string.Join(", ", usable)}";
        }

        foreach (var environment in environments)
        {
            foreach (var (what, target) in new[] { ("region", environment.Settings.Region), ("recovery region", environment.Settings.RecoveryRegion) })
            {
                if (target is null)
                {
                    continue;
                }

                if (PartitionOf(target) != PartitionOf(region))
                {
                    yield return $"{DeliveryKey}.environments.{environment.Suffix}: its {what} '{target}' is in partition {PartitionOf(target)}, " +
                                 $"the pipeline ({region}) in {PartitionOf(region)}: a pipeline cannot deploy across partitions (its roles are " +
                                 "not trusted there); give that partition a pipeline of its own";
                }
                else if (!RegionSupport.CheckedRegions.Contains(target))
                {
                    yield return $"{DeliveryKey}.environments.{environment.Suffix}: its {what} '{target}' is not a region the platform's templates " +
                                 $"are checked for (src/Config/regions.json: {string.Join(", ", RegionSupport.CheckedRegions)})";
                }
            }
        }
    }

    private static DeliveryEnvironment? DeliveryEnvironment(
        string suffix, JsonElement environment, Dictionary<string, JsonElement> shared, List<string> problems)
    {
        var label = $"{DeliveryKey}.environments.{suffix}";
        if (environment.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{label} must be a JSON object {{\"account\": ..., \"region\": ..., \"context\": {{...}}}}, got {Describe(environment)}");
            return null;
        }

        var before = problems.Count;
        foreach (var property in environment.EnumerateObject().Where(p => !DeliveryEnvironmentProperties.Contains(p.Name)))
        {
            problems.Add($"{label} has an unknown property '{property.Name}': allowed are {string.Join(", ", DeliveryEnvironmentProperties)}");
        }

        var account = DeliveryString(environment, "account", label, problems, AccountPattern(), "an AWS account id is exactly 12 digits");
        var region = DeliveryString(environment, "region", label, problems, RegionPattern(), "expected an AWS region code such as us-east-1");
        var pairs = new List<KeyValuePair<string, string>>
        {
            new(EnvironmentSuffixKey, suffix), new(AccountKey, account ?? ""), new(RegionKey, region ?? ""),
        };

        if (environment.TryGetProperty("context", out var own))
        {
            if (own.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{label}.context must be a JSON object of -c key=value pairs (strings), got {Describe(own)}");
            }
            else
            {
                var allowed = PerEnvironmentKeys.Except([AccountKey, RegionKey]).ToList();
                foreach (var property in own.EnumerateObject())
                {
                    if (!allowed.Contains(property.Name))
                    {
                        problems.Add(
                            $"{label}.context has '{property.Name}', which is not a per-environment key: allowed are {string.Join(", ", allowed)}" +
                            (property.Name is EnvironmentSuffixKey or AccountKey or RegionKey ? $" (the {property.Name} comes from the environment entry itself)" : ""));
                    }
                    else if (property.Value.ValueKind != JsonValueKind.String)
                    {
                        problems.Add(
                            $"{label}.context.{property.Name} must be a JSON string, the value a hand deploy gives with -c {property.Name}=..., " +
                            $"got {Describe(property.Value)}");
                    }
                    else
                    {
                        pairs.Add(new(property.Name, property.Value.GetString()!));
                    }
                }
            }
        }

        if (problems.Count > before)
        {
            return null;
        }

        // The hand deploy's context: the shared keys (cdk.json), then this environment's -c pairs over them.
        var context = new Dictionary<string, JsonElement>(shared);
        foreach (var (key, text) in pairs)
        {
            context[key] = JsonSerializer.SerializeToElement(text);
        }

        try
        {
            return new DeliveryEnvironment { Settings = Load(context), Context = pairs };
        }
        catch (ConfigurationException error)
        {
            problems.AddRange(error.Problems.Select(problem => $"{label}: {problem}"));
            return null;
        }
    }

    private static string? DeliveryString(JsonElement owner, string property, string label, List<string> problems, Regex pattern, string rule)
    {
        if (!owner.TryGetProperty(property, out var value))
        {
            problems.Add($"{label}.{property} is required ({rule})");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{label}.{property} must be a JSON string, got {Describe(value)}");
            return null;
        }

        var text = value.GetString()!;
        if (!pattern.IsMatch(text))
        {
            problems.Add($"{label}.{property} '{text}' is invalid: {rule}");
            return null;
        }

        return text;
    }
}
