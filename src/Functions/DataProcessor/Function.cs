using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using TradingPlatform.Functions.DataProcessor.Authorization;
using TradingPlatform.Functions.DataProcessor.Http;
using TradingPlatform.Functions.DataProcessor.Logging;
using TradingPlatform.Functions.DataProcessor.Storage;
using TradingPlatform.Functions.DataProcessor.Trades;
using TradingPlatform.Functions.DataProcessor.Validation;

namespace TradingPlatform.Functions.DataProcessor;

/// <summary>
/// POST /data behind API Gateway (REST, Lambda proxy integration).
/// Handler: <c>DataProcessor::TradingPlatform.Functions.DataProcessor.Function::HandleAsync</c>.
/// Stream in, stream out: the Lambda runtime needs no serializer package, and all JSON is source-generated.
/// </summary>
public sealed class Function
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly IdempotentBatchWriter _writer;
    private readonly CallerAuthorizer _authorizer;
    private readonly DataProcessorOptions _options;
    private readonly JsonLog _log;
    private int _invoked;
    private readonly TimeProvider _time;

    /// <summary>
    /// Used by the Lambda runtime: reads INGESTION_BUCKET, ANALYTICS_BUCKET, API_KEYS_TABLE, MAX_BODY_BYTES and
    /// REGISTRY_CACHE_SECONDS, and uses the default S3 and DynamoDB clients (region and credentials from the Lambda
    /// environment). Throws, naming the variable, when one is missing or invalid.
    /// </summary>
    public Function()
        : this(
            // Named arguments are evaluated in the order written: a missing variable fails before any client is built.
            options: DataProcessorOptions.FromEnvironment(Environment.GetEnvironmentVariable),
            s3: new AmazonS3Client(),
            dynamoDb: new AmazonDynamoDBClient())
    {
    }

    /// <summary>
    /// For tests and other hosts: explicit S3 and DynamoDB clients (the client registry is the table
    /// <see cref="DataProcessorOptions.ApiKeysTable"/>) and options; logs go to <paramref name="log"/> (default Console.Out).
    /// </summary>
    public Function(IAmazonS3 s3, IAmazonDynamoDB dynamoDb, DataProcessorOptions options, TextWriter? log = null, TimeProvider? time = null)
        : this(
            new S3ObjectStore(s3 ?? throw new ArgumentNullException(nameof(s3))),
            new DynamoDbClientRegistry(
                dynamoDb ?? throw new ArgumentNullException(nameof(dynamoDb)),
                options?.ApiKeysTable is { Length: > 0 } table ? table : throw new ArgumentException("ApiKeysTable is required.", nameof(options))),
            options!,
            log,
            time)
    {
    }

    internal Function(IAmazonS3 s3, IClientRegistry registry, DataProcessorOptions options, TextWriter? log = null, TimeProvider? time = null)
        : this(new S3ObjectStore(s3 ?? throw new ArgumentNullException(nameof(s3))), registry, options, log, time)
    {
    }

    /// <summary>The registry is wrapped in the per-environment cache (<see cref="DataProcessorOptions.RegistryCacheTtl"/>).</summary>
    internal Function(IObjectStore store, IClientRegistry registry, DataProcessorOptions options, TextWriter? log = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.IngestionBucket);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AnalyticsBucket);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBodyBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RegistryCacheTtl, TimeSpan.Zero);
        _options = options;
        _time = time ?? TimeProvider.System;
        _writer = new IdempotentBatchWriter(store, options.IngestionBucket, options.AnalyticsBucket);
        _authorizer = new CallerAuthorizer(new CachedClientRegistry(registry, options.RegistryCacheTtl, _time), options.RegistryTimeout, _time);
        _log = new JsonLog(log ?? Console.Out, _time);
    }

    /// <summary>The Lambda entry point: the invocation's version and trace come from the Lambda environment.</summary>
    public Task<Stream> HandleAsync(Stream input) =>
        InvokeAsync(input, InvocationContext.FromEnvironment(Environment.GetEnvironmentVariable));

    /// <summary>One invocation, described by <paramref name="invocation"/> (tests and hosts that have a Lambda context).</summary>
    internal async Task<Stream> InvokeAsync(Stream input, InvocationContext invocation)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(invocation);
        var started = _time.GetTimestamp();
        // Powertools' cold_start: true for the first invocation this instance serves (Lambda builds one per environment).
        var state = new RequestState { Log = new LogScope(invocation, ColdStart: Interlocked.Exchange(ref _invoked, 1) == 0) };
        Answer response;
        try
        {
            using var request = await ApiGatewayEvent.ReadAsync(input).ConfigureAwait(false);
            state.RequestId = request.RequestId;
            response = await ProcessAsync(request, state).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            // The registry lookup is a read of the platform's storage: its failure is a 503 like S3's, never a 403.
            state.Fail(state.InRegistryLookup ? "registry_unavailable" : "storage_unavailable", ex, unexpected: false);
            response = Error(503, new ErrorResponse(
                "storage_unavailable",
                "The batch could not be stored and was not accepted. The request may be retried as it is (send the same Idempotency-Key).")
            {
                Retryable = true,
                RequestId = state.RequestId,
            });
        }
        catch (Exception ex)
        {
            // Not hidden: logged at error level with its type and stack trace, and answered as a retryable 500.
            state.Fail(ex is JsonException && state.RequestId is null ? "invalid_event" : "internal_error", ex, unexpected: true);
            response = Error(500, new ErrorResponse(
                "internal_error",
                "Unexpected error; the batch was not accepted. The request may be retried as it is (send the same Idempotency-Key).")
            {
                Retryable = true,
                RequestId = state.RequestId,
            });
        }

        state.StatusCode = response.StatusCode;
        WriteLog(state, _time.GetElapsedTime(started));
        return new MemoryStream(JsonOut.Response(response.StatusCode, response.Body), writable: false);
    }

    private async Task<Answer> ProcessAsync(ApiGatewayEvent request, RequestState state)
    {
        if (request.HttpMethod is { } method && !string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            state.Outcome = "method_not_allowed";
            return Error(405, new ErrorResponse("method_not_allowed", "Only POST is supported."));
        }

        // Who is calling comes first: it is cheap (one cached read), and a caller that may not write learns nothing
        // about the body's rules and costs no parsing. Which accounts are written is known only after validation.
        var client = await AuthorizeCallerAsync(request, state).ConfigureAwait(false);
        if (client.Refusal is { } refusal)
        {
            return refusal;
        }

        var idempotencyKey = FindIdempotencyKey(request.IdempotencyKeys, out var keyProblem);
        if (keyProblem is not null)
        {
            state.Outcome = "invalid_idempotency_key";
            return Error(400, new ErrorResponse("invalid_idempotency_key", keyProblem));
        }

        state.Idempotent = idempotencyKey is not null;

        var body = DecodeBody(request, state, out var bodyProblem);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var outcome = TradeBatchParser.Parse(body, _time.GetUtcNow().UtcDateTime);
        switch (outcome)
        {
            case InvalidJson invalid:
                state.Outcome = "invalid_json";
                return Error(400, new ErrorResponse("invalid_json", invalid.Message));
            case InvalidBatch failed:
                state.Outcome = "validation_failed";
                state.ErrorCount = failed.TotalErrors;
                return Respond(400, JsonOut.ValidationFailed(new ValidationFailedResponse(
                    "validation_failed",
                    failed.TotalErrors > failed.Errors.Count
                        ? $"The batch is invalid; nothing was stored. The first {failed.Errors.Count} of {failed.TotalErrors} errors are listed."
                        : "The batch is invalid; nothing was stored. Every error is listed.",
                    failed.TotalErrors,
                    failed.TotalErrors > failed.Errors.Count,
                    failed.Errors)));
            case ParsedBatch batch:
                return ForeignAccounts(batch.Trades, client.Record!, state)
                    ?? await StoreAsync(batch.Trades, idempotencyKey, state).ConfigureAwait(false);
            default:
                throw new UnreachableException($"Unknown parse outcome {outcome.GetType().Name}.");
        }
    }

    /// <summary>
    /// 401 without an API key id or a token client (a misconfiguration of the API, answered as a refusal, never a 5xx);
    /// 403 for a key the registry does not know, a revoked key, or a key of another client than the token's.
    /// </summary>
    private async Task<(ClientRecord? Record, Answer? Refusal)> AuthorizeCallerAsync(ApiGatewayEvent request, RequestState state)
    {
        if (request.ApiKeyId is { Length: > 0 } && request.ClientId is { Length: > 0 })
        {
            state.ApiKeyId = request.ApiKeyId;
            state.ClientId = request.ClientId;
        }

        state.InRegistryLookup = true;
        var verdict = await _authorizer.AuthorizeAsync(request.ApiKeyId, request.ClientId).ConfigureAwait(false);
        state.InRegistryLookup = false;
        switch (verdict)
        {
            case CallerAllowed allowed:
                return (allowed.Client, null);
            case CallerForbidden forbidden:
                return (null, Forbidden(state, forbidden.Reason, forbidden.Message, outcome: forbidden.Outcome));
            default:
                state.Outcome = "unauthorized";
                return (null, Error(401, new ErrorResponse(
                    "unauthorized",
                    "The request carries no API key id or no access token client; send both the x-api-key header and a Cognito access token.")));
        }
    }

    /// <summary>403 listing the position of every trade whose account the client may not write; null when all are its own.</summary>
    private static Answer? ForeignAccounts(IReadOnlyList<Trade> trades, ClientRecord client, RequestState state)
    {
        if (CallerAuthorizer.ForeignAccounts(trades, client) is not { } offending)
        {
            return null;
        }

        state.TradeCount = trades.Count;
        state.ErrorCount = offending.Count;
        return Forbidden(state, CallerAuthorizer.AccountNotAllowed, "The batch holds trades of accounts this client may not write; nothing was stored.", offending);
    }

    private static Answer Forbidden(RequestState state, string reason, string message, IReadOnlyList<int>? offendingTrades = null, string? outcome = null)
    {
        state.Outcome = outcome ?? reason;
        return Respond(403, JsonOut.Forbidden(new ForbiddenResponse("forbidden", message, reason) { OffendingTrades = offendingTrades }));
    }

    private async Task<Answer> StoreAsync(IReadOnlyList<Trade> trades, string? idempotencyKey, RequestState state)
    {
        state.TradeCount = trades.Count;
        using var batch = new PreparedBatch(trades, idempotencyKey);
        state.BatchId = batch.BatchId;
        state.SymbolCount = batch.SymbolCount;
        using var timeout = new CancellationTokenSource(_options.StorageTimeout, _time);
        switch (await _writer.WriteAsync(batch, timeout.Token).ConfigureAwait(false))
        {
            case BatchWriteResult.Conflict:
                return Conflict(state);
            case BatchWriteResult.Replayed:
                state.Outcome = "replayed";
                break;
            default:
                state.Outcome = "accepted";
                break;
        }

        return Respond(202, JsonOut.Accepted(new AcceptedResponse(batch.BatchId, trades.Count, batch.IngestionKey)));
    }

    /// <summary>
    /// The key from every value API Gateway delivered: <c>headers</c> holds only the last of repeated headers, and
    /// <c>multiValueHeaders</c> all of them, so two different values anywhere are refused rather than one picked.
    /// </summary>
    private static string? FindIdempotencyKey(List<string?> values, out string? problem)
    {
        problem = null;
        if (values.Count == 0)
        {
            return null;
        }

        var key = values[0];
        foreach (var value in values)
        {
            if (!string.Equals(key, value, StringComparison.Ordinal))
            {
                problem = "The Idempotency-Key header was sent more than once with different values; send it once.";
                return null;
            }
        }

        if (!BatchIdentity.IsValidIdempotencyKey(key))
        {
            problem = $"The Idempotency-Key header must be 1-{TradeBatchRules.MaxIdempotencyKeyLength} visible ASCII characters (0x21-0x7E, no spaces).";
            return null;
        }

        return key;
    }

    private ReadOnlyMemory<byte> DecodeBody(ApiGatewayEvent request, RequestState state, out Answer? problem)
    {
        problem = null;
        var max = _options.MaxBodyBytes;
        if (request.BodyIsNotUnicode)
        {
            state.Outcome = "invalid_json";
            problem = Error(400, new ErrorResponse("invalid_json", "The request body is not valid Unicode text (it holds an unpaired UTF-16 surrogate)."));
            return default;
        }

        if (request.Body is not { Length: > 0 } text)
        {
            state.Outcome = "invalid_json";
            problem = Error(400, new ErrorResponse("invalid_json", "The request body is empty; a JSON object with a \"trades\" array is expected."));
            return default;
        }

        var bytes = text;
        if (request.IsBase64Encoded)
        {
            // Four base64 characters carry three bytes: refuse before decoding what can only be too large.
            if (text.Length / 4L * 3 - 2 > max)
            {
                return TooLarge(state, text.Length / 4L * 3, out problem);
            }

            if (!request.TryDecodeBase64(text, out bytes))
            {
                state.Outcome = "invalid_json";
                problem = Error(400, new ErrorResponse("invalid_json", "The request body is marked as base64 but is not valid base64."));
                return default;
            }
        }

        state.BodyBytes = bytes.Length;
        if (bytes.Length > max)
        {
            return TooLarge(state, bytes.Length, out problem);
        }

        return bytes;
    }

    private ReadOnlyMemory<byte> TooLarge(RequestState state, long size, out Answer problem)
    {
        state.Outcome = "payload_too_large";
        state.BodyBytes = (int)Math.Min(size, int.MaxValue);
        problem = Error(413, new ErrorResponse(
            "payload_too_large",
            $"The request body is larger than {_options.MaxBodyBytes} bytes; send the trades in smaller batches (at most {TradeBatchRules.MaxTrades} trades each)."));
        return default;
    }

    private static Answer Conflict(RequestState state)
    {
        state.Outcome = "idempotency_key_conflict";
        return Error(409, new ErrorResponse(
            "idempotency_key_conflict",
            "This Idempotency-Key was already used for a different batch. Send a new batch with a new key."));
    }

    private static bool IsStorageFailure(Exception ex) => ex switch
    {
        AmazonServiceException or AmazonClientException => true,
        HttpRequestException or SocketException or IOException or TimeoutException => true,
        OperationCanceledException => true, // the storage timeout fired
        AggregateException aggregate => aggregate.InnerExceptions.All(IsStorageFailure),
        _ => false,
    };

    private static Answer Error(int statusCode, ErrorResponse body) =>
        Respond(statusCode, JsonOut.Error(body));

    /// <summary>The answer: status and its JSON body (the Lambda proxy envelope is written by <see cref="JsonOut.Response"/>).</summary>
    private static Answer Respond(int statusCode, byte[] body) => new(statusCode, body);

    private void WriteLog(RequestState state, TimeSpan duration)
    {
        var level = state.StatusCode switch
        {
            >= 500 => "error",
            >= 400 => "warn",
            _ => "info",
        };
        var error = state.Exception;
        var aws = error as AmazonServiceException;
        _log.Write(_log.Entry(state.Log, level, "request completed") with
        {
            RequestId = state.RequestId,
            ApiKeyId = state.ApiKeyId,
            ClientId = state.ClientId,
            BatchId = state.BatchId,
            StatusCode = state.StatusCode,
            Outcome = state.Outcome,
            TradeCount = state.TradeCount,
            SymbolCount = state.SymbolCount,
            ErrorCount = state.ErrorCount,
            BodyBytes = state.BodyBytes,
            Idempotent = state.Idempotent,
            DurationMs = Math.Round(duration.TotalMilliseconds, 1),
            ErrorType = error?.GetType().FullName,
            ErrorCode = aws?.ErrorCode,
            ErrorStatus = aws is null ? null : (int)aws.StatusCode,
            // Messages of AWS, network and timeout exceptions describe the service, never the request's content;
            // other exceptions (a JsonException can quote the body) are logged by type and stack trace only.
            ErrorMessage = error is AmazonServiceException or AmazonClientException or HttpRequestException or SocketException or OperationCanceledException or TimeoutException
                ? error.Message
                : null,
            // The stack trace is for the unexpected; a storage failure is described by its type, code and message.
            StackTrace = state.Unexpected ? error?.StackTrace : null,
        });
    }

    /// <summary>Status code and JSON body of the proxy response.</summary>
    private sealed record Answer(int StatusCode, byte[] Body);

    private sealed class RequestState
    {
        public required LogScope Log { get; init; }

        public string? RequestId { get; set; }

        public string? BatchId { get; set; }

        public string? ApiKeyId { get; set; }

        public string? ClientId { get; set; }

        public bool InRegistryLookup { get; set; }

        public int StatusCode { get; set; }

        public string? Outcome { get; set; }

        public int? TradeCount { get; set; }

        public int? SymbolCount { get; set; }

        public int? ErrorCount { get; set; }

        public int? BodyBytes { get; set; }

        public bool? Idempotent { get; set; }

        public Exception? Exception { get; private set; }

        public bool Unexpected { get; private set; }

        public void Fail(string outcome, Exception exception, bool unexpected)
        {
            Outcome = outcome;
            Exception = exception;
            Unexpected = unexpected;
        }
    }
}
