using System.Globalization;
using System.Text.Json;

namespace TradingPlatform.Functions.DataProcessor;

/// <summary>Result of <see cref="TradeBatchParser.Parse"/>: exactly one of the three cases.</summary>
public abstract record ParseOutcome;

/// <summary>Every trade passed validation; order is the request's order.</summary>
public sealed record ParsedBatch(IReadOnlyList<Trade> Trades) : ParseOutcome;

/// <summary>The body is not JSON at all. The message gives the position, never the content.</summary>
public sealed record InvalidJson(string Message) : ParseOutcome;

/// <summary>The JSON does not describe a valid batch. <see cref="TotalErrors"/> may exceed Errors.Count (see MaxReportedErrors).</summary>
public sealed record InvalidBatch(IReadOnlyList<FieldError> Errors, int TotalErrors) : ParseOutcome;

/// <summary>
/// Parses and validates a POST /data body: <c>{ "trades": [ { ... } ] }</c>. It reports every problem of every record
/// (up to <see cref="TradeBatchRules.MaxReportedErrors"/>) instead of stopping at the first, so that a client can fix a
/// batch in one round. Property names are case-sensitive; unknown and duplicate properties are errors.
/// </summary>
public static class TradeBatchParser
{
    public const string TradesProperty = "trades";
    public const string RecordField = "$";

    /// <summary>Field names in the order errors are reported and NDJSON lines are written.</summary>
    internal static readonly string[] Fields =
        ["tradeId", "accountId", "symbol", "side", "quantity", "price", "currency", "executedAt"];

    private const int TradeId = 0, AccountId = 1, Symbol = 2, Side = 3, Quantity = 4, Price = 5, Currency = 6, ExecutedAt = 7;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    public static ParseOutcome Parse(ReadOnlyMemory<byte> utf8Json, DateTime utcNow)
    {
        // JsonDocument accepts invalid UTF-8 inside strings and only fails when the string is read: check up front.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json.Span))
        {
            return new InvalidJson("The request body is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            // The exception text can quote the offending characters: report only the position.
            var where = ex.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})")
                : "";
            return new InvalidJson($"The request body is not valid JSON{where}.");
        }

