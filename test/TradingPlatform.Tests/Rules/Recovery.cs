using System.Text.Json.Nodes;
using TradingPlatform.Config;

namespace TradingPlatform.Tests.Rules;

/// <summary>
/// The recovery rules' checks (issue 18). The Data layer names the Recovery layer's vault, replica and key by ARNs built
/// from derived names (see RecoveryStack): each check resolves those ARNs against what the Recovery template creates, so
/// a name that drifts on either side is a violation, not a silent copy to nowhere.
/// </summary>
public static class Recovery
{
    public static IEnumerable<string> BackupCopies(PlatformView v)
    {
        if (!v.Templates.ContainsKey(Layer.Recovery))
        {
            yield return $"{v.StackName(Layer.Recovery)} is missing: {v.Kind} keeps copies in a recovery region";
            yield break;
        }

        var vaults = v.Templates[Layer.Recovery].ResourcesOfType("AWS::Backup::BackupVault")
            .Select(r => (string?)r.Resource.Properties()["BackupVaultName"]).ToHashSet();
        var plans = v.Resources("AWS::Backup::BackupPlan").ToList();
        if (plans.Count == 0)
        {
            yield return "no backup plan";
        }

        foreach (var (layer, id, plan) in plans)
        {
            foreach (var rule in plan.Properties()["BackupPlan"]?["BackupPlanRule"]?.AsArray() ?? [])
            {
                var where = $"{v.StackName(layer)}/{id} rule {(string?)rule!["RuleName"]}";
                var copies = rule["CopyActions"]?.AsArray() ?? [];
                if (copies.Count == 0)
                {
                    yield return $"{where}: no copy action, its recovery points stay in one region";
                }

                foreach (var copy in copies)
                {
                    var arn = copy!["DestinationBackupVaultArn"];
                    var parts = ((string?)arn)?.Split(':');
                    if (parts is not { Length: 7 } || parts[2] != "backup" || parts[5] != "backup-vault")
                    {
                        yield return $"{where}: copies to {arn?.ToJsonString()}, not a literal backup-vault ARN";
                        continue;
                    }

                    if (parts[3] == v.Regions.GetValueOrDefault(layer))
                    {
                        yield return $"{where}: copies to {parts[3]}, its own region";
                    }

                    if (parts[3] != v.Regions.GetValueOrDefault(Layer.Recovery) || !vaults.Contains(parts[6]))
                    {
                        yield return $"{where}: copies to vault '{parts[6]}' in {parts[3]}, which the Recovery layer " +
                                     $"({v.Regions.GetValueOrDefault(Layer.Recovery)}) does not create (it has: {string.Join(", ", vaults)})";
                    }

                    var kept = (int?)copy["Lifecycle"]?["DeleteAfterDays"];
                    var original = (int?)rule["Lifecycle"]?["DeleteAfterDays"];
                    if (kept != original)
                    {
                        yield return $"{where}: the copy is kept {kept?.ToString() ?? "for ever"} days, the original {original?.ToString() ?? "for ever"}";
                    }
                }
            }
        }
    }

