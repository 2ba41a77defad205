using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// Conditional writes against a server that enforces them (moto): a second <c>If-None-Match: *</c> PUT is refused
/// with 412, and the handler reads a 412 as "a concurrent or earlier attempt stored it" (same payload: the same
/// answer; another payload: 409). Without the condition, concurrent retries would overwrite each other.
/// </summary>
public sealed class ConditionalWriteTests(MotoS3Fixture server) : IClassFixture<MotoS3Fixture>, IDisposable
{
    private readonly IAmazonS3 _s3 = server.CreateClient();

    public void Dispose() => _s3.Dispose();

    private Function Create(IAmazonS3? s3 = null) =>
        new(s3 ?? _s3, Registry.Default(), Options.For(MotoS3Fixture.IngestionBucket, MotoS3Fixture.AnalyticsBucket), TextWriter.Null, new FixedTime(FixedTime.Default));

    private static async Task<Answer> Post(Function function, string body, string? key = null) =>
        await Answer.ReadAsync(await function.HandleAsync(Requests.Event(body, key is null ? null : Requests.WithKey(key))));

    private async Task<List<string>> KeysOf(string batchId)
    {
        var keys = new List<string>();
        foreach (var bucket in new[] { MotoS3Fixture.IngestionBucket, MotoS3Fixture.AnalyticsBucket })
        {
            var listed = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            keys.AddRange((listed.S3Objects ?? []).Select(o => o.Key).Where(k => k.Contains(batchId, StringComparison.Ordinal)));
        }

        return keys;
    }

