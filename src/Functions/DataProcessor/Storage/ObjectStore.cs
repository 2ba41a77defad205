using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace TradingPlatform.Functions.DataProcessor.Storage;

/// <summary>What is stored at a key: the payload hash recorded when it was written (null if the object has none).</summary>
internal sealed record StoredObject(string? PayloadSha256);

internal enum PutResult
{
    Created,

    /// <summary>The conditional write found an object already at the key (S3 answered 412).</summary>
    AlreadyExists,
}

/// <summary>The two storage operations the function needs. Any failure is thrown, never hidden.</summary>
internal interface IObjectStore
{
    /// <summary>The object at the key, or null if there is none.</summary>
    Task<StoredObject?> HeadAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Writes the object unless one already exists at the key (If-None-Match: *).</summary>
    Task<PutResult> PutIfAbsentAsync(string bucket, string key, ReadOnlyMemory<byte> content, string contentType, string payloadSha256, string batchId, CancellationToken cancellationToken);
}

/// <summary>S3 implementation. Encryption is left to the bucket's default (SSE-KMS): no SSE headers are sent.</summary>
internal sealed class S3ObjectStore(IAmazonS3 s3) : IObjectStore
{
    /// <summary>User metadata (x-amz-meta-payload-sha256) with the SHA-256 of the batch's canonical NDJSON.</summary>
    public const string PayloadHashMetadata = "payload-sha256";

    public const string BatchIdMetadata = "batch-id";

    public async Task<StoredObject?> HeadAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await s3.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            var hash = response.Metadata?[PayloadHashMetadata];
            return new StoredObject(string.IsNullOrEmpty(hash) ? null : hash);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket")
        {
            return null;
        }
    }

    /// <summary>A read-only stream over the bytes without copying them (they are pooled or array-backed).</summary>
    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    public async Task<PutResult> PutIfAbsentAsync(string bucket, string key, ReadOnlyMemory<byte> content, string contentType, string payloadSha256, string batchId, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = AsStream(content),
            ContentType = contentType,
            IfNoneMatch = "*",
            // The body is a small in-memory buffer: sign it whole (x-amz-content-sha256 of the content, so S3 verifies
            // every byte) rather than as aws-chunked streaming, which S3-compatible test servers store verbatim.
            UseChunkEncoding = false,
        };
        request.Metadata[PayloadHashMetadata] = payloadSha256;
        request.Metadata[BatchIdMetadata] = batchId;

        try
        {
            await s3.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return PutResult.Created;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return PutResult.AlreadyExists;
        }
    }
}
