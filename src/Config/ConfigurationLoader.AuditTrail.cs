using System.Text.Json;
using System.Text.RegularExpressions;

namespace TradingPlatform.Config;

public static partial class ConfigurationLoader
{
    public const string AuditTrailKey = "auditTrail";

    private const string DataEventsProperty = "dataEvents";
    private const string ManagementEventsProperty = "managementEvents";
    private const string OrganizationTrailProperty = "organizationTrail";
    private const string PlatformValue = "platform";
    private const string OrganizationValue = "organization";

    private static readonly string[] AuditTrailProperties = [DataEventsProperty, ManagementEventsProperty, OrganizationTrailProperty];

    // A trail's ARN: arn:<partition>:cloudtrail:<region>:<account>:trail/<name> (3-128 letters, digits, '.', '_', '-').
    [GeneratedRegex(@"^arn:(aws[a-z-]*):cloudtrail:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]):([0-9]{12}):trail/([A-Za-z0-9][A-Za-z0-9._-]{2,127})$")]
    private static partial Regex TrailArnPattern();

    private const string AuditTrailShape =
        $"a JSON object {{\"{DataEventsProperty}\": \"{PlatformValue}\"|\"{OrganizationValue}\", \"{ManagementEventsProperty}\": " +
        $"\"{PlatformValue}\"|\"{OrganizationValue}\", \"{OrganizationTrailProperty}\": \"<trail ARN>\"}} (in cdk.json, or its JSON " +
        $"text on one line with -c), or \"{PlatformValue}\" (the platform's trail records everything)";

    /// <summary>
    /// auditTrail: which trail records what. Staging and prod have the platform's trail by default, recording everything;
    /// the key says when an organization trail (named by ARN) already records the management events, the data events,
    /// or both, so that the platform's trail records only what its alarms watch and the account is not billed twice for
    /// the rest (AuditTrailSettings). In a dev-like environment the key turns the trail on (disposable: no Object Lock).
    /// Contradictions are errors: "organization" without naming the trail; an organization trail named while the platform
    /// still records every management event (organization trails record their member accounts' management events, so
    /// each would be billed twice); a value naming the platform's own trail as the organization's.
    /// </summary>
    private static EnvironmentSettings ApplyAuditTrail(
        IReadOnlyDictionary<string, JsonElement> context, EnvironmentSettings settings, List<string> problems)
    {
        if (!context.TryGetValue(AuditTrailKey, out var value))
        {
            return settings;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!.Trim();
            if (text == PlatformValue)
            {
                return settings with { AuditTrail = AuditTrailSettings.PlatformRecordsAll(LogLockOf(settings)) };
            }

            if (!text.StartsWith('{'))
            {
                problems.Add($"{AuditTrailKey} '{text}' is invalid: use {AuditTrailShape}");
                return settings;
            }

            try
            {
                using var parsed = JsonDocument.Parse(text);
                value = parsed.RootElement.Clone();
            }
            catch (JsonException error)
            {
                problems.Add(
                    $"{AuditTrailKey} is not valid JSON ({error.Message}): give the object on one line (the CDK CLI keeps only the " +
                    "first line of a -c value)");
                return settings;
            }
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{AuditTrailKey} must be {AuditTrailShape}, got {Describe(value)}");
            return settings;
        }

        var before = problems.Count;
        foreach (var property in value.EnumerateObject().Where(p => !AuditTrailProperties.Contains(p.Name)))
        {
            problems.Add(
                $"{AuditTrailKey} has an unknown property '{property.Name}': allowed are {string.Join(", ", AuditTrailProperties)}");
        }

        var organizationTrail = ReadTrailArn(value, settings, problems);
        // Defaults: the platform records its own data events; an organization trail, when one is named, records the
        // account's management events (that is what an organization trail is for).
        var data = ReadRecorder(value, DataEventsProperty, AuditEventRecorder.Platform, problems);
        var management = ReadRecorder(value, ManagementEventsProperty,
            organizationTrail is null ? AuditEventRecorder.Platform : AuditEventRecorder.Organization, problems);
        if (problems.Count > before)
        {
            return settings;
        }

        foreach (var (property, recorder) in new[] { (DataEventsProperty, data), (ManagementEventsProperty, management) })
        {
            if (recorder == AuditEventRecorder.Organization && organizationTrail is null)
            {
                problems.Add(
                    $"{AuditTrailKey}.{property} is \"{OrganizationValue}\" but no {OrganizationTrailProperty} is named: give the ARN " +
                    "of the organization trail that records them (arn:aws:cloudtrail:<region>:<management account>:trail/<name>), " +
                    $"or set {property} to \"{PlatformValue}\"");
            }
        }

        if (organizationTrail is not null && management == AuditEventRecorder.Platform)
        {
            problems.Add(
                $"{AuditTrailKey}.{ManagementEventsProperty} is \"{PlatformValue}\" while {OrganizationTrailProperty} " +
                $"{organizationTrail} is named: an organization trail records its member accounts' management events, so the " +
                $"platform's trail recording them all again would bill every event twice. Set {ManagementEventsProperty} to " +
                $"\"{OrganizationValue}\" (the default with an organization trail: the platform's trail then records only the " +
                $"management writes its alarms watch), or remove {OrganizationTrailProperty} if the account has no such trail");
        }

        if (problems.Count > before)
        {
            return settings;
        }

        return settings with
        {
            AuditTrail = new AuditTrailSettings
            {
                DataEvents = data!.Value,
                ManagementEvents = management!.Value,
                OrganizationTrailArn = organizationTrail,
                LogLock = LogLockOf(settings),
            },
        };
    }

