using Amazon.CDK;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;
using TradingPlatform.Constructs.Monitoring;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Stacks;

public sealed class SecurityStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    /// <summary>Collects every alarm of the environment for the platform-health alarm.</summary>
    public required AlarmCatalog AlarmCatalog { get; init; }
}

/// <summary>
/// Deployed first, depends on nothing: the encryption keys of every other layer, the alert topic every alarm
/// reports to, AWS Config watching the account for PCI-DSS drift, and the identity of the API's machine clients.
/// </summary>
public sealed class SecurityStack : LayerStack
{
    public EncryptionKeys Keys { get; }
    public Alerting Alerting { get; }
    public ConfigRecording Config { get; }
    /// <summary>The machine clients' user pool, resource server, token domain and app clients.</summary>
    public MachineClientIdentity Identity { get; }
    /// <summary>How the other layers create alarms that report to this layer's topic.</summary>
    public PlatformAlarms Alarms { get; }

    public SecurityStack(Construct scope, string id, SecurityStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;
        Keys = new EncryptionKeys(this, "Keys", settings);
        Alerting = new Alerting(this, "Alerting", settings, Keys.AlertsKey);
        Config = new ConfigRecording(this, "Config", settings, Keys.S3Key, Alerting.Topic);
        Identity = new MachineClientIdentity(this, "Identity", settings);
        Alarms = new PlatformAlarms(Alerting.Topic, settings, props.AlarmCatalog);
    }
}
