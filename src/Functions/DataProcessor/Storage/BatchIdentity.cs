using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TradingPlatform.Functions.DataProcessor.Trades;

namespace TradingPlatform.Functions.DataProcessor.Storage;

/// <summary>Batch ids, the partition of a batch and the S3 keys it is written to.</summary>
public static class BatchIdentity
{
    /// <summary>Domain separator: a new scheme must change it, so that old and new ids never collide.</summary>
    private const string IdempotencyNamespace = "TradingPlatform.DataProcessor.batch-id.v1\n";

    /// <summary>Separator for ids derived from a payload: never equal to an id derived from a key.</summary>
    private const string PayloadNamespace = "TradingPlatform.DataProcessor.payload-batch-id.v1\n";

    /// <summary>
    /// The batch id for an Idempotency-Key: the first 16 bytes of SHA-256(namespace + key), formatted as an RFC 9562
    /// version-8 UUID (lower case). Same key, same id, on every invocation and every machine.
    /// </summary>
    public static string FromIdempotencyKey(string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        return Version8(IdempotencyNamespace + idempotencyKey);
    }

    /// <summary>
    /// The batch id of a request without Idempotency-Key: the first 16 bytes of SHA-256(namespace + the lower-case hex
    /// SHA-256 of the canonical NDJSON), as a version-8 UUID. The same trades (however the JSON was spelt) always get
    /// the same id, hence the same objects: a retry cannot store a batch twice. Two batches with identical trades are
    /// one batch; a client that means to store both sends each with its own Idempotency-Key.
    /// </summary>
    public static string FromPayload(string payloadSha256)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(payloadSha256);
        return Version8(PayloadNamespace + payloadSha256);
    }

    private static string Version8(string input)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // variant 10xx (RFC 9562)
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    /// <summary>
    /// True for 1-128 visible ASCII characters (0x21-0x7E). Spaces and control characters are refused so that the
    /// key cannot differ invisibly between two attempts.
    /// </summary>
    public static bool IsValidIdempotencyKey(string? key) =>
        key is { Length: > 0 and <= TradeBatchRules.MaxIdempotencyKeyLength } && key.All(c => c is >= '!' and <= '~');

    /// <summary>
    /// The partition of a batch: the UTC date and hour of its earliest executedAt. It depends on the payload only
    /// (not on the time of arrival), so a retry lands on the same keys.
    /// </summary>
    public static string Partition(IEnumerable<Trade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        var earliest = DateTime.MaxValue;
        foreach (var trade in trades)
        {
            earliest = trade.ExecutedAt < earliest ? trade.ExecutedAt : earliest;
        }

        if (earliest == DateTime.MaxValue)
        {
            throw new ArgumentException("A batch has at least one trade.", nameof(trades));
        }

        return string.Create(CultureInfo.InvariantCulture, $"date={earliest:yyyy-MM-dd}/hour={earliest:HH}");
    }

    public static string IngestionKey(string partition, string batchId) => $"trades/{partition}/{batchId}.ndjson";

    public static string AnalyticsKey(string partition, string batchId) => $"aggregates/{partition}/{batchId}.ndjson";

    /// <summary>Idempotency record in the ingestion bucket: it binds a key to one payload, whatever its partition.</summary>
    public static string IdempotencyRecordKey(string batchId) => $"idempotency/{batchId}.json";

    /// <summary>Lower-case hex SHA-256.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
