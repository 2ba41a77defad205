using Amazon.CDK;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
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
/// reports to, AWS Config watching the account for PCI-DSS drift, the identity of the API's machine clients, and the
/// environment's cost budget (which notifies the alert topic).
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
    /// <summary>The environment's monthly cost budget, notifying the alert topic.</summary>
    /// <summary>The environment's cost budget; none where CloudFormation has no budget resource (see the constructor).</summary>
    public CostBudget? Budget { get; }

    public SecurityStack(Construct scope, string id, SecurityStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;
        Keys = new EncryptionKeys(this, "Keys", new EncryptionKeysProps
        {
            EnvironmentSuffix = settings.Suffix,
            RemovalPolicy = settings.StatefulRemovalPolicy,
        });
        Alerting = new Alerting(this, "Alerting", new AlertingProps
        {
            Key = Keys.AlertsKey,
            TopicName = settings.Names.AlertTopic,
            EnvironmentSuffix = settings.Suffix,
            EmailAddresses = settings.AlertEmails,
        });
        Config = new ConfigRecording(this, "Config", new ConfigRecordingProps
        {
            CreateRecorder = settings.CreateConfigRecorder,
            BucketKey = Keys.S3Key,
            AlertTopic = Alerting.Topic,
            EnvironmentSuffix = settings.Suffix,
            Storage = settings.Storage(),
        });
        Identity = new MachineClientIdentity(this, "Identity", new MachineClientIdentityProps
        {
            Names = settings.Names,
            TokenDomainPrefix = settings.TokenDomainPrefix,
            DeletionProtection = settings.DeletionProtection,
            RemovalPolicy = settings.StatefulRemovalPolicy,
            Clients = settings.TradingClients,
        });
        // CloudFormation has no AWS::Budgets::Budget in some regions (src/Config/regions.json, confirmed by the linter
        // gate): an environment there has no budget, and synth says so rather than failing an hour into a deploy.
        if (CostBudget.AvailableIn(settings.Region))
        {
            Budget = new CostBudget(this, "CostBudget", new CostBudgetProps
            {
                BudgetName = settings.Names.Budget,
                EnvironmentSuffix = settings.Suffix,
                MonthlyLimitUsd = CostEstimates.BudgetLimitUsd[settings.Kind],
                AlertTopic = Alerting.Topic,
                AlertTopicKey = Keys.AlertsKey,
            });
        }
        else
        {
            Annotations.Of(this).AddWarningV2("tradingplatform:no-budget",
                $"CloudFormation has no {CostBudget.ResourceType} in {settings.Region}: this environment gets no cost budget; " +
                "create one in the Billing console (docs/cost.md)");
        }
        Alarms = new PlatformAlarms(new PlatformAlarmsProps
        {
            Topic = Alerting.Topic,
            EnvironmentSuffix = settings.Suffix,
            EvaluationPeriods = settings.Alarms.EvaluationPeriods,
            Catalog = props.AlarmCatalog,
        });
    }
}
