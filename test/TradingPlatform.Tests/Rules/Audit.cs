using System.Text.Json.Nodes;
using TradingPlatform.Config;

namespace TradingPlatform.Tests.Rules;

/// <summary>
/// The audit trail's rules (issue 27, PCI DSS v4.0.1 requirement 10), stated on the templates: which resources hold
/// records, what a trail's selectors record, which events each audit alarm needs. Nothing here reads a preset: a bad
/// preset, a dropped selector or a shortened lock fails them.
/// </summary>
public static class Audit
{
    /// <summary>
    /// The alarms the issue asks for, by the event each must see (a probe): the promise, written here rather than read
    /// from the app, so that an alarm the app stops creating fails the rule.
    /// </summary>
    public static readonly IReadOnlyList<string> RequiredAlarms =
    [
        "audit-records-access-denied", "audit-keys-access-denied", "audit-locked-records-delete-attempt",
        "audit-key-disabled-or-scheduled-deletion", "audit-bucket-controls-changed", "audit-platform-role-changed",
        "audit-trail-changed", "audit-config-recorder-stopped", "audit-registry-read-by-other-principal",
    ];

    private const int MinimumLockDays = 365;
    private const int MinimumLogGroupDays = 90;
    private const string AlertTopic = "AlertTopic2720D535";

    /// <summary>A CloudTrail event, as far as advanced event selectors look at it.</summary>
    public sealed record Probe(string What, IReadOnlyDictionary<string, string> Fields);

    // ---- What the platform holds --------------------------------------------------------------------------------

    /// <summary>
    /// The buckets that hold trade data: every bucket of the Data and Recovery layers that is neither a server access log
    /// destination nor a trail's delivery bucket (ingestion, analytics, archival, the records replica).
    /// </summary>
    public static IEnumerable<(Layer Layer, string LogicalId, JsonObject Resource)> RecordBuckets(PlatformView v)
    {
        var buckets = v.Resources("AWS::S3::Bucket").ToList();
        var trailBuckets = v.Resources("AWS::CloudTrail::Trail")
            .Select(t => (t.Layer, (string?)t.Resource.Properties()["S3BucketName"]?["Ref"])).ToHashSet();
        return buckets.Where(b => b.Layer is Layer.Data or Layer.Recovery
            && !trailBuckets.Contains((b.Layer, b.LogicalId))
            && !buckets.Any(other => other.Layer == b.Layer && v.RefersTo(other.Resource.Properties()["LoggingConfiguration"]?["DestinationBucketName"], b.LogicalId)));
    }

    /// <summary>The locked records: the buckets that trades/ replicates into (archival, and the replica in staging and prod).</summary>
    public static IEnumerable<(Layer Layer, string LogicalId, JsonObject Resource)> LockedRecordBuckets(PlatformView v)
    {
        var destinations = v.Resources("AWS::S3::Bucket")
            .SelectMany(b => b.Resource.Properties()["ReplicationConfiguration"]?["Rules"]?.AsArray() ?? [])
            .Select(rule => rule!["Destination"]?["Bucket"])
            .ToList();
        return RecordBuckets(v).Where(b => destinations.Any(d => v.RefersTo(d, b.LogicalId)
            || (d is JsonValue && (string?)d == $"arn:aws:s3:::{(string?)b.Resource.Properties()["BucketName"]}")));
    }

    /// <summary>The client registry: the api-keys table.</summary>
    public static IEnumerable<(Layer Layer, string LogicalId, JsonObject Resource)> Registry(PlatformView v) =>
        v.Resources("AWS::DynamoDB::Table").Where(t => ((string?)t.Resource.Properties()["TableName"] ?? "").StartsWith("api-keys-", StringComparison.Ordinal));

    /// <summary>
    /// A resource's ARN in a form both sides of a comparison share: a bucket by its literal name (the replica) or its
    /// layer and logical id, a table by its name.
    /// </summary>
    private static string CanonicalArn(Layer layer, string logicalId, JsonObject resource) => (string?)resource["Type"] switch
    {
        "AWS::S3::Bucket" => resource.Properties()["BucketName"] is JsonValue name ? $"s3:{(string)name!}" : $"s3:{layer}/{logicalId}",
        "AWS::DynamoDB::Table" => $"dynamodb:table/{(string?)resource.Properties()["TableName"]}",
        _ => $"{resource["Type"]}:{layer}/{logicalId}",
    };

