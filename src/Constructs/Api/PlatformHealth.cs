using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Constructs;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Api;

/// <summary>
/// One composite alarm per environment, "platform health": in ALARM while any alarm of any layer is, notifying the
/// alert topic when the platform becomes unhealthy and when it is healthy again. It lives in the last layer (Api),
/// so every other layer's alarms exist when it is deployed; create it last in the stack so that every alarm of this
/// layer is registered in the catalog too.
/// </summary>
public sealed class PlatformHealth : PlatformComponent
{
    public const string Name = "platform-health";

    public CompositeAlarm Alarm { get; }
    /// <summary>The names of the alarms the rule covers (the catalog at construction time).</summary>
    public IReadOnlyList<string> Covered { get; }

    public PlatformHealth(Construct scope, string id, PlatformAlarms alarms) : base(scope, id)
    {
        var watched = alarms.Catalog.AlarmsAsSeenFrom(this);
        if (watched.Count == 0)
        {
            throw new InvalidOperationException("The platform-health alarm needs at least one alarm in the catalog: create it last");
        }

        Covered = alarms.Catalog.Names;
        Alarm = new CompositeAlarm(this, "PlatformHealthAlarm", new CompositeAlarmProps
        {
            CompositeAlarmName = AlarmCatalog.AlarmName(alarms.Settings, Name),
            AlarmDescription = $"At least one of the {watched.Count} alarms of TradingPlatform {alarms.Settings.Suffix} is in ALARM; " +
                               $"the dashboard {alarms.Settings.Names.Dashboard} shows which. Runbook: README.md#runbook ({Name}).",
            // Other layers' alarms by ARN from their literal names: no cross-stack export.
            AlarmRule = AlarmRule.AnyOf(watched.Select(alarm => AlarmRule.FromAlarm(alarm, AlarmState.ALARM)).ToArray()),
        });

        var action = new SnsAction(alarms.Topic);
        Alarm.AddAlarmAction(action);
        // The all-clear: every alarm is back to OK (or INSUFFICIENT_DATA, which the alarms themselves decide).
        Alarm.AddOkAction(action);
    }
}
