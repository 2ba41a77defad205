using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TradingPlatform.Functions.DataProcessor;

/// <summary>
/// Writes the stored documents. Output is canonical (fixed property order, normalised numbers and timestamps, '\n'
/// line ends, UTF-8 without BOM), so the same trades always give the same bytes and the same SHA-256.
/// </summary>
public static class Ndjson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.Default,
        SkipValidation = false,
    };

    /// <summary>One line per trade, in request order.</summary>
    public static byte[] Trades(IReadOnlyList<Trade> trades)
    {
        var buffer = new ArrayBufferWriter<byte>(trades.Count * 200);
        foreach (var trade in trades)
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("tradeId", trade.TradeId);
                writer.WriteString("accountId", trade.AccountId);
                writer.WriteString("symbol", trade.Symbol);
                writer.WriteString("side", trade.Side == TradeSide.Buy ? "BUY" : "SELL");
                writer.WriteNumber("quantity", trade.Quantity);
                writer.WriteNumber("price", trade.Price);
                writer.WriteString("currency", trade.Currency);
                writer.WriteString("executedAt", Timestamps.Format(trade.ExecutedAt));
                writer.WriteEndObject();
            }

            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One line per (symbol, currency), sorted by symbol then currency.</summary>
    public static byte[] Aggregates(string batchId, IReadOnlyList<SymbolAggregate> aggregates)
    {
        var buffer = new ArrayBufferWriter<byte>(aggregates.Count * 300);
        foreach (var a in aggregates)
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("batchId", batchId);
                writer.WriteString("symbol", a.Symbol);
                writer.WriteString("currency", a.Currency);
                writer.WriteNumber("count", a.Count);
                writer.WriteNumber("volume", a.Volume);
                writer.WriteNumber("notional", a.Notional);
                writer.WriteNumber("vwap", a.Vwap);
                writer.WriteNumber("minPrice", a.MinPrice);
                writer.WriteNumber("maxPrice", a.MaxPrice);
                writer.WriteString("firstExecutedAt", Timestamps.Format(a.FirstExecutedAt));
                writer.WriteString("lastExecutedAt", Timestamps.Format(a.LastExecutedAt));
                writer.WriteEndObject();
            }

            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