    /// <summary>A selector's value in the same form; "?" + the value when it names nothing the rule can identify.</summary>
    private static string Canonical(PlatformView v, Layer layer, JsonNode? value)
    {
        switch (value)
        {
            case JsonValue literal when (string?)literal is { } text:
                if (text.StartsWith("arn:aws:s3:::", StringComparison.Ordinal))
                {
                    return "s3:" + text["arn:aws:s3:::".Length..];
                }

                var table = text.IndexOf(":table/", StringComparison.Ordinal);
                return text.StartsWith("arn:aws:dynamodb:", StringComparison.Ordinal) && table > 0 ? "dynamodb" + text[table..] : "?" + text;
            case JsonObject o when o["Fn::GetAtt"] is JsonArray getAtt && (string?)getAtt[1] == "Arn"
                                   && v.Resource(layer, (string)getAtt[0]!) is { } resource:
                return CanonicalArn(layer, (string)getAtt[0]!, resource);
            case JsonObject o when o["Fn::Join"] is JsonArray join && (string?)join[0] == "":
                // An ARN and what follows it ("/" for a bucket's objects): only the ARN is resolved.
                return string.Concat(join[1]!.AsArray().Select(part =>
                    part is JsonValue text && !((string?)text ?? "").StartsWith("arn:", StringComparison.Ordinal) ? (string?)text : Canonical(v, layer, part)));
            default:
                return "?" + value?.ToJsonString();
        }
    }

    // ---- What a trail records -----------------------------------------------------------------------------------

    /// <summary>Whether one of the trail's advanced event selectors records the event (all of a selector's conditions hold).</summary>
    public static bool Records(PlatformView v, Layer layer, JsonObject trail, Probe probe) =>
        (trail.Properties()["AdvancedEventSelectors"]?.AsArray() ?? []).Any(selector =>
            selector!["FieldSelectors"]!.AsArray().All(condition => Holds(v, layer, condition!.AsObject(), probe)));

    private static bool Holds(PlatformView v, Layer layer, JsonObject condition, Probe probe)
    {
        var field = (string)condition["Field"]!;
        var actual = probe.Fields.GetValueOrDefault(field) ?? "";
        string[] Values(string op) => (condition[op]?.AsArray() ?? [])
            .Select(value => field == "resources.ARN" ? Canonical(v, layer, value) : (string?)value ?? "?").ToArray();

        return (condition["Equals"] is null || Values("Equals").Contains(actual))
               && (condition["StartsWith"] is null || Values("StartsWith").Any(p => actual.StartsWith(p, StringComparison.Ordinal)))
               && (condition["EndsWith"] is null || Values("EndsWith").Any(p => actual.EndsWith(p, StringComparison.Ordinal)))
               && !Values("NotEquals").Contains(actual)
               && !Values("NotStartsWith").Any(p => actual.StartsWith(p, StringComparison.Ordinal))
               && !Values("NotEndsWith").Any(p => actual.EndsWith(p, StringComparison.Ordinal));
    }

    private static Probe DataEvent(string what, string type, string arn, string eventName, bool readOnly, string principal) => new(what,
        new Dictionary<string, string>
        {
            ["eventCategory"] = "Data", ["resources.type"] = type, ["resources.ARN"] = arn, ["eventName"] = eventName,
            ["readOnly"] = readOnly ? "true" : "false", ["userIdentity.arn"] = principal,
        });

    private static Probe ManagementWrite(string what, string eventSource, string eventName) => new(what,
        new Dictionary<string, string>
        {
            ["eventCategory"] = "Management", ["eventSource"] = eventSource, ["eventName"] = eventName, ["readOnly"] = "false",
            ["userIdentity.arn"] = "arn:aws:sts::123456789012:assumed-role/Administrator/alice",
        });

