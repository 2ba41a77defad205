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

    private JsonObject Function => Json.ResourcesOfType("AWS::Lambda::Function")
        .Single(f => (string?)f.Resource.Properties()["FunctionName"] == "data-processor-dev").Resource.Properties();

    [Fact]
    public void Function_is_arm64_on_a_supported_runtime()
    {
        // nodejs18.x (the seed) and nodejs20.x are past end of support: Lambda blocks creating them.
        var runtime = (string)Function["Runtime"]!;
        runtime.ShouldNotBeOneOf("nodejs18.x", "nodejs20.x");
        Function["Architectures"]!.AsArray().Select(a => (string)a!).ShouldBe(["arm64"]);
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
