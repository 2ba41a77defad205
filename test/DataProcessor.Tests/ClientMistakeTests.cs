using System.Text;
using System.Text.Json.Nodes;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// The cases of issue 10, as a client would send them: a client's mistake is a 4xx naming the field, never a retryable
/// 5xx; repeated keys are refused; an unkeyed retry stores nothing twice; duplicates are reported with other errors.
/// </summary>
public sealed class ClientMistakeTests
{
    private readonly FakeStore _store = new();
    private readonly StringWriter _log = new();

    private Function Create() => new(_store, Registry.Default(), Options.For(), _log, new FixedTime(FixedTime.Default));

    private async Task<Answer> Invoke(Stream evt) => await Answer.ReadAsync(await Create().HandleAsync(evt));

    /// <summary>A valid one-trade body with <paramref name="raw"/> (JSON text, escapes included) as the value of <paramref name="field"/>.</summary>
    private static string BodyWithRaw(string field, string raw)
    {
        var trade = Requests.Trade();
        trade[field] = "PLACEHOLDER";
        return Requests.Batch(trade).Replace("\"PLACEHOLDER\"", raw, StringComparison.Ordinal);
    }

    private void ShouldBeAQuietClientError(Answer answer)
    {
        answer.StatusCode.ShouldBeInRange(400, 499, "a client's mistake must never look like a retryable server fault");
        answer.Body["retryable"].ShouldBeNull("a 4xx must not invite the client to retry the same request");
        _store.Calls.ShouldBe(0, "nothing is stored (nor looked up) for a refused request");
        var log = JsonNode.Parse(_log.ToString().Trim())!;
        log["level"]!.GetValue<string>().ShouldBe("warn", "a client error must not raise error-level alarms");
        log["stackTrace"].ShouldBeNull();
    }

    [Theory]
    [InlineData("tradeId")]
    [InlineData("accountId")]
    [InlineData("symbol")]
    [InlineData("side")]
    [InlineData("currency")]
    [InlineData("executedAt")]
    public async Task An_unpaired_surrogate_escape_in_a_string_value_is_a_400_naming_the_field(string field)
    {
        var answer = await Invoke(Requests.Event(BodyWithRaw(field, "\"\\ud800\"")));

        ShouldBeAQuietClientError(answer);
        answer.Error.ShouldBe("validation_failed");
        var error = answer.Body["errors"]!.AsArray().Single()!;
        (error["index"]!.GetValue<int>(), error["field"]!.GetValue<string>()).ShouldBe((0, field));
        error["message"]!.GetValue<string>().ShouldContain("surrogate", customMessage: "the message must say what is wrong with the value");
    }

    [Theory]
    [InlineData("\"\\udc00\"", "a low surrogate alone")]
    [InlineData("\"A\\ud800B\"", "a high surrogate followed by a normal character")]
    [InlineData("\"\\ud800\\ud800\"", "two high surrogates")]
    public async Task Every_kind_of_unpaired_surrogate_is_refused_as_a_client_error(string raw, string why)
    {
        var answer = await Invoke(Requests.Event(BodyWithRaw("tradeId", raw)));
        answer.StatusCode.ShouldBe(400, why);
        _store.Calls.ShouldBe(0);
    }

    [Fact]
    public async Task An_unpaired_surrogate_escape_in_a_property_name_is_a_400_unknown_property_echoing_the_escape()
    {
        var trade = Requests.Batch(Requests.Trade()).Replace("\"side\"", "\"x\\ud800\":1,\"side\"", StringComparison.Ordinal);
        var envelope = "{\"\\udfff\":1," + Requests.Batch(Requests.Trade())[1..];

        var inTrade = await Invoke(Requests.Event(trade));
        ShouldBeAQuietClientError(inTrade);
        var error = inTrade.Body["errors"]!.AsArray().Single()!;
        (error["index"]!.GetValue<int>(), error["field"]!.GetValue<string>(), error["message"]!.GetValue<string>())
            .ShouldBe((0, "x\\ud800", "unknown property"));

        var inEnvelope = await Invoke(Requests.Event(envelope));
        inEnvelope.StatusCode.ShouldBe(400);
        inEnvelope.Body["errors"]!.AsArray().Single()!["field"]!.GetValue<string>().ShouldBe("\\udfff");
    }

    [Fact]
    public async Task A_body_whose_text_is_not_Unicode_is_a_400_invalid_json_and_is_never_repaired()
    {
        // The body string of the event itself carries a lone surrogate (what a client's broken UTF-16 encoder sends),
        // here inside a tradeId. Replacing it with U+FFFD would silently change the client's data: it is refused.
        var body = Requests.Batch(Requests.Trade(tradeId: "LONE")).Replace("LONE", "\\ud800", StringComparison.Ordinal);
        var escaped = body.Replace("\"", "\\\"", StringComparison.Ordinal); // quotes escaped, the \ud800 left as an escape of the event
        var evt = "{\"httpMethod\":\"POST\"," + Requests.RequestContextJson + ",\"body\":\"" + escaped + "\",\"isBase64Encoded\":false}";
        evt.ShouldContain("\\\"tradeId\\\":\\\"\\ud800\\\"", customMessage: "the event's body text holds the lone surrogate itself, not an escape of it");

        var answer = await Invoke(new MemoryStream(Encoding.UTF8.GetBytes(evt)));

        ShouldBeAQuietClientError(answer);
        answer.Error.ShouldBe("invalid_json");
        answer.Body["message"]!.GetValue<string>().ShouldContain("Unicode");
    }

