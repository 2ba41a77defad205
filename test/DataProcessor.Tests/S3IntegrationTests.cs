using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.S3;
using Amazon.S3.Model;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// The handler against a real S3-compatible server (moto on loopback): keys, content, metadata, idempotency,
/// all-or-nothing and failure behaviour as S3 itself answers them, conditional writes (412) included.
/// </summary>
public sealed class S3IntegrationTests(MotoS3Fixture server) : IClassFixture<MotoS3Fixture>, IDisposable
{
    private readonly IAmazonS3 _s3 = server.CreateClient();
    private readonly StringWriter _log = new();

    public void Dispose()
    {
        _s3.Dispose();
        _log.Dispose();
    }

    private Function Create(IAmazonS3? s3 = null, string analyticsBucket = MotoS3Fixture.AnalyticsBucket) =>
        new(s3 ?? _s3, Registry.Default(), Options.For(MotoS3Fixture.IngestionBucket, analyticsBucket), _log, new FixedTime(FixedTime.Default));

    private static async Task<Answer> Post(Function function, string body, string? idempotencyKey = null) =>
        await Answer.ReadAsync(await function.HandleAsync(Requests.Event(body, idempotencyKey is null ? null : Requests.WithKey(idempotencyKey))));

    private async Task<List<S3Object>> List(string bucket, string prefix = "")
    {
        var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
        return response.S3Objects ?? [];
    }

    private async Task<(string Text, string ContentType, string? Hash)> Get(string bucket, string key)
    {
        using var response = await _s3.GetObjectAsync(bucket, key);
        using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
        return (await reader.ReadToEndAsync(), response.Headers.ContentType, response.Metadata["payload-sha256"]);
    }

    private async Task<List<string>> KeysOfBatch(string batchId) =>
        (await List(MotoS3Fixture.IngestionBucket)).Concat(await List(MotoS3Fixture.AnalyticsBucket))
            .Where(o => o.Key.Contains(batchId, StringComparison.Ordinal)).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task A_valid_batch_lands_at_the_partition_of_its_earliest_trade_as_canonical_NDJSON_with_its_aggregates()
    {
        var body = Requests.Batch(
            Requests.Trade(tradeId: "I-1", symbol: "AAPL", quantity: 100m, price: 187.12m, executedAt: "2026-11-24T16:10:00Z"),
            Requests.Trade(tradeId: "I-2", symbol: "AAPL", side: "SELL", quantity: 50.50m, price: 187.50m, executedAt: "2026-11-24T15:04:05.250Z"),
            Requests.Trade(tradeId: "I-3", symbol: "MSFT", quantity: 3m, price: 420m, currency: "USD", executedAt: "2026-11-24T17:00:00Z"));

        var answer = await Post(Create(), body);

        answer.StatusCode.ShouldBe(202);
        var batchId = answer.Body["batchId"]!.GetValue<string>();
        var key = answer.Body["objectKey"]!.GetValue<string>();
        key.ShouldBe($"trades/date=2026-11-24/hour=15/{batchId}.ndjson", "the partition comes from the earliest executedAt (15:04:05.25), not the first trade");

        var (ndjson, contentType, hash) = await Get(MotoS3Fixture.IngestionBucket, key);
        ndjson.ShouldBe(
            "{\"tradeId\":\"I-1\",\"accountId\":\"ACC-1\",\"symbol\":\"AAPL\",\"side\":\"BUY\",\"quantity\":100,\"price\":187.12,\"currency\":\"USD\",\"executedAt\":\"2026-11-24T16:10:00Z\"}\n" +
            "{\"tradeId\":\"I-2\",\"accountId\":\"ACC-1\",\"symbol\":\"AAPL\",\"side\":\"SELL\",\"quantity\":50.5,\"price\":187.5,\"currency\":\"USD\",\"executedAt\":\"2026-11-24T15:04:05.25Z\"}\n" +
            "{\"tradeId\":\"I-3\",\"accountId\":\"ACC-1\",\"symbol\":\"MSFT\",\"side\":\"BUY\",\"quantity\":3,\"price\":420,\"currency\":\"USD\",\"executedAt\":\"2026-11-24T17:00:00Z\"}\n");
        contentType.ShouldBe("application/x-ndjson");
        hash.ShouldBe(BatchIdentity.Sha256Hex(Encoding.UTF8.GetBytes(ndjson)), "the payload hash metadata is what idempotency compares");

        var (aggregates, _, aggregatesHash) = await Get(MotoS3Fixture.AnalyticsBucket, $"aggregates/date=2026-11-24/hour=15/{batchId}.ndjson");
        aggregatesHash.ShouldBe(hash);
        var lines = aggregates.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Select(l => l["symbol"]!.GetValue<string>()).ShouldBe(["AAPL", "MSFT"]);
        // AAPL: 100 x 187.12 + 50.5 x 187.5 = 18712 + 9468.75 = 28180.75 over 150.5 -> vwap 187.24750830564784... -> 187.24750831
        var aapl = lines[0];
        (aapl["count"]!.GetValue<int>(), aapl["volume"]!.GetValue<decimal>(), aapl["notional"]!.GetValue<decimal>(), aapl["vwap"]!.GetValue<decimal>())
            .ShouldBe((2, 150.5m, 28180.75m, 187.24750831m));
        (aapl["minPrice"]!.GetValue<decimal>(), aapl["maxPrice"]!.GetValue<decimal>(), aapl["batchId"]!.GetValue<string>()).ShouldBe((187.12m, 187.5m, batchId));
        lines[1]["notional"]!.GetValue<decimal>().ShouldBe(1260m);

        (await KeysOfBatch(batchId)).Count.ShouldBe(2, "an unkeyed batch writes exactly its two data objects");
    }

