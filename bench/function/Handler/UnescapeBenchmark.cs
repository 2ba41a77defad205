#if BODY_UNESCAPER
using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using TradingPlatform.Functions.DataProcessor.Http;

namespace TradingPlatform.Functions.DataProcessor.Bench;

/// <summary>
/// Issue 16, point 7: the event body's hand-written unescaper (one pass: validate and unescape) against what the
/// framework offers, <see cref="Utf8JsonReader.Read"/> (validates the string) then
/// <see cref="Utf8JsonReader.CopyString(Span{byte})"/> (unescapes it). The input is the "body" string token of a real
/// event, escaped as API Gateway's JSON escapes it (every quote of the body becomes \").
/// Run: dotnet DataProcessor.Bench.dll unescape [artifacts].
/// </summary>
[MemoryDiagnoser]
public class UnescapeBenchmark
{
    private byte[] _token = [];
    private byte[] _destination = [];

    [Params(1, 100, 5000)]
    public int Trades { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(BenchEvents.Body(Trades));
        }

        _token = buffer.WrittenSpan.ToArray();
        _destination = new byte[_token.Length];
        // Both must produce the same bytes, or the comparison is meaningless.
        var hand = HandWritten();
        var framework = CopyString();
        if (hand != framework || !_destination.AsSpan(0, framework).SequenceEqual(System.Text.Encoding.UTF8.GetBytes(BenchEvents.Body(Trades))))
        {
            throw new InvalidOperationException("The two unescapers disagree.");
        }
    }

    /// <summary>Token length in bytes, for the report (the Params column gives trades).</summary>
    public int TokenBytes => _token.Length;

    [Benchmark(Baseline = true)]
    public int HandWritten()
    {
        JsonStringUnescaper.TryUnescape(_token, 1, _destination, out _, out var written, out _);
        return written;
    }

    [Benchmark]
    public int CopyString()
    {
        var reader = new Utf8JsonReader(_token);
        reader.Read();
        return reader.CopyString(_destination);
    }
}
#endif
