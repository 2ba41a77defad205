namespace TradingPlatform.Functions.DataProcessor.Logging;

/// <summary>
/// What the Lambda runtime tells about one invocation, put on every log line so that a line joins its X-Ray trace
/// and the platform's own lines (START, END, REPORT) of the same request. Key names follow Powertools for AWS
/// Lambda's logging: <c>function_request_id</c>, <c>function_version</c>, <c>cold_start</c>, <c>xray_trace_id</c>.
/// </summary>
/// <param name="AwsRequestId">The Lambda request id (ILambdaContext.AwsRequestId); null when the host gives none.</param>
/// <param name="FunctionVersion">The function version that runs ($LATEST or a number).</param>
/// <param name="TraceId">The X-Ray trace id, the <c>Root=</c> part of the trace header.</param>
public sealed record InvocationContext(string? AwsRequestId, string? FunctionVersion, string? TraceId)
{
    /// <summary>Set by Lambda for each invocation when tracing is active: <c>Root=1-...;Parent=...;Sampled=1</c>.</summary>
    public const string TraceHeaderVariable = "_X_AMZN_TRACE_ID";

    /// <summary>Set by Lambda once per execution environment.</summary>
    public const string FunctionVersionVariable = "AWS_LAMBDA_FUNCTION_VERSION";

    /// <summary>
    /// The invocation as the Lambda environment describes it. The trace header changes with every invocation, so it
    /// is read per invocation. The request id is only on ILambdaContext (Amazon.Lambda.Core), which this handler does
    /// not take: it is null here.
    /// </summary>
    public static InvocationContext FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new(null, environment(FunctionVersionVariable), TraceRoot(environment(TraceHeaderVariable)));
    }

    /// <summary>The <c>Root=</c> value of an X-Ray trace header (what X-Ray's console searches by), else null.</summary>
    internal static string? TraceRoot(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        foreach (var part in header.Split(';', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("Root=", StringComparison.Ordinal) && part.Length > 5)
            {
                return part[5..];
            }
        }

        return null;
    }
}

/// <summary>The invocation fields every log line of one request carries (see <see cref="InvocationContext"/>).</summary>
/// <param name="ColdStart">True only on the first invocation an instance of the function serves.</param>
internal sealed record LogScope(InvocationContext Invocation, bool ColdStart);
