using TradingPlatform.Functions.DataProcessor.Trades;

namespace TradingPlatform.Functions.DataProcessor.Storage;

/// <summary>How a batch's storage ended.</summary>
internal enum BatchWriteResult
{
    /// <summary>At least one object was written now; the rest were already there with the same payload.</summary>
    Accepted,

    /// <summary>Every object was already stored with the same payload (a retry of a stored batch).</summary>
    Replayed,

    /// <summary>An object at one of the batch's keys holds another payload: the key was reused for another batch.</summary>
    Conflict,
}

/// <summary>
/// A valid batch ready to store: its canonical NDJSON, payload hash, batch id, keys and aggregates, computed once
/// before any storage call (the log names the batch even when storage fails). Holds pooled memory until disposed.
/// </summary>
internal sealed class PreparedBatch : IDisposable
{
    private readonly PooledBuffer _trades;
    private readonly PooledBuffer _aggregates;

    public PreparedBatch(IReadOnlyList<Trade> trades, string? idempotencyKey)
    {
        TradeCount = trades.Count;
        IdempotencyKey = idempotencyKey;
        _trades = new PooledBuffer(trades.Count * 200);
        Ndjson.WriteTrades(trades, _trades);
        PayloadSha256 = BatchIdentity.Sha256Hex(_trades.WrittenSpan);
        // Without a key the payload is the identity: an identical retry lands on the same objects and gets the same
        // answer, so a batch is stored once however often a client resends it after a lost answer.
        BatchId = idempotencyKey is null ? BatchIdentity.FromPayload(PayloadSha256) : BatchIdentity.FromIdempotencyKey(idempotencyKey);
        var partition = BatchIdentity.Partition(trades);
        IngestionKey = BatchIdentity.IngestionKey(partition, BatchId);
        AnalyticsKey = BatchIdentity.AnalyticsKey(partition, BatchId);
        var aggregates = TradeAggregator.Aggregate(trades);
        SymbolCount = aggregates.Count;
        _aggregates = new PooledBuffer(aggregates.Count * 400);
        Ndjson.WriteAggregates(BatchId, aggregates, _aggregates);
    }

    public int TradeCount { get; }

    public string? IdempotencyKey { get; }

    public string PayloadSha256 { get; }

    public string BatchId { get; }

    public string IngestionKey { get; }

    public string AnalyticsKey { get; }

    public int SymbolCount { get; }

    public ReadOnlyMemory<byte> TradesNdjson => _trades.WrittenMemory;

    public ReadOnlyMemory<byte> AggregatesNdjson => _aggregates.WrittenMemory;

    public void Dispose()
    {
        _trades.Dispose();
        _aggregates.Dispose();
    }
}

/// <summary>
/// The idempotency protocol: every object is written at most once (If-None-Match: *) and carries its payload's
/// SHA-256, so a retry, a concurrent twin or a half-done attempt lands on the same objects and is recognised by the
/// hash; another payload at the same key is a conflict. A keyed batch first claims its key with a record that binds
/// the key to one payload wherever that payload's partition is.
/// </summary>
internal sealed class IdempotentBatchWriter(IObjectStore store, string ingestionBucket, string analyticsBucket)
{
    private const string NdjsonContentType = "application/x-ndjson";
    private const string JsonContentType = "application/json";

    private enum WriteResult
    {
        Written,
        AlreadyPresent,
        Conflict,
    }

    public async Task<BatchWriteResult> WriteAsync(PreparedBatch batch, CancellationToken ct)
    {
        var keyed = batch.IdempotencyKey is not null;
        if (keyed)
        {
            var record = JsonOut.Record(new IdempotencyRecord(batch.BatchId, batch.PayloadSha256, batch.TradeCount, batch.IngestionKey, batch.AnalyticsKey));
            var claimed = await WriteOnceAsync(ingestionBucket, BatchIdentity.IdempotencyRecordKey(batch.BatchId), record, JsonContentType, batch, checkFirst: true, ct).ConfigureAwait(false);
            if (claimed == WriteResult.Conflict)
            {
                return BatchWriteResult.Conflict;
            }
        }

        // Keyed: HEAD first, so a retry of a stored batch sends no body. Unkeyed: the id is the payload's, so the
        // conditional PUT alone decides (412 = already stored by an earlier attempt or a concurrent twin).
        var written = await Task.WhenAll(
            WriteOnceAsync(ingestionBucket, batch.IngestionKey, batch.TradesNdjson, NdjsonContentType, batch, keyed, ct),
            WriteOnceAsync(analyticsBucket, batch.AnalyticsKey, batch.AggregatesNdjson, NdjsonContentType, batch, keyed, ct)).ConfigureAwait(false);
        if (written.Contains(WriteResult.Conflict))
        {
            return BatchWriteResult.Conflict;
        }

        // Both PutObject calls (or an earlier attempt's) are confirmed by S3 at this point: only now is the batch accepted.
        return written.All(w => w == WriteResult.AlreadyPresent) ? BatchWriteResult.Replayed : BatchWriteResult.Accepted;
    }

    private async Task<WriteResult> WriteOnceAsync(string bucket, string key, ReadOnlyMemory<byte> content, string contentType, PreparedBatch batch, bool checkFirst, CancellationToken ct)
    {
        if (checkFirst && await store.HeadAsync(bucket, key, ct).ConfigureAwait(false) is { } existing)
        {
            return existing.PayloadSha256 == batch.PayloadSha256 ? WriteResult.AlreadyPresent : WriteResult.Conflict;
        }

        if (await store.PutIfAbsentAsync(bucket, key, content, contentType, batch.PayloadSha256, batch.BatchId, ct).ConfigureAwait(false) == PutResult.Created)
        {
            return WriteResult.Written;
        }

        // A concurrent request with the same key won the conditional write: compare with what it stored.
        var winner = await store.HeadAsync(bucket, key, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("S3 refused a conditional write because the object exists, yet HeadObject finds none.");
        return winner.PayloadSha256 == batch.PayloadSha256 ? WriteResult.AlreadyPresent : WriteResult.Conflict;
    }
}
