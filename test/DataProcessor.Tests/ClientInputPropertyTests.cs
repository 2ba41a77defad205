using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// Property-based: whatever a client sends (arbitrary bytes, mutations of a valid batch, any encoding, any header
/// variant), the handler answers 2xx or 4xx, never 5xx while storage works; stores nothing on a 4xx; names the
/// field of every validation error; and logs no payload. Bounded iterations with CsCheck (failures print a seed
/// that replays the case: pass it as <c>seed:</c> to Sample).
/// </summary>
public sealed class ClientInputPropertyTests
{
    private const int Iterations = 1000;

    // Distinctive values in the base batch: none may ever reach the log.
    private const string SecretTradeId = "TRADESECRET7";
    private const string SecretAccount = "ACCTSECRET9";
    private const string SecretPrice = "4242.4242";
    private const string SecretKey = "KEYSECRET-1";

    private static readonly string ValidBatch = Requests.Batch(
        Requests.Trade(tradeId: SecretTradeId, accountId: SecretAccount, price: 4242.4242m),
        Requests.Trade(tradeId: "T-2", symbol: "BRK.B", side: "SELL", quantity: 0.5m, currency: "EUR", executedAt: "2026-11-24T09:30:00.1234567Z"));

    /// <summary>JSON fragments a mutation inserts: escapes, numbers at and past the bounds, nesting, structure characters.</summary>
    private static readonly string[] Fragments =
    [
        "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u0000", "\\u00e9", "\\", "\"", "\\\"", "\\x", "\\u12",
        "{", "}", "[", "]", ",", ":", " ", "\t", "\n", "\u00e9", "\u20ac", "\ud83d\ude00",
        "1e400", "-0", "1e-400", "1e99999999999999999999", "0.000000001", "1000000000", "1000000000.00000001", "999999999.99999999",
        "-1", "01", "1.", ".5", "NaN", "Infinity", "1E+9", "0x10",
        "null", "true", "false", "\"x\"", "\"\"", "{}", "[]", "[[[[[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]]]]]",
        "\"trades\"", "\"tradeId\"", "\"price\":1,", "\"price\":", "\"extra\\ud800\":1,", "\"\\u0074radeId\"",
        "\"2026-11-24T15:04:05Z\"", "\"2026-02-30T00:00:00Z\"", "\"9999-12-31T23:59:59.9999999Z\"", "\"USD\"", "\"XXX\"",
    ];

    private static readonly Gen<string> Fragment = Gen.Int[0, Fragments.Length - 1].Select(i => Fragments[i]);

    /// <summary>One edit of a text: insert a fragment, delete a span, duplicate a span, or swap in a fragment.</summary>
    private static readonly Gen<Func<string, string>> Mutation = Gen.OneOf(
        Gen.Select(Gen.Double[0, 1], Fragment, (at, f) => (Func<string, string>)(s => s.Insert(Pos(s, at), f))),
        Gen.Select(Gen.Double[0, 1], Gen.Int[1, 12], (at, n) => (Func<string, string>)(s => Cut(s, Pos(s, at), n))),
        Gen.Select(Gen.Double[0, 1], Gen.Int[1, 40], (at, n) => (Func<string, string>)(s => Dup(s, Pos(s, at), n))),
        Gen.Select(Gen.Double[0, 1], Gen.Int[1, 6], Fragment, (at, n, f) => (Func<string, string>)(s => Cut(s, Pos(s, at), n).Insert(Pos(s, at), f))));

    private static int Pos(string s, double at) => (int)(at * s.Length);

    private static string Cut(string s, int at, int n) => s.Remove(at, Math.Min(n, s.Length - at));

    private static string Dup(string s, int at, int n) => s.Insert(at, s.Substring(at, Math.Min(n, s.Length - at)));

    private enum Encoding_
    {
        Plain,
        Base64Utf8,
        Base64Utf8Bom,
        Base64Utf16,
        Base64Latin1,
    }

    /// <summary>Header variants: none, valid, invalid, repeated (same or different), odd names, null values, a lone surrogate.</summary>
    private static readonly Gen<(string? Single, string?[]? Multi, string Name)> Headers = Gen.Select(
        Gen.OneOf<string?>(null, SecretKey, "", " ", "with space", "ключ", new string('k', 128), new string('k', 129), "\\ud800", "k\\u0000", "\\u0041BC"),
        Gen.Int[0, 4],
        Gen.OneOf("Idempotency-Key", "idempotency-key", "IDEMPOTENCY-KEY", "Idempotency-Key ", "Idempotency_Key", "Idempotency-\\u004Bey"),
        (value, shape, name) => shape switch
        {
            0 => ((string?)null, (string?[]?)null, name),
            1 => (value, null, name),
            2 => (value, new[] { value }, name),
            3 => (value, new[] { "other-key", value }, name),
            _ => (null, new[] { value, value, null }, name),
        });

