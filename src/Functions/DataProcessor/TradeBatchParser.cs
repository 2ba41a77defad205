using System.Buffers;
using System.Globalization;
using System.Text;
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
/// One forward pass of <see cref="Utf8JsonReader"/> over the UTF-8 bytes: no document, no UTF-16 copy of the body,
/// strings only for the values a <see cref="Trade"/> keeps. Whatever the bytes, it returns an outcome; it does not throw.
/// </summary>
public static class TradeBatchParser
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
    /// "1.50" -> 1, "15e-1" -> 1, "100e-2" -> 0, "1E+3" -> 0. Null if the exponent is absurd.
    /// </summary>
    internal static int? DecimalPlaces(string literal)
    {
        var number = JsonNumber.Read(Encoding.ASCII.GetBytes(literal));
        return number.AbsurdExponent ? null : number.Zero ? 0 : Math.Max(0, -number.Exponent);
    }

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

    /// <summary>State of one parse: errors, seen trade ids, string caches and a scratch buffer for escaped strings.</summary>
    private sealed class BatchReader(DateTime utcNow, int bodyLength) : IDisposable
    {
        private readonly int _bodyLength = bodyLength;
        private readonly DateTime _latestAllowed = utcNow + TradeBatchRules.MaxFutureSkew;
        private readonly ErrorList _errors = new();
        private readonly TradeIdIndex _firstIndexOfTradeId = new(Math.Clamp(bodyLength / MinTradeBytes, 1, TradeBatchRules.MaxTrades));
        // Symbols and accounts repeat across a batch: one string per distinct value.
        private readonly Dictionary<string, string> _symbols = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _accounts = new(StringComparer.Ordinal);
        private readonly List<(string Field, string Message)> _extraErrors = [];
        private readonly string?[] _valueErrors = new string?[8];
        private byte[] _scratch = ArrayPool<byte>.Shared.Rent(256);
        private List<Trade>? _trades;

        public void Dispose() => ArrayPool<byte>.Shared.Return(_scratch);

        public ParseOutcome Read(ref Utf8JsonReader reader)
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                _errors.Add(null, RecordField, $"the body must be a JSON object with a \"{TradesProperty}\" array, got {Describe(reader.TokenType)}");
                reader.Skip();
                EnsureEnd(ref reader);
                return _errors.ToOutcome();
            }

            var tradesSeen = false;
            var tradesProblem = false;
            var count = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTrades = NameEquals(ref reader, "trades"u8);
                var name = isTrades ? TradesProperty : PropertyDisplayName(ref reader);
                reader.Read();
                if (!isTrades)
                {
                    _errors.Add(null, name, "unknown property");
                    reader.Skip();
                }
                else if (tradesSeen)
                {
                    _errors.Add(null, TradesProperty, "duplicate property");
                    tradesProblem = true;
                    reader.Skip();
                }
                else if (reader.TokenType != JsonTokenType.StartArray)
                {
                    tradesSeen = tradesProblem = true;
                    _errors.Add(null, TradesProperty, $"must be an array, got {Describe(reader.TokenType)}");
                    reader.Skip();
                }
                else
                {
                    tradesSeen = true;
                    count = ReadTrades(ref reader);
                    if (count < TradeBatchRules.MinTrades)
                    {
                        tradesProblem = true;
                        _errors.Add(null, TradesProperty, "must contain at least 1 trade");
                    }
                    else if (count > TradeBatchRules.MaxTrades)
                    {
                        tradesProblem = true;
                        _errors.Add(null, TradesProperty, string.Create(CultureInfo.InvariantCulture,
                            $"must contain at most {TradeBatchRules.MaxTrades} trades, got {count}"));
                    }
                }
            }

            EnsureEnd(ref reader);
            if (!tradesSeen)
            {
                _errors.Add(null, TradesProperty, "is required");
            }

            return _errors.Total == 0 && !tradesProblem && _trades is not null ? new ParsedBatch(_trades) : _errors.ToOutcome();
        }

        /// <summary>After the root value only whitespace may follow; the reader itself throws on anything else.</summary>
        private static void EnsureEnd(ref Utf8JsonReader reader)
        {
            if (reader.Read())
            {
                throw new JsonException("Unexpected data after the JSON value.");
            }
        }

        /// <summary>Reads the array's elements; returns how many there were.</summary>
        private int ReadTrades(ref Utf8JsonReader reader)
        {
            var mark = _errors.Mark();
            // A capacity that never needs to grow for a valid batch (see MinTradeBytes).
            _trades = new List<Trade>(Math.Clamp(_bodyLength / MinTradeBytes, 1, TradeBatchRules.MaxTrades));
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (index < TradeBatchRules.MaxTrades)
                {
                    ReadTrade(ref reader, index);
                }
                else
                {
                    if (index == TradeBatchRules.MaxTrades)
                    {
                        // Too many trades is one envelope error; per-trade errors would only bury it.
                        _errors.Reset(mark);
                        _trades.Clear();
                    }

                    reader.Skip();
                }

                index++;
            }

            return index;
        }

        private void ReadTrade(ref Utf8JsonReader reader, int index)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                _errors.Add(index, RecordField, $"must be a JSON object, got {Describe(reader.TokenType)}");
                reader.Skip();
                return;
            }

            var present = 0;
            Array.Clear(_valueErrors);
            _extraErrors.Clear();
            string? tradeId = null, accountId = null, symbol = null, currency = null;
            TradeSide? side = null;
            decimal? quantity = null, price = null;
            DateTime? executedAt = null;

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var slot = FieldSlot(ref reader);
                if (slot < 0)
                {
                    var name = PropertyDisplayName(ref reader);
                    reader.Read();
                    reader.Skip();
                    _extraErrors.Add((name, "unknown property"));
                    continue;
                }

                reader.Read();
                if ((present & (1 << slot)) != 0)
                {
                    reader.Skip();
                    _extraErrors.Add((Fields[slot], "duplicate property"));
                    continue;
                }

                present |= 1 << slot;
                switch (slot)
                {
                    case TradeId:
                        tradeId = ReadIdentifier(ref reader, slot, cache: null);
                        break;
                    case AccountId:
                        accountId = ReadIdentifier(ref reader, slot, _accounts);
                        break;
                    case Symbol:
                        symbol = ReadSymbol(ref reader);
                        break;
                    case Side:
                        side = ReadSide(ref reader);
                        break;
                    case Quantity:
                        quantity = ReadAmount(ref reader, slot, TradeBatchRules.MaxQuantity);
                        break;
                    case Price:
                        price = ReadAmount(ref reader, slot, TradeBatchRules.MaxPrice);
                        break;
                    case Currency:
                        currency = ReadCurrency(ref reader);
                        break;
                    case ExecutedAt:
                        executedAt = ReadExecutedAt(ref reader);
                        break;
                }
            }

            // Reported in a fixed order whatever the property order: missing fields, bad values (both in field
            // order), unknown and repeated properties, then a repeated tradeId.
            var errorsBefore = _errors.Total;
            if (present != AllFields)
            {
                for (var slot = 0; slot < Fields.Length; slot++)
                {
                    if ((present & (1 << slot)) == 0)
                    {
                        _errors.Add(index, Fields[slot], "is required");
                    }
                }
            }

            for (var slot = 0; slot < Fields.Length; slot++)
            {
                if (_valueErrors[slot] is { } message)
                {
                    _errors.Add(index, Fields[slot], message);
                }
            }

            foreach (var (field, message) in _extraErrors)
            {
                _errors.Add(index, field, message);
            }

            // Every valid tradeId is remembered, even in a record with other errors, so that a duplicate is reported
            // in the same answer as the other errors instead of after the client has fixed them.
            if (tradeId is not null && _firstIndexOfTradeId.AddOrGetFirst(tradeId, index) is var first && first != index)
            {
                _errors.Add(index, Fields[TradeId], string.Create(CultureInfo.InvariantCulture,
                    $"duplicates the tradeId of trade {first}"));
            }

            if (_errors.Total == errorsBefore)
            {
                _trades!.Add(new Trade(tradeId!, accountId!, symbol!, side!.Value, quantity!.Value, price!.Value, currency!, executedAt!.Value));
            }
        }

        /// <summary>The slot of a known field name, or -1. Names are compared after unescaping.</summary>
        private static int FieldSlot(ref Utf8JsonReader reader)
        {
            if (!reader.ValueIsEscaped)
            {
                // The usual case: one candidate by length and first letter, then one comparison.
                var name = reader.ValueSpan;
                var slot = name.Length switch
                {
                    7 => TradeId,
                    9 => AccountId,
                    6 => Symbol,
                    4 => Side,
                    8 => name[0] == (byte)'q' ? Quantity : Currency,
                    5 => Price,
                    10 => ExecutedAt,
                    _ => -1,
                };
                return slot >= 0 && name.SequenceEqual(FieldsUtf8[slot]) ? slot : -1;
            }

            for (var slot = 0; slot < FieldsUtf8.Length; slot++)
            {
                if (NameEquals(ref reader, FieldsUtf8[slot]))
                {
                    return slot;
                }
            }

            return -1;
        }

        private static bool NameEquals(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
        {
            if (!reader.ValueIsEscaped)
            {
                return reader.ValueSpan.SequenceEqual(name);
            }

            try
            {
                return reader.ValueTextEquals(name);
            }
            catch (InvalidOperationException)
            {
                return false; // an unpaired surrogate escape: not any name we know
            }
        }

        /// <summary>The name as the client wrote it if it cannot be decoded (unpaired surrogate escape), else decoded.</summary>
        private static string PropertyDisplayName(ref Utf8JsonReader reader)
        {
            try
            {
                return DisplayName(reader.GetString()!);
            }
            catch (InvalidOperationException)
            {
                // Echo the escaped spelling: it is valid UTF-8 (checked up front) and shows the client what to fix.
                return DisplayName(Encoding.UTF8.GetString(reader.ValueSpan));
            }
        }

        /// <summary>
        /// The unescaped UTF-8 of a string value, in the scratch buffer when it had escapes. False (and an error for
        /// the field) when it is not a string or not valid Unicode; the reader is then past the value.
        /// </summary>
        private bool TryReadString(ref Utf8JsonReader reader, int slot, out ReadOnlySpan<byte> value)
        {
            value = default;
            if (reader.TokenType != JsonTokenType.String)
            {
                _valueErrors[slot] = $"must be a string, got {Describe(reader.TokenType)}";
                reader.Skip();
                return false;
            }

            if (!reader.ValueIsEscaped)
            {
                value = reader.ValueSpan;
                return true;
            }

            if (_scratch.Length < reader.ValueSpan.Length)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
            }

            try
            {
                value = _scratch.AsSpan(0, reader.CopyString(_scratch));
                return true;
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate such as "\ud800": a client error, named like any other bad value.
                _valueErrors[slot] = InvalidUnicodeMessage;
                return false;
            }
        }

        private string? ReadIdentifier(ref Utf8JsonReader reader, int slot, Dictionary<string, string>? cache)
        {
            if (!TryReadString(ref reader, slot, out var text))
            {
                return null;
            }

            if (text.Length is 0 or > TradeBatchRules.MaxIdentifierLength || text.ContainsAnyExcept(IdentifierChars))
            {
                _valueErrors[slot] = string.Create(CultureInfo.InvariantCulture,
                    $"must be 1-{TradeBatchRules.MaxIdentifierLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'");
                return null;
            }

            return Intern(text, cache);
        }

        private string? ReadSymbol(ref Utf8JsonReader reader)
        {
            if (!TryReadString(ref reader, Symbol, out var text))
            {
                return null;
            }

            if (text.Length is 0 or > TradeBatchRules.MaxSymbolLength || !IsUpperAlphanumeric(text[0]) || text.ContainsAnyExcept(SymbolChars))
            {
                _valueErrors[Symbol] = string.Create(CultureInfo.InvariantCulture,
                    $"must be 1-{TradeBatchRules.MaxSymbolLength} characters of A-Z, 0-9, '.' and '-', starting with a letter or digit");
                return null;
            }

            return Intern(text, _symbols);
        }

        private TradeSide? ReadSide(ref Utf8JsonReader reader)
        {
            if (!TryReadString(ref reader, Side, out var text))
            {
                return null;
            }

            if (text.SequenceEqual("BUY"u8))
            {
                return TradeSide.Buy;
            }

            if (text.SequenceEqual("SELL"u8))
            {
                return TradeSide.Sell;
            }

            _valueErrors[Side] = "must be \"BUY\" or \"SELL\"";
            return null;
        }

        private string? ReadCurrency(ref Utf8JsonReader reader)
        {
            if (!TryReadString(ref reader, Currency, out var text))
            {
                return null;
            }

            if (text.Length != 3 || text.ContainsAnyExcept(UpperLetters))
            {
                _valueErrors[Currency] = "must be an ISO 4217 code: three upper-case letters";
                return null;
            }

            Span<char> chars = stackalloc char[3];
            Encoding.ASCII.GetChars(text, chars);
            if (Iso4217.Canonical(chars) is not { } code)
            {
                _valueErrors[Currency] = "is not an active ISO 4217 currency code";
                return null;
            }

            return code;
        }

        private decimal? ReadAmount(ref Utf8JsonReader reader, int slot, decimal max)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                _valueErrors[slot] = $"must be a JSON number, got {Describe(reader.TokenType)}";
                reader.Skip();
                return null;
            }

            // Read exactly from the literal: System.Decimal would silently round a literal with more than 28
            // significant digits, and such a value must be rejected, not altered.
            var number = JsonNumber.Read(reader.ValueSpan);
            if (number.AbsurdExponent)
            {
                _valueErrors[slot] = string.Create(CultureInfo.InvariantCulture, $"must be a number > 0 and <= {max}");
                return null;
            }

            if (number.Zero || number.Negative)
            {
                _valueErrors[slot] = "must be > 0";
                return null;
            }

            if (!number.AtMostPowerOfTen(IntegerDigits(max)))
            {
                _valueErrors[slot] = string.Create(CultureInfo.InvariantCulture, $"must be <= {max}");
                return null;
            }

            if (-number.Exponent > TradeBatchRules.MaxDecimalPlaces)
            {
                _valueErrors[slot] = string.Create(CultureInfo.InvariantCulture,
                    $"must have at most {TradeBatchRules.MaxDecimalPlaces} decimal places");
                return null;
            }

            return number.ToDecimal();
        }

        private DateTime? ReadExecutedAt(ref Utf8JsonReader reader)
        {
            if (!TryReadString(ref reader, ExecutedAt, out var text))
            {
                return null;
            }

            switch (Timestamps.TryParseUtc(text, out var instant))
            {
                case TimestampParse.BadFormat:
                    _valueErrors[ExecutedAt] = string.Create(CultureInfo.InvariantCulture,
                        $"must be an ISO 8601 UTC timestamp such as 2026-11-24T15:04:05Z or 2026-11-24T15:04:05.123Z (at most {TradeBatchRules.MaxFractionDigits} fractional digits, offset Z only)");
                    return null;
                case TimestampParse.NotACalendarInstant:
                    _valueErrors[ExecutedAt] = "is not a valid calendar date and time";
                    return null;
            }

            if (instant < TradeBatchRules.MinExecutedAt)
            {
                _valueErrors[ExecutedAt] = "must not be before 2000-01-01T00:00:00Z";
                return null;
            }

            if (instant > _latestAllowed)
            {
                _valueErrors[ExecutedAt] = string.Create(CultureInfo.InvariantCulture,
                    $"must not be more than {TradeBatchRules.MaxFutureSkew.TotalMinutes} minutes in the future");
                return null;
            }

            return instant;
        }

        /// <summary>A string for validated ASCII; with a cache, one instance per distinct value.</summary>
        private static string Intern(ReadOnlySpan<byte> ascii, Dictionary<string, string>? cache)
        {
            if (cache is null)
            {
                return Encoding.ASCII.GetString(ascii);
            }

            Span<char> chars = stackalloc char[ascii.Length];
            Encoding.ASCII.GetChars(ascii, chars);
            var lookup = cache.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(chars, out var value))
            {
                value = new string(chars);
                cache.Add(value, value);
            }

            return value;
        }

        private static bool IsUpperAlphanumeric(byte c) => c is >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9';

    }

    /// <summary>
    /// tradeId -> index of its first trade. Open addressing over two small arrays instead of a Dictionary: for 5000
    /// trades a Dictionary's entry array lands on the large object heap (85 KB+) and every request then pays for a
    /// full (gen 2) collection sooner or later.
    /// </summary>
    private sealed class TradeIdIndex(int expected)
    {
        private string[] _ids = new string[expected];
        private int[] _firstIndex = new int[expected];
        private int[] _slots = new int[SlotCount(expected)]; // 0 = empty, else position in _ids + 1
        private int _count;

        /// <summary>Adds the id with this index, or returns the index it was first seen at.</summary>
        public int AddOrGetFirst(string id, int index)
        {
            var mask = _slots.Length - 1;
            for (var slot = id.GetHashCode() & mask; ; slot = (slot + 1) & mask)
            {
                var entry = _slots[slot];
                if (entry == 0)
                {
                    break;
                }

                if (string.Equals(_ids[entry - 1], id, StringComparison.Ordinal))
                {
                    return _firstIndex[entry - 1];
                }
            }

            if (_count == _ids.Length || (_count + 1) * 2 > _slots.Length)
            {
                Grow();
            }

            _ids[_count] = id;
            _firstIndex[_count] = index;
            _count++;
            Place(_count);
            return index;
        }

        private void Place(int entry)
        {
            var mask = _slots.Length - 1;
            var slot = _ids[entry - 1].GetHashCode() & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _slots[slot] = entry;
        }

        private void Grow()
        {
            Array.Resize(ref _ids, Math.Max(4, _ids.Length * 2));
            Array.Resize(ref _firstIndex, _ids.Length);
            _slots = new int[SlotCount(_ids.Length)];
            for (var entry = 1; entry <= _count; entry++)
            {
                Place(entry);
            }
        }

        /// <summary>A power of two at least twice the capacity: the table stays at most half full.</summary>
        private static int SlotCount(int capacity) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, capacity * 2));
    }

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

        public (int Listed, int Total) Mark() => (_listed.Count, Total);

        public void Reset((int Listed, int Total) mark)
        {
            _listed.RemoveRange(mark.Listed, _listed.Count - mark.Listed);
            Total = mark.Total;
        }

        public InvalidBatch ToOutcome() => new(_listed, Total);
    }
}

