using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

[Collection(SynthesizedAppsCollection.Name)]
public sealed class DataStackTests(SynthesizedApps apps)
{
    private readonly Template template = apps.Dev.Data;
    private JsonObject Json => apps.Dev.JsonOf(apps.Dev.Stacks.Data);

    [Fact]
    public void Aurora_runs_a_supported_postgres_version()
    {
        // The seed's 15.3 is no longer offered by RDS: creating the cluster would fail.
        template.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object>
        {
            ["Engine"] = "aurora-postgresql",
            ["EngineVersion"] = "17.5",
        });
    }

    [Fact]
    public void Aurora_is_serverless_v2_with_the_seed_capacity_and_backups()
    {
        template.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object>
        {
            // Dev pauses when idle (issue 28) and scales up to the seed's 2 ACU.
            ["ServerlessV2ScalingConfiguration"] = new Dictionary<string, object> { ["MinCapacity"] = 0, ["MaxCapacity"] = 2 },
            ["BackupRetentionPeriod"] = 7,
        });
    }

    [Fact]
    public void Aurora_storage_is_encrypted_with_the_database_key()
    {
        template.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object>
        {
            ["StorageEncrypted"] = true,
            ["KmsKeyId"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Fn::ImportValue"] = Match.StringLikeRegexp("DbEncryptionKey"),
            }),
        });
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    [InlineData("staging")]
    [InlineData("prod")]
    public void Aurora_has_a_writer_and_a_reader_in_private_subnets(string suffix)
    {
        // A reader is the failover target: the seed's single writer had no HA. Every environment, not only the one whose
        // preset happens to ask for a reader (the count is not recomputed from the preset: it would agree with a bad one).
        var env = apps.For(suffix);
        var json = env.JsonOf(env.Stacks.Data);
        var cluster = json.ResourcesOfType("AWS::RDS::DBCluster").Single().LogicalId;
        var instances = json.ResourcesOfType("AWS::RDS::DBInstance").ToList();
        instances.ShouldAllBe(i => (string?)i.Resource.Properties()["DBClusterIdentifier"]!["Ref"] == cluster, "every instance belongs to the cluster");
        instances.Count(i => i.LogicalId.StartsWith("TradingDatabasewriter")).ShouldBe(1, "one writer");
        instances.Count(i => i.LogicalId.StartsWith("TradingDatabasereader")).ShouldBeGreaterThanOrEqualTo(1, "at least one reader to fail over to");
        instances.ShouldAllBe(i => (string)i.Resource.Properties()["DBInstanceClass"]! == "db.serverless");
        instances.ShouldAllBe(i => i.Resource.Properties()["PubliclyAccessible"] == null
                                   || !(bool)i.Resource.Properties()["PubliclyAccessible"]!);
        var subnets = json.ResourcesOfType("AWS::RDS::DBSubnetGroup").Single().Resource.Properties()["SubnetIds"]!.AsArray();
        subnets.ShouldAllBe(s => ((string)s!["Fn::ImportValue"]!).Contains("PrivateSubnet"), "only private subnets");
    }

    [Fact]
    public void Aurora_admits_only_the_database_client_group_and_only_on_5432()
    {
        var ingress = Json.ResourcesOfType("AWS::EC2::SecurityGroupIngress").Select(r => r.Resource.Properties()).ToList();
        ingress.Count.ShouldBe(1, "exactly one way into the database");
        var rule = ingress.Single();
        ((int)rule["FromPort"]!).ShouldBe(5432);
        ((int)rule["ToPort"]!).ShouldBe(5432);
        rule["SourceSecurityGroupId"]!.ToJsonString().ShouldContain("DatabaseClientSecurityGroup");
        rule.ContainsKey("CidrIp").ShouldBeFalse("no CIDR range may reach the database");
    }

    [Theory]
    [InlineData("user-sessions-dev", "sessionId")]
    [InlineData("api-keys-dev", "apiKeyId")]
    public void Tables_are_on_demand_with_point_in_time_recovery_and_a_customer_managed_key(string name, string key)
    {
        template.HasResourceProperties("AWS::DynamoDB::Table", new Dictionary<string, object>
        {
            ["TableName"] = name,
            ["KeySchema"] = new object[] { new Dictionary<string, object> { ["AttributeName"] = key, ["KeyType"] = "HASH" } },
            ["BillingMode"] = "PAY_PER_REQUEST",
            ["PointInTimeRecoverySpecification"] = new Dictionary<string, object> { ["PointInTimeRecoveryEnabled"] = true },
            // The seed used AWS-owned keys: no key policy, no audit trail of key use.
            ["SSESpecification"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["SSEEnabled"] = true,
                ["SSEType"] = "KMS",
                // The database key of this environment's Security layer (KeyAssignments checks it on every environment).
                ["KMSMasterKeyId"] = new Dictionary<string, object>
                {
                    ["Fn::ImportValue"] = "TradingPlatform-dev-Security:ExportsOutputFnGetAttDbEncryptionKey4BB74B52Arn9C919660",
                },
            }),
        });
    }

    [Theory]
    [InlineData("IngestionBucket", "GLACIER")]
    [InlineData("AnalyticsBucket", "GLACIER")]
    [InlineData("ArchivalBucket", "DEEP_ARCHIVE")]
    public void Data_buckets_are_kms_encrypted_versioned_and_tiered_after_90_days(string id, string storageClass)
    {
        var bucket = DataBucket(id);
        bucket.ContainsKey("BucketName").ShouldBeFalse("S3 names are global: a fixed name collides across accounts");
        bucket["VersioningConfiguration"]!["Status"]!.GetValue<string>().ShouldBe("Enabled");

        var encryption = bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!;
        encryption["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!.GetValue<string>().ShouldBe("aws:kms");
        encryption["ServerSideEncryptionByDefault"]!["KMSMasterKeyID"]!.ToJsonString().ShouldContain("S3EncryptionKey");

        var transitions = bucket["LifecycleConfiguration"]!["Rules"]!.AsArray()
            .SelectMany(r => r!["Transitions"]?.AsArray() ?? [])
            .Select(t => ((string)t!["StorageClass"]!, (int)t["TransitionInDays"]!));
        transitions.ShouldContain((storageClass, 90));
    }

    [Theory]
    [InlineData("IngestionBucket")]
    [InlineData("AnalyticsBucket")]
    [InlineData("ArchivalBucket")]
    public void Data_buckets_block_public_access_and_refuse_plain_http(string id)
    {
        var bucket = DataBucket(id);
        var block = bucket["PublicAccessBlockConfiguration"]!.AsObject();
        block.Select(kv => kv.Value!.GetValue<bool>()).ShouldAllBe(v => v, "all four public-access blocks must be on");

        var bucketId = Json.ResourcesOfType("AWS::S3::Bucket").Single(b => b.LogicalId.StartsWith(id)).LogicalId;
        var policy = Json.ResourcesOfType("AWS::S3::BucketPolicy")
            .Single(p => p.Resource.Properties()["Bucket"]!.ToJsonString().Contains(bucketId));
        var denyInsecure = policy.Resource.Properties()["PolicyDocument"]!["Statement"]!.AsArray()
            .Where(s => (string)s!["Effect"]! == "Deny")
            .Select(s => s!["Condition"]?.ToJsonString() ?? "");
        denyInsecure.ShouldContain(c => c.Contains("\"aws:SecureTransport\":\"false\""), "TLS-only bucket policy");
    }

    [Theory]
    [InlineData("DatabaseEndpoint", "DatabaseEndpoint-dev")]
    [InlineData("IngestionBucketName", "IngestionBucket-dev")]
    [InlineData("AnalyticsBucketName", "AnalyticsBucket-dev")]
    [InlineData("ArchivalBucketName", "ArchivalBucket-dev")]
    public void Seed_outputs_are_exported_under_their_seed_names(string output, string exportName)
    {
        template.HasOutput(output, new Dictionary<string, object>
        {
            ["Export"] = new Dictionary<string, object> { ["Name"] = exportName },
        });
    }

    private JsonObject DataBucket(string id) =>
        Json.ResourcesOfType("AWS::S3::Bucket").Single(b => b.LogicalId.StartsWith(id)).Resource.Properties();
}