    /// <summary>
    /// The caller as API Gateway would describe it (raw <c>requestContext</c> properties after requestId): the
    /// authorized test client, and every way the identity can be missing, odd or not authorized.
    /// </summary>
    private static readonly string[] Identities =
    [
        Identity("key-test", "client-test"), Identity("key-test", "client-test"), Identity("key-test", "client-test"),
        "", Identity(null, "client-test"), Identity("key-test", null), Identity("", "client-test"), Identity("key-test", ""),
        Identity("key-unknown", "client-test"), Identity("key-revoked", "client-test"), Identity("key-other", "client-test"),
        Identity("key-test", "client-other"), Identity("\\ud800", "client-test"), Identity("key-test", "\\udc00"),
        ",\"identity\":{\"apiKeyId\":7},\"authorizer\":{\"claims\":{\"client_id\":[\"client-test\"]}}",
        ",\"identity\":\"key-test\",\"authorizer\":{\"claims\":\"client_id=client-test\"}",
        ",\"identity\":null,\"authorizer\":null",
        ",\"identity\":{\"apiKeyId\":\"key-test\",\"apiKeyId\":\"key-revoked\"},\"authorizer\":{\"claims\":{\"client_id\":\"client-test\"}}",
    ];

    private static string Identity(string? apiKeyId, string? clientId) =>
        (apiKeyId is null ? "" : $",\"identity\":{{\"apiKeyId\":\"{apiKeyId}\"}}") +
        (clientId is null ? "" : $",\"authorizer\":{{\"claims\":{{\"client_id\":\"{clientId}\",\"scope\":\"trading/ingest\"}}}}");

    private static readonly Gen<string> Caller = Gen.Int[0, Identities.Length - 1].Select(i => Identities[i]);

    private static readonly Gen<string> MutatedBatch = Gen.Select(Mutation.Array[1, 4], Gen.Int[1, 2], (edits, copies) =>
    {
        var body = copies == 1 ? ValidBatch : ValidBatch.Replace("]}", "," + ValidBatch[11..^2] + "]}", StringComparison.Ordinal);
        return edits.Aggregate(body, (s, edit) => edit(s));
    });

    [Fact]
    public void Mutations_of_a_valid_batch_in_any_encoding_with_any_header_are_never_a_5xx_and_store_nothing_when_refused()
    {
        Gen.Select(MutatedBatch, Gen.Enum<Encoding_>(), Headers, Caller).Sample(
            (body, encoding, headers, caller) => Check(BuildEvent(EncodeBody(body, encoding), headers, caller)),
            iter: Iterations,
            print: t => $"encoding {t.Item2}, header {t.Item3.Name}: {t.Item3.Single ?? "(none)"}, multi [{string.Join(", ", t.Item3.Multi ?? [])}], caller {t.Item4}, body {t.Item1}");
    }

    [Fact]
    public void Arbitrary_bytes_as_the_body_are_never_a_5xx()
    {
        Gen.Byte.Array[0, 400].Sample(
            bytes => Check(BuildEvent((Convert.ToBase64String(bytes), true), (null, null, "x"))),
            iter: Iterations,
            print: b => Convert.ToBase64String(b));
    }

    [Fact]
    public void Arbitrary_text_including_lone_surrogates_as_the_body_is_never_a_5xx()
    {
        Gen.Char.Array[0, 200].Sample(
            chars => Check(BuildEvent((new string(chars), false), (null, null, "x"))),
            iter: Iterations,
            print: c => JsonEscape(new string(c)));
    }

    [Fact]
    public void The_property_check_itself_fails_on_a_5xx()
    {
        // Guard against a property that cannot fail: a storage fault (a server-side 5xx) must trip it.
        var store = new FakeStore { FailWith = new Amazon.S3.AmazonS3Exception("down") };
        Should.Throw<ShouldAssertException>(() => Check(BuildEvent((ValidBatch, false), (null, null, "x")), store));
    }

