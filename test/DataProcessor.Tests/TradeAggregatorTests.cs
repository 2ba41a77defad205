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
}
