namespace TradingPlatform.Functions.DataProcessor;

/// <summary>The bounds a batch must meet. The README lists them for API clients; keep both in step.</summary>
public static class TradeBatchRules
{
    public const int MinTrades = 1;
    public const int MaxTrades = 5000;

    /// <summary>tradeId and accountId: 1-64 characters of [A-Za-z0-9._-].</summary>
    public const int MaxIdentifierLength = 64;

    /// <summary>symbol: 1-12 characters of [A-Z0-9.-], first one a letter or digit.</summary>
    public const int MaxSymbolLength = 12;

    /// <summary>quantity and price: greater than 0, at most this, at most <see cref="MaxDecimalPlaces"/> decimals.</summary>
    public const decimal MaxQuantity = 1_000_000_000m;

    public const decimal MaxPrice = 1_000_000_000m;

    public const int MaxDecimalPlaces = 8;

    /// <summary>
    /// quantity and price: the longest number literal read, in characters (sign, digits, point and exponent). Within
    /// it a value is judged by its exact value, however spelt (1, 1.000, 0.1e1, a 1 and 1500 zeros with e-1500);
    /// a longer literal is a 400 whatever its value, so that no literal costs more than this to read.
    /// </summary>
    public const int MaxNumberLiteralLength = 4096;

    /// <summary>executedAt: fractional seconds are kept to 100 ns (.NET's DateTime tick), so at most 7 digits.</summary>
    public const int MaxFractionDigits = 7;

    /// <summary>executedAt may not be earlier than this (a guard against zero/epoch placeholders).</summary>
    public static readonly DateTime MinExecutedAt = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>executedAt may be at most this far ahead of the function's clock (clock skew between systems).</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A 400 answer lists at most this many errors (and says how many there were in all): a 1 MiB body of unknown
    /// properties could otherwise produce an answer beyond Lambda's 6 MB response limit.
    /// </summary>
    public const int MaxReportedErrors = 10_000;

    /// <summary>Idempotency-Key: 1-128 visible ASCII characters (0x21-0x7E).</summary>
    public const int MaxIdempotencyKeyLength = 128;
}
