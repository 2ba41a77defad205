using System.Text;
using System.Text.Json.Nodes;
using Amazon.S3;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>The handler end to end against an in-memory store: status codes, bodies, all-or-nothing, logs.</summary>
public sealed class FunctionTests
{
    /// <summary>The account of the log test's batch: the test client may write it, and it must never be logged.</summary>
    private const string FunctionSecretAccount = "ACCOUNT-SECRET-9";

    private readonly FakeStore _store = new();
    private readonly StringWriter _log = new();

    private Function Create(int maxBodyBytes = DataProcessorOptions.DefaultMaxBodyBytes) =>
        new(_store, Registry.Default(FunctionSecretAccount), Options.For(maxBodyBytes: maxBodyBytes), _log, new FixedTime(FixedTime.Default));

    private async Task<Answer> Invoke(Function function, Stream evt) => await Answer.ReadAsync(await function.HandleAsync(evt));

    [Fact]
    public async Task A_valid_batch_is_answered_202_with_batch_id_count_and_ingestion_key_after_both_objects_are_stored()
    {
        var answer = await Invoke(Create(), Requests.Event(Requests.Batch(Requests.Trade(tradeId: "a"), Requests.Trade(tradeId: "b", symbol: "MSFT"))));

        answer.StatusCode.ShouldBe(202);
        answer.ContentType.ShouldBe("application/json");
        var batchId = answer.Body["batchId"]!.GetValue<string>();
        answer.Body["accepted"]!.GetValue<int>().ShouldBe(2);
        answer.Body["objectKey"]!.GetValue<string>().ShouldBe($"trades/date=2026-11-24/hour=15/{batchId}.ndjson");
        _store.Objects.Keys.ShouldBe(
            [("ingestion", $"trades/date=2026-11-24/hour=15/{batchId}.ndjson"), ("analytics", $"aggregates/date=2026-11-24/hour=15/{batchId}.ndjson")],
            ignoreOrder: true,
            "without Idempotency-Key exactly the two data objects are written (no idempotency record)");
    }

    [Fact]
    public async Task With_the_same_Idempotency_Key_a_retry_gets_the_same_answer_and_writes_nothing_new()
    {
        var function = Create();
        var body = Requests.Batch(Requests.Trade());
        var first = await Invoke(function, Requests.Event(body, Requests.WithKey("retry-1")));
        var objectsAfterFirst = _store.Objects.ToDictionary();
        var second = await Invoke(function, Requests.Event(body, new Dictionary<string, string?> { ["idempotency-key"] = "retry-1" }));

        first.StatusCode.ShouldBe(202);
        second.StatusCode.ShouldBe(202, "the header name is case-insensitive and the retry must succeed");
        second.Body.ToJsonString().ShouldBe(first.Body.ToJsonString(), "a retry must get exactly the same answer");
        _store.Objects.Count.ShouldBe(3, "record + trades + aggregates, once");
        _store.Objects.ShouldAllBe(o => objectsAfterFirst[o.Key].Content == o.Value.Content, "no object was rewritten");
    }

