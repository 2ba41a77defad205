namespace TradingPlatform.Functions.DataProcessor.Trades;

/// <summary>Aggregates of one (symbol, currency) pair within one batch. Amounts are exact (see <see cref="TradeAggregator"/>).</summary>
public sealed record SymbolAggregate(
    string Symbol,
    string Currency,
    int Count,
    Fixed8 Volume,
    Fixed8 Notional,
    Fixed8 Vwap,
    Fixed8 MinPrice,
    Fixed8 MaxPrice,
    DateTime FirstExecutedAt,
    DateTime LastExecutedAt);

/// <summary>
/// Per-symbol aggregates. Trades are grouped by (symbol, currency): notionals in different currencies are never
/// added together. Arithmetic is exact integer arithmetic on scaled values, for every batch the contract allows:
/// quantity and price are integers of 10^-8 units (at most 10^17 each), a product is an integer of 10^-16 units
/// (at most 10^34) and 5000 of them sum to at most 5 x 10^37, inside Int128 (1.7 x 10^38). Nothing is rounded
/// until publication: notional = sum(quantity x price) and vwap = notional / volume (from the unrounded sum) are each
/// rounded once to <see cref="PublishedDecimals"/> places, half to even. volume, minPrice and maxPrice are exact.
/// </summary>
public static class TradeAggregator
{
    public const int PublishedDecimals = Fixed8.Decimals;

    public static IReadOnlyList<SymbolAggregate> Aggregate(IEnumerable<Trade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);

        var groups = new Dictionary<(string Symbol, string Currency), Accumulator>();
        foreach (var trade in trades)
        {
            var key = (trade.Symbol, trade.Currency);
            if (!groups.TryGetValue(key, out var acc))
            {
                acc = new Accumulator(trade);
                groups.Add(key, acc);
            }

            acc.Add(trade);
        }

        var result = new List<SymbolAggregate>(groups.Count);
        foreach (var (key, acc) in groups)
        {
            result.Add(acc.ToAggregate(key.Symbol, key.Currency));
        }

        result.Sort(static (a, b) =>
        {
            var bySymbol = string.CompareOrdinal(a.Symbol, b.Symbol);
            return bySymbol != 0 ? bySymbol : string.CompareOrdinal(a.Currency, b.Currency);
        });
        return result;
    }

    private sealed class Accumulator(Trade first)
    {
        private int _count;
        private Int128 _volumeUnits;      // 10^-8 units
        private Int128 _notionalUnits16;  // 10^-16 units: products are kept whole, never rounded
        private Int128 _min = Fixed8.FromDecimal(first.Price).Units;
        private Int128 _max = Fixed8.FromDecimal(first.Price).Units;
        private DateTime _firstAt = first.ExecutedAt;
        private DateTime _lastAt = first.ExecutedAt;

        public void Add(Trade trade)
        {
            var quantity = Fixed8.FromDecimal(trade.Quantity).Units;
            var price = Fixed8.FromDecimal(trade.Price).Units;
            _count++;
            _volumeUnits += quantity;
            _notionalUnits16 += quantity * price;
            _min = Int128.Min(_min, price);
            _max = Int128.Max(_max, price);
            if (trade.ExecutedAt < _firstAt)
            {
                _firstAt = trade.ExecutedAt;
            }

            if (trade.ExecutedAt > _lastAt)
            {
                _lastAt = trade.ExecutedAt;
            }
        }

        public SymbolAggregate ToAggregate(string symbol, string currency) => new(
            symbol,
            currency,
            _count,
            new Fixed8(_volumeUnits),
            new Fixed8(Fixed8.DivideRoundHalfEven(_notionalUnits16, Fixed8.Scale)),
            // (notional16 / 10^16) / (volume / 10^8) in 10^-8 units is notional16 / volume: one division, one rounding.
            new Fixed8(Fixed8.DivideRoundHalfEven(_notionalUnits16, _volumeUnits)),
            new Fixed8(_min),
            new Fixed8(_max),
            _firstAt,
            _lastAt);
    }
}
