using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;
using Constructs;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Api;

public sealed record PlatformHealthProps
{
    /// <summary>
    /// Required. Every alarm of the environment: the composite is in ALARM while any of them is. Reading it seals it:
    /// an alarm created afterwards, which the composite would miss, fails synthesis.
    /// </summary>
    public required AlarmCatalog Catalog { get; init; }
    /// <summary>Required. Notified when the platform becomes unhealthy and when it is healthy again.</summary>
    public required ITopic Topic { get; init; }
    /// <summary>Required. The environment's suffix: the alarm is trading-&lt;suffix&gt;-platform-health.</summary>
    public required string EnvironmentSuffix { get; init; }
    /// <summary>Required. The dashboard that shows which alarm fired, named in the description.</summary>
    public required string DashboardName { get; init; }
}

/// <summary>
/// One composite alarm per environment, "platform health": in ALARM while any alarm of any layer is, notifying the
/// alert topic when the platform becomes unhealthy and when it is healthy again. It lives in the last layer (Api),
/// so every other layer's alarms exist when it is deployed; it reads (and so seals) the catalog, so an alarm of this
/// layer created after it fails synthesis rather than go unwatched.
/// </summary>
public sealed class PlatformHealth : PlatformComponent
{
    public const string Name = "platform-health";

    public CompositeAlarm Alarm { get; }
    /// <summary>The names of the alarms the rule covers (the catalog at construction time).</summary>
    public IReadOnlyList<string> Covered { get; }

    public PlatformHealth(Construct scope, string id, PlatformHealthProps props) : base(scope, id)
    {
        var watched = props.Catalog.AlarmsAsSeenFrom(this);
        if (watched.Count == 0)
        {
            throw new InvalidOperationException("The platform-health alarm needs at least one alarm in the catalog: create it after the components whose alarms it watches");
        }

        Covered = props.Catalog.NamesFor(this);
        Alarm = new CompositeAlarm(this, "PlatformHealthAlarm", new CompositeAlarmProps
        {
            CompositeAlarmName = AlarmCatalog.AlarmName(props.EnvironmentSuffix, Name),
            AlarmDescription = $"At least one of the {watched.Count} alarms of TradingPlatform {props.EnvironmentSuffix} is in ALARM; " +
                               $"the dashboard {props.DashboardName} shows which. Runbook: README.md#runbook ({Name}).",
            // Other layers' alarms by ARN from their literal names: no cross-stack export.
            AlarmRule = AlarmRule.AnyOf(watched.Select(alarm => AlarmRule.FromAlarm(alarm, AlarmState.ALARM)).ToArray()),
        });

        var action = new SnsAction(props.Topic);
        Alarm.AddAlarmAction(action);
        // The all-clear: every alarm is back to OK (or INSUFFICIENT_DATA, which the alarms themselves decide).
        Alarm.AddOkAction(action);
    }
}
