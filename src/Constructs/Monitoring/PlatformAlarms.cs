using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;
using Constructs;
using TradingPlatform.Config;

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

/// <summary>
/// Creates a layer's alarms the same way everywhere: a stable name per environment, the environment's evaluation
/// periods, ALARM and OK notifications to the alert topic, and a record in the <see cref="AlarmCatalog"/> so the
/// platform-health composite alarm covers every alarm of every layer.
/// </summary>
public sealed class PlatformAlarms(ITopic topic, EnvironmentSettings settings, AlarmCatalog catalog)
{
    public ITopic Topic { get; } = topic;
    public EnvironmentSettings Settings { get; } = settings;
    public AlarmCatalog Catalog { get; } = catalog;

    public Alarm Add(Construct scope, string id, AlarmDefinition definition)
    {
        var periods = definition.EvaluationPeriods ?? Settings.Alarms.EvaluationPeriods;
        var alarm = new Alarm(scope, id, new AlarmProps
        {
            AlarmName = AlarmCatalog.AlarmName(Settings, definition.Name),
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
        Catalog.Register(alarm, AlarmCatalog.AlarmName(Settings, definition.Name));
        return alarm;
    }
}

/// <summary>
/// Every alarm of one environment, across its layers, for the platform-health composite alarm and the dashboard.
/// A layer refers to another layer's alarm by its (literal) name, not by a CloudFormation reference, so adding or
/// removing an alarm never creates or breaks a cross-stack export.
/// </summary>
public sealed class AlarmCatalog
{
    private readonly List<(Alarm Alarm, string Name)> alarms = [];

    public static string AlarmName(EnvironmentSettings settings, string name) => $"trading-{settings.Suffix}-{name}";

    /// <param name="alarmName">The alarm's literal name (never a token: other layers use it to build the ARN).</param>
    public void Register(Alarm alarm, string alarmName)
    {
        if (alarms.Any(a => a.Name == alarmName))
        {
            throw new InvalidOperationException($"Two alarms are named '{alarmName}': alarm names must be unique in an environment");
        }

        alarms.Add((alarm, alarmName));
    }

    public IReadOnlyList<string> Names => alarms.Select(a => a.Name).ToList();

    /// <summary>
    /// Every registered alarm as seen from <paramref name="scope"/>: its own stack's alarms directly, other layers'
    /// alarms by ARN built from their names (they deploy earlier, so they exist).
    /// </summary>
    public IReadOnlyList<IAlarm> AlarmsAsSeenFrom(Construct scope)
    {
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
}