    [Fact]
    public async Task A_retry_with_the_same_Idempotency_Key_returns_the_same_answer_and_leaves_one_copy_of_each_object()
    {
        var body = Requests.Batch(Requests.Trade(tradeId: "R-1"), Requests.Trade(tradeId: "R-2", symbol: "MSFT"));
        var key = $"retry-{Guid.NewGuid():N}";
        var function = Create();

        var first = await Post(function, body, key);
        var batchId = first.Body["batchId"]!.GetValue<string>();
        var etags = (await List(MotoS3Fixture.IngestionBucket)).Concat(await List(MotoS3Fixture.AnalyticsBucket))
            .Where(o => o.Key.Contains(batchId, StringComparison.Ordinal)).ToDictionary(o => o.Key, o => (o.ETag, o.LastModified));
        var second = await Post(Create(), body, key);

        first.StatusCode.ShouldBe(202);
        batchId.ShouldBe(BatchIdentity.FromIdempotencyKey(key), "a keyed batch id is derived from the key");
        second.StatusCode.ShouldBe(202);
        second.Body.ToJsonString().ShouldBe(first.Body.ToJsonString(), "the retry must get the same answer");
        (await KeysOfBatch(batchId)).ShouldBe(
            [$"aggregates/date=2026-11-24/hour=15/{batchId}.ndjson", $"idempotency/{batchId}.json", $"trades/date=2026-11-24/hour=15/{batchId}.ndjson"],
            "one copy of each object: no duplicate batch");
        var after = (await List(MotoS3Fixture.IngestionBucket)).Concat(await List(MotoS3Fixture.AnalyticsBucket))
            .Where(o => o.Key.Contains(batchId, StringComparison.Ordinal)).ToDictionary(o => o.Key, o => (o.ETag, o.LastModified));
        after.ShouldBe(etags, "the retry must not rewrite the stored objects");
    }

    [Fact]
    public async Task The_same_Idempotency_Key_with_a_different_payload_is_refused_with_409_and_stores_nothing()
    {
        var key = $"conflict-{Guid.NewGuid():N}";
        var function = Create();
        var first = await Post(function, Requests.Batch(Requests.Trade(tradeId: "C-1", price: 10m)), key);
        first.StatusCode.ShouldBe(202);
        var batchId = first.Body["batchId"]!.GetValue<string>();
        var original = await Get(MotoS3Fixture.IngestionBucket, first.Body["objectKey"]!.GetValue<string>());

        var samePartition = await Post(function, Requests.Batch(Requests.Trade(tradeId: "C-1", price: 11m)), key);
        var otherPartition = await Post(function, Requests.Batch(Requests.Trade(tradeId: "C-1", executedAt: "2026-11-01T03:00:00Z")), key);

        (samePartition.StatusCode, samePartition.Error).ShouldBe((409, "idempotency_key_conflict"));
        (otherPartition.StatusCode, otherPartition.Error).ShouldBe((409, "idempotency_key_conflict"), "a payload landing in another partition must be caught too");
        (await Get(MotoS3Fixture.IngestionBucket, first.Body["objectKey"]!.GetValue<string>())).ShouldBe(original, "the first payload must stay as it was");
        (await KeysOfBatch(batchId)).Count.ShouldBe(3, "nothing was added for the refused payloads");
    }

