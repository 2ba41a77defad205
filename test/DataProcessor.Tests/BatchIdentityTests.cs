using System.Text;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>Batch ids, partitions and keys: what makes retries land on the same objects.</summary>
public sealed class BatchIdentityTests
{
    [Fact]
    public void The_batch_id_of_an_idempotency_key_is_the_same_every_time_and_pinned()
    {
        // Pinned value: if the derivation changes, retries sent across a deployment would create a second batch.
        var id = BatchIdentity.FromIdempotencyKey("order-2026-11-24-0001");
        BatchIdentity.FromIdempotencyKey("order-2026-11-24-0001").ShouldBe(id);
        id.ShouldBe(ExpectedPinnedId);
    }

    // First 16 bytes of SHA-256("TradingPlatform.DataProcessor.batch-id.v1\norder-2026-11-24-0001") with the version
    // nibble set to 8 and the variant bits to 10, computed outside .NET (Python hashlib), which also pins the byte order.
    private const string ExpectedPinnedId = "d93cac24-4886-8106-b54d-9ef009330433";

    [Fact]
    public void Different_keys_give_different_ids_and_ids_are_version_8_uuids()
    {
        var a = BatchIdentity.FromIdempotencyKey("a");
        var b = BatchIdentity.FromIdempotencyKey("A");
        a.ShouldNotBe(b, "keys are case-sensitive");
        Guid.Parse(a).Version.ShouldBe(8);
        Guid.Parse(a).Variant.ShouldBeInRange(8, 11, "RFC 9562 variant bits 10xx");
        a.ShouldBe(a.ToLowerInvariant());
    }

    [Fact]
    public void Without_a_key_the_id_is_derived_from_the_payload_hash_so_an_identical_retry_gets_the_same_id()
    {
        var hash = BatchIdentity.Sha256Hex("{}\n"u8);
        var id = BatchIdentity.FromPayload(hash);
        BatchIdentity.FromPayload(hash).ShouldBe(id, "a retry of the same trades must land on the same objects");
        BatchIdentity.FromPayload(BatchIdentity.Sha256Hex("{ }\n"u8)).ShouldNotBe(id, "different trades are different batches");
        Guid.Parse(id).Version.ShouldBe(8);
        // Pinned: if the derivation changed, a retry sent across a deployment would store the batch a second time.
        id.ShouldBe(ExpectedPayloadId);
    }

    // First 16 bytes of SHA-256("TradingPlatform.DataProcessor.payload-batch-id.v1\n" + lower-hex SHA-256 of "{}\n"),
    // version nibble 8 and variant bits 10, computed outside .NET (Python hashlib).
    private const string ExpectedPayloadId = "30a8c129-df68-8076-b49f-9862dc5ff212";

    [Fact]
    public void A_payload_id_never_equals_the_id_of_an_idempotency_key_with_the_same_text()
    {
        // Separate namespaces: a client whose key happens to be a payload hash cannot collide with an unkeyed batch.
        var hash = BatchIdentity.Sha256Hex("x"u8);
        BatchIdentity.FromPayload(hash).ShouldNotBe(BatchIdentity.FromIdempotencyKey(hash));
    }

    [Theory]
    [InlineData("k", true)]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e", true)]
    [InlineData("!~#$%&'()*+,-./:;<=>?@[]^_`{|}", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("tab\tinside", false)]
    [InlineData("ключ", false)]
    public void Idempotency_keys_are_visible_ASCII_only(string key, bool valid)
    {
        BatchIdentity.IsValidIdempotencyKey(key).ShouldBe(valid);
    }

    [Fact]
    public void Idempotency_keys_are_at_most_128_characters()
    {
        BatchIdentity.IsValidIdempotencyKey(new string('k', 128)).ShouldBeTrue();
        BatchIdentity.IsValidIdempotencyKey(new string('k', 129)).ShouldBeFalse();
        BatchIdentity.IsValidIdempotencyKey(null).ShouldBeFalse();
    }

    [Fact]
    public void The_partition_is_the_UTC_date_and_hour_of_the_earliest_trade_whatever_the_order()
    {
        Trade At(string utc) => Parsing.Valid(Requests.Batch(Requests.Trade(executedAt: utc)))[0];
        var trades = new[] { At("2026-11-24T15:04:05Z"), At("2026-11-23T23:59:59.9999999Z"), At("2026-11-24T00:00:00Z") };

        BatchIdentity.Partition(trades).ShouldBe("date=2026-11-23/hour=23");
        BatchIdentity.Partition(trades.Reverse()).ShouldBe("date=2026-11-23/hour=23", "the partition depends on the payload, not on its order or arrival time");
    }

    [Fact]
    public void Keys_follow_the_documented_layout()
    {
        const string id = "01890a5d-ac96-774b-bcce-b302099a8057";
        BatchIdentity.IngestionKey("date=2026-11-24/hour=09", id).ShouldBe($"trades/date=2026-11-24/hour=09/{id}.ndjson");
        BatchIdentity.AnalyticsKey("date=2026-11-24/hour=09", id).ShouldBe($"aggregates/date=2026-11-24/hour=09/{id}.ndjson");
        BatchIdentity.IdempotencyRecordKey(id).ShouldBe($"idempotency/{id}.json");
    }

    [Fact]
    public void The_canonical_NDJSON_and_its_hash_do_not_depend_on_formatting_of_the_request()
    {
        // Same trades, different spelling (whitespace, property order, 187.120 vs 187.12): same bytes, same hash,
        // so a client that re-serialises its retry is still recognised as the same payload.
        var compact = Parsing.Valid("""{"trades":[{"tradeId":"T","accountId":"A","symbol":"X","side":"SELL","quantity":2,"price":187.12,"currency":"USD","executedAt":"2026-11-24T15:04:05.500Z"}]}""");
        var spaced = Parsing.Valid("""
            { "trades": [ { "executedAt": "2026-11-24T15:04:05.5000Z", "currency": "USD", "price": 187.120,
                            "quantity": 2.0, "side": "SELL", "symbol": "X", "accountId": "A", "tradeId": "T" } ] }
            """);

        var bytes = Ndjson.Trades(compact);
        Encoding.UTF8.GetString(bytes).ShouldBe("{\"tradeId\":\"T\",\"accountId\":\"A\",\"symbol\":\"X\",\"side\":\"SELL\",\"quantity\":2,\"price\":187.12,\"currency\":\"USD\",\"executedAt\":\"2026-11-24T15:04:05.5Z\"}\n");
        BatchIdentity.Sha256Hex(Ndjson.Trades(spaced)).ShouldBe(BatchIdentity.Sha256Hex(bytes));
    }
}
