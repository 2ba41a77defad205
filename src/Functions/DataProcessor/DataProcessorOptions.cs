using System.Globalization;

namespace TradingPlatform.Functions.DataProcessor;

/// <summary>Settings of the data-processing function. <see cref="FromEnvironment"/> reads them from the Lambda environment.</summary>
public sealed record DataProcessorOptions
{
    public const string IngestionBucketVariable = "INGESTION_BUCKET";
    public const string AnalyticsBucketVariable = "ANALYTICS_BUCKET";
    public const string MaxBodyBytesVariable = "MAX_BODY_BYTES";
    public const string ApiKeysTableVariable = "API_KEYS_TABLE";
    public const string RegistryCacheSecondsVariable = "REGISTRY_CACHE_SECONDS";

    /// <summary>60 s: the default time a registry answer is reused, hence the bound on how late a revocation bites.</summary>
    public const int DefaultRegistryCacheSeconds = 60;

    /// <summary>At most 1 hour: a revocation must not wait longer than that.</summary>
    public const int MaxRegistryCacheSeconds = 3600;

    /// <summary>1 MiB: the default request-body limit.</summary>
    public const int DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Lambda's synchronous invocation payload limit is 6 MB; a larger body could never arrive.</summary>
    public const int MaxConfigurableBodyBytes = 6 * 1024 * 1024;

    /// <summary>Bucket receiving the normalised NDJSON trades (and the idempotency records).</summary>
    public required string IngestionBucket { get; init; }

    /// <summary>Bucket receiving the per-symbol aggregates.</summary>
    public required string AnalyticsBucket { get; init; }

    /// <summary>Largest accepted request body, in bytes after base64 decoding.</summary>
    public int MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>The client registry (DynamoDB table, partition key apiKeyId). Required by the DynamoDB-backed constructors.</summary>
    public string? ApiKeysTable { get; init; }

    /// <summary>How long a registry answer (known, unknown or malformed key) is reused; zero disables the cache.</summary>
    public TimeSpan RegistryCacheTtl { get; init; } = TimeSpan.FromSeconds(DefaultRegistryCacheSeconds);

    /// <summary>
    /// Budget for the registry lookup of one request; past it the request answers 503 (retryable). 3 s plus the 20 s
    /// of S3 stays inside the function's 25 s timeout, so a slow DynamoDB still gets our JSON answer.
    /// </summary>
    public TimeSpan RegistryTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Budget for all S3 calls of one request. Past it the request answers 503 (retryable). 20 s keeps the answer
    /// inside API Gateway's 29 s integration timeout, so the client gets our JSON rather than a gateway 504.
    /// </summary>
    public TimeSpan StorageTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Reads INGESTION_BUCKET, ANALYTICS_BUCKET, API_KEYS_TABLE (required), MAX_BODY_BYTES and REGISTRY_CACHE_SECONDS (optional).</summary>
    /// <exception cref="InvalidOperationException">A required variable is missing or a value is invalid; the message names the variable.</exception>
    public static DataProcessorOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);

        var ingestion = Required(getVariable, IngestionBucketVariable);
        var analytics = Required(getVariable, AnalyticsBucketVariable);
        var apiKeysTable = Required(getVariable, ApiKeysTableVariable);

        var maxBodyBytes = DefaultMaxBodyBytes;
        var rawMax = getVariable(MaxBodyBytesVariable);
        if (!string.IsNullOrWhiteSpace(rawMax))
        {
            if (!int.TryParse(rawMax.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out maxBodyBytes)
                || maxBodyBytes < 1 || maxBodyBytes > MaxConfigurableBodyBytes)
            {
                throw new InvalidOperationException(
                    $"Environment variable {MaxBodyBytesVariable} must be a whole number of bytes between 1 and {MaxConfigurableBodyBytes}.");
            }
        }

        var cacheSeconds = DefaultRegistryCacheSeconds;
        var rawCache = getVariable(RegistryCacheSecondsVariable);
        if (!string.IsNullOrWhiteSpace(rawCache))
        {
            if (!int.TryParse(rawCache.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out cacheSeconds)
                || cacheSeconds > MaxRegistryCacheSeconds)
            {
                throw new InvalidOperationException(
                    $"Environment variable {RegistryCacheSecondsVariable} must be a whole number of seconds between 0 (no cache) and {MaxRegistryCacheSeconds}.");
            }
        }

        return new DataProcessorOptions
        {
            IngestionBucket = ingestion,
            AnalyticsBucket = analytics,
            MaxBodyBytes = maxBodyBytes,
            ApiKeysTable = apiKeysTable,
            RegistryCacheTtl = TimeSpan.FromSeconds(cacheSeconds),
        };
    }

    private static string Required(Func<string, string?> getVariable, string name)
    {
        var value = getVariable(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"Environment variable {name} is required but is not set (the DataProcessor function cannot start without it).");
        }

        return value.Trim();
    }
}
