using System.Text;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>Per-(symbol, currency) aggregates and their decimal arithmetic.</summary>
public sealed class TradeAggregatorTests
{
    private static Trade T(string symbol, decimal quantity, decimal price, string currency = "USD", int minute = 0) =>
        new($"T-{Guid.NewGuid():N}", "ACC", symbol, TradeSide.Buy, quantity, price, currency, new DateTime(2026, 11, 24, 15, minute, 0, DateTimeKind.Utc));

    [Fact]
    public void Vwap_is_notional_over_volume_computed_in_decimal_and_rounded_half_even_to_8_places()
    {
        // Hand computation (exact decimal):
        //   100    x 187.12  = 18712
        //   50.5   x 187.50  =  9468.75
        //   0.25   x 186.999 =    46.74975
        //   volume   = 100 + 50.5 + 0.25          = 150.75
        //   notional = 18712 + 9468.75 + 46.74975 = 28227.49975   (5 decimals, published as is)
        //   vwap     = 28227.49975 / 150.75       = 187.2470961857379767...  -> 8 places: 187.24709619
        // A double would give 187.24709618573798 and notional 28227.499750000003 style noise; decimal must not.
        var aggregate = TradeAggregator.Aggregate([
            T("AAPL", 100m, 187.12m, minute: 3),
            T("AAPL", 50.5m, 187.50m, minute: 1),
            T("AAPL", 0.25m, 186.999m, minute: 2),
        ]).Single();

        aggregate.Count.ShouldBe(3);
        aggregate.Volume.ShouldBe(150.75m);
        aggregate.Notional.ShouldBe(28227.49975m);
        aggregate.Vwap.ShouldBe(187.24709619m);
        aggregate.MinPrice.ShouldBe(186.999m);
        aggregate.MaxPrice.ShouldBe(187.5m);
        aggregate.FirstExecutedAt.Minute.ShouldBe(1, "the earliest trade, not the first in the list");
        aggregate.LastExecutedAt.Minute.ShouldBe(3);
    }

    [Fact]
    public void Rounding_to_8_places_is_half_to_even_in_both_directions()
    {
        // notional 0.00000001 x 0.5 = 0.000000005 -> the 8-place neighbours are 0.00000000 and 0.00000001: half to even
        // gives 0.00000000 (away-from-zero would give 0.00000001). 0.00000003 x 0.5 = 0.000000015 -> 0.00000002 (even).
        TradeAggregator.Aggregate([T("A", 0.00000001m, 0.5m)]).Single().Notional.ShouldBe(0m);
        TradeAggregator.Aggregate([T("B", 0.00000003m, 0.5m)]).Single().Notional.ShouldBe(0.00000002m);
    }

    [Fact]
    public void Vwap_is_divided_from_the_unrounded_notional()
    {
        // notional = 3 x 0.33333333 = 0.99999999 (exact); vwap = 0.99999999 / 3 = 0.33333333. Rounding a sum first
        // would be visible with: 1 x 0.000000005 + 1 x 0.000000005 = 0.00000001 exact; each rounded alone would be 0.
        TradeAggregator.Aggregate([T("A", 3m, 0.33333333m)]).Single().Vwap.ShouldBe(0.33333333m);
        var tiny = TradeAggregator.Aggregate([T("B", 0.00000001m, 0.5m), T("B", 0.00000001m, 0.5m)]).Single();
        tiny.Notional.ShouldBe(0.00000001m, "0.000000005 + 0.000000005 is summed exactly before rounding");
        tiny.Vwap.ShouldBe(0.5m);
    }

    [Fact]
    public void Trades_are_grouped_by_symbol_and_currency_so_different_currencies_are_never_summed()
    {
        var aggregates = TradeAggregator.Aggregate([
            T("SAP", 10m, 100m, "EUR"),
            T("SAP", 10m, 120m, "USD"),
            T("AAPL", 1m, 200m, "USD"),
            T("SAP", 30m, 104m, "EUR"),
        ]);

        aggregates.Select(a => $"{a.Symbol}/{a.Currency}").ShouldBe(["AAPL/USD", "SAP/EUR", "SAP/USD"], "sorted by symbol, then currency, for deterministic output");
        var sapEur = aggregates[1];
        // 10 x 100 + 30 x 104 = 1000 + 3120 = 4120 over volume 40 -> vwap 103
        (sapEur.Count, sapEur.Volume, sapEur.Notional, sapEur.Vwap).ShouldBe((2, 40m, 4120m, 103m));
    }

