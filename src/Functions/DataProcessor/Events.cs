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
