using Amazon.DynamoDBv2.Model;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>The registry cache and the reading of registry items, without a server.</summary>
public sealed class ClientRegistryTests
{
    private readonly FakeStore _store = new();
    private readonly StringWriter _log = new();

    private Function Create(FakeRegistry registry, TimeSpan? ttl = null, TimeProvider? time = null) =>
        new(_store, registry, Options.For() with { RegistryCacheTtl = ttl ?? TimeSpan.FromSeconds(60) }, _log, time ?? new FixedTime(FixedTime.Default));

    private static async Task<Answer> Post(Function function, string apiKeyId = Requests.ApiKeyId, string? clientId = Requests.ClientId) =>
        await Answer.ReadAsync(await function.HandleAsync(Requests.Event(Requests.Batch(Requests.Trade()), apiKeyId: apiKeyId, clientId: clientId)));

    [Fact]
    public async Task Unknown_keys_are_cached_too_so_a_flood_of_bad_keys_reads_the_table_once_per_key_and_ttl()
    {
        var registry = Registry.Default();
        var function = Create(registry);
        for (var i = 0; i < 5; i++)
        {
            (await Post(function, apiKeyId: "key-unknown")).StatusCode.ShouldBe(403);
        }

        registry.Calls.ShouldBe(1, "the negative answer is reused for the TTL");
    }

    [Fact]
    public async Task A_registry_failure_is_a_503_and_is_not_cached()
    {
        var registry = Registry.Default();
        registry.FailWith = new Amazon.DynamoDBv2.Model.ProvisionedThroughputExceededException("throttled");
        var function = Create(registry);

        var failed = await Post(function);
        failed.StatusCode.ShouldBe(503, "throttling is the platform's problem, never a 403");
        failed.Body["retryable"]!.GetValue<bool>().ShouldBeTrue();
        _store.Calls.ShouldBe(0, "S3 is not touched before the caller is known");

        registry.FailWith = null;
        (await Post(function)).StatusCode.ShouldBe(202, "the failure must not be remembered as a refusal");
        registry.Calls.ShouldBe(2);
    }

    [Fact]
    public async Task A_zero_ttl_reads_the_registry_on_every_request()
    {
        var registry = Registry.Default();
        var function = Create(registry, ttl: TimeSpan.Zero);
        (await Post(function)).StatusCode.ShouldBe(202);
        (await Post(function)).StatusCode.ShouldBe(202);
        registry.Calls.ShouldBe(2);
    }

    [Fact]
    public async Task The_cache_is_bounded_whatever_keys_arrive()
    {
        var registry = Registry.Default();
        var cache = new CachedClientRegistry(registry, TimeSpan.FromSeconds(60), new FixedTime(FixedTime.Default), maxEntries: 3);
        for (var i = 0; i < 10; i++)
        {
            await cache.GetAsync($"key-{i}", CancellationToken.None);
            cache.Count.ShouldBeLessThanOrEqualTo(3);
        }

        // The most recent answer is always kept.
        await cache.GetAsync("key-9", CancellationToken.None);
        registry.Calls.ShouldBe(10);
    }

    [Theory]
    [InlineData(null, "client-test")]
    [InlineData("key-test", null)]
    [InlineData("", "client-test")]
    [InlineData("key-test", "")]
    public async Task Without_an_api_key_id_or_a_token_client_the_answer_is_401_and_the_registry_is_not_read(string? apiKeyId, string? clientId)
    {
        var registry = Registry.Default();
        var answer = await Answer.ReadAsync(await Create(registry).HandleAsync(Requests.Event(Requests.Batch(Requests.Trade()), apiKeyId: apiKeyId, clientId: clientId)));
        answer.StatusCode.ShouldBe(401);
        answer.Error.ShouldBe("unauthorized");
        answer.Body["retryable"].ShouldBeNull();
        (registry.Calls, _store.Calls).ShouldBe((0, 0));
    }

