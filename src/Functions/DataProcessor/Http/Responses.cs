using TradingPlatform.Functions.DataProcessor.Validation;

namespace TradingPlatform.Functions.DataProcessor.Http;

/// <summary>202 body.</summary>
public sealed record AcceptedResponse(string BatchId, int Accepted, string ObjectKey);

/// <summary>Body of every non-2xx answer except 400 validation_failed.</summary>
public sealed record ErrorResponse(string Error, string Message)
{
    /// <summary>True when the client may send the same request again (5xx); absent otherwise.</summary>
    public bool? Retryable { get; init; }

    /// <summary>API Gateway request id, to quote to support.</summary>
    public string? RequestId { get; init; }
}

/// <summary>400 validation_failed body.</summary>
public sealed record ValidationFailedResponse(
    string Error,
    string Message,
    int ErrorCount,
    bool Truncated,
    IReadOnlyList<FieldError> Errors);

/// <summary>
/// 403 body: <see cref="Reason"/> is unknown_api_key, revoked_api_key, client_mismatch or account_not_allowed;
/// <see cref="OffendingTrades"/> (positions in "trades") only for account_not_allowed.
/// </summary>
public sealed record ForbiddenResponse(string Error, string Message, string Reason)
{
    public IReadOnlyList<int>? OffendingTrades { get; init; }
}
