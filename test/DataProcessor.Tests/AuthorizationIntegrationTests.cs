using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.S3;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// Per-client authorization end to end: the registry in a real DynamoDB-compatible server (dynalite), the batches in a
/// real S3-compatible one (moto). Every refusal must leave both buckets untouched; an authorized batch must land.
/// </summary>
public sealed class AuthorizationIntegrationTests(MotoS3Fixture s3Server, DynaliteFixture dynamoServer)
    : IClassFixture<MotoS3Fixture>, IClassFixture<DynaliteFixture>, IDisposable
{
    private readonly IAmazonS3 _s3 = s3Server.CreateClient();
    private readonly IAmazonDynamoDB _dynamo = dynamoServer.CreateClient();
    private readonly StringWriter _log = new();

    public void Dispose()
    {
        _s3.Dispose();
        _dynamo.Dispose();
        _log.Dispose();
    }

    private Function Create(TimeSpan? cacheTtl = null, TimeProvider? time = null, IAmazonDynamoDB? dynamo = null) => new(
        _s3,
        dynamo ?? _dynamo,
        Options.For(MotoS3Fixture.IngestionBucket, MotoS3Fixture.AnalyticsBucket) with
        {
            ApiKeysTable = DynaliteFixture.Table,
            RegistryCacheTtl = cacheTtl ?? TimeSpan.FromSeconds(60),
            RegistryTimeout = TimeSpan.FromSeconds(3),
        },
        _log,
        time ?? new FixedTime(FixedTime.Default));

    private static async Task<Answer> Post(Function function, string apiKeyId, string clientId, params JsonObject[] trades) =>
        await Answer.ReadAsync(await function.HandleAsync(Requests.Event(Requests.Batch(trades), apiKeyId: apiKeyId, clientId: clientId)));

    /// <summary>A registry item as the put-item command of docs/api.md writes it: accountIds a string set.</summary>
    private async Task Register(string apiKeyId, string clientId, string status, params string[] accounts)
    {
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = DynaliteFixture.Table,
            Item = new Dictionary<string, AttributeValue>
            {
                ["apiKeyId"] = new() { S = apiKeyId },
                ["clientId"] = new() { S = clientId },
                ["accountIds"] = new() { SS = [.. accounts] },
                ["status"] = new() { S = status },
            },
        });
    }

    /// <summary>The revocation command of docs/api.md: update-item setting status to REVOKED.</summary>
    private async Task Revoke(string apiKeyId) =>
        await _dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = DynaliteFixture.Table,
            Key = new Dictionary<string, AttributeValue> { ["apiKeyId"] = new() { S = apiKeyId } },
            UpdateExpression = "SET #s = :r",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#s"] = "status" },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":r"] = new() { S = "REVOKED" } },
        });

    private async Task<int> ObjectCount()
    {
        var count = 0;
        foreach (var bucket in new[] { MotoS3Fixture.IngestionBucket, MotoS3Fixture.AnalyticsBucket })
        {
            count += (await _s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket })).S3Objects?.Count ?? 0;
        }

        return count;
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static void ShouldBeForbidden(Answer answer, string reason)
    {
        answer.StatusCode.ShouldBe(403, answer.Body.ToJsonString());
        answer.Error.ShouldBe("forbidden");
        answer.Body["reason"]!.GetValue<string>().ShouldBe(reason);
        answer.Body["retryable"].ShouldBeNull("a 4xx is not retryable as it is, like every other 4xx of the contract");
        answer.Body["message"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task An_authorized_batch_lands_in_both_buckets()
    {
        var key = Unique("key");
        await Register(key, "client-a", "ACTIVE", "ACC-A1", "ACC-A2");
        var before = await ObjectCount();

        var answer = await Post(Create(), key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1"), Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A2"));

        answer.StatusCode.ShouldBe(202, answer.Body.ToJsonString());
        var stored = await _s3.GetObjectAsync(MotoS3Fixture.IngestionBucket, answer.Body["objectKey"]!.GetValue<string>());
        using var reader = new StreamReader(stored.ResponseStream);
        (await reader.ReadToEndAsync()).ShouldContain("\"accountId\":\"ACC-A2\"");
        (await ObjectCount()).ShouldBe(before + 2, "the trades and the aggregates");
    }

    [Fact]
    public async Task An_unknown_api_key_is_403_unknown_api_key_and_nothing_is_written()
    {
        var before = await ObjectCount();
        ShouldBeForbidden(await Post(Create(), Unique("never-registered"), "client-a", Requests.Trade(tradeId: Unique("T"))), "unknown_api_key");
        (await ObjectCount()).ShouldBe(before, "nothing is written on a 403");
    }

    [Fact]
    public async Task A_revoked_api_key_is_403_revoked_api_key_and_nothing_is_written()
    {
        var key = Unique("key");
        await Register(key, "client-a", "REVOKED", "ACC-A1");
        var before = await ObjectCount();
        ShouldBeForbidden(await Post(Create(), key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1")), "revoked_api_key");
        (await ObjectCount()).ShouldBe(before, "nothing is written on a 403");
    }

    [Fact]
    public async Task A_token_of_another_client_than_the_keys_is_403_client_mismatch_and_nothing_is_written()
    {
        var key = Unique("key");
        await Register(key, "client-a", "ACTIVE", "ACC-A1");
        var before = await ObjectCount();
        ShouldBeForbidden(await Post(Create(), key, "client-b", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1")), "client_mismatch");
        (await ObjectCount()).ShouldBe(before, "nothing is written on a 403");
    }

    [Fact]
    public async Task Trades_of_accounts_the_client_may_not_write_are_403_listing_exactly_their_indexes_and_nothing_is_written()
    {
        var key = Unique("key");
        await Register(key, "client-a", "ACTIVE", "ACC-A1", "ACC-A2");
        var before = await ObjectCount();

        var answer = await Post(Create(), key, "client-a",
            Requests.Trade(tradeId: "F-0", accountId: "ACC-A1"),
            Requests.Trade(tradeId: "F-1", accountId: "ACC-B1"),
            Requests.Trade(tradeId: "F-2", accountId: "ACC-A2"),
            Requests.Trade(tradeId: "F-3", accountId: "acc-a1"));

        ShouldBeForbidden(answer, "account_not_allowed");
        answer.Body["offendingTrades"]!.AsArray().Select(i => i!.GetValue<int>()).ShouldBe([1, 3], "account ids are compared exactly (case-sensitive)");
        (await ObjectCount()).ShouldBe(before, "one foreign trade refuses the whole batch: nothing is written");
        _log.ToString().ShouldNotContain("ACC-B1", customMessage: "account ids are never logged");
    }

    [Fact]
    public async Task Account_ids_as_a_list_of_strings_are_accepted_too()
    {
        var key = Unique("key");
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = DynaliteFixture.Table,
            Item = new Dictionary<string, AttributeValue>
            {
                ["apiKeyId"] = new() { S = key },
                ["clientId"] = new() { S = "client-a" },
                ["accountIds"] = new() { L = [new AttributeValue { S = "ACC-L1" }] },
                ["status"] = new() { S = "ACTIVE" },
            },
        });
        (await Post(Create(), key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-L1"))).StatusCode.ShouldBe(202);
    }

    [Fact]
    public async Task A_malformed_registry_item_is_refused_and_logged_as_the_operators_mistake()
    {
        var key = Unique("key");
        await _dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = DynaliteFixture.Table,
            Item = new Dictionary<string, AttributeValue>
            {
                ["apiKeyId"] = new() { S = key },
                ["clientId"] = new() { S = "client-a" },
                ["accountIds"] = new() { S = "ACC-A1" }, // a string, not a set
                ["status"] = new() { S = "ACTIVE" },
            },
        });
        var before = await ObjectCount();

        ShouldBeForbidden(await Post(Create(), key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1")), "unknown_api_key");

        (await ObjectCount()).ShouldBe(before);
        var line = JsonNode.Parse(_log.ToString().Trim().Split('\n')[^1])!;
        (line["level"]!.GetValue<string>(), line["outcome"]!.GetValue<string>()).ShouldBe(("warn", "registry_item_malformed"));
    }

    [Fact]
    public async Task A_revocation_takes_effect_once_the_cache_time_has_passed()
    {
        var key = Unique("key");
        await Register(key, "client-a", "ACTIVE", "ACC-A1");
        var function = Create(cacheTtl: TimeSpan.FromSeconds(1), time: TimeProvider.System);

        // executedAt is checked against the real clock here: an instant of the past.
        (await Post(function, key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1"))).StatusCode.ShouldBe(202);
        await Revoke(key);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var before = await ObjectCount();

        ShouldBeForbidden(await Post(function, key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1")), "revoked_api_key");
        (await ObjectCount()).ShouldBe(before);
    }

    [Fact]
    public async Task With_the_default_60_seconds_a_revocation_is_seen_no_later_than_60_seconds_after_the_last_read()
    {
        var key = Unique("key");
        await Register(key, "client-a", "ACTIVE", "ACC-A1");
        var clock = new ManualTime(FixedTime.Default);
        var function = Create(time: clock);

        (await Post(function, key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1"))).StatusCode.ShouldBe(202);
        await Revoke(key);

        clock.Advance(TimeSpan.FromSeconds(59));
        (await Post(function, key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1"))).StatusCode
            .ShouldBe(202, "inside the documented bound the cached record may still be used (this is the staleness docs/api.md states)");

        clock.Advance(TimeSpan.FromSeconds(1));
        ShouldBeForbidden(await Post(function, key, "client-a", Requests.Trade(tradeId: Unique("T"), accountId: "ACC-A1")), "revoked_api_key");
    }

    [Fact]
    public async Task When_DynamoDB_cannot_be_reached_the_answer_is_a_retryable_503_and_nothing_is_written()
    {
        using var down = DynaliteFixture.CreateClient(MotoS3Fixture.ClosedPortUrl());
        var before = await ObjectCount();

        var answer = await Post(Create(dynamo: down), Requests.ApiKeyId, Requests.ClientId, Requests.Trade(tradeId: Unique("T")));

        answer.StatusCode.ShouldBe(503, "a registry failure is the platform's fault: retryable, never a 403 that would tell a client to give up");
        answer.Body["retryable"]!.GetValue<bool>().ShouldBeTrue();
        (await ObjectCount()).ShouldBe(before);
        JsonNode.Parse(_log.ToString().Trim().Split('\n')[^1])!["outcome"]!.GetValue<string>().ShouldBe("registry_unavailable");
    }

    [Fact]
    public async Task A_missing_table_is_a_503_not_a_403()
    {
        var function = new Function(_s3, _dynamo, Options.For(MotoS3Fixture.IngestionBucket, MotoS3Fixture.AnalyticsBucket) with { ApiKeysTable = "no-such-table" }, _log, new FixedTime(FixedTime.Default));
        (await Post(function, Requests.ApiKeyId, Requests.ClientId, Requests.Trade(tradeId: Unique("T")))).StatusCode.ShouldBe(503);
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public void Advance(TimeSpan by) => _now += by;

    public override DateTimeOffset GetUtcNow() => _now;
}
