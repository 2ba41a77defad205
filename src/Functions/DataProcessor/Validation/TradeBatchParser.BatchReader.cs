using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TradingPlatform.Functions.DataProcessor.Trades;

namespace TradingPlatform.Functions.DataProcessor.Validation;

public static partial class TradeBatchParser
{
    /// <summary>State of one parse: errors, seen trade ids, string caches and a scratch buffer for escaped strings.</summary>
    private sealed partial class BatchReader(DateTime utcNow, int bodyLength) : IDisposable
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
    }
}
