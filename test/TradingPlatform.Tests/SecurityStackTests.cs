using Amazon.CDK.Assertions;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

[Collection(SynthesizedAppsCollection.Name)]
public sealed class SecurityStackTests(SynthesizedApps apps)
{
    private readonly Template template = apps.Dev.Security;

    [Theory]
    [InlineData("alias/database-key-dev", "KMS key for database encryption")]
    [InlineData("alias/s3-key-dev", "KMS key for S3 bucket encryption")]
    [InlineData("alias/lambda-key-dev", "KMS key for Lambda environment variables")]
    [InlineData("alias/logs-key-dev", "KMS key for CloudWatch Logs")]
    public void Each_key_rotates_and_keeps_the_seed_alias(string alias, string description)
    {
        // Rotation is a PCI-DSS 3.6.4 requirement; the alias is how operators (and the seed's clients) find the key,
        // so it must name exactly this key, not merely exist.
        var json = apps.Dev.JsonOf(apps.Dev.Stacks.Security);
        var (keyId, key) = json.ResourcesOfType("AWS::KMS::Key").Single(k => (string?)k.Resource.Properties()["Description"] == description);
        ((bool?)key.Properties()["EnableKeyRotation"]).ShouldBe(true, $"{keyId} must rotate");
        var (aliasId, aliasResource) = json.ResourcesOfType("AWS::KMS::Alias").Single(a => (string?)a.Resource.Properties()["AliasName"] == alias);
        aliasResource.Properties()["TargetKeyId"]!.ToJsonString().ShouldBe($$"""{"Fn::GetAtt":["{{keyId}}","Arn"]}""", $"{aliasId} must point at {keyId}");
    }

    [Fact]
    public void Logs_key_lets_CloudWatch_Logs_of_this_account_only_use_it()
    {
        // Without this statement every encrypted log group fails to create; the condition keeps other accounts out.
        template.HasResourceProperties("AWS::KMS::Key", new Dictionary<string, object>
        {
            ["Description"] = "KMS key for CloudWatch Logs",
            ["KeyPolicy"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Principal"] = new Dictionary<string, object> { ["Service"] = "logs.us-east-1.amazonaws.com" },
                    ["Condition"] = new Dictionary<string, object>
                    {
                        ["ArnLike"] = new Dictionary<string, object>
                        {
                            ["kms:EncryptionContext:aws:logs:arn"] = "arn:aws:logs:us-east-1:123456789012:log-group:*",
                        },
                    },
                })]),
            }),
        });
    }

    [Fact]
    public void Config_role_uses_the_real_AWS_managed_policy()
    {
        // The seed's "service-role/ConfigRole" does not exist; the role would fail to create.
        var role = apps.Dev.JsonOf(apps.Dev.Stacks.Security).ResourcesOfType("AWS::IAM::Role")
            .Single(r => r.Resource.Properties()["AssumeRolePolicyDocument"]!.ToJsonString().Contains("config.amazonaws.com"));
        var policies = role.Resource.Properties()["ManagedPolicyArns"]!.ToJsonString();
        policies.ShouldContain("service-role/AWS_ConfigRole");
        policies.ShouldNotContain("service-role/ConfigRole\"");
    }

    [Fact]
    public void Recorder_records_all_supported_and_global_resources()
    {
        template.HasResourceProperties("AWS::Config::ConfigurationRecorder", new Dictionary<string, object>
        {
            ["RecordingGroup"] = new Dictionary<string, object> { ["AllSupported"] = true, ["IncludeGlobalResourceTypes"] = true },
        });
    }

    [Fact]
    public void Delivery_channel_and_every_rule_wait_for_the_recorder()
    {
        // Config rejects rules and channels while no recorder exists: CloudFormation must create it first.
        var json = apps.Dev.JsonOf(apps.Dev.Stacks.Security);
        var recorderId = json.ResourcesOfType("AWS::Config::ConfigurationRecorder").Single().LogicalId;

        json.ResourcesOfType("AWS::Config::DeliveryChannel").Single().Resource.DependsOn()
            .ShouldContain(recorderId, "the delivery channel must depend on the recorder");
        var rules = json.ResourcesOfType("AWS::Config::ConfigRule").ToList();
        rules.ShouldNotBeEmpty();
        rules.ShouldAllBe(rule => rule.Resource.DependsOn().Contains(recorderId), "every Config rule must depend on the recorder");
    }

    [Fact]
    public void Delivery_channel_writes_to_a_KMS_encrypted_Config_bucket()
    {
        // Config's history is audit evidence: the channel delivers to our Config bucket, encrypting each object with
        // the S3 key, and that bucket's default encryption is the same key (nothing lands there under another key).
        var json = apps.Dev.JsonOf(apps.Dev.Stacks.Security);
        var channel = json.ResourcesOfType("AWS::Config::DeliveryChannel").Single().Resource.Properties();
        var s3KeyId = json.ResourcesOfType("AWS::KMS::Key").Single(k => (string?)k.Resource.Properties()["Description"] == "KMS key for S3 bucket encryption").LogicalId;
        var s3KeyArn = $$"""{"Fn::GetAtt":["{{s3KeyId}}","Arn"]}""";
        channel["S3KmsKeyArn"]!.ToJsonString().ShouldBe(s3KeyArn, "the channel encrypts with the S3 key");

        var bucketId = (string)channel["S3BucketName"]!["Ref"]!;
        var bucket = json["Resources"]![bucketId]!.AsObject();
        ((string?)bucket["Type"]).ShouldBe("AWS::S3::Bucket");
        var byDefault = bucket.Properties()["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!;
        ((string?)byDefault["SSEAlgorithm"]).ShouldBe("aws:kms", $"{bucketId} must be KMS-encrypted");
        byDefault["KMSMasterKeyID"]!.ToJsonString().ShouldBe(s3KeyArn, $"{bucketId} must use the S3 key");
    }

    [Theory]
    [InlineData("ENCRYPTED_VOLUMES")]
    [InlineData("RDS_STORAGE_ENCRYPTED")]
    [InlineData("S3_BUCKET_PUBLIC_READ_PROHIBITED")]
    public void Seed_managed_rules_are_present(string identifier)
    {
        template.HasResourceProperties("AWS::Config::ConfigRule", new Dictionary<string, object>
        {
            ["Source"] = new Dictionary<string, object> { ["Owner"] = "AWS", ["SourceIdentifier"] = identifier },
        });
    }
}
