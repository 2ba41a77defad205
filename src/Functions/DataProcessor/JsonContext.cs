using System.Text.Json.Serialization;

namespace TradingPlatform.Functions.DataProcessor;

/// <summary>Source-generated serialisation for every type the function reads or writes with JsonSerializer.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(ApiGatewayProxyResponse))]
[JsonSerializable(typeof(AcceptedResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ValidationFailedResponse))]
[JsonSerializable(typeof(IdempotencyRecord))]
[JsonSerializable(typeof(LogEntry))]
internal sealed partial class JsonContext : JsonSerializerContext;

/// <summary>Content of idempotency/&lt;batch-id&gt;.json.</summary>
internal sealed record IdempotencyRecord(string BatchId, string PayloadSha256, int Accepted, string ObjectKey, string AggregatesKey);
