using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TradingPlatform.Functions.DataProcessor.Trades;

namespace TradingPlatform.Functions.DataProcessor.Validation;

/// <summary>
/// Parses and validates a POST /data body: <c>{ "trades": [ { ... } ] }</c>. It reports every problem of every record
/// (up to <see cref="TradeBatchRules.MaxReportedErrors"/>) instead of stopping at the first, so that a client can fix a
/// batch in one round. Property names are case-sensitive; unknown and duplicate properties are errors.
/// One forward pass of <see cref="Utf8JsonReader"/> over the UTF-8 bytes: no document, no UTF-16 copy of the body,
/// strings only for the values a <see cref="Trade"/> keeps. Whatever the bytes, it returns an outcome; it does not throw.
/// </summary>
public static partial class TradeBatchParser
{
    public const string TradesProperty = "trades";
    public const string RecordField = "$";

    /// <summary>Field names in the order errors are reported and NDJSON lines are written.</summary>
    internal static readonly string[] Fields =
        ["tradeId", "accountId", "symbol", "side", "quantity", "price", "currency", "executedAt"];

    private static readonly byte[][] FieldsUtf8 = Fields.Select(Encoding.ASCII.GetBytes).ToArray();

    private const int TradeId = 0, AccountId = 1, Symbol = 2, Side = 3, Quantity = 4, Price = 5, Currency = 6, ExecutedAt = 7;
    private const int AllFields = (1 << 8) - 1;

    /// <summary>
    /// The shortest valid trade is about 125 bytes (8 property names, 2 quotes each, a 20-character timestamp), so a
    /// body of N bytes holds at most N / 120 trades: the capacity of the per-batch tables, sized once.
    /// </summary>
    private const int MinTradeBytes = 120;

    private static readonly SearchValues<byte> IdentifierChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"u8);

    private static readonly SearchValues<byte> SymbolChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"u8);

    private static readonly SearchValues<byte> UpperLetters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ"u8);

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    internal const string InvalidUnicodeMessage =
        "must be valid Unicode text: an escaped UTF-16 surrogate (\\uD800-\\uDFFF) must be a high one followed by a low one";

    public static ParseOutcome Parse(ReadOnlyMemory<byte> utf8Json, DateTime utcNow)
    {
        // The reader does not check UTF-8 inside strings it is not asked to decode: check the whole body up front.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            return new InvalidJson("The request body is not valid UTF-8.");
        }

        var batch = new BatchReader(utcNow, utf8Json.Length);
        try
        {
            var reader = new Utf8JsonReader(utf8Json.Span, ReaderOptions);
            return batch.Read(ref reader);
        }
        catch (JsonException ex)
        {
            // The exception text can quote the offending characters: report only the position.
            var where = ex.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})")
                : "";
            return new InvalidJson($"The request body is not valid JSON{where}.");
        }
        finally
        {
            batch.Dispose();
        }
    }

    /// <summary>
    /// Decimal places a JSON number literal really needs (trailing zeros do not count, the exponent does):
    /// "1.50" -> 1, "15e-1" -> 1, "100e-2" -> 0, "1E+3" -> 0.
    /// </summary>
    internal static long DecimalPlaces(string literal) => JsonNumber.Read(Encoding.ASCII.GetBytes(literal)).DecimalPlaces;

    internal static readonly string NumberTooLongMessage = string.Create(CultureInfo.InvariantCulture,
        $"must be a JSON number literal of at most {TradeBatchRules.MaxNumberLiteralLength} characters (the value may be spelt any way within that)");

    /// <summary>Integer digits of a bound that is a power of ten (10^9 -> 10); the bounds are constants, so it is cached.</summary>
    private static int IntegerDigits(decimal powerOfTen) =>
        powerOfTen == TradeBatchRules.MaxQuantity ? MaxQuantityDigits
        : powerOfTen == TradeBatchRules.MaxPrice ? MaxPriceDigits
        : throw new ArgumentOutOfRangeException(nameof(powerOfTen));

    private static readonly int MaxQuantityDigits = PowerOfTenDigits(TradeBatchRules.MaxQuantity);
    private static readonly int MaxPriceDigits = PowerOfTenDigits(TradeBatchRules.MaxPrice);

    private static int PowerOfTenDigits(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        return text[0] == '1' && text.AsSpan(1).TrimEnd('0').IsEmpty
            ? text.Length
            : throw new InvalidOperationException($"The amount bound {text} must be a power of ten (the exact comparison relies on it).");
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    /// <summary>An unknown property's name is echoed back to the client, shortened so that errors stay small.</summary>
    /// <remarks>An empty name is shown as <c>""</c>: every error must name something the client can find.</remarks>
    private static string DisplayName(string name) => name.Length switch
    {
        0 => "\"\"",
        <= 64 => name,
        _ => string.Concat(name.AsSpan(0, 64), "..."),
    };
}
