using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>A clock that stands still, so that the "not in the future" rule does not depend on when tests run.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public static readonly DateTimeOffset Default = new(2026, 11, 24, 18, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Builders for request bodies and API Gateway events.</summary>
internal static class Requests
{
    public static JsonObject Trade(
        string tradeId = "T-1",
        string accountId = "ACC-1",
        string symbol = "AAPL",
        string side = "BUY",
        decimal quantity = 100m,
        decimal price = 187.12m,
        string currency = "USD",
        string executedAt = "2026-11-24T15:04:05Z") => new()
    {
        ["tradeId"] = tradeId,
        ["accountId"] = accountId,
        ["symbol"] = symbol,
        ["side"] = side,
        ["quantity"] = quantity,
        ["price"] = price,
        ["currency"] = currency,
        ["executedAt"] = executedAt,
    };

    public static string Batch(params JsonObject[] trades) =>
        new JsonObject { ["trades"] = new JsonArray(trades.Select(t => (JsonNode)t).ToArray()) }.ToJsonString();

    /// <summary>The API key id and token client of <see cref="Registry.Default"/>'s test client.</summary>
    public const string ApiKeyId = "key-test";
    public const string ClientId = "client-test";

    /// <summary>The test client's identity as a raw <c>requestContext</c> property, for events written by hand.</summary>
    public const string RequestContextJson =
        "\"requestContext\":{\"requestId\":\"r\",\"identity\":{\"apiKeyId\":\"" + ApiKeyId + "\"},\"authorizer\":{\"claims\":{\"client_id\":\"" + ClientId + "\"}}}";

    public static Stream Event(string? body, IDictionary<string, string?>? headers = null, bool base64 = false, string requestId = "req-1", string? method = "POST",
        IDictionary<string, string?[]>? multiValueHeaders = null, string? apiKeyId = ApiKeyId, string? clientId = ClientId)
    {
        var headerNode = headers is null ? null : new JsonObject(headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)JsonValue.Create(h.Value))));
        var multiNode = multiValueHeaders is null ? null : new JsonObject(multiValueHeaders.Select(h =>
            KeyValuePair.Create(h.Key, (JsonNode?)new JsonArray(h.Value.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()))));
        var evt = new JsonObject
        {
            ["resource"] = "/data",
            ["path"] = "/data",
            ["httpMethod"] = method,
            ["headers"] = headerNode,
            ["multiValueHeaders"] = multiNode,
            ["queryStringParameters"] = null,
            ["requestContext"] = new JsonObject
            {
                ["requestId"] = requestId,
                ["stage"] = "prod",
                // As API Gateway fills them: the key's id under identity, the Cognito access token's claims under authorizer.
                ["identity"] = new JsonObject { ["apiKeyId"] = apiKeyId, ["sourceIp"] = "203.0.113.7" },
                ["authorizer"] = clientId is null ? null : new JsonObject
                {
                    ["claims"] = new JsonObject { ["client_id"] = clientId, ["scope"] = "trading/ingest", ["token_use"] = "access" },
                },
            },
            ["body"] = body is null ? null : base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(body)) : body,
            ["isBase64Encoded"] = base64,
        };
        return new MemoryStream(Encoding.UTF8.GetBytes(evt.ToJsonString()));
    }

    public static Dictionary<string, string?> WithKey(string key) => new() { ["Idempotency-Key"] = key, ["x-api-key"] = "not-logged" };
}

/// <summary>The proxy answer, read back.</summary>
internal sealed record Answer(int StatusCode, string ContentType, JsonNode Body)
{
    public static async Task<Answer> ReadAsync(Stream output)
    {
        var envelope = (await JsonNode.ParseAsync(output))!;
        var body = JsonNode.Parse(envelope["body"]!.GetValue<string>())!;
        return new Answer(
            envelope["statusCode"]!.GetValue<int>(),
            envelope["headers"]!["Content-Type"]!.GetValue<string>(),
            body);
    }

