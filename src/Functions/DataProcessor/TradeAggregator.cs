namespace TradingPlatform.Functions.DataProcessor;

/// <summary>Aggregates of one (symbol, currency) pair within one batch.</summary>
public sealed record SymbolAggregate(
    string Symbol,
    string Currency,
    int Count,
    decimal Volume,
    decimal Notional,
    decimal Vwap,
    decimal MinPrice,
    decimal MaxPrice,
    DateTime FirstExecutedAt,
    DateTime LastExecutedAt);

/// <summary>
/// Per-symbol aggregates. Trades are grouped by (symbol, currency): notionals in different currencies are never
/// added together. Arithmetic is System.Decimal throughout:
/// volume = sum(quantity), minPrice and maxPrice are exact (inputs have at most 8 decimals);
/// notional = sum(quantity * price) and vwap = notional / volume are computed at full System.Decimal precision
/// (28-29 significant digits) and only the published values are rounded, to <see cref="PublishedDecimals"/> places,
/// half to even (banker's rounding). vwap is divided from the unrounded notional.
/// </summary>
public static class TradeAggregator
{
    public const int PublishedDecimals = 8;

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

        return groups
            .OrderBy(g => g.Key.Symbol, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Currency, StringComparer.Ordinal)
            .Select(g => g.Value.ToAggregate(g.Key.Symbol, g.Key.Currency))
            .ToList();
    }

    private sealed class Accumulator(Trade first)
    {
        private int _count;
        private decimal _volume;
        private decimal _notional;
        private decimal _min = first.Price;
        private decimal _max = first.Price;
        private DateTime _firstAt = first.ExecutedAt;
        private DateTime _lastAt = first.ExecutedAt;

        public void Add(Trade trade)
        {
            _count++;
            _volume += trade.Quantity;
            _notional += trade.Quantity * trade.Price;
            _min = Math.Min(_min, trade.Price);
            _max = Math.Max(_max, trade.Price);
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
            DecimalText.Normalize(_volume),
            Publish(_notional),
            Publish(_notional / _volume),
            DecimalText.Normalize(_min),
            DecimalText.Normalize(_max),
            _firstAt,
            _lastAt);

        private static decimal Publish(decimal value) =>
            DecimalText.Normalize(Math.Round(value, PublishedDecimals, MidpointRounding.ToEven));
    }
}
