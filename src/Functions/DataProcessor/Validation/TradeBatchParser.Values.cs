using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TradingPlatform.Functions.DataProcessor.Trades;

namespace TradingPlatform.Functions.DataProcessor.Validation;

public static partial class TradeBatchParser
{
    /// <summary>The readers of the eight field values: each checks its rule and records the field's error.</summary>
    private sealed partial class BatchReader
    {
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

            // The only bound on how a value may be spelt: reading is linear in the literal, and without a cap a 6 MB
            // body could be one literal. Refused as a client error, before any digit is read.
            if (reader.ValueSpan.Length > TradeBatchRules.MaxNumberLiteralLength)
            {
                _valueErrors[slot] = NumberTooLongMessage;
                return null;
            }

            // Read exactly from the literal and normalised (leading and trailing zeros into the exponent) before any
            // decision: System.Decimal would silently round a literal with more than 28 significant digits, and such
            // a value must be rejected, not altered; an exact value in range is accepted however it is spelt.
            var number = JsonNumber.Read(reader.ValueSpan);
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

            if (number.DecimalPlaces > TradeBatchRules.MaxDecimalPlaces)
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
}