    /// <summary>The preset's lock: staging and prod keep theirs; a dev-like environment's trail has none (disposable).</summary>
    private static RecordsRetention? LogLockOf(EnvironmentSettings settings) =>
        settings.Kind.IsDisposable() ? null : settings.AuditTrail?.LogLock;

    private static AuditEventRecorder? ReadRecorder(JsonElement value, string property, AuditEventRecorder fallback, List<string> problems)
    {
        if (!value.TryGetProperty(property, out var recorder))
        {
            return fallback;
        }

        switch (recorder.ValueKind == JsonValueKind.String ? recorder.GetString() : null)
        {
            case PlatformValue:
                return AuditEventRecorder.Platform;
            case OrganizationValue:
                return AuditEventRecorder.Organization;
            default:
                problems.Add(
                    $"{AuditTrailKey}.{property} {recorder.GetRawText()} is invalid: use \"{PlatformValue}\" (the platform's trail " +
                    $"records them) or \"{OrganizationValue}\" (the trail named in {OrganizationTrailProperty} already does)");
                return null;
        }
    }

    private static string? ReadTrailArn(JsonElement value, EnvironmentSettings settings, List<string> problems)
    {
        if (!value.TryGetProperty(OrganizationTrailProperty, out var arnValue))
        {
            return null;
        }

        if (arnValue.ValueKind != JsonValueKind.String || TrailArnPattern().Match(arnValue.GetString()!) is not { Success: true } match)
        {
            problems.Add(
                $"{AuditTrailKey}.{OrganizationTrailProperty} {arnValue.GetRawText()} is invalid: expected a trail's ARN, " +
                "arn:aws:cloudtrail:<region>:<account>:trail/<name>");
            return null;
        }

        var arn = arnValue.GetString()!;
        if (match.Groups[1].Value != PartitionOf(settings.Region))
        {
            problems.Add(
                $"{AuditTrailKey}.{OrganizationTrailProperty} {arn} is in partition {match.Groups[1].Value}, the environment in " +
                $"{PartitionOf(settings.Region)}: a trail records only the accounts of its own partition");
            return null;
        }

        if (match.Groups[3].Value == settings.Account && match.Groups[4].Value == settings.Names.AuditTrail)
        {
            problems.Add(
                $"{AuditTrailKey}.{OrganizationTrailProperty} {arn} is this environment's own trail ({settings.Names.AuditTrail}): " +
                "name the organization's trail, or leave the key out for the platform's trail to record everything");
            return null;
        }

        return arn;
    }
}