        using (document)
        {
            return ParseDocument(document.RootElement, utcNow);
        }
    }

    private static ParseOutcome ParseDocument(JsonElement root, DateTime utcNow)
    {
        var errors = new ErrorList();
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(null, RecordField, $"the body must be a JSON object with a \"{TradesProperty}\" array, got {Describe(root.ValueKind)}");
            return errors.ToOutcome();
        }

        JsonElement? trades = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals(TradesProperty))
            {
                if (trades is not null)
                {
                    errors.Add(null, TradesProperty, "duplicate property");
                }

                trades = property.Value;
            }
            else
            {
                errors.Add(null, DisplayName(property.Name), "unknown property");
            }
        }

        if (trades is not { } array)
        {
            errors.Add(null, TradesProperty, "is required");
            return errors.ToOutcome();
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.Add(null, TradesProperty, $"must be an array, got {Describe(array.ValueKind)}");
            return errors.ToOutcome();
        }

        var count = array.GetArrayLength();
        if (count < TradeBatchRules.MinTrades)
        {
            errors.Add(null, TradesProperty, "must contain at least 1 trade");
            return errors.ToOutcome();
        }

        if (count > TradeBatchRules.MaxTrades)
        {
            errors.Add(null, TradesProperty, string.Create(CultureInfo.InvariantCulture,
                $"must contain at most {TradeBatchRules.MaxTrades} trades, got {count}"));
            return errors.ToOutcome();
        }

        var latestAllowed = utcNow + TradeBatchRules.MaxFutureSkew;
        var result = new List<Trade>(count);
        var firstIndexOfTradeId = new Dictionary<string, int>(count, StringComparer.Ordinal);
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var trade = ParseTrade(element, index, latestAllowed, errors);
            if (trade is not null)
            {
                if (firstIndexOfTradeId.TryGetValue(trade.TradeId, out var first))
                {
                    errors.Add(index, Fields[TradeId], string.Create(CultureInfo.InvariantCulture,
                        $"duplicates the tradeId of trade {first}"));
                }
                else
                {
                    firstIndexOfTradeId.Add(trade.TradeId, index);
                    result.Add(trade);
                }
            }

            index++;
        }

        return errors.Total == 0 ? new ParsedBatch(result) : errors.ToOutcome();
    }

    private static Trade? ParseTrade(JsonElement element, int index, DateTime latestAllowed, ErrorList errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(index, RecordField, $"must be a JSON object, got {Describe(element.ValueKind)}");
            return null;
        }

        var errorsBefore = errors.Total;
        var values = new JsonElement[Fields.Length];
        var present = new bool[Fields.Length];
        var extra = new List<FieldError>();
        foreach (var property in element.EnumerateObject())
        {
            var slot = Array.IndexOf(Fields, property.Name);
            if (slot < 0)
            {
                extra.Add(new FieldError(index, DisplayName(property.Name), "unknown property"));
            }
            else if (present[slot])
            {
                extra.Add(new FieldError(index, Fields[slot], "duplicate property"));
            }
            else
            {
                present[slot] = true;
                values[slot] = property.Value;
            }
        }

        for (var slot = 0; slot < Fields.Length; slot++)
        {
            if (!present[slot])
            {
                errors.Add(index, Fields[slot], "is required");
            }
        }

        var tradeId = present[TradeId] ? ReadIdentifier(values[TradeId], index, Fields[TradeId], errors) : null;
        var accountId = present[AccountId] ? ReadIdentifier(values[AccountId], index, Fields[AccountId], errors) : null;
        var symbol = present[Symbol] ? ReadSymbol(values[Symbol], index, errors) : null;
        var side = present[Side] ? ReadSide(values[Side], index, errors) : null;
        var quantity = present[Quantity] ? ReadAmount(values[Quantity], index, Fields[Quantity], TradeBatchRules.MaxQuantity, errors) : null;
        var price = present[Price] ? ReadAmount(values[Price], index, Fields[Price], TradeBatchRules.MaxPrice, errors) : null;
        var currency = present[Currency] ? ReadCurrency(values[Currency], index, errors) : null;
        var executedAt = present[ExecutedAt] ? ReadExecutedAt(values[ExecutedAt], index, latestAllowed, errors) : null;

        foreach (var error in extra)
        {
            errors.Add(error.Index, error.Field, error.Message);
        }

        if (errors.Total != errorsBefore)
        {
            return null;
        }

        return new Trade(tradeId!, accountId!, symbol!, side!.Value, quantity!.Value, price!.Value, currency!, executedAt!.Value);
    }

    private static string? ReadString(JsonElement value, int index, string field, ErrorList errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(index, field, $"must be a string, got {Describe(value.ValueKind)}");
            return null;
        }

        return value.GetString()!;
    }

    private static string? ReadIdentifier(JsonElement value, int index, string field, ErrorList errors)
    {
        var text = ReadString(value, index, field, errors);
        if (text is null)
        {
            return null;
        }

        if (text.Length is 0 or > TradeBatchRules.MaxIdentifierLength || !text.All(IsIdentifierChar))
        {
            errors.Add(index, field, string.Create(CultureInfo.InvariantCulture,
                $"must be 1-{TradeBatchRules.MaxIdentifierLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'"));
            return null;
        }

        return text;
    }

    private static string? ReadSymbol(JsonElement value, int index, ErrorList errors)
    {
        var text = ReadString(value, index, Fields[Symbol], errors);
        if (text is null)
        {
            return null;
        }

        if (text.Length is 0 or > TradeBatchRules.MaxSymbolLength || !IsUpperAlphanumeric(text[0]) || !text.All(IsSymbolChar))
        {
            errors.Add(index, Fields[Symbol], string.Create(CultureInfo.InvariantCulture,
                $"must be 1-{TradeBatchRules.MaxSymbolLength} characters of A-Z, 0-9, '.' and '-', starting with a letter or digit"));
            return null;
        }

        return text;
    }

    private static TradeSide? ReadSide(JsonElement value, int index, ErrorList errors)
    {
        var text = ReadString(value, index, Fields[Side], errors);
        switch (text)
        {
            case null:
                return null;
            case "BUY":
                return TradeSide.Buy;
            case "SELL":
                return TradeSide.Sell;
            default:
                errors.Add(index, Fields[Side], "must be \"BUY\" or \"SELL\"");
                return null;
        }
    }

    private static string? ReadCurrency(JsonElement value, int index, ErrorList errors)
    {
        var text = ReadString(value, index, Fields[Currency], errors);
        if (text is null)
        {
            return null;
        }

        if (text.Length != 3 || !text.All(char.IsAsciiLetterUpper))
        {
            errors.Add(index, Fields[Currency], "must be an ISO 4217 code: three upper-case letters");
            return null;
        }

        if (!Iso4217.IsActive(text))
        {
            errors.Add(index, Fields[Currency], "is not an active ISO 4217 currency code");
            return null;
        }

        return text;
    }

    private static decimal? ReadAmount(JsonElement value, int index, string field, decimal max, ErrorList errors)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(index, field, $"must be a JSON number, got {Describe(value.ValueKind)}");
            return null;
        }

        // Decimal places are counted on the literal itself: System.Decimal would silently round a literal with more
        // than 28 significant digits, and such a value must be rejected, not altered.
        var places = DecimalPlaces(value.GetRawText());
        if (!value.TryGetDecimal(out var amount) || places is null)
        {
            errors.Add(index, field, string.Create(CultureInfo.InvariantCulture, $"must be a number > 0 and <= {max}"));
            return null;
        }

        if (amount <= 0m)
        {
            errors.Add(index, field, "must be > 0");
            return null;
        }

        if (amount > max)
        {
            errors.Add(index, field, string.Create(CultureInfo.InvariantCulture, $"must be <= {max}"));
            return null;
        }

        if (places > TradeBatchRules.MaxDecimalPlaces)
        {
            errors.Add(index, field, string.Create(CultureInfo.InvariantCulture,
                $"must have at most {TradeBatchRules.MaxDecimalPlaces} decimal places"));
            return null;
        }

        return DecimalText.Normalize(amount);
    }

    /// <summary>
    /// Decimal places a JSON number literal really needs (trailing zeros do not count, the exponent does):
    /// "1.50" -> 1, "15e-1" -> 1, "100e-2" -> 0, "1E+3" -> 0. Null if the exponent is absurd.
    /// </summary>
    internal static int? DecimalPlaces(string literal)
    {
        var span = literal.AsSpan();
        var e = span.IndexOfAny('e', 'E');
        long exponent = 0;
        if (e >= 0)
        {
            if (!long.TryParse(span[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
                || exponent is > 1000 or < -1000)
            {
                return null;
            }

            span = span[..e];
        }

        var dot = span.IndexOf('.');
        var integerDigits = dot >= 0 ? span[..dot] : span;
        var fractionDigits = dot >= 0 ? span[(dot + 1)..] : [];
        long scale = fractionDigits.Length - exponent;

        // Strip trailing zeros of the digit string (fraction first, then integer part), each lowering the scale by one.
        var trimmedFraction = fractionDigits.TrimEnd('0');
        scale -= fractionDigits.Length - trimmedFraction.Length;
        if (trimmedFraction.Length == 0)
        {
            var digits = integerDigits.TrimStart('-');
            var trimmedInteger = digits.TrimEnd('0');
            if (trimmedInteger.Length == 0)
            {
                return 0; // the number is zero
            }

            scale -= digits.Length - trimmedInteger.Length;
        }

        return (int)Math.Max(0, scale);
    }

    private static DateTime? ReadExecutedAt(JsonElement value, int index, DateTime latestAllowed, ErrorList errors)
    {
        var field = Fields[ExecutedAt];
        var text = ReadString(value, index, field, errors);
        if (text is null)
        {
            return null;
        }

        switch (Timestamps.TryParseUtc(text, out var instant))
        {
            case TimestampParse.BadFormat:
                errors.Add(index, field, string.Create(CultureInfo.InvariantCulture,
                    $"must be an ISO 8601 UTC timestamp such as 2026-11-24T15:04:05Z or 2026-11-24T15:04:05.123Z (at most {TradeBatchRules.MaxFractionDigits} fractional digits, offset Z only)"));
                return null;
            case TimestampParse.NotACalendarInstant:
                errors.Add(index, field, "is not a valid calendar date and time");
                return null;
        }

        if (instant < TradeBatchRules.MinExecutedAt)
        {
            errors.Add(index, field, "must not be before 2000-01-01T00:00:00Z");
            return null;
        }

        if (instant > latestAllowed)
        {
            errors.Add(index, field, string.Create(CultureInfo.InvariantCulture,
                $"must not be more than {TradeBatchRules.MaxFutureSkew.TotalMinutes} minutes in the future"));
            return null;
        }

        return instant;
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    private static bool IsUpperAlphanumeric(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c);

    private static bool IsSymbolChar(char c) => IsUpperAlphanumeric(c) || c is '.' or '-';

    /// <summary>An unknown property's name is echoed back to the client, shortened so that errors stay small.</summary>
    private static string DisplayName(string name) => name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "...");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private sealed class ErrorList
    {
        private readonly List<FieldError> _listed = [];

        public int Total { get; private set; }

        public void Add(int? index, string field, string message)
        {
            Total++;
            if (_listed.Count < TradeBatchRules.MaxReportedErrors)
            {
                _listed.Add(new FieldError(index, field, message));
            }
        }

        public InvalidBatch ToOutcome() => new(_listed, Total);
    }
}
