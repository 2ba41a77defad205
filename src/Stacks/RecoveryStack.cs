using Amazon.CDK;
using Amazon.CDK.AWS.Backup;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Data;
using TradingPlatform.Constructs.Recovery;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Stacks;

public sealed class RecoveryStackProps : StackProps
{
    /// <summary>Staging's or prod's settings: they have a recovery region (dev-like environments have no Recovery layer).</summary>
    public required EnvironmentSettings Settings { get; init; }
}

/// <summary>
/// The recovery layer, in the environment's recovery region, deployed before Data: its own keys, the recovery vault
/// the backup rules copy into, the locked records replica and an alert topic of its own (an alarm can only notify a
/// topic in its own region), with the same subscriptions as the primary's.
///
/// Cross-region wiring (DESIGN): the Data layer names what this stack creates by names derived from account, recovery
/// region and suffix (<see cref="RecoveryNames"/>), not through CDK CrossRegionReferences. Those would add an SSM
/// writer custom resource (a Lambda) here and a reader in Data, each with its own IAM and findings to excuse, and would
/// refuse to change a value while the other region reads it; the names here are fixed anyway (a vault name, a bucket
/// name that must be globally unique, a key alias), so deriving them costs nothing, and AddDependency still makes Data
/// deploy after Recovery. RecoveryWiringTests checks that what Data names is exactly what this stack creates.
/// </summary>
public sealed class RecoveryStack : LayerStack
{
    public RecoveryKeys Keys { get; }
    public RecoveryVault Vault { get; }
    public RecordsReplica Records { get; }
    public Alerting Alerting { get; }

    public RecoveryStack(Construct scope, string id, RecoveryStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;
        var names = settings.Recovery
            ?? throw new ArgumentException($"'{settings.Suffix}' has no recovery region: it has no Recovery layer", nameof(props));
        var retention = settings.RecordsRetention
            ?? throw new ArgumentException($"'{settings.Suffix}' locks no records: its Recovery layer would have nothing to keep", nameof(props));

        Keys = new RecoveryKeys(this, "Keys", new RecoveryKeysProps
        {
            RecordsKeyAlias = names.RecordsReplicaKeyAlias,
            BackupKeyAlias = names.BackupKeyAlias,
            AlertsKeyAlias = names.AlertsKeyAlias,
            RemovalPolicy = settings.StatefulRemovalPolicy,
        });
        Vault = new RecoveryVault(this, "Vault", new RecoveryVaultProps
        {
            Key = Keys.BackupKey,
            VaultName = names.BackupVault,
            RemovalPolicy = settings.StatefulRemovalPolicy,
            Lock = settings.Kind == EnvironmentKind.Prod ? DataBackups.ProductionLock : null,
        });
        Records = new RecordsReplica(this, "Records", new RecordsReplicaProps
        {
            BucketName = names.RecordsReplicaBucket,
            Key = Keys.RecordsKey,
            Storage = settings.Storage(),
            Suffix = settings.Suffix,
            Retention = retention,
        });
        Alerting = new Alerting(this, "Alerting", new AlertingProps
        {
            Key = Keys.AlertsKey,
            TopicName = names.AlertTopic,
            EnvironmentSuffix = $"{settings.Suffix} (recovery region)",
            EmailAddresses = settings.AlertEmails,
        });

        new CfnOutput(this, "RecordsReplicaBucketName", new CfnOutputProps
        {
            Value = Records.Replica.BucketName,
            Description = "Records replica (Object Lock) in the recovery region",
        });
    }
}
