using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Config;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>
/// The Data layer names the Recovery layer's vault, replica and replica key by derived names (another region: no
/// CloudFormation reference can cross it without CDK's SSM-based CrossRegionReferences, see RecoveryStack). What Data
/// names must be exactly what Recovery creates, in the Recovery stack's own account and region.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class RecoveryWiringTests(SynthesizedApps apps)
{
    public static TheoryData<string> WithRecovery() => new("staging", "prod", "prod-new", "staging-with-overrides");

    [Theory]
    [MemberData(nameof(WithRecovery))]
    public void Data_names_exactly_the_vault_replica_and_key_that_Recovery_creates(string variant)
    {
        var env = apps.For(variant);
        var recovery = env.JsonOf(env.Stacks.Recovery.ShouldNotBeNull());
        var data = env.JsonOf(env.Stacks.Data);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(env.Directory, "manifest.json")))!["artifacts"]!;
        var where = ((string)manifest[env.Stacks.Recovery!.StackName]!["environment"]!).Split('/'); // aws://account/region
        var (account, region) = (where[2], where[3]);

        var vault = (string)recovery.ResourcesOfType("AWS::Backup::BackupVault").Single().Resource.Properties()["BackupVaultName"]!;
        var copies = data.ResourcesOfType("AWS::Backup::BackupPlan").Single().Resource.Properties()["BackupPlan"]!["BackupPlanRule"]!.AsArray()
            .SelectMany(r => r!["CopyActions"]!.AsArray()).Select(c => (string)c!["DestinationBackupVaultArn"]!).Distinct().ToList();
        copies.ShouldBe([$"arn:aws:backup:{region}:{account}:backup-vault:{vault}"]);

        var replica = recovery.ResourcesOfType("AWS::S3::Bucket")
            .Single(b => (string?)b.Resource["Metadata"]?["tradingplatform:lockedBucket"]?["name"] == LockedBuckets.RecordsReplica);
        var rule = data["Resources"]!["IngestionBucket917A3A3A"]!["Properties"]!["ReplicationConfiguration"]!["Rules"]!.AsArray()
            .Single(r => (string?)r!["Id"] == "TradesToRecoveryReplica")!;
        ((string)rule["Destination"]!["Bucket"]!).ShouldBe($"arn:aws:s3:::{(string)replica.Resource.Properties()["BucketName"]!}");

        var keyId = (string)replica.Resource.Properties()["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!
            ["ServerSideEncryptionByDefault"]!["KMSMasterKeyID"]!["Fn::GetAtt"]![0]!;
        var alias = recovery.ResourcesOfType("AWS::KMS::Alias").Single(a => Rules.Recovery.LogicalIdOf(a.Resource.Properties()["TargetKeyId"]) == keyId);
        ((string)rule["Destination"]!["EncryptionConfiguration"]!["ReplicaKmsKeyID"]!)
            .ShouldBe($"arn:aws:kms:{region}:{account}:{(string)alias.Resource.Properties()["AliasName"]!}",
                "replicas must be encrypted with the replica bucket's own key, in the recovery region");
    }

    [Theory]
    [MemberData(nameof(WithRecovery))]
    public void The_recovery_alert_topic_has_the_same_subscriptions_as_the_primary(string variant)
    {
        var env = apps.For(variant);
        string[] Emails(JsonObject template) => template.ResourcesOfType("AWS::SNS::Subscription")
            .Select(s => (string)s.Resource.Properties()["Endpoint"]!).Order().ToArray();
        Emails(env.JsonOf(env.Stacks.Recovery!)).ShouldBe(Emails(env.JsonOf(env.Stacks.Security)),
            "alarms can only notify a topic in their own region: the recovery region's topic must reach the same people");
    }

    [Theory]
    [MemberData(nameof(WithRecovery))]
    public void Replication_exemptions_do_not_deny_the_cross_region_copies_the_environment_makes(string variant)
    {
        // An exemption is audit evidence (docs/compliance.md): where the records and backups are copied to a recovery
        // region, no bucket may excuse itself by saying the platform keeps no cross-region copy, and the archival bucket
        // (which holds the records) must say where their cross-region copy comes from.
        var env = apps.For(variant);
        var exemptions = env.Json.Values.SelectMany(t => t.ResourcesOfType("AWS::S3::Bucket"))
            .SelectMany(b => (b.Resource["Metadata"]?["cdk_nag"]?["rules_to_suppress"]?.AsArray() ?? [])
                .Where(r => (string?)r!["id"] == "PCI.DSS.321-S3BucketReplicationEnabled")
                .Select(r => (b.LogicalId, Reason: (string)r!["reason"]!)))
            .ToList();
        exemptions.ShouldNotBeEmpty();
        exemptions.Where(e => e.Reason.Contains("has not taken", StringComparison.Ordinal)).ShouldBeEmpty(
            "the platform has decided cross-region copies here: the recovery region keeps the records and the backups");
        exemptions.Single(e => e.LogicalId == "ArchivalBucket8D93ED02").Reason.ShouldContain("recovery region",
            customMessage: "the archival bucket's records are replicated to the recovery region from the ingestion bucket");
    }

    [Fact]
    public void Prod_locks_the_recovery_vault_in_compliance_mode_like_the_primary()
    {
        var env = apps.Prod;
        var primary = env.JsonOf(env.Stacks.Data).ResourcesOfType("AWS::Backup::BackupVault").Single().Resource.Properties()["LockConfiguration"];
        var recovery = env.JsonOf(env.Stacks.Recovery!).ResourcesOfType("AWS::Backup::BackupVault").Single().Resource.Properties()["LockConfiguration"];
        primary.ShouldNotBeNull();
        recovery!.ToJsonString().ShouldBe(primary!.ToJsonString(), "the copies keep the primary rules' retention under the same lock");
    }
}