    /// <summary>
    /// The events each required alarm must see. Principals: a person, and the ingestion function itself (Lambda names
    /// the role session after the function), whose deletes must be seen as much as anyone's.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<Probe>> ProbesFor(PlatformView v)
    {
        const string person = "arn:aws:sts::123456789012:assumed-role/Administrator/alice";
        var function = $"arn:aws:sts::123456789012:assumed-role/TradingPlatform-{v.Suffix}-Api-DataProcessingFunction/data-processor-{v.Suffix}";
        var records = RecordBuckets(v).Select(b => CanonicalArn(b.Layer, b.LogicalId, b.Resource)).ToList();
        var locked = LockedRecordBuckets(v).Select(b => CanonicalArn(b.Layer, b.LogicalId, b.Resource)).ToList();
        var registry = Registry(v).Select(t => CanonicalArn(t.Layer, t.LogicalId, t.Resource)).ToList();

        return new Dictionary<string, IReadOnlyList<Probe>>
        {
            ["audit-records-access-denied"] =
                records.Select(b => DataEvent($"a denied GetObject on {b}", "AWS::S3::Object", $"{b}/trades/x.ndjson", "GetObject", true, person))
                    .Concat(records.Select(b => DataEvent($"a denied PutObject on {b}", "AWS::S3::Object", $"{b}/trades/x.ndjson", "PutObject", false, person)))
                    .Concat(registry.Select(t => DataEvent($"a denied GetItem on {t}", "AWS::DynamoDB::Table", t, "GetItem", true, person))).ToList(),
            ["audit-keys-access-denied"] = [ManagementWrite("a denied kms:CreateGrant", "kms.amazonaws.com", "CreateGrant")],
            ["audit-locked-records-delete-attempt"] = locked.SelectMany(b => new[] { "DeleteObject", "PutObjectRetention", "PutObjectLegalHold" }
                .SelectMany(call => new[] { person, function }.Select(who =>
                    DataEvent($"{call} on {b} by {who}", "AWS::S3::Object", $"{b}/trades/x.ndjson", call, false, who)))).ToList(),
            ["audit-key-disabled-or-scheduled-deletion"] = [ManagementWrite("kms:ScheduleKeyDeletion", "kms.amazonaws.com", "ScheduleKeyDeletion")],
            ["audit-bucket-controls-changed"] = [ManagementWrite("s3:PutBucketPolicy", "s3.amazonaws.com", "PutBucketPolicy")],
            ["audit-platform-role-changed"] = [ManagementWrite("iam:PutRolePolicy", "iam.amazonaws.com", "PutRolePolicy")],
            ["audit-trail-changed"] = [ManagementWrite("cloudtrail:StopLogging", "cloudtrail.amazonaws.com", "StopLogging")],
            ["audit-config-recorder-stopped"] = [ManagementWrite("config:StopConfigurationRecorder", "config.amazonaws.com", "StopConfigurationRecorder")],
            ["audit-registry-read-by-other-principal"] = registry.SelectMany(t => new[] { "GetItem", "Scan", "Query" }
                .Select(call => DataEvent($"{call} on {t} by a person", "AWS::DynamoDB::Table", t, call, true, person))).ToList(),
        };
    }