    [Fact]
    public void The_largest_allowed_trade_does_not_overflow()
    {
        // 5000 trades of 1e9 x 1e9 = 5e21 notional, within System.Decimal's ~7.9e28.
        var trades = Enumerable.Range(0, TradeBatchRules.MaxTrades).Select(_ => T("BIG", TradeBatchRules.MaxQuantity, TradeBatchRules.MaxPrice)).ToList();
        var aggregate = TradeAggregator.Aggregate(trades).Single();
        aggregate.Notional.ShouldBe(5_000_000_000_000_000_000_000m);
        aggregate.Vwap.ShouldBe(1_000_000_000m);
    }

    private const decimal Largest = 999_999_999.99999999m; // the largest amount with 8 decimals below the 1e9 bound

    [Fact]
    public void A_product_beyond_decimal_precision_is_exact_and_rounded_once_half_to_even()
    {
        // 999999999.99999999 x 99999999.49999999 = 99999999499999989.0000000050000001 exactly (33 digits). Rounded
        // once to 8 places that is ...89.00000001 (just above the half). System.Decimal keeps 28-29 digits: it drops
        // the trailing 1, sees an exact half and rounds to even, ...89.00000000, 1e-8 off. Expected values from
        // Python's decimal module at 100 digits.
        var aggregate = TradeAggregator.Aggregate([T("EXT", Largest, 99_999_999.49999999m)]).Single();

        aggregate.Notional.ToString().ShouldBe("99999999499999989.00000001");
        aggregate.Vwap.ToString().ShouldBe("99999999.49999999", "one trade: vwap is its price, divided from the unrounded notional");
    }

    [Fact]
    public void The_largest_batch_the_contract_allows_is_exact_beyond_decimal_range()
    {
        // 4999 trades of 999999999.99999999 x 999999999.99999999 plus one of 0.00000001 x 0.5:
        // notional = 4998999999999999900020.0000000050004999 -> 4998999999999999900020.00000001 (30 significant digits,
        // more than System.Decimal holds); volume = 4998999999999.99995002; vwap -> 999999999.99999999.
        var trades = Enumerable.Range(0, TradeBatchRules.MaxTrades - 1).Select(_ => T("EXT", Largest, Largest))
            .Append(T("EXT", 0.00000001m, 0.5m)).ToList();

        var aggregate = TradeAggregator.Aggregate(trades).Single();

        aggregate.Notional.ToString().ShouldBe("4998999999999999900020.00000001");
        aggregate.Volume.ToString().ShouldBe("4998999999999.99995002");
        aggregate.Vwap.ToString().ShouldBe("999999999.99999999");
        Encoding.UTF8.GetString(Ndjson.Aggregates("b", [aggregate])).ShouldContain(
            "\"volume\":4998999999999.99995002,\"notional\":4998999999999999900020.00000001,\"vwap\":999999999.99999999,",
            customMessage: "the stored line carries the exact digits, as plain JSON numbers");
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("0.00000001", "0.00000001")]
    [InlineData("187.12000000", "187.12")]
    [InlineData("-12.5", "-12.5")]
    [InlineData("1000000000", "1000000000")]
    [InlineData("170141183460469231731.68730371", "170141183460469231731.68730371")]
    public void Fixed8_text_is_canonical_without_exponent_or_trailing_zeros(string text, string canonical)
    {
        // The stored NDJSON (and its hash) depends on this text: one spelling per value.
        Fixed8.Parse(text).ToString().ShouldBe(canonical);
    }

    [Theory]
    [InlineData(5, 2, 2)]   // 2.5 -> 2 (even)
    [InlineData(7, 2, 4)]   // 3.5 -> 4 (even)
    [InlineData(11, 4, 3)]  // 2.75 -> 3
    [InlineData(9, 4, 2)]   // 2.25 -> 2
    [InlineData(0, 3, 0)]
    public void Division_rounds_half_to_even_once(int numerator, int denominator, int expected)
    {
        Fixed8.DivideRoundHalfEven(numerator, denominator).ShouldBe((Int128)expected);
    }
}
