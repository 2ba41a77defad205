using TradingPlatform.Functions.DataProcessor.Trades;

namespace TradingPlatform.Functions.DataProcessor.Validation;

/// <summary>Result of <see cref="TradeBatchParser.Parse"/>: exactly one of the three cases.</summary>
public abstract record ParseOutcome;

/// <summary>Every trade passed validation; order is the request's order.</summary>
public sealed record ParsedBatch(IReadOnlyList<Trade> Trades) : ParseOutcome;

/// <summary>The body is not JSON at all. The message gives the position, never the content.</summary>
public sealed record InvalidJson(string Message) : ParseOutcome;

/// <summary>The JSON does not describe a valid batch. <see cref="TotalErrors"/> may exceed Errors.Count (see MaxReportedErrors).</summary>
public sealed record InvalidBatch(IReadOnlyList<FieldError> Errors, int TotalErrors) : ParseOutcome;

/// <summary>One problem in the request: <see cref="Index"/> is the position in "trades" (null for the envelope).</summary>
public sealed record FieldError(int? Index, string Field, string Message);
