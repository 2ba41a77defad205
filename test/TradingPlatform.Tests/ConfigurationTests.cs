using TradingPlatform.Config;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>Bad input must stop synth with a message naming the value and the rule, never fall back silently.</summary>
public sealed class ConfigurationTests
{
    private static EnvironmentSettings Load(params (string Key, string Value)[] context) =>
        ConfigurationLoader.Load(context.ToDictionary(c => c.Key, c => c.Value));

    private static string ErrorFor(params (string Key, string Value)[] context) =>
        Should.Throw<ConfigurationException>(() => Load(context)).Message;

    [Fact]
    public void Defaults_to_dev_in_the_placeholder_account_so_synth_works_offline()
    {
        var settings = Load();
        settings.Suffix.ShouldBe("dev");
        settings.Account.ShouldBe(ConfigurationLoader.PlaceholderAccount);
        settings.Region.ShouldBe(ConfigurationLoader.PlaceholderRegion);
    }

    [Fact]
    public void Context_account_and_region_override_the_cli_defaults()
    {
        var settings = ConfigurationLoader.Load(
            new Dictionary<string, string> { ["account"] = "111122223333", ["region"] = "eu-west-2" },
            defaultAccount: "444455556666", defaultRegion: "us-west-2");
        settings.Account.ShouldBe("111122223333");
        settings.Region.ShouldBe("eu-west-2");
    }

    [Fact]
    public void Cli_default_account_and_region_are_used_when_context_is_silent()
    {
        var settings = ConfigurationLoader.Load(new Dictionary<string, string>(), "444455556666", "us-west-2");
        settings.Account.ShouldBe("444455556666");
        settings.Region.ShouldBe("us-west-2");
    }

    [Theory]
    [InlineData("Prod")]
    [InlineData("my env")]
    [InlineData("pr_7")]
    [InlineData("7pr")]
    [InlineData("pr--7")]
    [InlineData("pr-")]
    [InlineData("a-suffix-that-is-far-too-long")]
    public void Invalid_suffix_is_rejected_naming_the_value_and_the_rule(string suffix)
    {
        var message = ErrorFor(("environmentSuffix", suffix));
        message.ShouldContain($"environmentSuffix '{suffix}' is invalid");
        message.ShouldContain("lower-case letters, digits and single hyphens");
        message.ShouldContain($"1-{ConfigurationLoader.MaxSuffixLength} characters");
    }

    [Fact]
    public void Longest_valid_suffix_keeps_every_derived_name_within_its_limit()
    {
        var suffix = "p" + new string('x', ConfigurationLoader.MaxSuffixLength - 1);
        var settings = Load(("environmentSuffix", suffix));
        $"trading-db-{settings.Suffix}".Length.ShouldBeLessThanOrEqualTo(63, "Aurora cluster identifier limit");
        $"data-processor-{settings.Suffix}".Length.ShouldBeLessThanOrEqualTo(64, "Lambda function name limit");
        $"{settings.StackIdPrefix}-Security".Length.ShouldBeLessThanOrEqualTo(128, "CloudFormation stack name limit");
    }

    [Theory]
    [InlineData("account", "12345", "account '12345' is invalid: an AWS account id is exactly 12 digits")]
    [InlineData("region", "Mars-1", "region 'Mars-1' is invalid: expected an AWS region code")]
    [InlineData("createConfigRecorder", "yes", "createConfigRecorder 'yes' is invalid: use true or false")]
    [InlineData("natGateways", "4", "natGateways '4' is invalid: use a whole number from 1 to 3")]
    [InlineData("auroraMinCapacity", "0.25", "auroraMinCapacity '0.25' is invalid: use Aurora capacity units from 0.5 to 256")]
    [InlineData("auroraMaxCapacity", "2.3", "auroraMaxCapacity '2.3' is invalid")]
    public void Bad_values_are_rejected_with_the_documented_message(string key, string value, string expected)
    {
        ErrorFor((key, value)).ShouldContain(expected);
    }

    [Fact]
    public void Misspelt_context_key_is_rejected_listing_the_allowed_keys()
    {
        var message = ErrorFor(("environmentSufix", "prod"));
        message.ShouldContain("unknown context key 'environmentSufix'");
        message.ShouldContain("allowed keys: environmentSuffix, account, region");
    }

    [Fact]
    public void Cdk_feature_flags_and_lookups_in_context_are_not_mistaken_for_unknown_keys()
    {
        Should.NotThrow(() => Load(
            ("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", "true"),
            ("availability-zones:account=123456789012:region=us-east-1", "[]"),
            ("aws:cdk:enable-path-metadata", "true")));
    }

    [Fact]
    public void Minimum_capacity_above_maximum_is_a_contradiction()
    {
        ErrorFor(("auroraMinCapacity", "8"), ("auroraMaxCapacity", "4"))
            .ShouldContain("auroraMinCapacity 8 is greater than auroraMaxCapacity 4");
    }

    [Fact]
    public void Prod_with_fewer_than_three_nat_gateways_is_a_contradiction()
    {
        ErrorFor(("environmentSuffix", "prod"), ("natGateways", "1"))
            .ShouldContain("natGateways 1 contradicts environment 'prod'");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = Should.Throw<ConfigurationException>(() => Load(("account", "x"), ("region", "y"), ("colour", "blue")));
        error.Problems.Count.ShouldBe(3);
    }
}