    [Fact]
    public async Task An_invalid_batch_writes_nothing_to_either_bucket()
    {
        var before = (await List(MotoS3Fixture.IngestionBucket)).Count + (await List(MotoS3Fixture.AnalyticsBucket)).Count;

        var answer = await Post(Create(), Requests.Batch(Requests.Trade(tradeId: "V-1"), Requests.Trade(tradeId: "V-2", quantity: 0m)), $"invalid-{Guid.NewGuid():N}");

        (answer.StatusCode, answer.Error).ShouldBe((400, "validation_failed"));
        ((await List(MotoS3Fixture.IngestionBucket)).Count + (await List(MotoS3Fixture.AnalyticsBucket)).Count)
            .ShouldBe(before, "all or nothing: the valid first trade must not be stored, nor an idempotency record");
    }

    [Fact]
    public async Task When_S3_cannot_be_reached_the_answer_is_a_retryable_503_not_a_success()
    {
        using var unreachable = MotoS3Fixture.CreateClient(MotoS3Fixture.ClosedPortUrl(), maxErrorRetry: 1);
        var watch = Stopwatch.StartNew();

        var answer = await Post(Create(unreachable), Requests.Batch(Requests.Trade()), "down-1");

        (answer.StatusCode, answer.Error).ShouldBe((503, "storage_unavailable"));
        answer.Body["retryable"]!.GetValue<bool>().ShouldBeTrue("the client must know it may send the batch again");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15), "a refused connection must fail fast, within the storage timeout");
        _log.ToString().ShouldContain("\"level\":\"error\"");
    }

    [Fact]
    public async Task When_S3_accepts_the_connection_but_never_answers_the_request_gives_up_at_the_storage_timeout_with_a_retryable_503()
    {
        // A hung S3 call must not run into the Lambda/API Gateway timeout (which would answer a bare 502/504):
        // the function's own storage budget cancels it and answers with its JSON.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<System.Net.Sockets.TcpClient>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await listener.AcceptTcpClientAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var hanging = MotoS3Fixture.CreateClient(new Uri($"http://127.0.0.1:{port}"), maxErrorRetry: 0);
        var function = new Function(hanging, Registry.Default(), Options.For() with { StorageTimeout = TimeSpan.FromSeconds(1) }, _log, new FixedTime(FixedTime.Default));
        var watch = Stopwatch.StartNew();

        var answer = await Answer.ReadAsync(await function.HandleAsync(Requests.Event(Requests.Batch(Requests.Trade()), Requests.WithKey("hang-1"))));

        watch.Stop();
        await stop.CancelAsync();
        await accepting;
        held.ForEach(c => c.Dispose());
        (answer.StatusCode, answer.Error).ShouldBe((503, "storage_unavailable"));
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(4), "the 1 s storage budget, not the client's 5 s timeout, must end the wait");
    }

    [Fact]
    public async Task A_batch_that_failed_halfway_is_completed_by_its_retry_without_duplicates()
    {
        // The analytics bucket is missing on the first attempt: the trades object may be written, the aggregates
        // cannot, so the answer must be 5xx. Once the bucket exists, the same request completes the same batch.
        var lateBucket = $"late-analytics-{Guid.NewGuid():N}"[..30];
        var key = $"halfway-{Guid.NewGuid():N}";
        var body = Requests.Batch(Requests.Trade(tradeId: "H-1"));

        var failed = await Post(Create(analyticsBucket: lateBucket), body, key);
        failed.StatusCode.ShouldBeGreaterThanOrEqualTo(500, "nothing may be acknowledged before both objects are stored");
        failed.Body["retryable"]!.GetValue<bool>().ShouldBeTrue();

        await _s3.PutBucketAsync(lateBucket);
        var retried = await Post(Create(analyticsBucket: lateBucket), body, key);

        retried.StatusCode.ShouldBe(202);
        var batchId = retried.Body["batchId"]!.GetValue<string>();
        (await List(MotoS3Fixture.IngestionBucket)).Count(o => o.Key.Contains(batchId, StringComparison.Ordinal)).ShouldBe(2, "one record and one trades object");
        (await List(lateBucket)).Select(o => o.Key).ShouldBe([$"aggregates/date=2026-11-24/hour=15/{batchId}.ndjson"]);
    }
}
