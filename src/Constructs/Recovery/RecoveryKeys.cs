using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Constructs.Recovery;

public sealed record RecoveryKeysProps
{
    /// <summary>Required. The alias of the records replica's key (without "alias/"); the Data layer names it by this alias.</summary>
    public required string RecordsKeyAlias { get; init; }
    /// <summary>Required. The alias of the recovery vault's key (without "alias/").</summary>
    public required string BackupKeyAlias { get; init; }
    /// <summary>Required. The alias of the recovery region's alert-topic key (without "alias/").</summary>
    public required string AlertsKeyAlias { get; init; }
    /// <summary>
    /// Required. What happens to the keys when the stack is deleted; with DESTROY a deleted key waits the shortest 7 days,
    /// otherwise the longest 30, since copies may still need it.
    /// </summary>
    public required RemovalPolicy RemovalPolicy { get; init; }
}

/// <summary>
/// The recovery region's own customer-managed keys (a KMS key never leaves its region): one for the records replica,
/// one for the recovery vault, one for the alert topic. Rotated yearly, like the primary's keys (EncryptionKeys), with
/// the same refusal of grants not made for AWS resources.
/// </summary>
public sealed class RecoveryKeys : PlatformComponent
{
    /// <summary>Encrypts the records replica (S3 replication re-encrypts every replica with it).</summary>
    public Key RecordsKey { get; }
    /// <summary>Encrypts the recovery vault's copies, Aurora's included (a cross-region copy takes the destination vault's key).</summary>
    public Key BackupKey { get; }
    /// <summary>Encrypts the recovery region's alert topic.</summary>
    public Key AlertsKey { get; }

    public RecoveryKeys(Construct scope, string id, RecoveryKeysProps props) : base(scope, id)
    {
        RecordsKey = Create("RecordsReplicaKey", "KMS key for the records replica (recovery region)", props.RecordsKeyAlias, props);
        BackupKey = Create("RecoveryBackupKey", "KMS key for the recovery backup vault", props.BackupKeyAlias, props);
        AlertsKey = Create("RecoveryAlertsKey", "KMS key for the recovery region's alert topic", props.AlertsKeyAlias, props);

        EncryptionKeys.AllowAlarmsAndEventsToPublishWith(AlertsKey);
    }

    private Key Create(string id, string description, string alias, RecoveryKeysProps props) =>
        EncryptionKeys.CreatePlatformKey(this, id, description, alias, props.RemovalPolicy);
}
