namespace TradingPlatform.Functions.DataProcessor;

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

/// <summary>One problem in the request: <see cref="Index"/> is the position in "trades" (null for the envelope).</summary>
public sealed record FieldError(int? Index, string Field, string Message);

/// <summary>
/// 403 body: <see cref="Reason"/> is unknown_api_key, revoked_api_key, client_mismatch or account_not_allowed;
/// <see cref="OffendingTrades"/> (positions in "trades") only for account_not_allowed.
/// </summary>
public sealed record ForbiddenResponse(string Error, string Message, string Reason)
{
    public IReadOnlyList<int>? OffendingTrades { get; init; }
}
