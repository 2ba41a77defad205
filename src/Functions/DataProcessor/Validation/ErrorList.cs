namespace TradingPlatform.Functions.DataProcessor.Validation;

/// <summary>The errors of one parse: every one is counted, at most <see cref="TradeBatchRules.MaxReportedErrors"/> are listed.</summary>
internal sealed class ErrorList
{
    private readonly List<FieldError> _listed = [];

    public int Total { get; private set; }

    public void Add(int? index, string field, string message)
    {
        Total++;
        if (_listed.Count < TradeBatchRules.MaxReportedErrors)
        {
            _listed.Add(new FieldError(index, field, message));
        }
    }

    public (int Listed, int Total) Mark() => (_listed.Count, Total);

    public void Reset((int Listed, int Total) mark)
    {
        _listed.RemoveRange(mark.Listed, _listed.Count - mark.Listed);
        Total = mark.Total;
    }

    public InvalidBatch ToOutcome() => new(_listed, Total);
}