    [Fact]
    public async Task The_same_Idempotency_Key_with_another_payload_is_a_409_even_when_it_would_land_in_another_partition()
    {
        var function = Create();
        (await Invoke(function, Requests.Event(Requests.Batch(Requests.Trade(executedAt: "2026-11-24T15:00:00Z")), Requests.WithKey("k-409")))).StatusCode.ShouldBe(202);
        var before = _store.Objects.Count;

        var conflict = await Invoke(function, Requests.Event(Requests.Batch(Requests.Trade(executedAt: "2026-11-20T08:00:00Z")), Requests.WithKey("k-409")));

        conflict.StatusCode.ShouldBe(409);
        conflict.Error.ShouldBe("idempotency_key_conflict");
        _store.Objects.Count.ShouldBe(before, "the second payload must not be stored under the reused key");
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    public async Task An_invalid_Idempotency_Key_is_refused_before_anything_is_stored(string key)
    {
        var answer = await Invoke(Create(), Requests.Event(Requests.Batch(Requests.Trade()), Requests.WithKey(key)));
        answer.StatusCode.ShouldBe(400);
        answer.Error.ShouldBe("invalid_idempotency_key");
        _store.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task Headers_may_be_null_as_API_Gateway_sends_them_when_there_are_none()
    {
        (await Invoke(Create(), Requests.Event(Requests.Batch(Requests.Trade()), headers: null))).StatusCode.ShouldBe(202);
    }

    [Fact]
    public async Task Invalid_records_are_answered_400_with_every_error_and_nothing_is_stored()
    {
        var answer = await Invoke(Create(), Requests.Event(Requests.Batch(Requests.Trade(), Requests.Trade(tradeId: "T-2", price: -1m), Requests.Trade(tradeId: "T-3", currency: "XYZ"))));

        answer.StatusCode.ShouldBe(400);
        answer.Error.ShouldBe("validation_failed");
        var errors = answer.Body["errors"]!.AsArray();
        errors.Select(e => $"{e!["index"]}/{e["field"]}").ShouldBe(["1/price", "2/currency"]);
        errors[0]!["message"]!.GetValue<string>().ShouldBe("must be > 0");
        answer.Body["errorCount"]!.GetValue<int>().ShouldBe(2);
        answer.Body["truncated"]!.GetValue<bool>().ShouldBeFalse();
        _store.Calls.ShouldBe(0, "all or nothing: the valid first trade must not be stored either");
    }

    [Fact]
    public async Task Envelope_errors_carry_a_null_index_so_every_error_has_the_same_shape()
    {
        var answer = await Invoke(Create(), Requests.Event("{\"trades\":[],\"extra\":1}"));
        var error = answer.Body["errors"]!.AsArray()[0]!.AsObject();
        error.ContainsKey("index").ShouldBeTrue();
        error["index"].ShouldBeNull();
    }

    [Fact]
    public async Task Malformed_JSON_is_answered_400_invalid_json()
    {
        var answer = await Invoke(Create(), Requests.Event("{\"trades\": [ {"));
        (answer.StatusCode, answer.Error).ShouldBe((400, "invalid_json"));
        answer.Body["message"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_missing_body_is_answered_400_invalid_json(string? body)
    {
        (await Invoke(Create(), Requests.Event(body))).Error.ShouldBe("invalid_json");
    }

    [Fact]
    public async Task A_base64_encoded_body_is_decoded_before_parsing()
    {
        (await Invoke(Create(), Requests.Event(Requests.Batch(Requests.Trade()), base64: true))).StatusCode.ShouldBe(202);
        (await Invoke(Create(), new MemoryStream(Encoding.UTF8.GetBytes("{" + Requests.RequestContextJson + ",\"body\":\"***\",\"isBase64Encoded\":true}")))).Error.ShouldBe("invalid_json");
    }

    [Fact]
    public async Task A_base64_body_that_is_not_UTF8_is_a_400_not_a_crash()
    {
        // Found by test: System.Text.Json only notices invalid UTF-8 inside a string when it is read, as an
        // InvalidOperationException, which would have been a 500 for a client error.
        var bytes = Encoding.UTF8.GetBytes(Requests.Batch(Requests.Trade(tradeId: "A")));
        bytes[Array.IndexOf(bytes, (byte)'A')] = 0xC3;
        var evt = "{" + Requests.RequestContextJson + ",\"body\":\"" + Convert.ToBase64String(bytes) + "\",\"isBase64Encoded\":true}";
        (await Invoke(Create(), new MemoryStream(Encoding.UTF8.GetBytes(evt)))).Error.ShouldBe("invalid_json");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_answered_413_and_one_at_the_limit_is_processed()
    {
        var body = Requests.Batch(Requests.Trade());
        var size = Encoding.UTF8.GetByteCount(body);

        (await Invoke(Create(maxBodyBytes: size), Requests.Event(body))).StatusCode.ShouldBe(202, "the limit is inclusive");
        var tooLarge = await Invoke(Create(maxBodyBytes: size - 1), Requests.Event(body));
        (tooLarge.StatusCode, tooLarge.Error).ShouldBe((413, "payload_too_large"));
        (await Invoke(Create(maxBodyBytes: size - 1), Requests.Event(body, base64: true))).StatusCode.ShouldBe(413, "the limit applies to the decoded bytes");
    }

    [Fact]
    public async Task The_limit_counts_UTF8_bytes_not_characters()
    {
        // 10 characters of 'é' are 20 bytes: a character count would let a body twice the limit through.
        var body = "{\"x\":\"" + new string('é', 10) + "\"}";
        var limit = body.Length + 5;
        (await Invoke(Create(maxBodyBytes: limit), Requests.Event(body))).StatusCode.ShouldBe(413);
    }

    [Fact]
    public async Task A_method_other_than_POST_is_answered_405()
    {
        (await Invoke(Create(), Requests.Event(Requests.Batch(Requests.Trade()), method: "GET"))).StatusCode.ShouldBe(405);
    }

    [Fact]
    public async Task A_storage_failure_is_a_retryable_503_and_never_a_2xx()
    {
        _store.FailWith = new AmazonS3Exception("Service Unavailable") { StatusCode = System.Net.HttpStatusCode.ServiceUnavailable, ErrorCode = "SlowDown" };
        var answer = await Invoke(Create(), Requests.Event(Requests.Batch(Requests.Trade()), Requests.WithKey("k-503")));

        (answer.StatusCode, answer.Error).ShouldBe((503, "storage_unavailable"));
        answer.Body["retryable"]!.GetValue<bool>().ShouldBeTrue();
        answer.Body["requestId"]!.GetValue<string>().ShouldBe("req-1");
        answer.Body["message"]!.GetValue<string>().ShouldContain("retried");
        var log = JsonNode.Parse(_log.ToString().Trim())!;
        (log["level"]!.GetValue<string>(), log["errorCode"]!.GetValue<string>(), log["errorType"]!.GetValue<string>())
            .ShouldBe(("error", "SlowDown", typeof(AmazonS3Exception).FullName), "the failure must be logged, not swallowed");
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_logged_retryable_500()
    {
        _store.FailWith = new InvalidOperationException("boom");
        var answer = await Invoke(Create(), Requests.Event(Requests.Batch(Requests.Trade())));
        (answer.StatusCode, answer.Error).ShouldBe((500, "internal_error"));
        answer.Body["retryable"]!.GetValue<bool>().ShouldBeTrue();
        var log = JsonNode.Parse(_log.ToString().Trim())!;
        log["errorType"]!.GetValue<string>().ShouldBe("System.InvalidOperationException");
        log["stackTrace"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task An_event_that_is_not_JSON_is_a_500_rather_than_a_crash()
    {
        var answer = await Invoke(Create(), new MemoryStream("not an event"u8.ToArray()));
        answer.StatusCode.ShouldBe(500);
    }

    [Fact]
    public async Task Log_lines_are_JSON_with_request_context_and_never_contain_trade_content_or_the_body()
    {
        // Distinctive values in every trade field and in an unknown property name; none may reach the log.
        var secrets = new[] { "TRADE-SECRET-1", "ACCOUNT-SECRET-9", "SECRETSYM", "123456.789", "4242.4242", "2026-11-24T13:14:15.1617Z" };
        var valid = Requests.Batch(Requests.Trade(tradeId: secrets[0], accountId: secrets[1], symbol: secrets[2], quantity: 123456.789m, price: 4242.4242m, executedAt: secrets[5]));
        var badTrade = Requests.Trade(tradeId: secrets[0], accountId: secrets[1], symbol: "bad-" + secrets[2], quantity: 123456.789m, price: 4242.4242m);
        badTrade["FIELD-SECRET"] = "x";
        var function = Create();

        (await Invoke(function, Requests.Event(valid, Requests.WithKey("log-key"), requestId: "req-log-1"))).StatusCode.ShouldBe(202);
        (await Invoke(function, Requests.Event(Requests.Batch(badTrade), requestId: "req-log-2"))).StatusCode.ShouldBe(400);
        (await Invoke(function, Requests.Event("{\"trades\":[" + secrets[1], requestId: "req-log-3"))).StatusCode.ShouldBe(400);

        var text = _log.ToString();
        foreach (var secret in secrets.Append("FIELD-SECRET").Append("not-logged"))
        {
            text.ShouldNotContain(secret, customMessage: "logs must never carry trade payloads, account ids, the raw body or headers");
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Count.ShouldBe(3, "one structured line per request");
        lines.Select(l => l["requestId"]!.GetValue<string>()).ShouldBe(["req-log-1", "req-log-2", "req-log-3"]);
        lines[0]["level"]!.GetValue<string>().ShouldBe("info");
        lines[0]["batchId"]!.GetValue<string>().ShouldBe(BatchIdentity.FromIdempotencyKey("log-key"));
        lines[0]["tradeCount"]!.GetValue<int>().ShouldBe(1);
        lines[0]["durationMs"].ShouldNotBeNull();
        (lines[1]["level"]!.GetValue<string>(), lines[1]["outcome"]!.GetValue<string>(), lines[1]["errorCount"]!.GetValue<int>()).ShouldBe(("warn", "validation_failed", 2));
        lines[2]["outcome"]!.GetValue<string>().ShouldBe("invalid_json");
    }
}
