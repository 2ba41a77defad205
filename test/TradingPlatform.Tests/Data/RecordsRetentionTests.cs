using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Config;
using TradingPlatform.Constructs;
using Xunit;

namespace TradingPlatform.Tests.Data;

/// <summary>
/// Issue 12, WORM records (SEC 17a-4(f), FINRA 4511): trades/ is replicated from the ingestion bucket to the archival
/// bucket, which is Object-Locked by environment kind; the replication role may do exactly that and nothing more.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class RecordsRetentionTests(SynthesizedApps apps)
{
    private const string IngestionId = "IngestionBucket917A3A3A";
    private const string ArchivalId = "ArchivalBucket8D93ED02";

    public static TheoryData<string> EveryKind() => ["dev", "pr-7", "staging", "prod"];

    private static JsonObject Bucket(SynthesizedEnvironment env, string logicalId) =>
        env.DataJson()["Resources"]![logicalId]!.AsObject().Properties();

    private static JsonObject? DefaultRetention(SynthesizedEnvironment env) =>
        Bucket(env, ArchivalId)["ObjectLockConfiguration"]?["Rule"]?["DefaultRetention"]?.AsObject();

    // ---- Object Lock per environment kind ------------------------------------------------------------------

    [Fact]
    public void Prod_locks_records_in_compliance_mode_for_seven_years_by_default()
    {
        // COMPLIANCE: nobody, root included, can delete or shorten a record before its retention ends (17a-4(f)).
        // Years, not days: S3 counts calendar years from each version's creation, as the regulation does.
        var env = apps.Prod;
        ((string?)Bucket(env, ArchivalId)["ObjectLockConfiguration"]!["ObjectLockEnabled"]).ShouldBe("Enabled");
        var retention = DefaultRetention(env)!;
        ((string?)retention["Mode"]).ShouldBe("COMPLIANCE");
        ((int?)retention["Years"]).ShouldBe(7, "the issue's default when recordsRetentionYears is not given");
        retention.ContainsKey("Days").ShouldBeFalse("S3 takes either Days or Years, never both");
    }

    [Fact]
    public void Staging_rehearses_the_lock_in_governance_mode_for_a_short_period()
    {
        // Staging proves replicas arrive locked and the lifecycle waits, but its test data must become deletable:
        // GOVERNANCE (bypassable with s3:BypassGovernanceRetention) for well under a year.
        var retention = DefaultRetention(apps.For("staging"))!;
        ((string?)retention["Mode"]).ShouldBe("GOVERNANCE");
        ((int?)retention["Days"]).ShouldNotBeNull().ShouldBeInRange(1, 90);
        retention.ContainsKey("Years").ShouldBeFalse();
    }

    [Fact]
    public void Retention_from_context_changes_the_period_but_not_the_mode()
    {
        // recordsRetentionYears reaches the template; staging stays GOVERNANCE whatever the period.
        var retention = DefaultRetention(apps.StagingWithOverrides)!;
        ((string?)retention["Mode"]).ShouldBe("GOVERNANCE");
        ((int?)retention["Years"]).ShouldBe(SynthesizedApps.StagingRetentionYearsOverride);
        retention.ContainsKey("Days").ShouldBeFalse();
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    public void Dev_like_environments_lock_nothing(string suffix)
    {
        // A locked version cannot be deleted: the bucket, and so the stack, could never be destroyed.
        foreach (var (id, bucket) in apps.For(suffix).DataJson().ResourcesOfType("AWS::S3::Bucket"))
        {
            bucket.Properties().ContainsKey("ObjectLockConfiguration").ShouldBeFalse($"{suffix}/{id}");
            bucket.Properties().ContainsKey("ObjectLockEnabled").ShouldBeFalse($"{suffix}/{id}");
        }
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void No_bucket_uses_the_top_level_ObjectLockEnabled_that_replaces_it(string suffix)
    {
        // CloudFormation replaces a bucket whose top-level ObjectLockEnabled changes (the CDK L2's objectLockEnabled
        // sets it): the archival bucket, its name and the ArchivalBucket-<env> export other teams import would be
        // lost. ObjectLockConfiguration.ObjectLockEnabled updates the existing bucket in place. Buckets that did not
        // exist before Object Lock was set at creation (the audit trail's, issue 27) are created locked: the top-level
        // flag is how S3 documents a new locked bucket.
        var createdLocked = new[] { LockedBuckets.AuditTrail };
        foreach (var (id, bucket) in apps.For(suffix).DataJson().ResourcesOfType("AWS::S3::Bucket")
                     .Where(b => !createdLocked.Contains((string?)b.Resource["Metadata"]?[SecureDefaults.LockedBucketMetadata]?["name"])))
        {
            bucket.Properties().ContainsKey("ObjectLockEnabled").ShouldBeFalse($"{suffix}/{id}: top-level ObjectLockEnabled replaces the bucket");
        }
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    [InlineData("staging+recordsRetentionYears")]
    public void Archival_lifecycle_never_expires_a_version_before_its_retention_ends(string suffix)
    {
        // Expiring a locked version fails (silently, every day); nothing may try before the retention is over.
        // Current versions never expire at all: the records are kept, only tiered to Deep Archive.
        var env = suffix == "staging+recordsRetentionYears" ? apps.StagingWithOverrides : apps.For(suffix);
        var rules = Bucket(env, ArchivalId)["LifecycleConfiguration"]!["Rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        rules.ShouldAllBe(r => !r.ContainsKey("ExpirationInDays") && !r.ContainsKey("ExpirationDate"), "current records never expire");

        var retention = DefaultRetention(env);
        var lockedDays = retention is null ? 0
            : (int?)retention["Years"] is { } years ? years * 366 : (int)retention["Days"]!;
        foreach (var rule in rules.Where(r => r.ContainsKey("NoncurrentVersionExpiration")))
        {
            ((int)rule["NoncurrentVersionExpiration"]!["NoncurrentDays"]!).ShouldBeGreaterThanOrEqualTo(
                Math.Max(365, lockedDays), $"{suffix}: noncurrent versions expire before the lock ({lockedDays} days) could have ended");
        }
    }

    // ---- Replication -----------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Ingestion_bucket_replicates_trades_to_the_archival_bucket_with_kms_replicas(string suffix)
    {
        // Every kind replicates: dev and pr-N rehearse the rule, role and KMS permissions prod depends on.
        var env = apps.For(suffix);
        var configuration = Bucket(env, IngestionId)["ReplicationConfiguration"]!;
        configuration["Role"]!.ToJsonString().ShouldBe($$"""{"Fn::GetAtt":["{{ReplicationRoleId(env)}}","Arn"]}""");

        // The archival rule; staging and prod have a second, to the recovery region (RecoveryWiringTests).
        var rules = configuration["Rules"]!.AsArray();
        rules.Count.ShouldBe(env.Settings.RecoveryRegion is null ? 1 : 2);
        var rule = rules.Single(r => (string?)r!["Id"] == "TradesToArchival")!;
        ((string?)rule["Status"]).ShouldBe("Enabled");
        ((string?)rule["Filter"]!["Prefix"]).ShouldBe("trades/", "accepted batches only; idempotency records are not records");
        ((int?)rule["Priority"]).ShouldNotBeNull("the V2 schema (Filter + Priority) is what a prefix filter needs");
        ((string?)rule["DeleteMarkerReplication"]!["Status"]).ShouldBe("Disabled", "a delete in the ingestion bucket must never reach the records");
        ((string?)rule["SourceSelectionCriteria"]!["SseKmsEncryptedObjects"]!["Status"]).ShouldBe("Enabled",
            "every object is SSE-KMS: without this S3 replicates none of them");
        rule["Destination"]!["Bucket"]!.ToJsonString().ShouldBe($$"""{"Fn::GetAtt":["{{ArchivalId}}","Arn"]}""");
        rule["Destination"]!["EncryptionConfiguration"]!["ReplicaKmsKeyID"]!.ToJsonString().ShouldContain("S3EncryptionKey",
            customMessage: "replicas are encrypted with the S3 key, like every other data object");
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Only_the_ingestion_bucket_replicates(string suffix)
    {
        // Replication copies data; any other source would be an unreviewed copy (and the analytics or log buckets
        // replicating into the archive would lock what is not a record).
        apps.For(suffix).DataJson().ResourcesOfType("AWS::S3::Bucket")
            .Where(b => b.Resource.Properties().ContainsKey("ReplicationConfiguration"))
            .Select(b => b.LogicalId).ShouldBe([IngestionId]);
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void A_failed_replication_pages_because_S3_does_not_retry_it(string suffix)
    {
        // A batch that failed to replicate has no unalterable copy until someone re-replicates it (Batch Replication).
        var env = apps.For(suffix);
        var rule = Bucket(env, IngestionId)["ReplicationConfiguration"]!["Rules"]![0]!;
        ((string?)rule["Destination"]!["Metrics"]!["Status"]).ShouldBe("Enabled", "S3 publishes replication metrics only when asked");

        var alarm = env.Alarm("records-replication-failed");
        ((string?)alarm["Namespace"]).ShouldBe("AWS/S3");
        ((string?)alarm["MetricName"]).ShouldBe("OperationsFailedReplication");
        var dimensions = alarm["Dimensions"]!.AsArray().ToDictionary(d => (string)d!["Name"]!, d => d!["Value"]!.ToJsonString());
        dimensions["SourceBucket"].ShouldBe($$"""{"Ref":"{{IngestionId}}"}""");
        dimensions["DestinationBucket"].ShouldBe($$"""{"Ref":"{{ArchivalId}}"}""");
        dimensions["RuleId"].ShouldBe("\"TradesToArchival\"");
        ((double)alarm["Threshold"]!).ShouldBe(1, "one record without a copy is one too many");
        ((string?)alarm["ComparisonOperator"]).ShouldBe("GreaterThanOrEqualToThreshold");
        ((int)alarm["EvaluationPeriods"]!).ShouldBe(1);
        ((string?)alarm["TreatMissingData"]).ShouldBe("notBreaching", "the metric is only published when something fails");
    }

    // ---- The replication role ----------------------------------------------------------------------------------

    [Fact]
    public void Replication_role_is_assumable_by_s3_only()
    {
        var role = Resource(apps.Prod, ReplicationRoleId(apps.Prod)).Properties();
        var statement = role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray().ShouldHaveSingleItem()!;
        ((string?)statement["Effect"]).ShouldBe("Allow");
        ((string?)statement["Action"]).ShouldBe("sts:AssumeRole");
        statement["Principal"]!.ToJsonString().ShouldBe("""{"Service":"s3.amazonaws.com"}""");
        role.ContainsKey("Policies").ShouldBeFalse("no inline policy: its one policy is the reviewed managed policy");
        role.ContainsKey("ManagedPolicyArns").ShouldBeFalse("no AWS-managed policy: they are far broader than replication");
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Replication_role_may_read_trades_and_write_replicas_and_nothing_more(string suffix)
    {
        // Least privilege: exactly these actions on exactly these resources. No ReplicateDelete (records are never
        // deleted by replication), no wildcard actions, nothing outside trades/.
        var env = apps.For(suffix);
        var policies = env.DataJson().ResourcesOfType("AWS::IAM::ManagedPolicy")
            .Where(p => p.Resource.Properties()["Roles"]!.ToJsonString().Contains(ReplicationRoleId(env))).ToList();
        var policy = policies.ShouldHaveSingleItem().Resource.Properties();
        env.DataJson().ResourcesOfType("AWS::IAM::Policy")
            .ShouldNotContain(p => p.Resource.Properties()["Roles"]!.ToJsonString().Contains(ReplicationRoleId(env)),
                "no other policy may widen the role");

        var statements = policy["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList();
        statements.ShouldAllBe(s => (string?)s["Effect"] == "Allow");
        var expected = new List<string>
        {
            "kms:Decrypt on S3Key",
            "kms:Encrypt,kms:GenerateDataKey on S3Key",
            "s3:GetObjectVersionAcl,s3:GetObjectVersionForReplication,s3:GetObjectVersionTagging on Ingestion/trades/*",
            "s3:GetReplicationConfiguration,s3:ListBucket on Ingestion",
            "s3:ReplicateObject,s3:ReplicateTags on Archival/trades/*",
        };
        if (env.Settings.Recovery is { } recovery)
        {
            // The recovery region's replica: its trades/ and its key (by alias: the key is another region's).
            expected.Add($"s3:ReplicateObject,s3:ReplicateTags on arn:aws:s3:::{recovery.RecordsReplicaBucket}/trades/*");
            expected.Add($"kms:Encrypt,kms:GenerateDataKey on arn:aws:kms:{recovery.Region}:{env.Settings.Account}:key/*");
        }

        statements.Select(s => $"{string.Join(",", Actions(s))} on {string.Join(",", Resources(s).Select(Describe))}")
            .Order().ShouldBe(expected.Order());
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Replication_role_uses_each_key_only_through_s3_in_the_key_region_and_only_for_its_bucket(string suffix)
    {
        // Every KMS statement of the role, whichever region its key is in: only in requests S3 makes in that region
        // (kms:ViaService), and only for the one bucket it serves (the encryption context S3 passes: the bucket ARN with
        // bucket keys, an object ARN under trades/ without). The S3 key also protects the analytics bucket, and a key of
        // the recovery region is named by a wildcard (only its alias is known here), so the wildcard is only for the key
        // carrying the replica's alias (kms:ResourceAliases).
        var env = apps.For(suffix);
        var policy = env.DataJson().ResourcesOfType("AWS::IAM::ManagedPolicy")
            .Single(p => p.Resource.Properties()["Roles"]!.ToJsonString().Contains(ReplicationRoleId(env))).Resource.Properties();
        var statements = policy["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject())
            .Where(s => Actions(s).Any(a => a.StartsWith("kms:"))).ToList();
        var recovery = env.Settings.Recovery;
        statements.Count.ShouldBe(recovery is null ? 2 : 3, "decrypt the source, encrypt the archival replicas (and the recovery replicas)");
        foreach (var statement in statements)
        {
            var what = $"{string.Join(",", Actions(statement))} on {string.Join(",", Resources(statement).Select(Describe))}";
            var key = Describe(Resources(statement).ShouldHaveSingleItem());
            var (region, bucket) = key == "S3Key"
                ? (env.Settings.Region, Actions(statement).Contains("kms:Decrypt") ? "Ingestion" : "Archival")
                : (key.Split(':')[3], $"arn:aws:s3:::{recovery.ShouldNotBeNull(what).RecordsReplicaBucket}");
            var condition = statement["Condition"].ShouldNotBeNull(what);
            ((string?)condition["StringEquals"]?["kms:ViaService"]).ShouldBe($"s3.{region}.amazonaws.com", what);
            var contexts = (condition["StringLike"]?["kms:EncryptionContext:aws:s3:arn"] as JsonArray ?? []).Select(Describe).Order().ToList();
            contexts.ShouldBe(new List<string> { bucket, $"{bucket}/trades/*" }, $"{what}: the bucket ARN (bucket keys) or a trades/ object of {bucket}");
            if (key.EndsWith(":key/*", StringComparison.Ordinal))
            {
                ((string?)condition["ForAnyValue:StringEquals"]?["kms:ResourceAliases"])
                    .ShouldBe($"alias/{recovery!.RecordsReplicaKeyAlias}", $"{what}: a wildcard key only for the replica key's alias");
            }
        }
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Ingestion_bucket_no_longer_excuses_itself_from_replication(string suffix)
    {
        // It replicates now: an exemption left behind would hide a replication configuration that went missing.
        var metadata = apps.For(suffix).DataJson()["Resources"]![IngestionId]!["Metadata"]?.ToJsonString() ?? "";
        metadata.ShouldNotContain("S3BucketReplicationEnabled");
    }

    private static JsonObject Resource(SynthesizedEnvironment env, string logicalId) =>
        env.DataJson()["Resources"]![logicalId]!.AsObject();

    private static string ReplicationRoleId(SynthesizedEnvironment env) =>
        env.DataJson().ResourcesOfType("AWS::IAM::Role").Single(r => r.LogicalId.StartsWith("ReplicationRole", StringComparison.Ordinal)).LogicalId;

    private static IEnumerable<string> Actions(JsonObject statement) => statement["Action"] switch
    {
        JsonArray array => array.Select(a => (string)a!).Order(),
        var single => [(string)single!],
    };

    private static IEnumerable<JsonNode?> Resources(JsonObject statement) => statement["Resource"] switch
    {
        JsonArray array => array.AsEnumerable(),
        var single => new[] { single },
    };

    /// <summary>A resource or ARN expression, short: Ingestion, Archival/trades/*, S3Key.</summary>
    private static string Describe(JsonNode? node)
    {
        var json = node is JsonValue literal && literal.TryGetValue<string>(out var text) ? text : node!.ToJsonString();
        var name = json.Contains(IngestionId) ? "Ingestion"
            : json.Contains(ArchivalId) ? "Archival"
            : json.Contains("S3EncryptionKey") ? "S3Key"
            : json;
        return node is JsonObject o && o["Fn::Join"] is JsonArray join
            ? name + string.Concat(join[1]!.AsArray().OfType<JsonValue>().Select(v => (string)v!))
            : name;
    }
}
