using Amazon.CDK;
using Amazon.CDK.AWS.Backup;
using Amazon.CDK.AWS.KMS;
using Constructs;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Constructs.Recovery;

public sealed record RecoveryVaultProps
{
    /// <summary>
    /// Required. Encrypts every copy: AWS Backup re-encrypts a cross-region copy with the destination vault's key, for
    /// Aurora snapshots too (a KMS key never leaves its region, so the database key cannot follow them).
    /// </summary>
    public required IKey Key { get; init; }
    /// <summary>Required. The vault's fixed name: the Data layer's copy actions name the vault by it (another region).</summary>
    public required string VaultName { get; init; }
    /// <summary>Required. What happens to the vault when the stack is deleted (it must be empty to be deleted).</summary>
    public required RemovalPolicy RemovalPolicy { get; init; }
    /// <summary>
    /// The compliance-mode lock's bounds, as the primary vault's (the copies keep the primary rules' retention); null
    /// for no lock. Default: null (staging); prod passes the primary vault's lock.
    /// </summary>
    public LockConfiguration? Lock { get; init; }
}

/// <summary>
/// The vault in the recovery region that every backup rule of the Data layer copies each recovery point into, with the
/// same retention: the firm's books survive the loss of the primary region or of the primary vault. Locked in
/// compliance mode in prod, like the primary.
/// </summary>
public sealed class RecoveryVault : PlatformComponent
{
    public BackupVault Vault { get; }

    public RecoveryVault(Construct scope, string id, RecoveryVaultProps props) : base(scope, id)
    {
        Vault = new BackupVault(this, "RecoveryBackupVault", new BackupVaultProps
        {
            BackupVaultName = props.VaultName,
            EncryptionKey = props.Key,
            RemovalPolicy = props.RemovalPolicy,
            LockConfiguration = props.Lock,
        });
    }
}
