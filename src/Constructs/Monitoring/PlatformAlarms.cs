using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace TradingPlatform.Constructs.Monitoring;

/// <summary>
/// One alarm of a component. <paramref name="MissingData"/> has no default on purpose: each alarm says what silence
/// means (no traffic is fine for an error count; no datapoints from a database means it is down).
/// </summary>
/// <param name="Name">Short kebab-case name, unique in the environment; the alarm is named trading-&lt;env&gt;-&lt;Name&gt;.</param>
/// <param name="Meaning">What it means when it fires, for the person paged (the README runbook says what to check first).</param>
public sealed record AlarmDefinition(
    string Name,
    string Meaning,
    IMetric Metric,
    double Threshold,
    ComparisonOperator Comparison,
    TreatMissingData MissingData)
{
    /// <summary>Overrides the environment's evaluation periods, e.g. 1 for "any occurrence" alarms.</summary>
    public int? EvaluationPeriods { get; init; }
}

/// <summary>What <see cref="PlatformAlarms"/> needs to create a layer's alarms.</summary>
public sealed record PlatformAlarmsProps
{
    /// <summary>Required. The alert topic every alarm notifies, on ALARM and on OK.</summary>
    public required ITopic Topic { get; init; }
    /// <summary>Required. The environment's suffix: every alarm is named trading-&lt;suffix&gt;-&lt;name&gt;.</summary>
    public required string EnvironmentSuffix { get; init; }
    /// <summary>Required. Consecutive periods a threshold must be crossed, unless an alarm sets its own.</summary>
    public required int EvaluationPeriods { get; init; }
    /// <summary>Required. Where every alarm is recorded for the platform-health alarm and the dashboard.</summary>
    public required AlarmCatalog Catalog { get; init; }
}

/// <summary>
/// Creates a layer's alarms the same way everywhere: a stable name per environment, the environment's evaluation
/// periods, ALARM and OK notifications to the alert topic, and a record in the <see cref="AlarmCatalog"/> so the
/// platform-health composite alarm covers every alarm of every layer.
/// Not a construct: one instance serves every layer of an environment, each alarm created in the caller's scope.
/// </summary>
public sealed class PlatformAlarms(PlatformAlarmsProps props)
{
    public ITopic Topic { get; } = props.Topic;
    public string EnvironmentSuffix { get; } = props.EnvironmentSuffix;
    public AlarmCatalog Catalog { get; } = props.Catalog;

    public Alarm Add(Construct scope, string id, AlarmDefinition definition)
    {
        var alarmName = AlarmCatalog.AlarmName(EnvironmentSuffix, definition.Name);
        // Before the alarm exists: one that the platform-health alarm and the dashboard would miss is refused.
        Catalog.ThrowIfSealed(alarmName, scope, id);
        var periods = definition.EvaluationPeriods ?? props.EvaluationPeriods;
        var alarm = new Alarm(scope, id, new AlarmProps
        {
            AlarmName = alarmName,
            AlarmDescription = $"{definition.Meaning} Runbook: README.md#runbook ({definition.Name}).",
            Metric = definition.Metric,
            Threshold = definition.Threshold,
            ComparisonOperator = definition.Comparison,
            EvaluationPeriods = periods,
            DatapointsToAlarm = periods,
            TreatMissingData = definition.MissingData,
        });
        var action = new SnsAction(Topic);
        alarm.AddAlarmAction(action);
        // Recovery is news too: whoever was paged learns that it is over without opening the console.
        alarm.AddOkAction(action);
        Catalog.Register(alarm, alarmName);
        return alarm;
    }
}

/// <summary>
/// Every alarm of one environment, across its layers, for the platform-health composite alarm and the dashboard.
/// A layer refers to another layer's alarm by its (literal) name, not by a CloudFormation reference, so adding or
/// removing an alarm never creates or breaks a cross-stack export.
/// </summary>
/// <remarks>
/// Sealed when first read: whatever reads it (the dashboard, the platform-health alarm) sees every alarm it will ever
/// hold, so an alarm registered afterwards, which they would silently miss, fails synthesis instead, naming the alarm
/// and the reader. Construction order is thereby checked, not just commented.
/// </remarks>
public sealed class AlarmCatalog
{
    private readonly List<(Alarm Alarm, string Name)> alarms = [];
    // The construct path of the first reader; null while alarms may still be registered.
    private string? sealedBy;

    public static string AlarmName(string environmentSuffix, string name) => $"trading-{environmentSuffix}-{name}";

    /// <summary>True once something has read the catalog: no alarm can be registered any more.</summary>
    public bool IsSealed => sealedBy is not null;

    /// <param name="alarmName">The alarm's literal name (never a token: other layers use it to build the ARN).</param>
    public void Register(Alarm alarm, string alarmName)
    {
        ThrowIfSealed(alarmName, alarm.Node.Scope!, alarm.Node.Id);
        if (alarms.Any(a => a.Name == alarmName))
        {
            throw new InvalidOperationException($"Two alarms are named '{alarmName}': alarm names must be unique in an environment");
        }

        alarms.Add((alarm, alarmName));
    }

    /// <summary>Refuses an alarm once the catalog has been read (see the remarks on the class).</summary>
    public void ThrowIfSealed(string alarmName, IConstruct scope, string id)
    {
        if (sealedBy is not null)
        {
            throw new InvalidOperationException(
                $"The alarm '{alarmName}' ({scope.Node.Path}/{id}) is added after '{sealedBy}' read the alarm catalog, so it would be missing " +
                "from the platform-health alarm and the dashboard: create every alarm before the components that read the catalog");
        }
    }

    /// <summary>The names of every registered alarm; seals the catalog for <paramref name="reader"/>.</summary>
    public IReadOnlyList<string> NamesFor(IConstruct reader)
    {
        Seal(reader);
        return alarms.Select(a => a.Name).ToList();
    }

    /// <summary>
    /// Every registered alarm as seen from <paramref name="scope"/>: its own stack's alarms directly, other layers'
    /// alarms by ARN built from their names (they deploy earlier, so they exist). Seals the catalog for the scope.
    /// </summary>
    public IReadOnlyList<IAlarm> AlarmsAsSeenFrom(Construct scope)
    {
        Seal(scope);
        var stack = Stack.Of(scope);
        return alarms.Select(a => Stack.Of(a.Alarm) == stack
                ? a.Alarm
                : Alarm.FromAlarmArn(scope, $"Imported-{a.Name}", stack.FormatArn(new ArnComponents
                {
                    Service = "cloudwatch",
                    Resource = "alarm",
                    ResourceName = a.Name,
                    ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
                })))
            .ToList();
    }

    private void Seal(IConstruct reader) => sealedBy ??= reader.Node.Path;
}
