using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TradingPlatform.Functions.DataProcessor.Bench;

/// <summary>Realistic POST /data events: distinct trade ids, a few dozen symbols, three currencies, amounts with decimals.</summary>
public static class BenchEvents
{
    private static readonly string[] Symbols = Enumerable.Range(0, 40).Select(i => $"SYM{i:D2}").Append("BRK.B").ToArray();
    private static readonly string[] Currencies = ["USD", "EUR", "GBP"];

    public const string ApiKeyId = "bench-key";
    public const string ClientId = "bench-client";

    /// <summary>Every account id <see cref="Body"/> writes: the bench client's registry entry allows them all.</summary>
    public static readonly string[] Accounts = Enumerable.Range(0, 97).Select(i => $"ACC-{i:D4}").ToArray();

    public static string Body(int trades)
    {
        var sb = new StringBuilder(trades * 180);
        sb.Append("{\"trades\":[");
        for (var i = 0; i < trades; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(CultureInfo.InvariantCulture,
                $"{{\"tradeId\":\"T-{i:D8}\",\"accountId\":\"{Accounts[i % 97]}\",\"symbol\":\"{Symbols[i % Symbols.Length]}\",\"side\":\"{(i % 2 == 0 ? "BUY" : "SELL")}\",\"quantity\":{100 + (i % 50) * 0.25m},\"price\":{187.12m + (i % 1000) * 0.01m},\"currency\":\"{Currencies[i % 3]}\",\"executedAt\":\"2026-11-24T15:{i / 60 % 60:D2}:{i % 60:D2}.{i % 1000:D3}Z\"}}");
        }

        sb.Append("]}");
        return sb.ToString();
    }

    /// <summary>The API Gateway REST proxy event as the Lambda runtime hands it over: UTF-8 JSON bytes.</summary>
    public static byte[] Event(string body, string? idempotencyKey = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("resource", "/data");
            writer.WriteString("path", "/data");
            writer.WriteString("httpMethod", "POST");
            writer.WriteStartObject("headers");
            writer.WriteString("Content-Type", "application/json");
            writer.WriteString("x-api-key", "bench");
            if (idempotencyKey is not null)
            {
                writer.WriteString("Idempotency-Key", idempotencyKey);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("requestContext");
            writer.WriteString("requestId", "bench-request");
            writer.WriteString("stage", "prod");
            // The caller as API Gateway describes it (read by sources with the client registry, ignored by older ones).
            writer.WriteStartObject("identity");
            writer.WriteString("apiKeyId", ApiKeyId);
            writer.WriteEndObject();
            writer.WriteStartObject("authorizer");
            writer.WriteStartObject("claims");
            writer.WriteString("client_id", ClientId);
            writer.WriteString("scope", "trading/ingest");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteString("body", body);
            writer.WriteBoolean("isBase64Encoded", false);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