/// <summary>
/// A JSON number literal read exactly: value = (-1 if <see cref="Negative"/>) x <see cref="Digits"/> x 10^<see cref="Exponent"/>,
/// with leading and trailing zeros of the digit string removed (so the exponent is the real scale). The literal is
/// valid JSON (the reader checked it); exponents beyond +-10^6 are flagged rather than computed.
/// </summary>
internal readonly ref struct JsonNumber
{
    private const int AbsurdExponentLimit = 1000;

    public bool Negative { get; private init; }

    /// <summary>The significant digits, without leading or trailing zeros; empty for zero.</summary>
    public ReadOnlySpan<byte> Digits { get; private init; }

    /// <summary>Only meaningful when the two digit runs are stitched together: see <see cref="Read"/>.</summary>
    private ReadOnlySpan<byte> FractionDigits { get; init; }

    public int Exponent { get; private init; }

    public bool AbsurdExponent { get; private init; }

    public bool Zero => Digits.IsEmpty && FractionDigits.IsEmpty;

    public static JsonNumber Read(ReadOnlySpan<byte> literal)
    {
        var negative = literal.Length > 0 && literal[0] == '-';
        var s = negative ? literal[1..] : literal;
        var e = s.IndexOfAny((byte)'e', (byte)'E');
        long exponent = 0;
        var absurd = false;
        if (e >= 0)
        {
            var exp = s[(e + 1)..];
            var expNegative = exp.Length > 0 && exp[0] == '-';
            if (exp.Length > 0 && exp[0] is (byte)'-' or (byte)'+')
            {
                exp = exp[1..];
            }

            foreach (var digit in exp)
            {
                exponent = (exponent * 10) + (digit - '0');
                if (exponent > AbsurdExponentLimit)
                {
                    absurd = true;
                    break;
                }
            }

            exponent = expNegative ? -exponent : exponent;
            s = s[..e];
        }

        var dot = s.IndexOf((byte)'.');
        var whole = dot >= 0 ? s[..dot] : s;
        var fraction = dot >= 0 ? s[(dot + 1)..] : [];

        // Value = whole.fraction x 10^exponent = (whole ++ fraction) x 10^(exponent - fraction.Length).
        // Trailing zeros of the fraction, then (if nothing is left of it) of the whole part, raise the exponent.
        var trimmedFraction = fraction.TrimEnd((byte)'0');
        var scaleExponent = exponent - trimmedFraction.Length;
        whole = whole.TrimStart((byte)'0');
        if (trimmedFraction.IsEmpty)
        {
            var trimmedWhole = whole.TrimEnd((byte)'0');
            scaleExponent += whole.Length - trimmedWhole.Length;
            whole = trimmedWhole;
        }
        else if (whole.IsEmpty)
        {
            trimmedFraction = trimmedFraction.TrimStart((byte)'0');
        }

        return new JsonNumber
        {
            Negative = negative,
            Digits = whole,
            FractionDigits = trimmedFraction,
            Exponent = (int)Math.Clamp(scaleExponent, -10 * AbsurdExponentLimit, 10 * AbsurdExponentLimit),
            AbsurdExponent = absurd,
        };
    }

    private int DigitCount => Digits.Length + FractionDigits.Length;

    /// <summary>
    /// True if the (positive) value is at most 10^(<paramref name="maxDigits"/> - 1), e.g. 10^9 for 10 digits.
    /// </summary>
    public bool AtMostPowerOfTen(int maxDigits)
    {
        // Integer digits of the value = DigitCount + Exponent: fewer than the bound's is smaller, more is larger, and
        // as many is allowed only for the digit string "1" (the bound itself).
        var integerDigits = DigitCount + Exponent;
        if (integerDigits != maxDigits)
        {
            return integerDigits < maxDigits;
        }

        return DigitCount == 1 && (Digits.IsEmpty ? FractionDigits[0] : Digits[0]) == '1';
    }

    /// <summary>The exact value as a decimal with no trailing zeros; call only when it is within the contract's bounds.</summary>
    public decimal ToDecimal()
    {
        // At most 18 significant digits here (10^9 with 8 decimals): a long holds them.
        long mantissa = 0;
        foreach (var d in Digits)
        {
            mantissa = (mantissa * 10) + (d - '0');
        }

        foreach (var d in FractionDigits)
        {
            mantissa = (mantissa * 10) + (d - '0');
        }

        var exponent = Exponent;
        for (; exponent > 0; exponent--)
        {
            mantissa *= 10;
        }

        return new decimal((int)mantissa, (int)(mantissa >> 32), 0, Negative, (byte)-exponent);
    }
}
