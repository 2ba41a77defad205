namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// The trade-id index answers "where was this tradeId first seen?", which is what the duplicate-tradeId error quotes
/// ("duplicates the tradeId of trade N"). It is a hand-made hash table, so its own rules are checked here, not only
/// through the parser.
/// </summary>
public class TradeIdIndexTests
{
    [Fact]
    public void A_new_id_is_recorded_at_its_own_index_and_a_repeat_gets_the_first_index()
    {
        // The first occurrence is the one a client looks at; later repeats must all point back to it.
        var index = new TradeIdIndex(4);
        index.AddOrGetFirst("T-1", 0).ShouldBe(0);
        index.AddOrGetFirst("T-2", 1).ShouldBe(1);
        index.AddOrGetFirst("T-1", 2).ShouldBe(0);
        index.AddOrGetFirst("T-1", 3).ShouldBe(0, "every repeat names the first occurrence, not the previous repeat");
        index.AddOrGetFirst("T-2", 4).ShouldBe(1);
    }

    [Fact]
    public void Ids_are_compared_ordinally_so_case_and_lookalikes_are_different_trades()
    {
        // tradeIds are case-sensitive identifiers: "t-1" is not a duplicate of "T-1".
        var index = new TradeIdIndex(2);
        index.AddOrGetFirst("T-1", 0).ShouldBe(0);
        index.AddOrGetFirst("t-1", 1).ShouldBe(1);
        index.AddOrGetFirst("T-1 ", 2).ShouldBe(2);
    }

    [Fact]
    public void It_grows_past_its_expected_size_without_losing_any_id()
    {
        // The capacity is a guess from the body size; a batch of many tiny trades must not lose entries when it grows.
        var index = new TradeIdIndex(1);
        for (var i = 0; i < 5000; i++)
        {
            index.AddOrGetFirst($"T-{i}", i).ShouldBe(i);
        }

        for (var i = 0; i < 5000; i++)
        {
            index.AddOrGetFirst($"T-{i}", 5000 + i).ShouldBe(i, $"T-{i} was added first at {i}");
        }
    }

    [Fact]
    public void Colliding_hashes_are_told_apart()
    {
        // Open addressing: ids that land in the same slot must still be distinct entries. With 4 slots, 64 ids
        // collide constantly.
        var index = new TradeIdIndex(1);
        var ids = Enumerable.Range(0, 64).Select(i => new string((char)('A' + (i % 26)), 1 + (i / 26))).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            index.AddOrGetFirst(ids[i], i).ShouldBe(i);
        }

        for (var i = 0; i < ids.Length; i++)
        {
            index.AddOrGetFirst(ids[i], 100).ShouldBe(i);
        }
    }
}
