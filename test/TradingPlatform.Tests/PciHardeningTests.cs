using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Shouldly;
using TradingPlatform.Constructs.Api;
using TradingPlatform.Functions.DataProcessor;
using TradingPlatform.Stacks;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>
/// The PCI-DSS hardening on top of the seed, one property per test. The cdk-nag gate (scripts/nag-gate)
/// checks the same templates against the AwsSolutions and PCI DSS 3.2.1 packs; these tests pin our intent.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class PciHardeningTests(SynthesizedApps apps)
{
    private SynthesizedEnvironment Dev => apps.Dev;
    private JsonObject DataJson => Dev.JsonOf(Dev.Stacks.Data);
    private JsonObject ApiJson => Dev.JsonOf(Dev.Stacks.Api);

    // Log groups: every one encrypted with the logs key and with a retention is a platform rule on every environment
    // (PlatformRules: "each resource is encrypted with its own customer-managed key", "every log group has a retention").

    // ---- S3 ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("IngestionBucket")]
    [InlineData("AnalyticsBucket")]
    [InlineData("ArchivalBucket")]
    public void Data_buckets_use_bucket_keys_and_log_access_to_the_log_bucket(string id)
    {
        var bucket = Bucket(DataJson, id);
        // Bucket keys cut KMS calls (and cost) by orders of magnitude without weakening encryption.
        bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["BucketKeyEnabled"]!.GetValue<bool>().ShouldBeTrue();
        var logging = bucket["LoggingConfiguration"]!;
        logging["DestinationBucketName"]!.ToJsonString().ShouldContain("AccessLogsBucket");
        ((string)logging["LogFilePrefix"]!).ShouldBe($"{id}/");
    }

    [Theory]
    [InlineData("IngestionBucket")]
    [InlineData("AnalyticsBucket")]
    [InlineData("ArchivalBucket")]
    [InlineData("AccessLogsBucket")]
    public void Old_object_versions_expire_and_failed_uploads_are_cleaned(string id)
    {
        var rules = Bucket(DataJson, id)["LifecycleConfiguration"]!["Rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        rules.ShouldContain(r => r.ContainsKey("NoncurrentVersionExpiration"), "versioning without expiry keeps every overwrite forever");
        rules.ShouldContain(r => r.ContainsKey("AbortIncompleteMultipartUpload"));
    }

    [Fact]
    public void Access_log_bucket_is_private_tls_only_and_accepts_only_the_s3_logging_service()
    {
        // S3 log delivery only supports SSE-S3 on the target bucket, hence no KMS key here.
        var bucket = Bucket(DataJson, "AccessLogsBucket");
        ((string)bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!)
            .ShouldBe("AES256");
        bucket["PublicAccessBlockConfiguration"]!.AsObject().ShouldAllBe(kv => kv.Value!.GetValue<bool>());
        var policy = BucketPolicy(DataJson, "AccessLogsBucket");
        policy.ShouldContain("logging.s3.amazonaws.com");
        policy.ShouldContain("\"aws:SecureTransport\":\"false\"");
    }

    // ---- DynamoDB ----------------------------------------------------------------------------------

    [Fact]
    public void Sessions_expire_through_ttl()
    {
        // Session records are not kept beyond their life: PCI-DSS 3.1 (keep data only as long as needed).
        Dev.Data.HasResourceProperties("AWS::DynamoDB::Table", new Dictionary<string, object>
        {
            ["TableName"] = "user-sessions-dev",
            ["TimeToLiveSpecification"] = new Dictionary<string, object> { ["AttributeName"] = "expiresAt", ["Enabled"] = true },
        });
    }

    // Tables encrypted with the database key: a platform rule on every environment (KeyAssignments).

    // ---- Aurora ------------------------------------------------------------------------------------

    [Fact]
    public void Aurora_uses_iam_auth_and_exports_postgres_logs_to_an_encrypted_group()
    {
        Dev.Data.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object>
        {
            ["EnableIAMDatabaseAuthentication"] = true,
            ["EnableCloudwatchLogsExports"] = new[] { "postgresql" },
        });
        // The group RDS exports to exists first, so it is encrypted and bounded from the first log line.
        Dev.Data.HasResourceProperties("AWS::Logs::LogGroup", new Dictionary<string, object>
        {
            ["LogGroupName"] = "/aws/rds/cluster/trading-db-dev/postgresql",
            ["KmsKeyId"] = Match.AnyValue(),
        });
        var cluster = DataJson.ResourcesOfType("AWS::RDS::DBCluster").Single().Resource;
        cluster.DependsOn().ShouldContain(d => d.StartsWith("DatabaseLogGroup"));
    }

    [Fact]
    public void Master_password_is_managed_and_rotated_by_rds_under_the_database_key()
    {
        // No password in the template or in a CloudFormation-managed secret; RDS rotates it (PCI-DSS 8.2.4).
        Dev.Data.HasResourceProperties("AWS::RDS::DBCluster", new Dictionary<string, object>
        {
            ["ManageMasterUserPassword"] = true,
            ["MasterUserSecret"] = new Dictionary<string, object>
            {
                ["KmsKeyId"] = Match.ObjectLike(new Dictionary<string, object> { ["Fn::ImportValue"] = Match.StringLikeRegexp("DbEncryptionKey") }),
            },
            ["MasterUserPassword"] = Match.Absent(),
        });
        Dev.Data.ResourceCountIs("AWS::SecretsManager::Secret", 0);
    }

    [Fact]
    public void Database_group_has_no_egress_and_clients_may_only_reach_443_and_5432()
    {
        var groups = DataJson.ResourcesOfType("AWS::EC2::SecurityGroup").ToDictionary(g => g.LogicalId, g => g.Resource.Properties());
        var database = groups.Single(g => g.Key.StartsWith("DatabaseSecurityGroup")).Value;
        database["SecurityGroupEgress"]!.ToJsonString().ShouldContain("255.255.255.255/32", customMessage: "CDK's 'no egress' placeholder rule");

        var clientEgress = groups.Single(g => g.Key.StartsWith("DatabaseClientSecurityGroup")).Value["SecurityGroupEgress"]!.AsArray();
        clientEgress.Select(e => (int)e!["FromPort"]!).ShouldBe([443]);
        var toDatabase = DataJson.ResourcesOfType("AWS::EC2::SecurityGroupEgress").Single().Resource.Properties();
        ((int)toDatabase["FromPort"]!).ShouldBe(DataStack.PostgresPort);
    }

    // ---- Lambda ------------------------------------------------------------------------------------

    [Fact]
    public void Function_is_traced()
    {
        // Tracing follows a batch through API Gateway, Lambda and S3. (Its reservation: see below and the platform rule
        // on reserved concurrency. No dead-letter queue: see IngestionFunctionTests.)
        var function = ApiJson.ResourcesOfType("AWS::Lambda::Function").Single(f => f.LogicalId.StartsWith("DataProcessingFunction")).Resource.Properties();
        ((string)function["TracingConfig"]!["Mode"]!).ShouldBe("Active");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    [InlineData("staging")]
    [InlineData("prod")]
    public void The_functions_reservation_cannot_trip_the_aurora_connections_alarm_alone(string suffix)
    {
        // The reservation caps the connections the platform opens itself (one per concurrent execution); the alarm means
        // "more than that: a leak or an unknown client". A threshold at or below the reservation pages at normal peak load.
        var env = apps.For(suffix);
        var function = env.JsonOf(env.Stacks.Api).ResourcesOfType("AWS::Lambda::Function")
            .Single(f => f.LogicalId.StartsWith("DataProcessingFunction")).Resource.Properties();
        var reserved = (int?)function["ReservedConcurrentExecutions"];
        reserved.ShouldNotBeNull("without a reservation nothing bounds the function's connections");
        var alarm = env.JsonOf(env.Stacks.Data).ResourcesOfType("AWS::CloudWatch::Alarm")
            .Single(a => (string?)a.Resource.Properties()["MetricName"] == "DatabaseConnections").Resource.Properties();
        ((string)alarm["ComparisonOperator"]!).ShouldBe("GreaterThanThreshold");
        ((double)alarm["Threshold"]!).ShouldBeGreaterThan(reserved.Value, "the function at its full reservation must stay below the alarm");
    }

    // ---- API Gateway -------------------------------------------------------------------------------

    [Fact]
    public void Stage_writes_json_access_logs_to_an_encrypted_group_and_traces_with_xray()
    {
        Dev.Api.HasResourceProperties("AWS::ApiGateway::Stage", new Dictionary<string, object>
        {
            ["TracingEnabled"] = true,
            ["AccessLogSetting"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["DestinationArn"] = Match.ObjectLike(new Dictionary<string, object> { ["Fn::GetAtt"] = Match.ArrayWith([Match.StringLikeRegexp("ApiAccessLogGroup")]) }),
                ["Format"] = Match.StringLikeRegexp("\"requestId\":\"\\$context.requestId\""),
            }),
        });
    }

    [Fact]
    public void Post_data_validates_the_body_against_the_trade_batch_model()
    {
        var method = ApiJson.ResourcesOfType("AWS::ApiGateway::Method").Single(m => (string)m.Resource.Properties()["HttpMethod"]! == "POST").Resource.Properties();
        method["RequestValidatorId"]!.ToJsonString().ShouldContain("TradeBatchValidator");
        method["RequestModels"]!["application/json"]!.ToJsonString().ShouldContain("TradeBatchModel");
        Dev.Api.HasResourceProperties("AWS::ApiGateway::RequestValidator", new Dictionary<string, object> { ["ValidateRequestBody"] = true });
    }

    [Fact]
    public void Request_model_matches_the_functions_rules()
    {
        // Two gates on one contract: if they disagree, API Gateway rejects what the function accepts (or the reverse).
        var schema = ApiJson.ResourcesOfType("AWS::ApiGateway::Model").Single().Resource.Properties()["Schema"]!;
        var trades = schema["properties"]!["trades"]!;
        ((int)trades["maxItems"]!).ShouldBe(TradeBatchRules.MaxTrades);
        ((int)trades["minItems"]!).ShouldBe(TradeBatchRules.MinTrades);
        var trade = trades["items"]!;
        ((bool)trade["additionalProperties"]!).ShouldBeFalse("the function refuses unknown properties too");
        trade["required"]!.AsArray().Count.ShouldBe(8);
        var fields = trade["properties"]!;
        ((int)fields["tradeId"]!["maxLength"]!).ShouldBe(TradeBatchRules.MaxIdentifierLength);
        ((int)fields["accountId"]!["maxLength"]!).ShouldBe(TradeBatchRules.MaxIdentifierLength);
        ((int)fields["symbol"]!["maxLength"]!).ShouldBe(TradeBatchRules.MaxSymbolLength);
        ((decimal)fields["quantity"]!["maximum"]!).ShouldBe(TradeBatchRules.MaxQuantity);
        ((decimal)fields["price"]!["maximum"]!).ShouldBe(TradeBatchRules.MaxPrice);
        ((bool)fields["price"]!["exclusiveMinimum"]!).ShouldBeTrue("price must be > 0, not >= 0");
        ((string)fields["executedAt"]!["pattern"]!).ShouldContain($"{{1,{TradeBatchRules.MaxFractionDigits}}})?Z$");
        fields["side"]!["enum"]!.AsArray().Select(v => (string)v!).ShouldBe(["BUY", "SELL"]);
    }

    [Fact]
    public void Waf_protects_the_stage_with_managed_rules_and_a_rate_limit()
    {
        var acl = ApiJson.ResourcesOfType("AWS::WAFv2::WebACL").Single().Resource.Properties();
        ((string)acl["Scope"]!).ShouldBe("REGIONAL");
        var rules = acl["Rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var groups = rules.Select(r => (string?)r["Statement"]!["ManagedRuleGroupStatement"]?["Name"]).OfType<string>().ToList();
        groups.ShouldBe(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesAmazonIpReputationList"]);
        rules.ShouldContain(r => r["Statement"]!["RateBasedStatement"] != null && r["Action"]!["Block"] != null);

        // Batches above 8 KB are legitimate: the common rule set's body-size rule only counts.
        var common = rules.Single(r => (string?)r["Name"] == "AWSManagedRulesCommonRuleSet");
        var overrides = common["Statement"]!["ManagedRuleGroupStatement"]!["RuleActionOverrides"]!.AsArray().Select(o => o!).ToList();
        overrides.Select(o => (string)o["Name"]!).ShouldBe(["SizeRestrictions_BODY"]);
        overrides.Single()["ActionToUse"]!["Count"].ShouldNotBeNull();

        var association = ApiJson.ResourcesOfType("AWS::WAFv2::WebACLAssociation").Single().Resource;
        association.Properties()["ResourceArn"]!.ToJsonString().ShouldContain("/stages/");
        // The stage must exist before it is associated: the ARN names it by Ref, which orders the association after it
        // (an explicit DependsOn beside the Ref would be redundant: cfn-lint W3005).
        association.Properties()["ResourceArn"]!.ToJsonString().ShouldContain("{\"Ref\":\"TradingApiDeploymentStage",
            customMessage: "the stage must exist before it is associated");
    }

    [Fact]
    public void Waf_logs_to_an_encrypted_group_with_credentials_redacted()
    {
        Dev.Api.HasResourceProperties("AWS::Logs::LogGroup", new Dictionary<string, object>
        {
            ["LogGroupName"] = "aws-waf-logs-trading-api-dev-waf",
            ["KmsKeyId"] = Match.AnyValue(),
        });
        var logging = ApiJson.ResourcesOfType("AWS::WAFv2::LoggingConfiguration").Single().Resource.Properties();
        var redacted = logging["RedactedFields"]!.ToJsonString();
        redacted.ShouldContain("x-api-key");
        redacted.ShouldContain("authorization");
        // WAF rejects a destination ARN ending in ":*" (the form LogGroup.LogGroupArn returns).
        logging["LogDestinationConfigs"]![0]!.ToJsonString().ShouldNotContain(":*");
    }

    // ---- AWS Config --------------------------------------------------------------------------------

    [Theory]
    [InlineData("VPC_FLOW_LOGS_ENABLED")]
    [InlineData("DYNAMODB_PITR_ENABLED")]
    [InlineData("S3_BUCKET_SSL_REQUESTS_ONLY")]
    [InlineData("S3_BUCKET_LOGGING_ENABLED")]
    [InlineData("LAMBDA_INSIDE_VPC")]
    [InlineData("API_GW_EXECUTION_LOGGING_ENABLED")]
    [InlineData("CMK_BACKING_KEY_ROTATION_ENABLED")]
    [InlineData("CLOUDWATCH_LOG_GROUP_ENCRYPTED")]
    [InlineData("RDS_CLUSTER_DELETION_PROTECTION_ENABLED")]
    public void Config_watches_what_this_app_deploys(string identifier)
    {
        Dev.Security.HasResourceProperties("AWS::Config::ConfigRule", new Dictionary<string, object>
        {
            ["Source"] = new Dictionary<string, object> { ["Owner"] = "AWS", ["SourceIdentifier"] = identifier },
        });
    }

    // ---- Deploy-time helpers -----------------------------------------------------------------------

    [Fact]
    public void No_function_in_any_stack_runs_on_an_unsupported_node_runtime()
    {
        // CDK 2.160's own helper functions default to nodejs20.x, which Lambda no longer lets anyone create.
        foreach (var stack in Dev.Stacks.All)
        {
            foreach (var (id, function) in Dev.JsonOf(stack).ResourcesOfType("AWS::Lambda::Function"))
            {
                ((string?)function.Properties()["Runtime"]).ShouldNotBeOneOf(["nodejs16.x", "nodejs18.x", "nodejs20.x"], $"{stack.StackName}/{id}");
            }
        }
    }

    private static JsonObject Bucket(JsonObject template, string id) =>
        template.ResourcesOfType("AWS::S3::Bucket").Single(b => b.LogicalId.StartsWith(id)).Resource.Properties();

    private static string BucketPolicy(JsonObject template, string bucketId)
    {
        var logicalId = template.ResourcesOfType("AWS::S3::Bucket").Single(b => b.LogicalId.StartsWith(bucketId)).LogicalId;
        return template.ResourcesOfType("AWS::S3::BucketPolicy")
            .Single(p => p.Resource.Properties()["Bucket"]!.ToJsonString().Contains(logicalId))
            .Resource.Properties()["PolicyDocument"]!.ToJsonString();
    }
}
