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
        // Rotation is a PCI-DSS 3.6.4 requirement; the alias is how operators find the key.
        template.HasResourceProperties("AWS::KMS::Key", new Dictionary<string, object>
        {
            ["Description"] = description,
            ["EnableKeyRotation"] = true,
        });
        template.HasResourceProperties("AWS::KMS::Alias", new Dictionary<string, object> { ["AliasName"] = alias });
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
        template.HasResourceProperties("AWS::Config::DeliveryChannel", new Dictionary<string, object>
        {
            ["S3BucketName"] = Match.AnyValue(),
            ["S3KmsKeyArn"] = Match.AnyValue(),
        });
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
