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
    [InlineData("")]
    public void Invalid_suffix_is_rejected_naming_the_value_and_the_rule(string suffix)
    {
        var message = ErrorFor(("environmentSuffix", suffix));
        message.ShouldContain($"environmentSuffix '{suffix}' is invalid");
        message.ShouldContain("lower-case letters, digits and single hyphens");
        message.ShouldContain($"1-{ConfigurationLoader.MaxSuffixLength} characters");
    }

    [Fact]
    public void Too_long_suffix_states_its_length_and_the_limit()
    {
        // "too long" alone sends the user counting characters; say both numbers.
        ErrorFor(("environmentSuffix", "a-suffix-that-is-far-too-long"))
            .ShouldContain($"environmentSuffix 'a-suffix-that-is-far-too-long' is 29 characters long; the limit is {ConfigurationLoader.MaxSuffixLength}");
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
    public void A_database_that_pauses_when_idle_is_for_dev_like_environments_only()
    {
        // Minimum capacity 0 pauses the database when idle: fine for a disposable environment, never for staging or prod.
        Load(("environmentSuffix", "pr-42"), ("auroraMinCapacity", "0")).AuroraPausesWhenIdle.ShouldBeTrue();
        Load(("environmentSuffix", "dev"), ("auroraMinCapacity", "0.5")).AuroraPausesWhenIdle.ShouldBeFalse();
        foreach (var suffix in new[] { "staging", "prod" })
        {
            ErrorFor(("environmentSuffix", suffix), ("auroraMinCapacity", "0"))
                .ShouldContain($"auroraMinCapacity 0 (pause when idle) is for dev-like environments only: {suffix} must answer at once");
        }

        ErrorFor(("auroraMaxCapacity", "0")).ShouldContain("auroraMaxCapacity '0' is invalid: use Aurora capacity units from 0.5 to 256 in steps of 0.5");
    }

    [Fact]
    public void Misspelt_context_key_is_rejected_listing_the_allowed_keys()
    {
        var message = ErrorFor(("environmentSufix", "prod"));
        message.ShouldContain("unknown context key 'environmentSufix': did you mean 'environmentSuffix'?");
        message.ShouldContain("allowed keys: environmentSuffix, account, region");
    }

    [Theory]
    [InlineData("environment-suffix", "environmentSuffix")]
    [InlineData("environment_suffix", "environmentSuffix")]
    [InlineData("EnvironmentSuffix", "environmentSuffix")]
    [InlineData("nat-gateways", "natGateways")]
    [InlineData("aurora_max_capacity", "auroraMaxCapacity")]
    [InlineData("createConfigRecoder", "createConfigRecorder")]
    public void Key_in_another_spelling_is_rejected_naming_the_key_that_was_meant(string key, string meant)
    {
        // `-c environment-suffix=prod` used to synthesize dev silently: a deploy would have gone to dev.
        ErrorFor((key, "prod")).ShouldContain($"unknown context key '{key}': did you mean '{meant}'?");
    }

    [Fact]
    public void Unrelated_unknown_key_lists_the_allowed_keys_without_a_guess()
    {
        var message = ErrorFor(("colour", "blue"));
        message.ShouldContain("unknown context key 'colour': allowed keys: environmentSuffix");
        message.ShouldNotContain("did you mean");
    }

    /// <summary>Exactly what CDK CLI 2.1148 passed in CDK_CONTEXT_JSON to an app that printed it, plus CLI-written keys.</summary>
    private const string CliContextJson = """
        {
          "availability-zones:account=123456789012:region=us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c"],
          "environmentSuffix": "dev",
          "cli-telemetry": false,
          "acknowledged-issue-numbers": [34892],
          "aws:cdk:enable-path-metadata": true,
          "aws:cdk:enable-asset-metadata": true,
          "aws:cdk:version-reporting": true,
          "aws:cdk:bundling-stacks": ["**"],
          "@aws-cdk/core:failSynthOnValidationErrors": false,
          "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": true,
          "@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver": true,
          "ssm:account=123456789012:parameterName=/x:region=us-east-1": "value"
        }
        """;

    [Fact]
    public void Keys_the_cdk_cli_passes_are_not_mistaken_for_unknown_keys()
    {
        Should.NotThrow(() => ConfigurationLoader.Load(ParseContext(CliContextJson)));
    }

    [Theory]
    [InlineData("""{"natGateways": [3]}""", "natGateways must be a whole number from 1 to 3 (a JSON number or a string), got a JSON array [3]")]
    [InlineData("""{"natGateways": null}""", "natGateways must be a whole number from 1 to 3 (a JSON number or a string), got JSON null")]
    [InlineData("""{"auroraMaxCapacity": {"acu": 4}}""", "auroraMaxCapacity must be a number of Aurora capacity units")]
    [InlineData("""{"createConfigRecorder": 1}""", "createConfigRecorder must be true or false (a JSON true or a string), got a JSON number 1")]
    [InlineData("""{"environmentSuffix": ["prod"]}""", "environmentSuffix must be a JSON string, got a JSON array")]
    [InlineData("""{"account": 123456789012}""", "account must be a JSON string, got a JSON number")]
    public void Value_of_the_wrong_json_type_is_an_error_not_silently_dropped(string json, string expected)
    {
        // cdk.json can hold any JSON; a value we cannot use must stop synth, never fall back to the preset.
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(ParseContext(json))).Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("""{"natGateways": 2}""", 2)]
    [InlineData("""{"natGateways": "2"}""", 2)]
    public void Numbers_may_come_as_json_numbers_from_cdk_json_or_as_strings_from_the_command_line(string json, int expected)
    {
        ConfigurationLoader.Load(ParseContext(json)).NatGateways.ShouldBe(expected);
    }

    private static Dictionary<string, System.Text.Json.JsonElement> ParseContext(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

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
        // Each bad value gets its own line naming it: three problems, one per key (a count alone would accept one problem
        // reported three times).
        var error = Should.Throw<ConfigurationException>(() => Load(("account", "x"), ("region", "y"), ("colour", "blue")));
        error.Problems.Count.ShouldBe(3);
        error.Problems.ShouldContain(p => p.Contains("account 'x' is invalid"));
        error.Problems.ShouldContain(p => p.Contains("region 'y' is invalid"));
        error.Problems.ShouldContain(p => p.Contains("unknown context key 'colour'"));
    }

    [Fact]
    public void Alert_emails_come_as_a_json_array_or_a_comma_separated_string()
    {
        ConfigurationLoader.Load(ParseContext("""{"alertEmails": ["oncall@example.com", "risk@example.org"]}"""))
            .AlertEmails.ShouldBe(["oncall@example.com", "risk@example.org"]);
        Load(("alertEmails", "oncall@example.com, risk@example.org")).AlertEmails.ShouldBe(["oncall@example.com", "risk@example.org"]);
        Load().AlertEmails.ShouldBeEmpty("no subscription unless someone asks for one");
    }

    [Theory]
    [InlineData("oncall", "alertEmails 'oncall' is not an e-mail address")]
    [InlineData("a@example.com,A@example.com", "alertEmails lists 'a@example.com' 2 times")]
    [InlineData("a@x.io,b@x.io,c@x.io,d@x.io,e@x.io,f@x.io,g@x.io,h@x.io,i@x.io,j@x.io,k@x.io", "alertEmails lists 11 addresses; the limit is 10")]
    public void Bad_alert_emails_are_rejected(string value, string expected)
    {
        ErrorFor(("alertEmails", value)).ShouldContain(expected);
    }

    [Fact]
    public void Alert_emails_of_the_wrong_json_type_are_rejected()
    {
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(ParseContext("""{"alertEmails": [1, 2]}""")))
            .Message.ShouldContain("alertEmails must be a JSON array of strings or a comma-separated string, got a JSON array [1, 2]");
    }

    // ---- recordsRetentionYears: the archival bucket's Object Lock (issue 12) ----------------------------------

    [Fact]
    public void Records_retention_defaults_by_environment_kind()
    {
        // prod: COMPLIANCE, 7 years (17a-4 / FINRA 4511 keep six; one of margin). staging: a GOVERNANCE rehearsal
        // that lets test data go within a month. dev-like: nothing locked, they must stay disposable.
        Load(("environmentSuffix", "prod")).RecordsRetention.ShouldBe(RecordsRetention.OfYears(RecordsLockMode.Compliance, 7));
        Load(("environmentSuffix", "staging")).RecordsRetention.ShouldBe(RecordsRetention.OfDays(RecordsLockMode.Governance, 30));
        Load(("environmentSuffix", "dev")).RecordsRetention.ShouldBeNull();
        Load(("environmentSuffix", "pr-7")).RecordsRetention.ShouldBeNull();
    }

    [Theory]
    [InlineData("prod", "1", RecordsLockMode.Compliance, 1)]
    [InlineData("prod", "10", RecordsLockMode.Compliance, 10)]
    [InlineData("prod", "100", RecordsLockMode.Compliance, 100)]
    [InlineData("staging", "2", RecordsLockMode.Governance, 2)]
    public void Records_retention_years_change_the_period_never_the_mode(string suffix, string years, RecordsLockMode mode, int expected)
    {
        // A longer retention must not weaken prod to GOVERNANCE, nor a staging rehearsal become an irreversible COMPLIANCE lock.
        Load(("environmentSuffix", suffix), ("recordsRetentionYears", years)).RecordsRetention
            .ShouldBe(RecordsRetention.OfYears(mode, expected));
    }

    [Fact]
    public void Records_retention_years_may_be_a_json_number_from_cdk_json()
    {
        ConfigurationLoader.Load(ParseContext("""{"environmentSuffix": "prod", "recordsRetentionYears": 8}"""))
            .RecordsRetention.ShouldBe(RecordsRetention.OfYears(RecordsLockMode.Compliance, 8));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-7")]
    [InlineData("+7")]
    [InlineData("7.5")]
    [InlineData("7.0")]
    [InlineData("7y")]
    [InlineData("seven")]
    [InlineData(" 7")]
    [InlineData("")]
    public void Records_retention_years_outside_whole_1_to_100_are_rejected(string years)
    {
        // S3 accepts a default retention of 1-100 years; a fraction or a unit would be silently different from what was meant.
        ErrorFor(("environmentSuffix", "prod"), ("recordsRetentionYears", years))
            .ShouldContain($"recordsRetentionYears '{years}' is invalid: use a whole number of years from 1 to 100");
    }

    [Fact]
    public void Records_retention_years_of_the_wrong_json_type_are_rejected()
    {
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(ParseContext("""{"environmentSuffix": "prod", "recordsRetentionYears": [7]}""")))
            .Message.ShouldContain("recordsRetentionYears must be a whole number of years from 1 to 100 (a JSON number or a string), got a JSON array [7]");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    public void Records_retention_in_a_dev_like_environment_is_a_contradiction(string suffix)
    {
        // Dev-like environments have no Object Lock; accepting the key there would suggest records are kept when they are not.
        ErrorFor(("environmentSuffix", suffix), ("recordsRetentionYears", "7"))
            .ShouldContain($"recordsRetentionYears 7 contradicts environment '{suffix}'");
    }

    [Fact]
    public void Records_retention_key_in_another_spelling_names_the_key_that_was_meant()
    {
        ErrorFor(("records-retention-years", "7")).ShouldContain("did you mean 'recordsRetentionYears'?");
    }

    // ---- bucketsPredatingObjectLock: which locked buckets exist from before Object Lock was set at creation ----------

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    [InlineData("staging")]
    [InlineData("prod")]
    public void Without_the_key_every_locked_bucket_is_created_locked(string suffix)
    {
        // A brand-new environment must create its buckets the documented way; only configuration says otherwise.
        Load(("environmentSuffix", suffix)).BucketsPredatingObjectLock.ShouldBeEmpty();
    }

    [Fact]
    public void The_json_form_keyed_by_environment_applies_to_the_environment_synthesized()
    {
        // cdk.json's form: one value for every environment.
        var context = new Dictionary<string, System.Text.Json.JsonElement>
        {
            ["environmentSuffix"] = System.Text.Json.JsonSerializer.SerializeToElement("prod"),
            ["bucketsPredatingObjectLock"] = System.Text.Json.JsonDocument.Parse("""{"staging": ["archival"], "prod": ["archival"]}""").RootElement,
        };
        ConfigurationLoader.Load(context).BucketsPredatingObjectLock.ShouldBe([LockedBuckets.Archival]);
        context["environmentSuffix"] = System.Text.Json.JsonSerializer.SerializeToElement("pr-3");
        ConfigurationLoader.Load(context).BucketsPredatingObjectLock.ShouldBeEmpty();
    }

    [Fact]
    public void The_string_form_takes_environment_colon_bucket_pairs()
    {
        Load(("environmentSuffix", "staging"), ("bucketsPredatingObjectLock", "prod:archival, staging:archival"))
            .BucketsPredatingObjectLock.ShouldBe([LockedBuckets.Archival]);
        Load(("environmentSuffix", "staging"), ("bucketsPredatingObjectLock", "prod:archival")).BucketsPredatingObjectLock.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("prod:archive", "bucketsPredatingObjectLock names bucket 'archive' for 'prod': the locked buckets are archival")]
    [InlineData("staging:ingestion", "bucketsPredatingObjectLock names bucket 'ingestion' for 'staging': the locked buckets are archival")]
    [InlineData("dev:archival", "bucketsPredatingObjectLock names environment 'dev', a dev-like environment: its buckets are never locked")]
    [InlineData("pr-4:archival", "bucketsPredatingObjectLock names environment 'pr-4', a dev-like environment")]
    [InlineData("Prod:archival", "bucketsPredatingObjectLock names environment 'Prod', which is not a valid environmentSuffix")]
    [InlineData("prod", "bucketsPredatingObjectLock item 'prod' is invalid: expected <environmentSuffix>:<bucket>, e.g. prod:archival")]
    [InlineData("prod:archival,prod:archival", "bucketsPredatingObjectLock lists 'archival' for 'prod' 2 times")]
    public void A_wrong_or_unknown_name_is_a_configuration_error_for_any_environment(string value, string expected)
    {
        // Checked whichever environment is synthesized: a typo for prod must not wait for prod's deploy to replace its bucket.
        ErrorFor(("environmentSuffix", "staging"), ("bucketsPredatingObjectLock", value)).ShouldContain(expected);
    }

    [Fact]
    public void A_json_value_of_the_wrong_shape_says_which_shapes_are_allowed()
    {
        var context = new Dictionary<string, System.Text.Json.JsonElement>
        {
            ["environmentSuffix"] = System.Text.Json.JsonSerializer.SerializeToElement("prod"),
            ["bucketsPredatingObjectLock"] = System.Text.Json.JsonDocument.Parse("""["archival"]""").RootElement,
        };
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(context)).Message
            .ShouldContain("bucketsPredatingObjectLock must be a JSON object {\"<environmentSuffix>\": [\"<bucket>\", ...]} or a string");
        context["bucketsPredatingObjectLock"] = System.Text.Json.JsonDocument.Parse("""{"prod": "archival"}""").RootElement;
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(context)).Message
            .ShouldContain("bucketsPredatingObjectLock.prod must be a JSON array of bucket names");
    }
}