    public static IEnumerable<string> RecordReplicas(PlatformView v)
    {
        if (!v.Templates.ContainsKey(Layer.Recovery))
        {
            yield return $"{v.StackName(Layer.Recovery)} is missing: {v.Kind} keeps a duplicate of the records in a recovery region";
            yield break;
        }

        var recoveryRegion = v.Regions.GetValueOrDefault(Layer.Recovery);
        var recovery = v.Templates[Layer.Recovery];
        var replicas = recovery.ResourcesOfType("AWS::S3::Bucket")
            .Where(b => b.Resource.Properties()["BucketName"] is JsonValue)
            .ToDictionary(b => (string)b.Resource.Properties()["BucketName"]!, b => b);
        var aliases = recovery.ResourcesOfType("AWS::KMS::Alias")
            .ToDictionary(a => (string)a.Resource.Properties()["AliasName"]!, a => a.Resource.Properties()["TargetKeyId"]);

        var primary = v.Resources("AWS::S3::Bucket")
            .FirstOrDefault(b => (string?)b.Resource["Metadata"]?["tradingplatform:lockedBucket"]?["name"] == LockedBuckets.Archival);
        var primaryRetention = primary.Resource?.Properties()["ObjectLockConfiguration"]?["Rule"]?["DefaultRetention"];
        if (primaryRetention is null)
        {
            yield return "the archival bucket has no Object Lock retention to compare the replica's with";
            yield break;
        }

        var rules = (
            from source in v.Resources("AWS::S3::Bucket")
            from rule in source.Resource.Properties()["ReplicationConfiguration"]?["Rules"]?.AsArray() ?? []
            where (string?)rule!["Filter"]?["Prefix"] == "trades/" && (string?)rule["Status"] == "Enabled"
            where rule["Destination"]?["Bucket"] is JsonValue
            let destination = (string?)rule["Destination"]!["Bucket"]
            where destination is not null && destination.StartsWith("arn:", StringComparison.Ordinal)
            select (source, rule, Name: destination.Split(':').Last())).ToList();
        if (rules.Count == 0)
        {
            yield return "no rule replicates trades/ out of the primary region: the records have no duplicate apart from the original";
        }

        foreach (var (source, rule, name) in rules)
        {
            var where = $"{v.StackName(source.Layer)}/{source.LogicalId} rule {(string?)rule["Id"]}";
            if (!replicas.TryGetValue(name, out var replica))
            {
                yield return $"{where}: replicates to bucket '{name}', which the Recovery layer does not create";
                continue;
            }

            var retention = replica.Resource.Properties()["ObjectLockConfiguration"]?["Rule"]?["DefaultRetention"];
            if (!PlatformRules.HasObjectLock(replica.Resource) || retention is null)
            {
                yield return $"{where}: the replica '{name}' has no Object Lock with a default retention";
            }
            else
            {
                if ((string?)retention["Mode"] != (string?)primaryRetention["Mode"])
                {
                    yield return $"{where}: the replica's Object Lock mode is {(string?)retention["Mode"]}, the archival bucket's {(string?)primaryRetention["Mode"]}";
                }

                if (MinimumDays(retention) < MinimumDays(primaryRetention))
                {
                    yield return $"{where}: the replica keeps records {Describe(retention)}, less than the archival bucket's {Describe(primaryRetention)}";
                }
            }

            var key = (string?)rule["Destination"]!["EncryptionConfiguration"]?["ReplicaKmsKeyID"];
            var keyParts = key?.Split(':');
            if (keyParts is not { Length: 6 } || keyParts[2] != "kms" || keyParts[3] != recoveryRegion)
            {
                yield return $"{where}: replicas are encrypted with {key ?? "no key"}, not a key of the recovery region {recoveryRegion}";
            }
            else if (keyParts[5].StartsWith("alias/", StringComparison.Ordinal) && !aliases.ContainsKey(keyParts[5]))
            {
                yield return $"{where}: replicas are encrypted with {keyParts[5]}, which the Recovery layer does not create";
            }
            else if (keyParts[5].StartsWith("alias/", StringComparison.Ordinal)
                     && !v.RefersTo(replica.Resource.Properties()["BucketEncryption"], LogicalIdOf(aliases[keyParts[5]])))
            {
                yield return $"{where}: the replica's replication key {keyParts[5]} is not the replica bucket's own key";
            }

            if (v.Kind == EnvironmentKind.Prod && (string?)rule["Destination"]!["ReplicationTime"]?["Status"] != "Enabled")
            {
                yield return $"{where}: prod replicates the records without Replication Time Control";
            }

            if ((string?)rule["DeleteMarkerReplication"]?["Status"] != "Disabled")
            {
                yield return $"{where}: delete markers are replicated";
            }
        }
    }

