namespace TradingPlatform.Functions.DataProcessor.Logging;

/// <summary>
/// One structured log line. It has no field for trade content on purpose: ids, accounts, symbols, amounts and the
/// raw body are never logged, only counts, ids of the request and batch, timings and error types.
/// <see cref="Scope"/> is required, so no line can leave out the invocation's request id, version, cold start and trace.
/// </summary>
internal sealed record LogEntry(string Timestamp, string Level, string Message, LogScope Scope)
{
    public string? RequestId { get; init; }

    /// <summary>The API key's id (not its value) and the token's app client id: who called, never what was sent.</summary>
    public string? ApiKeyId { get; init; }

    public string? ClientId { get; init; }

    public string? BatchId { get; init; }

    public int? StatusCode { get; init; }

    public string? Outcome { get; init; }

    public int? TradeCount { get; init; }

    public int? SymbolCount { get; init; }

    public int? ErrorCount { get; init; }

    public int? BodyBytes { get; init; }

    public bool? Idempotent { get; init; }

    public double? DurationMs { get; init; }

    public string? ErrorType { get; init; }

    public string? ErrorCode { get; init; }

    public int? ErrorStatus { get; init; }

    public string? ErrorMessage { get; init; }

    public string? StackTrace { get; init; }
}

/// <summary>Writes <see cref="LogEntry"/> as JSON lines (Console.Out in Lambda, which sends them to CloudWatch Logs).</summary>
internal sealed class JsonLog(TextWriter writer, TimeProvider time)
{
    public void Write(LogEntry entry)
    {
        var line = System.Text.Encoding.UTF8.GetString(JsonOut.Log(entry));
        lock (writer)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    public LogEntry Entry(LogScope scope, string level, string message) =>
        new(time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), level, message, scope);
}
