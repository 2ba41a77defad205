using System.Buffers;
using System.Text.Json;
using TradingPlatform.Functions.DataProcessor.Http;
using TradingPlatform.Functions.DataProcessor.Logging;
using TradingPlatform.Functions.DataProcessor.Storage;
using TradingPlatform.Functions.DataProcessor.Validation;

namespace TradingPlatform.Functions.DataProcessor;

/// <summary>
/// Writes every JSON the function emits (responses, the idempotency record, log lines) with Utf8JsonWriter, field by
/// field. Hand-written rather than source-generated JsonSerializer metadata: building that metadata on the first
/// request JIT-compiles a few hundred generic methods that ReadyToRun cannot precompile, a large share of the cold
/// start. The output is the serializer's: camelCase names in declaration order, nulls left out, the default encoder.
/// </summary>
internal static class JsonOut
{
    public static byte[] Response(int statusCode, ReadOnlySpan<byte> body)
    {
        var buffer = new ArrayBufferWriter<byte>(body.Length + 160);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("statusCode", statusCode);
            w.WriteStartObject("headers");
            w.WriteString("Content-Type", "application/json");
            w.WriteEndObject();
            w.WriteString("body", body);
            w.WriteBoolean("isBase64Encoded", false);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Accepted(AcceptedResponse r) => Write(w =>
    {
        w.WriteString("batchId", r.BatchId);
        w.WriteNumber("accepted", r.Accepted);
        w.WriteString("objectKey", r.ObjectKey);
    });

    public static byte[] Error(ErrorResponse r) => Write(w =>
    {
        w.WriteString("error", r.Error);
        w.WriteString("message", r.Message);
        if (r.Retryable is { } retryable)
        {
            w.WriteBoolean("retryable", retryable);
        }

        if (r.RequestId is { } requestId)
        {
            w.WriteString("requestId", requestId);
        }
    });

    public static byte[] Forbidden(ForbiddenResponse r) => Write(w =>
    {
        w.WriteString("error", r.Error);
        w.WriteString("message", r.Message);
        w.WriteString("reason", r.Reason);
        if (r.OffendingTrades is { } offending)
        {
            w.WriteStartArray("offendingTrades");
            foreach (var index in offending)
            {
                w.WriteNumberValue(index);
            }

            w.WriteEndArray();
        }
    });

    public static byte[] ValidationFailed(ValidationFailedResponse r) => Write(w =>
    {
        w.WriteString("error", r.Error);
        w.WriteString("message", r.Message);
        w.WriteNumber("errorCount", r.ErrorCount);
        w.WriteBoolean("truncated", r.Truncated);
        w.WriteStartArray("errors");
        foreach (var e in r.Errors)
        {
            w.WriteStartObject();
            // index is always present, null for the envelope, so that every error has the same shape.
            if (e.Index is { } index)
            {
                w.WriteNumber("index", index);
            }
            else
            {
                w.WriteNull("index");
            }

            w.WriteString("field", e.Field);
            w.WriteString("message", e.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public static byte[] Record(IdempotencyRecord r) => Write(w =>
    {
        w.WriteString("batchId", r.BatchId);
        w.WriteString("payloadSha256", r.PayloadSha256);
        w.WriteNumber("accepted", r.Accepted);
        w.WriteString("objectKey", r.ObjectKey);
        w.WriteString("aggregatesKey", r.AggregatesKey);
    });

    public static byte[] Log(LogEntry e) => Write(w =>
    {
        w.WriteString("timestamp", e.Timestamp);
        w.WriteString("level", e.Level);
        w.WriteString("message", e.Message);
        // Always written (null when unknown), so that every line has the keys a trace or request is searched by.
        w.WriteString("function_request_id", e.Scope.Invocation.AwsRequestId);
        w.WriteString("function_version", e.Scope.Invocation.FunctionVersion);
        w.WriteBoolean("cold_start", e.Scope.ColdStart);
        w.WriteString("xray_trace_id", e.Scope.Invocation.TraceId);
        Optional(w, "requestId", e.RequestId);
        Optional(w, "apiKeyId", e.ApiKeyId);
        Optional(w, "clientId", e.ClientId);
        Optional(w, "batchId", e.BatchId);
        Optional(w, "statusCode", e.StatusCode);
        Optional(w, "outcome", e.Outcome);
        Optional(w, "tradeCount", e.TradeCount);
        Optional(w, "symbolCount", e.SymbolCount);
        Optional(w, "errorCount", e.ErrorCount);
        Optional(w, "bodyBytes", e.BodyBytes);
        if (e.Idempotent is { } idempotent)
        {
            w.WriteBoolean("idempotent", idempotent);
        }

        if (e.DurationMs is { } duration)
        {
            w.WriteNumber("durationMs", duration);
        }

        Optional(w, "errorType", e.ErrorType);
        Optional(w, "errorCode", e.ErrorCode);
        Optional(w, "errorStatus", e.ErrorStatus);
        Optional(w, "errorMessage", e.ErrorMessage);
        Optional(w, "stackTrace", e.StackTrace);
    });

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void Optional(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            properties(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