    /// <summary>
    /// Vault Lock as AWS Backup enforces it: a job whose retention lies outside the lock's bounds of the vault it lands in
    /// fails (the vault refuses it), so every rule's own lifecycle must fit its target vault's lock and every copy's
    /// lifecycle its destination vault's lock (resolved by name and region: the recovery vault is another region's);
    /// prod's vaults are locked in compliance mode (a lock with ChangeableForDays: immutable once the grace time ends).
    /// </summary>
    public static IEnumerable<string> VaultLocks(PlatformView v)
    {
        var vaults = v.Resources("AWS::Backup::BackupVault")
            .Select(r => (r.Layer, r.LogicalId, Name: (string?)r.Resource.Properties()["BackupVaultName"],
                Region: v.Regions.GetValueOrDefault(r.Layer), Lock: r.Resource.Properties()["LockConfiguration"]))
            .ToList();

        if (v.Kind == EnvironmentKind.Prod)
        {
            foreach (var vault in vaults.Where(x => x.Lock?["ChangeableForDays"] is null))
            {
                yield return $"{v.StackName(vault.Layer)}/{vault.LogicalId} ('{vault.Name}'): " +
                             (vault.Lock is null ? "no Vault Lock" : "Vault Lock in governance mode (no ChangeableForDays)") +
                             ": prod's recovery points must be undeletable by anyone, root included";
            }
        }

        foreach (var (layer, id, plan) in v.Resources("AWS::Backup::BackupPlan"))
        {
            foreach (var rule in plan.Properties()["BackupPlan"]?["BackupPlanRule"]?.AsArray() ?? [])
            {
                var where = $"{v.StackName(layer)}/{id} rule {(string?)rule!["RuleName"]}";
                var target = vaults.FirstOrDefault(x => x.Layer == layer && v.RefersTo(rule["TargetBackupVault"], x.LogicalId));
                foreach (var problem in OutsideLock(target.Lock, (int?)rule["Lifecycle"]?["DeleteAfterDays"]))
                {
                    yield return $"{where}: its recovery points are kept {problem} of '{target.Name}'";
                }

                foreach (var copy in rule["CopyActions"]?.AsArray() ?? [])
                {
                    var parts = ((string?)copy!["DestinationBackupVaultArn"])?.Split(':');
                    var destination = parts is { Length: 7 }
                        ? vaults.FirstOrDefault(x => x.Region == parts[3] && x.Name == parts[6])
                        : default;
                    foreach (var problem in OutsideLock(destination.Lock, (int?)copy["Lifecycle"]?["DeleteAfterDays"]))
                    {
                        yield return $"{where}: its copies are kept {problem} of '{destination.Name}' ({destination.Region})";
                    }
                }
            }
        }
    }

    // Why a retention (null: never deleted) does not fit a vault lock's bounds (no lock: anything fits).
    private static IEnumerable<string> OutsideLock(JsonNode? vaultLock, int? days)
    {
        var (min, max) = ((int?)vaultLock?["MinRetentionDays"], (int?)vaultLock?["MaxRetentionDays"]);
        if (vaultLock is not null && min is { } floor && days is { } kept && kept < floor)
        {
            yield return $"{kept} days, below the minimum retention {floor} of the lock";
        }

        if (vaultLock is not null && max is { } ceiling && (days is null || days > ceiling))
        {
            yield return $"{days?.ToString() ?? "for ever"} days, above the maximum retention {ceiling} of the lock";
        }
    }

    public static IEnumerable<string> NoCopies(PlatformView v) =>
        (v.Templates.ContainsKey(Layer.Recovery) ? [$"{v.StackName(Layer.Recovery)} exists in a {v.Kind} environment"] : Array.Empty<string>())
        .Concat(
            from plan in v.Resources("AWS::Backup::BackupPlan")
            from rule in plan.Resource.Properties()["BackupPlan"]?["BackupPlanRule"]?.AsArray() ?? []
            where (rule!["CopyActions"]?.AsArray().Count ?? 0) > 0
            select $"{v.StackName(plan.Layer)}/{plan.LogicalId} rule {(string?)rule["RuleName"]}: copies recovery points to another vault")
        .Concat(
            from source in v.Resources("AWS::S3::Bucket")
            from rule in source.Resource.Properties()["ReplicationConfiguration"]?["Rules"]?.AsArray() ?? []
            where rule!["Destination"]?["Bucket"] is JsonValue
            select $"{v.StackName(source.Layer)}/{source.LogicalId} rule {(string?)rule["Id"]}: replicates to {(string?)rule["Destination"]!["Bucket"]}, outside the platform");

    // The key an alias targets (TargetKeyId: a Ref to the key or its Arn attribute).
    public static string LogicalIdOf(JsonNode? targetKeyId) =>
        (string?)targetKeyId?["Ref"] ?? (string?)targetKeyId?["Fn::GetAtt"]?[0] ?? "";

    private static int MinimumDays(JsonNode retention) =>
        (int?)retention["Years"] is { } years ? years * 365 : (int?)retention["Days"] ?? 0;

    private static string Describe(JsonNode retention) =>
        (int?)retention["Years"] is { } years ? $"{years} year(s)" : $"{(int?)retention["Days"]} day(s)";
}