    [Fact]
    public async Task The_caller_is_checked_before_the_body_so_a_refused_caller_learns_nothing_about_the_batch()
    {
        var answer = await Answer.ReadAsync(await Create(Registry.Default()).HandleAsync(Requests.Event("{not json", apiKeyId: "key-unknown")));
        answer.StatusCode.ShouldBe(403, "an unknown key gets no validation feedback");
        answer.Body["reason"]!.GetValue<string>().ShouldBe("unknown_api_key");
        answer.Body["offendingTrades"].ShouldBeNull("trade positions are listed only for account_not_allowed");
    }

    [Fact]
    public async Task A_valid_batch_is_checked_for_accounts_only_after_validation()
    {
        var body = Requests.Batch(Requests.Trade(accountId: "ACC-OTHER"), Requests.Trade(tradeId: "T-2", price: -1m));
        var answer = await Answer.ReadAsync(await Create(Registry.Default()).HandleAsync(Requests.Event(body)));
        answer.StatusCode.ShouldBe(400, "a broken batch is a 400 first; account ownership is judged on valid trades");
    }

    [Fact]
    public void Registry_items_are_read_strictly()
    {
        static Dictionary<string, AttributeValue> Item(string? status, string? clientId, AttributeValue? accounts)
        {
            var item = new Dictionary<string, AttributeValue> { ["apiKeyId"] = new() { S = "k" } };
            if (status is not null)
            {
                item["status"] = new() { S = status };
            }

            if (clientId is not null)
            {
                item["clientId"] = new() { S = clientId };
            }

            if (accounts is not null)
            {
                item["accountIds"] = accounts;
            }

            return item;
        }

        var set = new AttributeValue { SS = ["A1", "A2"] };
        var ok = DynamoDbClientRegistry.Read(Item("ACTIVE", "c", set));
        (ok.Status, ok.ClientId).ShouldBe((RegistryStatus.Active, "c"));
        ok.AccountIds.ShouldBe(["A1", "A2"], ignoreOrder: true);

        DynamoDbClientRegistry.Read(Item("REVOKED", null, null)).Status.ShouldBe(RegistryStatus.Revoked);
        DynamoDbClientRegistry.Read(Item(null, "c", set)).Status.ShouldBe(RegistryStatus.Malformed, "no status");
        DynamoDbClientRegistry.Read(Item("active", "c", set)).Status.ShouldBe(RegistryStatus.Malformed, "statuses are upper-case");
        DynamoDbClientRegistry.Read(Item("ACTIVE", null, set)).Status.ShouldBe(RegistryStatus.Malformed, "no clientId");
        DynamoDbClientRegistry.Read(Item("ACTIVE", "c", null)).Status.ShouldBe(RegistryStatus.Malformed, "no accountIds");
        DynamoDbClientRegistry.Read(Item("ACTIVE", "c", new AttributeValue { S = "A1" })).Status.ShouldBe(RegistryStatus.Malformed, "accountIds as a string");
        DynamoDbClientRegistry.Read(Item("ACTIVE", "c", new AttributeValue { L = [new AttributeValue { N = "1" }] })).Status.ShouldBe(RegistryStatus.Malformed, "a number in the list");
        DynamoDbClientRegistry.Read(Item("ACTIVE", "c", new AttributeValue { L = [new AttributeValue { S = "A1" }] })).AccountIds.ShouldBe(["A1"]);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_is_a_503_after_its_budget_and_the_budgets_fit_the_function_timeout()
    {
        var options = Options.For() with { RegistryTimeout = TimeSpan.FromMilliseconds(200) };
        var function = new Function(_store, new HangingRegistry(), options, _log, TimeProvider.System);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var answer = await Answer.ReadAsync(await function.HandleAsync(Requests.Event(Requests.Batch(Requests.Trade()))));
        answer.StatusCode.ShouldBe(503);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));

        // The deployed function times out after 25 s (IngestionFunction.Timeout): the registry and S3 budgets must end
        // before it, or a slow dependency becomes Lambda's timeout instead of our retryable 503.
        var defaults = Options.For();
        (defaults.RegistryTimeout + defaults.StorageTimeout).ShouldBeLessThan(TimeSpan.FromSeconds(25));
    }

    private sealed class HangingRegistry : IClientRegistry
    {
        public async Task<ClientRecord> GetAsync(string apiKeyId, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return ClientRecord.Unknown;
        }
    }
}
