namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>Configuration from the Lambda environment: a misconfigured function must fail loudly at start.</summary>
public sealed class OptionsTests
{
    private static Func<string, string?> Env(params (string Name, string? Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Both_buckets_are_read_and_the_body_limit_defaults_to_1_MiB()
    {
        var options = DataProcessorOptions.FromEnvironment(Env(("INGESTION_BUCKET", "ing"), ("ANALYTICS_BUCKET", "ana"), ("API_KEYS_TABLE", "keys")));
        (options.IngestionBucket, options.AnalyticsBucket, options.MaxBodyBytes).ShouldBe(("ing", "ana", 1_048_576));
    }

    [Theory]
    [InlineData("INGESTION_BUCKET")]
    [InlineData("ANALYTICS_BUCKET")]
    [InlineData("API_KEYS_TABLE")]
    public void A_missing_bucket_variable_fails_with_its_name_in_the_message(string missing)
    {
        var values = new[] { ("INGESTION_BUCKET", (string?)"ing"), ("ANALYTICS_BUCKET", (string?)"ana"), ("API_KEYS_TABLE", (string?)"keys") }
            .Select(v => v.Item1 == missing ? (v.Item1, (string?)"  ") : v).ToArray();
        Should.Throw<InvalidOperationException>(() => DataProcessorOptions.FromEnvironment(Env(values)))
            .Message.ShouldContain(missing, customMessage: "the operator must see which variable to set");
    }

    [Theory]
    [InlineData("2048", 2048)]
    [InlineData(" 6291456 ", 6_291_456)]
    public void Max_body_bytes_can_be_set(string raw, int expected)
    {
        DataProcessorOptions.FromEnvironment(Env(("INGESTION_BUCKET", "i"), ("ANALYTICS_BUCKET", "a"), ("API_KEYS_TABLE", "k"), ("MAX_BODY_BYTES", raw)))
            .MaxBodyBytes.ShouldBe(expected);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1MiB")]
    [InlineData("6291457")]
    public void An_unusable_max_body_bytes_fails_with_the_variable_name_instead_of_falling_back(string raw)
    {
        // Falling back to the default would hide a typo in the stack; an out-of-range value must stop the function.
        Should.Throw<InvalidOperationException>(() => DataProcessorOptions.FromEnvironment(Env(("INGESTION_BUCKET", "i"), ("ANALYTICS_BUCKET", "a"), ("API_KEYS_TABLE", "k"), ("MAX_BODY_BYTES", raw))))
            .Message.ShouldContain("MAX_BODY_BYTES");
    }

    [Fact]
    public void The_parameterless_constructor_used_by_Lambda_reads_the_real_environment()
    {
        // No test sets these variables; the runtime's constructor must refuse to start without them.
        Environment.GetEnvironmentVariable("INGESTION_BUCKET").ShouldBeNull("the test process must not have the variable set");
        Should.Throw<InvalidOperationException>(() => new Function()).Message.ShouldContain("INGESTION_BUCKET");
    }

    [Fact]
    public void The_registry_cache_defaults_to_60_seconds_and_0_disables_it()
    {
        var env = new[] { ("INGESTION_BUCKET", (string?)"i"), ("ANALYTICS_BUCKET", (string?)"a"), ("API_KEYS_TABLE", (string?)"api-keys-dev") };
        var options = DataProcessorOptions.FromEnvironment(Env(env));
        (options.ApiKeysTable, options.RegistryCacheTtl).ShouldBe(("api-keys-dev", TimeSpan.FromSeconds(60)), "60 s is the documented revocation bound");
        DataProcessorOptions.FromEnvironment(Env([.. env, ("REGISTRY_CACHE_SECONDS", "0")])).RegistryCacheTtl.ShouldBe(TimeSpan.Zero);
        DataProcessorOptions.FromEnvironment(Env([.. env, ("REGISTRY_CACHE_SECONDS", " 5 ")])).RegistryCacheTtl.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("60s")]
    [InlineData("1.5")]
    [InlineData("3601")]
    public void An_unusable_registry_cache_time_fails_with_the_variable_name(string raw)
    {
        // A typo must not silently become "cache forever" or "no cache": it changes how late a revocation bites.
        Should.Throw<InvalidOperationException>(() => DataProcessorOptions.FromEnvironment(Env(("INGESTION_BUCKET", "i"), ("ANALYTICS_BUCKET", "a"), ("API_KEYS_TABLE", "k"), ("REGISTRY_CACHE_SECONDS", raw))))
            .Message.ShouldContain("REGISTRY_CACHE_SECONDS");
    }
}