    /// <summary>The alarm names in the first column of docs/runbook.md's table (a row may name several).</summary>
    public static readonly Lazy<IReadOnlySet<string>> RunbookRows = new(() =>
        File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "docs", "runbook.md")).Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(line => System.Text.RegularExpressions.Regex.Matches(line.Split('|')[1], "`([^`]+)`").Select(m => m.Groups[1].Value))
            .ToHashSet());

    // ---- The rules ----------------------------------------------------------------------------------------------

    /// <summary>Staging and prod: a trail records the data events of every record bucket and of the registry.</summary>
    public static IEnumerable<string> RecordsAreRecorded(PlatformView v)
    {
        var trails = v.Resources("AWS::CloudTrail::Trail").ToList();
        if (trails.Count == 0)
        {
            yield return "no CloudTrail trail: nothing records who reads, writes or deletes the records and the registry";
            yield break;
        }

        foreach (var (layer, id, resource) in RecordBuckets(v))
        {
            var arn = CanonicalArn(layer, id, resource);
            foreach (var (call, readOnly) in new[] { ("GetObject", true), ("PutObject", false) })
            {
                var probe = DataEvent(call, "AWS::S3::Object", $"{arn}/trades/x.ndjson", call, readOnly, "arn:aws:sts::123456789012:assumed-role/Administrator/alice");
                if (!trails.Any(t => Records(v, t.Layer, t.Resource, probe)))
                {
                    yield return $"{v.StackName(layer)}/{id}: no trail's data-event selector records {call} on its objects";
                }
            }
        }

        var registry = Registry(v).ToList();
        if (registry.Count == 0)
        {
            yield return "no client registry (api-keys table) found";
        }

        foreach (var (layer, id, resource) in registry)
        {
            var arn = CanonicalArn(layer, id, resource);
            foreach (var (call, readOnly) in new[] { ("GetItem", true), ("PutItem", false) })
            {
                var probe = DataEvent(call, "AWS::DynamoDB::Table", arn, call, readOnly, "arn:aws:sts::123456789012:assumed-role/Administrator/alice");
                if (!trails.Any(t => Records(v, t.Layer, t.Resource, probe)))
                {
                    yield return $"{v.StackName(layer)}/{id}: no trail's data-event selector records {call} on the registry";
                }
            }
        }
    }

    /// <summary>Every data-event selector names only record buckets' objects and the registry, by ARN.</summary>
    public static IEnumerable<string> SelectorsStayInsideThePlatform(PlatformView v)
    {
        var allowed = RecordBuckets(v).Select(b => CanonicalArn(b.Layer, b.LogicalId, b.Resource) + "/")
            .Concat(Registry(v).Select(t => CanonicalArn(t.Layer, t.LogicalId, t.Resource))).ToHashSet();
        foreach (var (layer, id, trail) in v.Resources("AWS::CloudTrail::Trail"))
        {
            foreach (var selector in trail.Properties()["AdvancedEventSelectors"]?.AsArray() ?? [])
            {
                var conditions = selector!["FieldSelectors"]!.AsArray().Select(c => c!.AsObject()).ToList();
                var name = (string?)selector["Name"] ?? "(unnamed)";
                if (!conditions.Any(c => (string?)c["Field"] == "eventCategory" && (c["Equals"]?.AsArray() ?? []).Any(e => (string?)e == "Data")))
                {
                    continue;
                }

                var arns = conditions.Where(c => (string?)c["Field"] == "resources.ARN").ToList();
                var positive = arns.SelectMany(c => (c["Equals"]?.AsArray() ?? []).Concat(c["StartsWith"]?.AsArray() ?? [])).ToList();
                if (positive.Count == 0)
                {
                    yield return $"{v.StackName(layer)}/{id} selector '{name}': no resources.ARN Equals or StartsWith, so it records (and bills) " +
                                 "every resource of its type in the account";
                    continue;
                }

                foreach (var value in positive.Select(p => Canonical(v, layer, p)).Where(p => !allowed.Contains(p)))
                {
                    yield return $"{v.StackName(layer)}/{id} selector '{name}': resources.ARN '{value}' is not a record bucket's objects " +
                                 "(<bucket ARN>/) nor the registry table";
                }

                foreach (var other in arns.SelectMany(c => c.Where(kv => kv.Key is "EndsWith" or "NotEquals" or "NotStartsWith" or "NotEndsWith")))
                {
                    yield return $"{v.StackName(layer)}/{id} selector '{name}': resources.ARN {other.Key} widens or blurs what it names; name the resources";
                }
            }
        }
    }

    /// <summary>Staging and prod: every trail is on, validated, encrypted, multi-region, locked for a year, with its log group.</summary>
    public static IEnumerable<string> TrailIsTamperEvident(PlatformView v)
    {
        foreach (var (layer, id, trail) in v.Resources("AWS::CloudTrail::Trail"))
        {
            var where = $"{v.StackName(layer)}/{id}";
            var p = trail.Properties();
            if (!PlatformRules.IsTrue(p["IsLogging"]))
            {
                yield return $"{where}: IsLogging is not true";
            }

            if (!PlatformRules.IsTrue(p["EnableLogFileValidation"]))
            {
                yield return $"{where}: log file integrity validation is off (PCI DSS 10.3.4: changes to logs must be detectable)";
            }

            if ((string?)p["KMSKeyId"]?["Fn::GetAtt"]?[0] is not { } keyId || (string?)v.Resource(layer, keyId)?["Type"] != "AWS::KMS::Key")
            {
                yield return $"{where}: log files are not encrypted with a KMS key of its stack ({p["KMSKeyId"]?.ToJsonString() ?? "none"})";
            }

            if (!PlatformRules.IsTrue(p["IsMultiRegionTrail"]) || !PlatformRules.IsTrue(p["IncludeGlobalServiceEvents"]))
            {
                yield return $"{where}: not multi-region with global service events: the records replica (recovery region) and IAM (global) " +
                             "would go unrecorded";
            }

            if ((string?)p["S3BucketName"]?["Ref"] is not { } bucketId || v.Resource(layer, bucketId) is not { } bucket)
            {
                yield return $"{where}: delivers to {p["S3BucketName"]?.ToJsonString()}, not a bucket of its stack whose lock the rule can see";
            }
            else
            {
                var bp = bucket.Properties();
                var retention = bp["ObjectLockConfiguration"]?["Rule"]?["DefaultRetention"];
                var days = (int?)retention?["Years"] is { } years ? years * 365 : (int?)retention?["Days"] ?? 0;
                if (!PlatformRules.HasObjectLock(bucket) || days < MinimumLockDays)
                {
                    yield return $"{v.StackName(layer)}/{bucketId}: the trail's bucket has {(PlatformRules.HasObjectLock(bucket) ? $"a default retention of {days} days" : "no Object Lock")}; " +
                                 $"at least {MinimumLockDays} days are required (PCI DSS 10.5.1)";
                }
                else if (v.Kind == EnvironmentKind.Prod && (string?)retention?["Mode"] != "COMPLIANCE")
                {
                    yield return $"{v.StackName(layer)}/{bucketId}: the trail's bucket is locked in {(string?)retention?["Mode"]} mode in prod, expected COMPLIANCE";
                }

                if ((string?)bp["VersioningConfiguration"]?["Status"] != "Enabled")
                {
                    yield return $"{v.StackName(layer)}/{bucketId}: the trail's bucket is not versioned";
                }

                if (bp["LoggingConfiguration"]?["DestinationBucketName"] is null)
                {
                    yield return $"{v.StackName(layer)}/{bucketId}: the trail's bucket is not access-logged";
                }
            }

            if ((string?)p["CloudWatchLogsLogGroupArn"]?["Fn::GetAtt"]?[0] is not { } groupId || v.Resource(layer, groupId) is not { } group)
            {
                yield return $"{where}: no log group of its stack receives it (the alarms and queries need one)";
            }
            else
            {
                var minimum = v.Kind == EnvironmentKind.Prod ? 365 : MinimumLogGroupDays;
                if ((int?)group.Properties()["RetentionInDays"] is not { } retentionDays || retentionDays < minimum)
                {
                    yield return $"{v.StackName(layer)}/{groupId}: the trail's log group keeps events {group.Properties()["RetentionInDays"]?.ToJsonString() ?? "for ever (unset)"} " +
                                 $"days; at least {minimum} required in {v.Kind} (PCI DSS 10.5.1: three months immediately available)";
                }
            }
        }
    }

    /// <summary>
    /// Wherever a trail exists: every required alarm exists, notifies the alert topic, has a runbook row, and counts a
    /// metric filter on the log group of a trail that records the events it needs.
    /// </summary>
    public static IEnumerable<string> AlarmsWatchWhatTheTrailRecords(PlatformView v, IReadOnlySet<string> runbookRows)
    {
        var trails = v.Resources("AWS::CloudTrail::Trail").ToList();
        if (trails.Count == 0)
        {
            yield break;
        }

        var probes = ProbesFor(v);
        var alarms = v.Resources("AWS::CloudWatch::Alarm").ToList();
        var filters = v.Resources("AWS::Logs::MetricFilter").ToList();
        foreach (var name in RequiredAlarms)
        {
            var alarmName = $"trading-{v.Suffix}-{name}";
            var found = alarms.Where(a => (string?)a.Resource.Properties()["AlarmName"] == alarmName).ToList();
            if (found.Count != 1)
            {
                yield return $"{alarmName}: {found.Count} alarms so named, expected one";
                continue;
            }

            var (layer, id, alarm) = found[0];
            var where = $"{v.StackName(layer)}/{id} ({name})";
            var actions = alarm.Properties()["AlarmActions"]?.AsArray() ?? [];
            if (!actions.Any(a => v.RefersTo(a, AlertTopic)))
            {
                yield return $"{where}: no alarm action notifies the alert topic: it would fire unheard";
            }

            if (!runbookRows.Contains(name))
            {
                yield return $"{where}: no row in docs/runbook.md: whoever is paged has nothing to follow";
            }

            var (ns, metric) = ((string?)alarm.Properties()["Namespace"], (string?)alarm.Properties()["MetricName"]);
            var feeding = filters.Where(f => f.Layer == layer && f.Resource.Properties()["MetricTransformations"]!.AsArray()
                .Any(m => (string?)m!["MetricNamespace"] == ns && (string?)m["MetricName"] == metric)).ToList();
            var fedTrails = trails.Where(t => t.Layer == layer && feeding.Any(f =>
                (string?)t.Resource.Properties()["CloudWatchLogsLogGroupArn"]?["Fn::GetAtt"]?[0] is { } group
                && v.RefersTo(f.Resource.Properties()["LogGroupName"], group))).ToList();
            if (fedTrails.Count == 0)
            {
                yield return $"{where}: its metric {ns}/{metric} comes from no metric filter on a trail's log group";
                continue;
            }

            foreach (var probe in probes[name].Where(probe => !fedTrails.Any(t => Records(v, t.Layer, t.Resource, probe))))
            {
                yield return $"{where}: the trail whose log group it watches does not record {probe.What}";
            }

            if (probes[name].Count == 0)
            {
                yield return $"{where}: the platform has nothing this alarm could watch (no record bucket or registry found)";
            }
        }
    }
}
