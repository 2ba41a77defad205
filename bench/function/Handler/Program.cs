using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace TradingPlatform.Functions.DataProcessor.Bench;

/// <summary>
/// Handler time and allocated bytes per POST /data, S3 stubbed (bench/function.sh runs this; not a test).
/// In-process toolchain: no per-run project generation, the figures are the same code path as Lambda's.
/// </summary>
[MemoryDiagnoser]
public class HandlerBenchmark
{
    private byte[] _event = [];
    private Function _function = null!;

    [Params(1, 100, 1000, 5000)]
    public int Trades { get; set; }

    public int BodyBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var body = BenchEvents.Body(Trades);
        BodyBytes = System.Text.Encoding.UTF8.GetByteCount(body);
        _event = BenchEvents.Event(body);
        var time = new FixedClock(new DateTimeOffset(2026, 11, 24, 18, 0, 0, TimeSpan.Zero));
#if CLIENT_REGISTRY
        // The registry stubbed as well; cached per environment, as in Lambda, so warm requests do not read it.
        _function = new Function(new StubS3(), new StubDynamoDb(), new DataProcessorOptions { IngestionBucket = "ingestion", AnalyticsBucket = "analytics", ApiKeysTable = "api-keys-bench" }, TextWriter.Null, time);
#else
        _function = new Function(new StubS3(), new DataProcessorOptions { IngestionBucket = "ingestion", AnalyticsBucket = "analytics" }, TextWriter.Null, time);
#endif
        // Fail fast if the fixture is not a valid batch: a 400 would benchmark the wrong path.
        using var answer = new StreamReader(_function.HandleAsync(new MemoryStream(_event, writable: false)).GetAwaiter().GetResult());
        var text = answer.ReadToEnd();
        if (!text.Contains("\"statusCode\":202", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The benchmark batch was not accepted: {text[..Math.Min(400, text.Length)]}");
        }
    }

    [Benchmark]
    public async Task<Stream> Handle() => await _function.HandleAsync(new MemoryStream(_event, writable: false)).ConfigureAwait(false);
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

public static class Program
{
    public static int Main(string[] args)
    {
        // "unescape" first: the body unescaper comparison (UnescapeBenchmark) instead of the handler.
        var unescape = args.Length > 0 && args[0] == "unescape";
        args = unescape ? args[1..] : args;
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(5)
            .WithIterationCount(int.TryParse(Environment.GetEnvironmentVariable("ITERATIONS"), out var n) ? n : 15)
            .WithId("handler");
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
            .AddExporter(MarkdownExporter.GitHub, JsonExporter.Brief)
            .WithArtifactsPath(args.Length > 0 ? args[0] : Path.Combine(Environment.CurrentDirectory, "BenchmarkDotNet.Artifacts"));
        var artifacts = config.ArtifactsPath;
        Directory.CreateDirectory(artifacts);
        // Body sizes for the report's "allocated / body" column.
        File.WriteAllLines(Path.Combine(artifacts, "bodies.tsv"), new[] { 1, 100, 1000, 5000 }
            .Select(n => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{n}\t{System.Text.Encoding.UTF8.GetByteCount(BenchEvents.Body(n))}")));
#if BODY_UNESCAPER
        var summary = unescape ? BenchmarkRunner.Run<UnescapeBenchmark>(config) : BenchmarkRunner.Run<HandlerBenchmark>(config);
#else
        var summary = unescape ? throw new InvalidOperationException("These sources have no separate body unescaper.") : BenchmarkRunner.Run<HandlerBenchmark>(config);
#endif
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }
}