    [Fact]
    public async Task Two_different_Idempotency_Key_values_in_multiValueHeaders_are_refused_even_though_headers_holds_only_the_last()
    {
        // API Gateway REST puts a repeated header's values in multiValueHeaders and only the last in headers.
        var answer = await Invoke(Requests.Event(
            Requests.Batch(Requests.Trade()),
            headers: Requests.WithKey("key-b"),
            multiValueHeaders: new Dictionary<string, string?[]> { ["Idempotency-Key"] = ["key-a", "key-b"] }));

        ShouldBeAQuietClientError(answer);
        answer.Error.ShouldBe("invalid_idempotency_key");
        answer.Body["message"]!.GetValue<string>().ShouldContain("more than once");
    }

    [Fact]
    public async Task The_same_Idempotency_Key_repeated_in_any_case_or_only_in_multiValueHeaders_is_one_key()
    {
        var repeated = await Invoke(Requests.Event(
            Requests.Batch(Requests.Trade()),
            headers: Requests.WithKey("key-same"),
            multiValueHeaders: new Dictionary<string, string?[]> { ["idempotency-key"] = ["key-same", "key-same"] }));
        repeated.StatusCode.ShouldBe(202, "the same value sent twice is still one key");
        repeated.Body["batchId"]!.GetValue<string>().ShouldBe(BatchIdentity.FromIdempotencyKey("key-same"));

        var multiOnly = await Invoke(Requests.Event(
            Requests.Batch(Requests.Trade(tradeId: "T-2")),
            multiValueHeaders: new Dictionary<string, string?[]> { ["IDEMPOTENCY-KEY"] = ["key-multi"] }));
        multiOnly.Body["batchId"]!.GetValue<string>().ShouldBe(BatchIdentity.FromIdempotencyKey("key-multi"), "a key present only in multiValueHeaders is still the key");
    }

    [Fact]
    public async Task Without_a_key_an_identical_retry_gets_the_same_answer_and_stores_nothing_twice()
    {
        // The first answer was lost; the client resends, even re-serialised differently: one batch, not two.
        var body = Requests.Batch(Requests.Trade(tradeId: "U-1", price: 187.12m), Requests.Trade(tradeId: "U-2", symbol: "MSFT"));
        var respelt = body.Replace("187.12", "187.120", StringComparison.Ordinal).Replace("{\"trades\":", "{ \"trades\" : ", StringComparison.Ordinal);
        var function = Create();

        var first = await Answer.ReadAsync(await function.HandleAsync(Requests.Event(body, requestId: "a")));
        var objects = _store.Objects.ToDictionary();
        var retry = await Answer.ReadAsync(await function.HandleAsync(Requests.Event(respelt, requestId: "b")));

        first.StatusCode.ShouldBe(202);
        retry.StatusCode.ShouldBe(202);
        retry.Body.ToJsonString().ShouldBe(first.Body.ToJsonString(), "an identical batch gets the same batch id, key and count");
        _store.Objects.Count.ShouldBe(2, "one trades object and one aggregates object, not two of each");
        _store.Objects.ShouldAllBe(o => objects[o.Key].Content == o.Value.Content, "nothing was rewritten");

        var other = await Answer.ReadAsync(await function.HandleAsync(Requests.Event(Requests.Batch(Requests.Trade(tradeId: "U-3")))));
        other.Body["batchId"]!.GetValue<string>().ShouldNotBe(first.Body["batchId"]!.GetValue<string>(), "different trades are a different batch");
        _store.Objects.Count.ShouldBe(4);
    }

    [Fact]
    public async Task To_store_two_identical_batches_a_client_sends_distinct_Idempotency_Keys()
    {
        var body = Requests.Batch(Requests.Trade(tradeId: "D-1"));
        var one = await Invoke(Requests.Event(body, Requests.WithKey("copy-1")));
        var two = await Invoke(Requests.Event(body, Requests.WithKey("copy-2")));

        one.Body["batchId"]!.GetValue<string>().ShouldNotBe(two.Body["batchId"]!.GetValue<string>());
        _store.Objects.Count.ShouldBe(6, "two batches: record, trades and aggregates each");
    }

    [Fact]
    public async Task A_duplicate_tradeId_is_reported_even_while_the_first_record_has_another_error()
    {
        // "Every error is listed": the client must not fix record 0 and only then learn that record 1 repeats its id.
        var answer = await Invoke(Requests.Event(Requests.Batch(
            Requests.Trade(tradeId: "T-1", price: -1m),
            Requests.Trade(tradeId: "T-1"),
            Requests.Trade(tradeId: "T-1", currency: "XYZ"))));

        answer.StatusCode.ShouldBe(400);
        answer.Body["errors"]!.AsArray().Select(e => $"{e!["index"]}/{e["field"]}: {e["message"]}").ShouldBe([
            "0/price: must be > 0",
            "1/tradeId: duplicates the tradeId of trade 0",
            "2/currency: is not an active ISO 4217 currency code",
            "2/tradeId: duplicates the tradeId of trade 0",
        ]);
    }
}
