using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

[Collection(SynthesizedAppsCollection.Name)]
public sealed class ApiStackTests(SynthesizedApps apps)
{
    private readonly Template template = apps.Dev.Api;
    private JsonObject Json => apps.Dev.JsonOf(apps.Dev.Stacks.Api);

    private List<JsonObject> FunctionPolicyStatements() => Json.ResourcesOfType("AWS::IAM::Policy")
        .Single(p => p.LogicalId.StartsWith("DataProcessingFunctionServiceRoleDefaultPolicy"))
        .Resource.Properties()["PolicyDocument"]!["Statement"]!.AsArray()
        .Select(s => s!.AsObject())
        .ToList();

    private static IEnumerable<string> Actions(JsonObject statement) => statement["Action"] switch
    {
        JsonArray many => many.Select(a => (string)a!),
        var one => [(string)one!],
    };

    private JsonObject Function => Json.ResourcesOfType("AWS::Lambda::Function")
        .Single(f => (string?)f.Resource.Properties()["FunctionName"] == "data-processor-dev").Resource.Properties();

    [Fact]
    public void Function_is_the_published_csharp_handler_on_dotnet10_arm64()
    {
        // The seed's nodejs18.x stub is past end of support and stored nothing; this is the real handler.
        ((string)Function["Runtime"]!).ShouldBe("dotnet10");
        ((string)Function["Handler"]!).ShouldBe("DataProcessor::TradingPlatform.Functions.DataProcessor.Function::HandleAsync");
        Function["Architectures"]!.AsArray().Select(a => (string)a!).ShouldBe(["arm64"]);
    }

    [Fact]
    public void Function_code_is_the_asset_published_by_the_app_build()
    {
        // The asset is the framework-dependent publish output (no Docker, no bundling at synth time).
        var assetHash = ((string)Function["Code"]!["S3Key"]!).Replace(".zip", "");
        var assetDir = Path.Combine(apps.Dev.Directory, $"asset.{assetHash}");
        File.Exists(Path.Combine(assetDir, "DataProcessor.dll")).ShouldBeTrue($"{assetDir} should hold the published handler");
        File.Exists(Path.Combine(assetDir, "DataProcessor.runtimeconfig.json")).ShouldBeTrue();
        File.ReadAllText(Path.Combine(assetDir, "DataProcessor.runtimeconfig.json")).ShouldContain("Microsoft.NETCore.App");
        Directory.GetFiles(assetDir, "DataProcessor").ShouldBeEmpty("no native app host in a framework-dependent Lambda package");
    }

    [Fact]
    public void Function_is_told_where_to_write()
    {
        var variables = Function["Environment"]!["Variables"]!.AsObject();
        variables["INGESTION_BUCKET"]!.ToJsonString().ShouldContain("IngestionBucket");
        variables["ANALYTICS_BUCKET"]!.ToJsonString().ShouldContain("AnalyticsBucket");
    }

    [Fact]
    public void Function_may_only_write_and_read_back_its_own_prefixes()
    {
        // Least privilege: put + read-back (idempotent retries) under trades/, idempotency/ and aggregates/;
        // no delete, no other prefix. (DynamoDB: GetItem on the api-keys table only, see Api/ClientRegistryAccessTests.)
        var statements = FunctionPolicyStatements();
        var actions = statements.SelectMany(s => Actions(s)).ToList();
        actions.ShouldNotContain(a => a.StartsWith("s3:Delete"), "the function never deletes data");
        actions.Where(a => a.StartsWith("dynamodb:")).ShouldBe(["dynamodb:GetItem"]);
        actions.ShouldNotContain("s3:*");

        var objectResources = statements
            .Where(s => Actions(s).Contains("s3:PutObject"))
            .SelectMany(s => s["Resource"]!.AsArray())
            .Select(r => r!.ToJsonString())
            .ToList();
        objectResources.Count.ShouldBe(3);
        objectResources.ShouldContain(r => r.Contains("IngestionBucket") && r.Contains("/trades/*"));
        objectResources.ShouldContain(r => r.Contains("IngestionBucket") && r.Contains("/idempotency/*"));
        objectResources.ShouldContain(r => r.Contains("AnalyticsBucket") && r.Contains("/aggregates/*"));
    }