    private async Task<string> Read(string bucket, string key)
    {
        using var response = await _s3.GetObjectAsync(bucket, key);
        using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task A_second_conditional_PUT_of_the_same_key_gets_412_and_leaves_the_first_object()
    {
        // The premise of every other test here: if the server ignored If-None-Match, they would prove nothing.
        var key = $"probe/{Guid.NewGuid():N}";
        PutObjectRequest Put(string content) => new()
        {
            BucketName = MotoS3Fixture.IngestionBucket,
            Key = key,
            ContentBody = content,
            IfNoneMatch = "*",
            UseChunkEncoding = false,
        };

        await _s3.PutObjectAsync(Put("first"));
        var refused = await Should.ThrowAsync<AmazonS3Exception>(() => _s3.PutObjectAsync(Put("second")));

        refused.StatusCode.ShouldBe(HttpStatusCode.PreconditionFailed);
        (await Read(MotoS3Fixture.IngestionBucket, key)).ShouldBe("first");

        var store = new S3ObjectStore(_s3);
        var storeKey = $"probe/{Guid.NewGuid():N}";
        (await store.PutIfAbsentAsync(MotoS3Fixture.IngestionBucket, storeKey, "a"u8.ToArray(), "text/plain", "h1", "b", default)).ShouldBe(PutResult.Created);
        (await store.PutIfAbsentAsync(MotoS3Fixture.IngestionBucket, storeKey, "b"u8.ToArray(), "text/plain", "h2", "b", default))
            .ShouldBe(PutResult.AlreadyExists, "the store must report the 412, not overwrite");
        (await store.HeadAsync(MotoS3Fixture.IngestionBucket, storeKey, default))!.PayloadSha256.ShouldBe("h1");
    }

    [Fact]
    public async Task A_writer_that_loses_the_race_after_its_HEAD_gets_412_and_answers_the_same_as_the_winner()
    {
        // The loser's HEADs ran before the winner wrote (they find nothing); its conditional PUTs then meet the
        // winner's objects. Same payload: 202 with the winner's answer, nothing rewritten.
        var key = $"race-{Guid.NewGuid():N}";
        var body = Requests.Batch(Requests.Trade(tradeId: "RACE-1"));
        var winner = await Post(Create(), body, key);
        using var loser = new RaceLosingS3(server.ServiceUrl);

        var answer = await Post(Create(loser), body, key);

        answer.StatusCode.ShouldBe(202);
        answer.Body.ToJsonString().ShouldBe(winner.Body.ToJsonString());
        loser.PreconditionFailures.ShouldBe(3, "record, trades and aggregates: each PUT met the winner's object");
        (await KeysOf(winner.Body["batchId"]!.GetValue<string>())).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_writer_that_loses_the_race_with_another_payload_under_the_same_key_gets_409_and_stores_nothing()
    {
        var key = $"race-conflict-{Guid.NewGuid():N}";
        var winner = await Post(Create(), Requests.Batch(Requests.Trade(tradeId: "W-1", price: 10m)), key);
        var stored = await Read(MotoS3Fixture.IngestionBucket, winner.Body["objectKey"]!.GetValue<string>());
        using var loser = new RaceLosingS3(server.ServiceUrl);

        var answer = await Post(Create(loser), Requests.Batch(Requests.Trade(tradeId: "W-1", price: 11m)), key);

        (answer.StatusCode, answer.Error).ShouldBe((409, "idempotency_key_conflict"));
        loser.PreconditionFailures.ShouldBe(1, "the idempotency record's 412 decides; the data objects are not attempted");
        (await Read(MotoS3Fixture.IngestionBucket, winner.Body["objectKey"]!.GetValue<string>())).ShouldBe(stored);
    }

    [Fact]
    public async Task Concurrent_identical_requests_without_a_key_store_one_batch_and_all_get_the_same_answer()
    {
        // Without a key there is no HEAD first: the conditional PUT alone decides, so all but one of the concurrent
        // PUTs of each object must be refused with 412.
        var body = Requests.Batch(Requests.Trade(tradeId: $"C-{Guid.NewGuid():N}"[..30]), Requests.Trade(tradeId: "C-2", symbol: "MSFT"));
        var clients = Enumerable.Range(0, 6).Select(_ => new RaceLosingS3(server.ServiceUrl, blindHeads: false)).ToList();
        try
        {
            var answers = await Task.WhenAll(clients.Select(c => Post(Create(c), body)));

            answers.ShouldAllBe(a => a.StatusCode == 202);
            answers.Select(a => a.Body.ToJsonString()).Distinct().Count().ShouldBe(1, "every attempt gets the same batch id and key");
            (await KeysOf(answers[0].Body["batchId"]!.GetValue<string>())).Count.ShouldBe(2, "one trades object, one aggregates object");
            clients.Sum(c => c.PreconditionFailures).ShouldBe(2 * (clients.Count - 1), "each object was created once and refused to the 5 others");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_and_two_payloads_store_exactly_one_payload()
    {
        var key = $"split-{Guid.NewGuid():N}";
        var bodies = new[] { Requests.Batch(Requests.Trade(tradeId: "S-1", price: 1m)), Requests.Batch(Requests.Trade(tradeId: "S-1", price: 2m)) };
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Post(Create(server.CreateClient()), bodies[i % 2], key)));

        var accepted = answers.Where(a => a.StatusCode == 202).ToList();
        accepted.ShouldNotBeEmpty("one payload wins the key");
        accepted.Select(a => a.Body.ToJsonString()).Distinct().Count().ShouldBe(1);
        answers.Where(a => a.StatusCode != 202).ShouldAllBe(a => a.StatusCode == 409, "the other payload is refused, never half stored");
        var batchId = accepted[0].Body["batchId"]!.GetValue<string>();
        (await KeysOf(batchId)).Count.ShouldBe(3);
        var trades = await Read(MotoS3Fixture.IngestionBucket, accepted[0].Body["objectKey"]!.GetValue<string>());
        answers.Count(a => a.StatusCode == 202).ShouldBe(3, $"the three requests with the stored payload succeed ({trades.Trim()})");
    }

    /// <summary>
    /// A real client that counts 412 answers; with <c>blindHeads</c> its first HEAD of each key finds nothing, as if
    /// it had run just before a concurrent writer stored the object.
    /// </summary>
    private sealed class RaceLosingS3(Uri serviceUrl, bool blindHeads = true)
        : AmazonS3Client(new BasicAWSCredentials("testing", "testing"), MotoS3Fixture.Config(serviceUrl, maxErrorRetry: 0))
    {
        private readonly HashSet<string> _headed = [];
        private int _preconditionFailures;

        public int PreconditionFailures => _preconditionFailures;

        public override Task<GetObjectMetadataResponse> GetObjectMetadataAsync(GetObjectMetadataRequest request, CancellationToken cancellationToken = default)
        {
            lock (_headed)
            {
                if (blindHeads && _headed.Add(request.Key))
                {
                    throw new AmazonS3Exception("Not Found") { StatusCode = HttpStatusCode.NotFound, ErrorCode = "NotFound" };
                }
            }

            return base.GetObjectMetadataAsync(request, cancellationToken);
        }

        public override async Task<PutObjectResponse> PutObjectAsync(PutObjectRequest request, CancellationToken cancellationToken = default)
        {
            try
            {
                return await base.PutObjectAsync(request, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                Interlocked.Increment(ref _preconditionFailures);
                throw;
            }
        }
    }
}
