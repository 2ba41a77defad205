using System.Text.Json;
using Shouldly;
using TradingPlatform.Config;
using Xunit;

namespace TradingPlatform.Tests.Delivery;

/// <summary>
/// The delivery object is validated like every other key: one line per problem naming the value and what is allowed,
/// and each environment exactly as its hand deploy would be.
/// </summary>
public sealed class DeliveryConfigurationTests
{
    private static readonly string Sample = File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "delivery.sample.json"));

    private static AppConfiguration Load(string deliveryJson, params (string Key, string Value)[] more)
    {
        var context = new Dictionary<string, JsonElement>
        {
            // As -c passes it: a JSON string; cdk.json's default suffix beside it.
            [ConfigurationLoader.DeliveryKey] = JsonSerializer.SerializeToElement(deliveryJson),
            [ConfigurationLoader.EnvironmentSuffixKey] = JsonSerializer.SerializeToElement("dev"),
        };
        foreach (var (key, value) in more)
        {
            context[key] = JsonSerializer.SerializeToElement(value);
        }

        return ConfigurationLoader.LoadApp(context);
    }

    private static IReadOnlyList<string> Problems(string deliveryJson, params (string Key, string Value)[] more) =>
        Should.Throw<ConfigurationException>(() => Load(deliveryJson, more)).Problems;

    [Fact]
    public void The_sample_given_with_c_is_the_pipeline_of_dev_staging_and_prod_in_their_own_accounts()
    {
        var delivery = Load(Sample).Delivery.ShouldNotBeNull();

        delivery.Environments.Select(e => e.Suffix).ShouldBe(["dev", "staging", "prod"]);
        delivery.Environments.Select(e => e.Settings.Account).ShouldBe(["222222222222", "333333333333", "444444444444"]);
        delivery.Environments.Single(e => e.Suffix == "prod").ContextArguments
            .ShouldBe("-c environmentSuffix=prod -c account=444444444444 -c region=us-east-1");
        Load(Sample).Environment.ShouldBeNull("with delivery, the app is the pipeline, not one environment");
    }

    [Fact]
    public void Without_delivery_the_app_is_the_one_environment_it_always_was()
    {
        var app = ConfigurationLoader.LoadApp(new Dictionary<string, JsonElement>
        {
            [ConfigurationLoader.EnvironmentSuffixKey] = JsonSerializer.SerializeToElement("prod"),
        });

        app.Delivery.ShouldBeNull();
        app.Environment.ShouldNotBeNull().Suffix.ShouldBe("prod");
    }

    [Fact]
    public void A_malformed_delivery_object_is_refused_with_one_line_per_problem()
    {
        var problems = Problems("""
            {"account": "12", "region": "mars", "connectionArn": "github.com/x", "repository": "no-owner", "branch": "-x",
             "approversRoleArn": "arn:aws:iam::999999999999:role/Approvers", "colour": "blue",
             "environments": {"dev": {"account": "222222222222", "region": "us-east-1"}, "qa": {},
                              "prod": {"account": "444444444444", "region": "us-east-1", "context": {"environmentSuffix": "x", "natGateways": 3}}}}
            """.ReplaceLineEndings(" "));

        problems.ShouldContain(p => p.StartsWith("delivery has an unknown property 'colour'"));
        problems.ShouldContain(p => p.StartsWith("delivery.account '12' is invalid"));
        problems.ShouldContain(p => p.StartsWith("delivery.region 'mars' is invalid"));
        problems.ShouldContain(p => p.StartsWith("delivery.connectionArn 'github.com/x' is invalid"));
        problems.ShouldContain(p => p.StartsWith("delivery.repository 'no-owner' is invalid"));
        problems.ShouldContain(p => p.StartsWith("delivery.branch '-x' is invalid"));
        problems.ShouldContain(p => p.StartsWith("delivery.environments names 'qa'"));
        problems.ShouldContain(p => p.StartsWith("delivery.environments has no 'staging'"));
        problems.ShouldContain(p => p.StartsWith("delivery.environments.prod.context has 'environmentSuffix'"));
        problems.ShouldContain(p => p.StartsWith("delivery.environments.prod.context.natGateways must be a JSON string"));
        problems.ShouldAllBe(p => !p.Contains('\n'), "one line per problem");
    }

    [Fact]
    public void Each_environment_is_refused_exactly_as_its_hand_deploy_would_be()
    {
        var sample = JsonNode(Sample);
        sample["environments"]!["prod"]!["context"] = new System.Text.Json.Nodes.JsonObject { ["natGateways"] = "1" };

        Problems(sample.ToJsonString()).ShouldContain(p =>
            p.StartsWith("delivery.environments.prod: natGateways 1 contradicts environment 'prod'"));
    }

    [Fact]
    public void The_connection_and_the_approvers_belong_to_the_delivery_account()
    {
        var sample = JsonNode(Sample);
        sample["approversRoleArn"] = "arn:aws:iam::444444444444:role/Approvers";
        sample["connectionArn"] = "arn:aws:codeconnections:us-east-1:222222222222:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";

        var problems = Problems(sample.ToJsonString());
        problems.ShouldContain(p => p.Contains("a pipeline can use only a connection of its own account"));
        problems.ShouldContain(p => p.Contains("approvals are given in the pipeline's account"));
    }

    /// <summary>The sample with the pipeline and every environment moved to one region (and the connection with them).</summary>
    private static string SampleIn(string pipelineRegion, string? environmentsRegion = null)
    {
        var sample = JsonNode(Sample);
        sample["region"] = pipelineRegion;
        sample["connectionArn"] = ((string)sample["connectionArn"]!).Replace(":us-east-1:", $":{pipelineRegion}:", StringComparison.Ordinal);
        foreach (var environment in sample["environments"]!.AsObject())
        {
            environment.Value!["region"] = environmentsRegion ?? pipelineRegion;
        }

        return sample.ToJsonString();
    }

    public static TheoryData<string> PipelineRegions() =>
        new(RegionSupport.CheckedRegions.Where(r => DeliverySettings.PipelineResourceTypes.All(t => RegionSupport.Has(r, t))));

    [Theory]
    [MemberData(nameof(PipelineRegions))]
    public void The_pipeline_loads_in_every_checked_region_that_has_what_it_uses(string region)
    {
        // The linter gate lints the pipeline's template for each of these regions (and fails if one lacks a type it uses).
        Load(SampleIn(region)).Delivery.ShouldNotBeNull().Region.ShouldBe(region);
    }

    [Fact]
    public void A_pipeline_where_a_resource_type_it_uses_does_not_exist_is_refused_naming_it()
    {
        // GovCloud has no CodeStar Notifications (the pipeline's failure and approval notices); ca-west-1 neither, nor CodeBuild.
        Problems(SampleIn("us-gov-west-1")).ShouldContain(p => p.StartsWith("delivery.region 'us-gov-west-1' lacks what the pipeline uses: " +
            "AWS::CodeStarNotifications::NotificationRule"));
        Problems(SampleIn("ca-west-1")).ShouldContain(p => p.StartsWith("delivery.region 'ca-west-1' lacks what the pipeline uses: " +
            "AWS::CodeBuild::Project, AWS::CodeStarNotifications::NotificationRule"));
        RegionSupport.MissingTypes.Keys.ShouldAllBe(r => RegionSupport.CheckedRegions.Contains(r), "only checked regions are known to lack something");
    }

    [Fact]
    public void A_pipeline_outside_the_checked_regions_or_deploying_across_partitions_is_refused()
    {
        Problems(SampleIn("sa-east-1", "us-east-1")).ShouldContain(p => p.StartsWith("delivery.region 'sa-east-1' is not a region the platform's templates are checked for"));
        Problems(SampleIn("us-east-1", "sa-east-1")).ShouldContain(p => p.StartsWith("delivery.environments.dev: its region 'sa-east-1' is not a region"));
        var problems = Problems(SampleIn("us-east-1", "us-gov-east-1"));
        problems.ShouldContain(p => p.StartsWith("delivery.environments.prod: its region 'us-gov-east-1' is in partition aws-us-gov, the pipeline (us-east-1) in aws"));
        problems.ShouldContain(p => p.StartsWith("delivery.environments.prod: its recovery region 'us-gov-west-1' is in partition aws-us-gov"));
    }

    [Fact]
    public void Environment_keys_at_the_top_level_are_refused_beside_delivery()
    {
        Problems(Sample, ("natGateways", "2")).ShouldContain(p =>
            p.StartsWith("natGateways is given at the top level together with delivery"));
    }

    [Fact]
    public void A_pretty_printed_object_cut_by_the_cli_says_to_give_it_on_one_line()
    {
        Problems("{").ShouldContain(p => p.StartsWith("delivery is not valid JSON") && p.Contains("on one line"));
    }

    private static System.Text.Json.Nodes.JsonNode JsonNode(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!;
}