    public string Error => Body["error"]!.GetValue<string>();
}

/// <summary>In-memory <see cref="IObjectStore"/> that counts calls and can be told to fail.</summary>
internal sealed class FakeStore : IObjectStore
{
    public ConcurrentDictionary<(string Bucket, string Key), (byte[] Content, string Hash)> Objects { get; } = new();

    public int Calls;

    public Exception? FailWith { get; set; }

    public Task<StoredObject?> HeadAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (FailWith is not null)
        {
            throw FailWith;
        }

        return Task.FromResult(Objects.TryGetValue((bucket, key), out var o) ? new StoredObject(o.Hash) : null);
    }

    public Task<PutResult> PutIfAbsentAsync(string bucket, string key, ReadOnlyMemory<byte> content, string contentType, string payloadSha256, string batchId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (FailWith is not null)
        {
            throw FailWith;
        }

        return Task.FromResult(Objects.TryAdd((bucket, key), (content.ToArray(), payloadSha256)) ? PutResult.Created : PutResult.AlreadyExists);
    }
}

/// <summary>In-memory <see cref="IClientRegistry"/>: items by API key id, a call count, and a failure switch.</summary>
internal sealed class FakeRegistry : IClientRegistry
{
    public ConcurrentDictionary<string, ClientRecord> Items { get; } = new();

    public int Calls;

    public Exception? FailWith { get; set; }

    public Task<ClientRecord> GetAsync(string apiKeyId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        if (FailWith is not null)
        {
            throw FailWith;
        }

        return Task.FromResult(Items.TryGetValue(apiKeyId, out var record) ? record : ClientRecord.Unknown);
    }
}

internal static class Registry
{
    /// <summary>The accounts of the test client: every account id the other tests write.</summary>
    public static readonly string[] Accounts = ["ACC-1", "ACC-2", "A", "b", "acc_2.x"];

    /// <summary>A registry where <see cref="Requests.ApiKeyId"/> is the ACTIVE key of <see cref="Requests.ClientId"/>.</summary>
    public static FakeRegistry Default(params string[] moreAccounts)
    {
        var registry = new FakeRegistry();
        registry.Items[Requests.ApiKeyId] = Active(Requests.ClientId, [.. Accounts, .. moreAccounts]);
        return registry;
    }

    public static ClientRecord Active(string clientId, params string[] accounts) =>
        new(RegistryStatus.Active, clientId, new HashSet<string>(accounts, StringComparer.Ordinal));
}

internal static class Options
{
    public static DataProcessorOptions For(string ingestion = "ingestion", string analytics = "analytics", int maxBodyBytes = DataProcessorOptions.DefaultMaxBodyBytes) =>
        new() { IngestionBucket = ingestion, AnalyticsBucket = analytics, MaxBodyBytes = maxBodyBytes };
}

internal static class Parsing
{
    public static ParseOutcome Parse(string json) =>
        TradeBatchParser.Parse(Encoding.UTF8.GetBytes(json), FixedTime.Default.UtcDateTime);

    public static IReadOnlyList<Trade> Valid(string json)
    {
        var outcome = Parse(json);
        if (outcome is not ParsedBatch batch)
        {
            var detail = outcome is InvalidBatch b ? string.Join("; ", b.Errors.Select(e => $"{e.Index}/{e.Field}: {e.Message}")) : outcome.ToString();
            throw new ShouldAssertException($"expected a valid batch, got {detail}");
        }

        return batch.Trades;
    }

    public static InvalidBatch Invalid(string json) =>
        Parse(json).ShouldBeOfType<InvalidBatch>("the batch should have failed validation");

    /// <summary>Errors as "index/field" strings, which is what a client needs to find the bad value.</summary>
    public static string[] Where(InvalidBatch batch) => batch.Errors.Select(e => $"{e.Index?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}/{e.Field}").ToArray();
}