    [Fact]
    public void Function_may_use_only_the_keys_it_encrypts_with()
    {
        // S3 key: data keys for SSE-KMS objects. (The Lambda key encrypts the environment through Lambda's own grant,
        // and there is no dead-letter queue any more, so the role needs no Lambda-key permission.) Database key: only
        // kms:Decrypt, only through DynamoDB, to read the client registry (the api-keys table is encrypted with it).
        var keyStatements = FunctionPolicyStatements().Where(s => Actions(s).Any(a => a.StartsWith("kms:"))).ToList();
        var keyResources = keyStatements.Select(s => s["Resource"]!.ToJsonString()).ToList();
        keyResources.ShouldAllBe(r => r.Contains("S3EncryptionKey") || r.Contains("DbEncryptionKey"), "the role may use the S3 key and the registry's key only");
        keyResources.ShouldContain(r => r.Contains("S3EncryptionKey"));
        var databaseKey = keyStatements.Single(s => s["Resource"]!.ToJsonString().Contains("DbEncryptionKey"));
        Actions(databaseKey).ShouldBe(["kms:Decrypt"]);
        databaseKey["Condition"]!.ToJsonString().ShouldContain("dynamodb.", customMessage: "the database key only through DynamoDB (kms:ViaService)");
    }

    [Fact]
    public void Function_runs_in_private_subnets_as_a_database_client()
    {
        // Outside the VPC it could not reach Aurora; in the client group, Aurora admits it on 5432.
        var vpcConfig = Function["VpcConfig"]!.ToJsonString();
        vpcConfig.ShouldContain("PrivateSubnet");
        vpcConfig.ShouldContain("DatabaseClientSecurityGroup");
    }

    [Fact]
    public void Function_environment_is_encrypted_with_the_lambda_key()
    {
        Function["KmsKeyArn"]!.ToJsonString().ShouldContain("LambdaEncryptionKey");
        Function["Environment"]!["Variables"]!["ENVIRONMENT"]!.GetValue<string>().ShouldBe("dev");
    }

    [Fact]
    public void Function_logs_to_an_explicit_encrypted_group_kept_30_days()
    {
        // The seed's logRetention used a deprecated custom resource and left the group unencrypted.
        template.HasResourceProperties("AWS::Logs::LogGroup", new Dictionary<string, object>
        {
            ["LogGroupName"] = "/aws/lambda/data-processor-dev",
            ["RetentionInDays"] = 30,
            ["KmsKeyId"] = Match.AnyValue(),
        });
        Function["LoggingConfig"]!["LogGroup"]!.ToJsonString().ShouldContain("DataProcessingLogGroup");
        Json.ResourcesOfType("Custom::LogRetention").ShouldBeEmpty();
    }

    [Fact]
    public void Stage_never_logs_request_or_response_bodies()
    {
        // dataTraceEnabled writes full payloads (trading data) to CloudWatch: it must be explicitly false.
        template.HasResourceProperties("AWS::ApiGateway::Stage", new Dictionary<string, object>
        {
            ["StageName"] = "dev",
            ["MethodSettings"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
            {
                ["DataTraceEnabled"] = false,
                ["LoggingLevel"] = "INFO",
                ["HttpMethod"] = "*",
                ["ResourcePath"] = "/*",
            })]),
        });
    }

    [Fact]
    public void Post_data_requires_an_api_key_and_invokes_the_function()
    {
        template.HasResourceProperties("AWS::ApiGateway::Method", new Dictionary<string, object>
        {
            ["HttpMethod"] = "POST",
            ["ApiKeyRequired"] = true,
            ["Integration"] = Match.ObjectLike(new Dictionary<string, object> { ["Type"] = "AWS_PROXY" }),
        });
        template.HasResourceProperties("AWS::ApiGateway::Resource", new Dictionary<string, object> { ["PathPart"] = "data" });
    }

    [Fact]
    public void Usage_plan_throttles_at_the_seed_limits_and_covers_the_stage_and_key()
    {
        template.HasResourceProperties("AWS::ApiGateway::UsagePlan", new Dictionary<string, object>
        {
            ["UsagePlanName"] = "trading-usage-plan-dev",
            ["Throttle"] = new Dictionary<string, object> { ["RateLimit"] = 1000, ["BurstLimit"] = 2000 },
            ["ApiStages"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object> { ["Stage"] = Match.AnyValue() })]),
        });
        template.HasResourceProperties("AWS::ApiGateway::ApiKey", new Dictionary<string, object> { ["Name"] = "trading-api-key-dev" });
        template.ResourceCountIs("AWS::ApiGateway::UsagePlanKey", 1);
    }

    [Fact]
    public void Api_url_is_exported_under_the_seed_name()
    {
        template.HasOutput("ApiUrl", new Dictionary<string, object>
        {
            ["Export"] = new Dictionary<string, object> { ["Name"] = "ApiUrl-dev" },
        });
    }
}