/// <summary>tradingClients: who gets an app client and an API key. A bad entry must stop synth, naming it and the rule.</summary>
public sealed class TradingClientsConfigurationTests
{
    private static Dictionary<string, System.Text.Json.JsonElement> Json(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    private static string ErrorForJson(string json) =>
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(Json(json))).Message;

    private static string ErrorFor(string cliValue) =>
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(
            new Dictionary<string, string> { [ConfigurationLoader.TradingClientsKey] = cliValue })).Message;

    [Fact]
    public void Default_is_no_client()
    {
        // Nobody gets credentials unless someone registers them.
        ConfigurationLoader.Load(new Dictionary<string, string>()).TradingClients.ShouldBeEmpty();
    }

    [Fact]
    public void Command_line_gives_names_separated_by_commas()
    {
        ConfigurationLoader.Load(new Dictionary<string, string> { ["tradingClients"] = "desk-a, desk-b" })
            .TradingClients.ShouldBe([new TradingClient("desk-a"), new TradingClient("desk-b")]);
    }

    [Fact]
    public void Cdk_json_gives_names_or_objects_with_limits()
    {
        ConfigurationLoader.Load(Json("""{"tradingClients": ["desk-a", {"name": "desk-b", "rateLimit": 500, "burstLimit": 1000}, {"name": "desk-c"}]}"""))
            .TradingClients.ShouldBe([
                new TradingClient("desk-a"),
                new TradingClient("desk-b", new ThrottleLimits(500, 1000)),
                new TradingClient("desk-c"),
            ]);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Desk-A")]
    [InlineData("desk_a")]
    [InlineData("desk--a")]
    [InlineData("-desk")]
    [InlineData("desk-")]
    [InlineData("a-name-that-is-longer-than-32-chars")]
    public void Invalid_client_name_is_rejected_naming_it_and_the_rule(string name)
    {
        // The name becomes part of app client, API key and usage plan names and of logical ids.
        ErrorFor(name).ShouldContain(
            $"tradingClients name '{name}' is invalid: use 3-32 lower-case letters, digits and single hyphens, not starting or ending with a hyphen");
    }

    [Fact]
    public void Duplicate_client_names_are_rejected()
    {
        // Two entries would be one app client and one key: the second's limits would be silently lost.
        ErrorForJson("""{"tradingClients": ["desk-a", {"name": "desk-a", "rateLimit": 5, "burstLimit": 5}]}""")
            .ShouldContain("tradingClients lists 'desk-a' 2 times");
    }

    [Theory]
    [InlineData("""{"name": "desk-a", "rateLimit": 500, "burstLimit": 100}""", "tradingClients 'desk-a': burstLimit 100 is below rateLimit 500; the burst must be at least the steady rate")]
    [InlineData("""{"name": "desk-a", "rateLimit": 500}""", "tradingClients 'desk-a' gives only rateLimit: give both rateLimit and burstLimit, or neither (then the shared usage plan's 1000 rps / 2000 burst applies)")]
    [InlineData("""{"name": "desk-a", "rateLimit": 0, "burstLimit": 10}""", "tradingClients 'desk-a' rateLimit 0 is invalid: use a positive whole number of requests per second")]
    [InlineData("""{"name": "desk-a", "rateLimit": -5, "burstLimit": 10}""", "tradingClients 'desk-a' rateLimit -5 is invalid")]
    [InlineData("""{"name": "desk-a", "rateLimit": 1.5, "burstLimit": 10}""", "tradingClients 'desk-a' rateLimit 1.5 is invalid")]
    [InlineData("""{"name": "desk-a", "rateLimit": true, "burstLimit": 10}""", "tradingClients 'desk-a' rateLimit true is invalid")]
    [InlineData("""{"name": "desk-a", "burst": 10}""", "tradingClients 'desk-a' has an unknown property 'burst': allowed are name, rateLimit, burstLimit")]
    [InlineData("""{"rateLimit": 10, "burstLimit": 10}""", "tradingClients item 1 needs \"name\" as a JSON string, got none")]
    [InlineData("""{"name": 7}""", "tradingClients item 1 needs \"name\" as a JSON string, got a JSON number 7")]
    public void Bad_client_object_is_rejected_naming_the_client_and_the_rule(string item, string expected)
    {
        ErrorForJson($$"""{"tradingClients": [{{item}}]}""").ShouldContain(expected);
    }

    [Fact]
    public void Limits_may_be_strings_as_well_as_numbers()
    {
        ConfigurationLoader.Load(Json("""{"tradingClients": [{"name": "desk-a", "rateLimit": "50", "burstLimit": "60"}]}"""))
            .TradingClients.Single().Limits.ShouldBe(new ThrottleLimits(50, 60));
    }

    [Theory]
    [InlineData("""{"tradingClients": {"name": "desk-a"}}""", "tradingClients must be a JSON array (of names or {\"name\", \"rateLimit\", \"burstLimit\"} objects) or a comma-separated string of names, got a JSON object")]
    [InlineData("""{"tradingClients": 3}""", "tradingClients must be a JSON array")]
    [InlineData("""{"tradingClients": ["desk-a", 3]}""", "tradingClients item 2 must be a client name or an object {\"name\": ..., \"rateLimit\": ..., \"burstLimit\": ...}, got a JSON number 3")]
    public void Client_list_of_the_wrong_json_type_is_rejected(string json, string expected)
    {
        ErrorForJson(json).ShouldContain(expected);
    }

    [Fact]
    public void More_clients_than_the_limit_are_rejected()
    {
        var names = string.Join(",", Enumerable.Range(1, ConfigurationLoader.MaxTradingClients + 1).Select(i => $"desk-{i}"));
        ErrorFor(names).ShouldContain($"tradingClients lists {ConfigurationLoader.MaxTradingClients + 1} clients; the limit is {ConfigurationLoader.MaxTradingClients}");
    }

    [Theory]
    [InlineData("pr-aws", "aws")]
    [InlineData("amazon-1", "amazon")]
    [InlineData("cognito", "cognito")]
    public void Suffix_that_makes_a_token_domain_prefix_cognito_refuses_is_rejected(string suffix, string word)
    {
        // Cognito refuses these words in a domain prefix; better at synth than in the middle of a Security deploy.
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(new Dictionary<string, string> { ["environmentSuffix"] = suffix }))
            .Message.ShouldContain($"the token domain prefix 'trading-{suffix}-123456789012' (trading-<environmentSuffix>-<account>) contains '{word}'");
    }
}

