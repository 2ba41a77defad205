namespace TradingPlatform.Functions.DataProcessor.Storage;

/// <summary>Content of idempotency/&lt;batch-id&gt;.json.</summary>
internal sealed record IdempotencyRecord(string BatchId, string PayloadSha256, int Accepted, string ObjectKey, string AggregatesKey);
