using System.Buffers.Text;
using System.Buffers;
using TradingPlatform.Functions.DataProcessor.Trades;
using TradingPlatform.Functions.DataProcessor.Validation;

namespace TradingPlatform.Functions.DataProcessor.Storage;

/// <summary>
/// Writes the stored documents. Output is canonical (fixed property order, normalised numbers and timestamps, '\n'
/// line ends, UTF-8 without BOM), so the same trades always give the same bytes and the same SHA-256.
/// Written byte by byte rather than through Utf8JsonWriter: every string was validated to characters that JSON never
/// escapes ([A-Za-z0-9._-], digits and the timestamp's ASCII), so the output is identical and no writer is needed.
/// </summary>
public static class Ndjson
{
    /// <summary>Upper bound of one trade line besides its identifiers (names, quotes, numbers, timestamp).</summary>
    private const int TradeLineOverhead = 200;

    /// <summary>One line per trade, in request order.</summary>
    public static byte[] Trades(IReadOnlyList<Trade> trades)
    {
        using var buffer = new PooledBuffer(trades.Count * TradeLineOverhead);
        WriteTrades(trades, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One line per (symbol, currency), sorted by symbol then currency.</summary>
    public static byte[] Aggregates(string batchId, IReadOnlyList<SymbolAggregate> aggregates)
    {
        using var buffer = new PooledBuffer(aggregates.Count * 400);
        WriteAggregates(batchId, aggregates, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    internal static void WriteTrades(IReadOnlyList<Trade> trades, PooledBuffer buffer)
    {
        foreach (var trade in trades)
        {
            var line = buffer.GetSpan(TradeLineOverhead + (2 * TradeBatchRules.MaxIdentifierLength) + TradeBatchRules.MaxSymbolLength);
            var n = 0;
            Append(line, ref n, "{\"tradeId\":\""u8);
            AppendAscii(line, ref n, trade.TradeId);
            Append(line, ref n, "\",\"accountId\":\""u8);
            AppendAscii(line, ref n, trade.AccountId);
            Append(line, ref n, "\",\"symbol\":\""u8);
            AppendAscii(line, ref n, trade.Symbol);
            Append(line, ref n, trade.Side == TradeSide.Buy ? "\",\"side\":\"BUY\",\"quantity\":"u8 : "\",\"side\":\"SELL\",\"quantity\":"u8);
            AppendDecimal(line, ref n, trade.Quantity);
            Append(line, ref n, ",\"price\":"u8);
            AppendDecimal(line, ref n, trade.Price);
            Append(line, ref n, ",\"currency\":\""u8);
            AppendAscii(line, ref n, trade.Currency);
            Append(line, ref n, "\",\"executedAt\":\""u8);
            n += Timestamps.FormatUtf8(trade.ExecutedAt, line[n..]);
            Append(line, ref n, "\"}\n"u8);
            buffer.Advance(n);
        }
    }

    internal static void WriteAggregates(string batchId, IReadOnlyList<SymbolAggregate> aggregates, PooledBuffer buffer)
    {
        foreach (var a in aggregates)
        {
            var line = buffer.GetSpan(300 + (5 * Fixed8.MaxUtf8Length) + batchId.Length);
            var n = 0;
            Append(line, ref n, "{\"batchId\":\""u8);
            AppendAscii(line, ref n, batchId);
            Append(line, ref n, "\",\"symbol\":\""u8);
            AppendAscii(line, ref n, a.Symbol);
            Append(line, ref n, "\",\"currency\":\""u8);
            AppendAscii(line, ref n, a.Currency);
            Append(line, ref n, "\",\"count\":"u8);
            Utf8Formatter.TryFormat(a.Count, line[n..], out var written);
            n += written;
            Append(line, ref n, ",\"volume\":"u8);
            n += a.Volume.Format(line[n..]);
            Append(line, ref n, ",\"notional\":"u8);
            n += a.Notional.Format(line[n..]);
            Append(line, ref n, ",\"vwap\":"u8);
            n += a.Vwap.Format(line[n..]);
            Append(line, ref n, ",\"minPrice\":"u8);
            n += a.MinPrice.Format(line[n..]);
            Append(line, ref n, ",\"maxPrice\":"u8);
            n += a.MaxPrice.Format(line[n..]);
            Append(line, ref n, ",\"firstExecutedAt\":\""u8);
            n += Timestamps.FormatUtf8(a.FirstExecutedAt, line[n..]);
            Append(line, ref n, "\",\"lastExecutedAt\":\""u8);
            n += Timestamps.FormatUtf8(a.LastExecutedAt, line[n..]);
            Append(line, ref n, "\"}\n"u8);
            buffer.Advance(n);
        }
    }

    private static void Append(Span<byte> line, ref int n, ReadOnlySpan<byte> text)
    {
        text.CopyTo(line[n..]);
        n += text.Length;
    }

    /// <summary>Validated ASCII identifiers: one byte per character, nothing JSON would escape.</summary>
    private static void AppendAscii(Span<byte> line, ref int n, string text)
    {
        n += System.Text.Encoding.ASCII.GetBytes(text, line[n..]);
    }

    /// <summary>A normalised decimal (no trailing zeros) as Utf8JsonWriter.WriteNumber writes it: plain digits, no exponent.</summary>
    private static void AppendDecimal(Span<byte> line, ref int n, decimal value)
    {
        Utf8Formatter.TryFormat(value, line[n..], out var written);
        n += written;
    }
}

/// <summary>A growable byte buffer on ArrayPool memory; return it with Dispose once nothing reads it any more.</summary>
internal sealed class PooledBuffer(int initialCapacity) : IDisposable
{
    private byte[] _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    private int _length;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _length);

    public Span<byte> GetSpan(int sizeHint)
    {
        if (_array.Length - _length < sizeHint)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _length + sizeHint));
            _array.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = larger;
        }

        return _array.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    public void Dispose()
    {
        var array = _array;
        _array = [];
        _length = 0;
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