    /// <summary>The properties, for one event.</summary>
    private static void Check(string evt, FakeStore? store = null)
    {
        store ??= new FakeStore();
        var log = new StringWriter();
        var registry = Registry.Default(SecretAccount);
        registry.Items["key-revoked"] = new ClientRecord(RegistryStatus.Revoked, null, new HashSet<string>());
        registry.Items["key-other"] = Registry.Active("client-other", [.. Registry.Accounts, SecretAccount]);
        var function = new Function(store, registry, Options.For(maxBodyBytes: 64 * 1024), log, new FixedTime(FixedTime.Default));
        var output = function.HandleAsync(new MemoryStream(Encoding.UTF8.GetBytes(evt))).GetAwaiter().GetResult();
        var answer = Answer.ReadAsync(output).GetAwaiter().GetResult();

        answer.StatusCode.ShouldBeOneOf([202, 400, 401, 403, 409, 413], $"a client's input must give 2xx or 4xx while storage works; got {answer.Body.ToJsonString()}");
        if (!evt.Contains(AuthorizedCaller, StringComparison.Ordinal))
        {
            answer.StatusCode.ShouldBeOneOf([401, 403], $"only the registered key of the token's client may write; got {answer.Body.ToJsonString()}");
        }
        if (answer.StatusCode != 202)
        {
            store.Objects.ShouldBeEmpty("nothing is written on a 4xx");
            answer.Body["retryable"].ShouldBeNull("a 4xx is not retryable as it is");
            answer.Body["message"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace("every refusal says what is wrong");
        }

        if (answer.Body["errors"] is JsonArray errors)
        {
            errors.ShouldNotBeEmpty();
            errors.ShouldAllBe(e => !string.IsNullOrEmpty(e!["field"]!.GetValue<string>()) && !string.IsNullOrEmpty(e["message"]!.GetValue<string>()),
                "every validation error names its field and what is allowed");
        }

        var text = log.ToString();
        foreach (var secret in new[] { SecretTradeId, SecretAccount, SecretPrice, SecretKey })
        {
            text.ShouldNotContain(secret, customMessage: "no request payload or header value in the logs");
        }

        var line = JsonNode.Parse(text.Trim())!;
        line["stackTrace"].ShouldBeNull("a client's input is not an unexpected error");
    }

    private static (string Text, bool Base64) EncodeBody(string body, Encoding_ encoding) => encoding switch
    {
        Encoding_.Plain => (body, false),
        Encoding_.Base64Utf8 => (Convert.ToBase64String(Utf8(body)), true),
        Encoding_.Base64Utf8Bom => (Convert.ToBase64String([0xEF, 0xBB, 0xBF, .. Utf8(body)]), true),
        Encoding_.Base64Utf16 => (Convert.ToBase64String(Encoding.Unicode.GetBytes(body)), true),
        _ => (Convert.ToBase64String(Encoding.Latin1.GetBytes(body)), true),
    };

    /// <summary>UTF-8 of text that may hold lone surrogates written as characters: encoded as WTF-8 would, byte for byte.</summary>
    private static byte[] Utf8(string s) => new UTF8Encoding(false, false).GetBytes(s);

    /// <summary>
    /// The API Gateway event as raw JSON. The body and header values are the client's text, written as JSON strings
    /// by hand: every non-ASCII or control character as \uXXXX, lone surrogates included (a serializer would refuse).
    /// Header values already holding a JSON escape (e.g. \ud800) are put in as they are.
    /// </summary>
    private static readonly string AuthorizedCaller = "\"requestId\":\"prop\"" + Identity("key-test", "client-test") + "}";

    private static string BuildEvent((string Text, bool Base64) body, (string? Single, string?[]? Multi, string Name) headers, string? caller = null)
    {
        caller ??= Identity("key-test", "client-test");
        static string Raw(string? v) => v is null ? "null" : "\"" + v + "\"";
        var sb = new StringBuilder("{\"resource\":\"/data\",\"httpMethod\":\"POST\",\"headers\":");
        sb.Append(headers.Single is null ? "{\"x-api-key\":\"k\"}" : $"{{\"x-api-key\":\"k\",\"{headers.Name}\":{Raw(headers.Single)}}}");
        sb.Append(",\"multiValueHeaders\":");
        sb.Append(headers.Multi is null ? "null" : $"{{\"{headers.Name}\":[{string.Join(",", headers.Multi.Select(Raw))}]}}");
        sb.Append(",\"requestContext\":{\"requestId\":\"prop\"").Append(caller).Append("},\"body\":\"");
        sb.Append(JsonEscape(body.Text));
        sb.Append("\",\"isBase64Encoded\":").Append(body.Base64 ? "true" : "false").Append('}');
        return sb.ToString();
    }

    private static string JsonEscape(string s)
    {
        var sb = new StringBuilder(s.Length * 2);
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' or > '~' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }
}