/// <summary>recoveryRegion: where staging and prod keep the copies that must survive the loss of the primary region.</summary>
public sealed class RecoveryRegionConfigurationTests
{
    private static EnvironmentSettings Load(params (string Key, string Value)[] context) =>
        ConfigurationLoader.Load(context.ToDictionary(c => c.Key, c => c.Value));

    private static string ErrorFor(params (string Key, string Value)[] context) =>
        Should.Throw<ConfigurationException>(() => Load(context)).Message;

    [Theory]
    [InlineData("staging")]
    [InlineData("prod")]
    public void Staging_and_prod_get_a_recovery_region_other_than_the_primary_by_default(string suffix)
    {
        var settings = Load(("environmentSuffix", suffix));
        settings.RecoveryRegion.ShouldNotBeNull($"{suffix} keeps its records and backups in a second region (issue 18)");
        settings.RecoveryRegion.ShouldNotBe(settings.Region, "a copy in the primary region dies with it");
    }

    [Fact]
    public void Every_default_recovery_region_differs_from_its_primary_and_stays_in_its_partition()
    {
        foreach (var (primary, recovery) in EnvironmentPresets.DefaultRecoveryRegions)
        {
            recovery.ShouldNotBe(primary);
            ConfigurationLoader.PartitionOf(recovery).ShouldBe(ConfigurationLoader.PartitionOf(primary), $"{primary} -> {recovery} crosses partitions");
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    public void Dev_like_environments_have_no_recovery_region(string suffix) =>
        Load(("environmentSuffix", suffix)).RecoveryRegion.ShouldBeNull("disposable data has no Recovery layer and no copy cost");

    [Fact]
    public void Recovery_region_can_be_chosen_in_context()
    {
        var settings = Load(("environmentSuffix", "prod"), ("region", "eu-west-2"), ("recoveryRegion", "eu-central-1"));
        settings.RecoveryRegion.ShouldBe("eu-central-1");
        settings.Recovery!.RecordsReplicaBucket.ShouldBe("trading-records-prod-123456789012-eu-central-1");
    }

    [Fact]
    public void Recovery_region_equal_to_the_primary_is_rejected_naming_both()
    {
        var message = ErrorFor(("environmentSuffix", "prod"), ("region", "eu-west-2"), ("recoveryRegion", "eu-west-2"));
        message.ShouldContain("recoveryRegion 'eu-west-2' is the primary region (region eu-west-2)");
        message.ShouldContain("another region");
    }

    [Theory]
    [InlineData("us-east-1", "us-gov-west-1", "aws", "aws-us-gov")]
    [InlineData("us-gov-west-1", "us-east-1", "aws-us-gov", "aws")]
    [InlineData("eu-central-1", "cn-north-1", "aws", "aws-cn")]
    [InlineData("us-east-1", "us-iso-east-1", "aws", "aws-iso")]
    public void Recovery_region_in_another_partition_is_rejected_naming_both(string primary, string recovery, string primaryPartition, string recoveryPartition)
    {
        // AWS Backup copies and S3 replication stay inside one partition (and its accounts): a copy action or a
        // replication rule to another partition would deploy and never copy anything.
        var message = ErrorFor(("environmentSuffix", "prod"), ("region", primary), ("recoveryRegion", recovery));
        message.ShouldContain($"recoveryRegion '{recovery}' is in partition {recoveryPartition}, the primary region ({primary}) in {primaryPartition}");
    }

    [Fact]
    public void Recovery_region_is_a_contradiction_in_a_dev_like_environment() =>
        ErrorFor(("environmentSuffix", "pr-7"), ("recoveryRegion", "us-west-2"))
            .ShouldContain("recoveryRegion 'us-west-2' contradicts environment 'pr-7'");

    [Fact]
    public void Invalid_recovery_region_is_rejected() =>
        ErrorFor(("environmentSuffix", "staging"), ("recoveryRegion", "west-2"))
            .ShouldContain("recoveryRegion 'west-2' is invalid: expected an AWS region code");

    [Fact]
    public void A_primary_without_a_default_recovery_region_needs_one_in_context() =>
        ErrorFor(("environmentSuffix", "prod"), ("region", "me-south-1"))
            .ShouldContain("recoveryRegion is required for 'prod' in me-south-1");

    [Fact]
    public void The_records_replica_cannot_be_listed_as_predating_object_lock() =>
        ErrorFor(("environmentSuffix", "prod"), ("bucketsPredatingObjectLock", $"prod:{LockedBuckets.RecordsReplica}"))
            .ShouldContain($"names bucket '{LockedBuckets.RecordsReplica}' for 'prod': it was created with Object Lock from its first deploy");
}

/// <summary>auditTrail: which trail records what; contradictions are errors naming the value and what is allowed.</summary>
public sealed class AuditTrailConfigurationTests
{
    private const string OrgTrail = "arn:aws:cloudtrail:us-east-1:111111111111:trail/aws-controltower-BaselineCloudTrail";

    private static EnvironmentSettings Load(params (string Key, string Value)[] context) =>
        ConfigurationLoader.Load(context.ToDictionary(c => c.Key, c => c.Value));

    private static string ErrorFor(params (string Key, string Value)[] context) =>
        Should.Throw<ConfigurationException>(() => Load(context)).Message;

    [Theory]
    [InlineData("staging", RecordsLockMode.Governance)]
    [InlineData("prod", RecordsLockMode.Compliance)]
    public void Staging_and_prod_record_everything_in_the_platforms_trail_locked_at_least_a_year(string suffix, RecordsLockMode mode)
    {
        var audit = Load(("environmentSuffix", suffix)).AuditTrail;
        audit.ShouldNotBeNull($"{suffix} has an audit trail by default (PCI DSS requirement 10)");
        audit.DataEvents.ShouldBe(AuditEventRecorder.Platform);
        audit.ManagementEvents.ShouldBe(AuditEventRecorder.Platform);
        audit.LogLock.ShouldNotBeNull();
        audit.LogLock.Mode.ShouldBe(mode);
        audit.LogLock.UpperBoundDays.ShouldBeGreaterThanOrEqualTo(AuditTrailSettings.MinimumLockDays, "PCI DSS 10.5.1: twelve months");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    public void Dev_like_environments_have_no_trail_unless_set_and_then_no_lock(string suffix)
    {
        Load(("environmentSuffix", suffix)).AuditTrail.ShouldBeNull("dev-like: off unless set");
        var audit = Load(("environmentSuffix", suffix), ("auditTrail", "platform")).AuditTrail;
        audit.ShouldNotBeNull();
        audit.LogLock.ShouldBeNull("a locked log file could never be deleted, nor the bucket, nor the stack");
    }

    [Fact]
    public void Naming_an_organization_trail_leaves_it_the_management_events()
    {
        var audit = Load(("environmentSuffix", "prod"), ("auditTrail", $$"""{"organizationTrail": "{{OrgTrail}}"}""")).AuditTrail!;
        audit.ManagementEvents.ShouldBe(AuditEventRecorder.Organization, "an organization trail records its members' management events");
        audit.DataEvents.ShouldBe(AuditEventRecorder.Platform);
        audit.OrganizationTrailArn.ShouldBe(OrgTrail);
        audit.LogLock!.Mode.ShouldBe(RecordsLockMode.Compliance, "the preset's lock stays");
    }

    [Fact]
    public void Organization_data_events_need_the_trail_named() =>
        ErrorFor(("environmentSuffix", "staging"), ("auditTrail", """{"dataEvents": "organization"}"""))
            .ShouldContain("auditTrail.dataEvents is \"organization\" but no organizationTrail is named");

    [Fact]
    public void Management_events_by_the_platform_beside_an_organization_trail_would_be_billed_twice() =>
        ErrorFor(("environmentSuffix", "prod"), ("auditTrail", $$"""{"managementEvents": "platform", "organizationTrail": "{{OrgTrail}}"}"""))
            .ShouldContain("would bill every event twice");

    [Theory]
    [InlineData("""{"dataEvents": "both"}""", "auditTrail.dataEvents \"both\" is invalid")]
    [InlineData("""{"managementEvents": true}""", "auditTrail.managementEvents true is invalid")]
    [InlineData("""{"dataEvent": "platform"}""", "auditTrail has an unknown property 'dataEvent'")]
    [InlineData("""{"organizationTrail": "org-trail"}""", "auditTrail.organizationTrail \"org-trail\" is invalid: expected a trail's ARN")]
    [InlineData("""{"organizationTrail": "arn:aws-cn:cloudtrail:cn-north-1:111111111111:trail/org"}""", "is in partition aws-cn")]
    [InlineData("""{"organizationTrail": "arn:aws:cloudtrail:us-east-1:123456789012:trail/trading-audit-prod"}""", "is this environment's own trail")]
    [InlineData("off", "auditTrail 'off' is invalid")]
    [InlineData("""{"dataEvents": """, "auditTrail is not valid JSON")]
    public void Invalid_values_name_the_value_and_what_is_allowed(string value, string expected) =>
        ErrorFor(("environmentSuffix", "prod"), ("auditTrail", value)).ShouldContain(expected);

    [Fact]
    public void A_lock_shorter_than_twelve_months_is_refused() =>
        Should.Throw<ArgumentOutOfRangeException>(() => AuditTrailSettings.PlatformRecordsAll(RecordsRetention.OfDays(RecordsLockMode.Compliance, 364)))
            .Message.ShouldContain("at least 365 days");

    [Fact]
    public void With_delivery_the_key_is_given_per_environment()
    {
        var context = new Dictionary<string, System.Text.Json.JsonElement>
        {
            ["auditTrail"] = System.Text.Json.JsonSerializer.SerializeToElement("platform"),
            ["delivery"] = System.Text.Json.JsonSerializer.SerializeToElement(File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "delivery.sample.json"))),
        };
        Should.Throw<ConfigurationException>(() => ConfigurationLoader.LoadApp(context))
            .Message.ShouldContain("auditTrail is given at the top level together with delivery");
    }
}
