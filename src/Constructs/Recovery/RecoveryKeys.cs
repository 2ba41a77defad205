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
    /// <summary>Encrypts the recovery vault's copies of fully managed types (DynamoDB).</summary>
    public Key BackupKey { get; }
    /// <summary>Encrypts the recovery region's alert topic.</summary>
    public Key AlertsKey { get; }

    public RecoveryKeys(Construct scope, string id, RecoveryKeysProps props) : base(scope, id)
    {
        RecordsKey = Create("RecordsReplicaKey", "KMS key for the records replica (recovery region)", props.RecordsKeyAlias, props);
        BackupKey = Create("RecoveryBackupKey", "KMS key for the recovery backup vault", props.BackupKeyAlias, props);
        AlertsKey = Create("RecoveryAlertsKey", "KMS key for the recovery region's alert topic", props.AlertsKeyAlias, props);

        var stack = Stack.Of(this);
        AlertsKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowAlarmsAndEventsToPublishToTheAlertTopic",
            Principals = [new ServicePrincipal("cloudwatch.amazonaws.com"), new ServicePrincipal("events.amazonaws.com")],
            Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            },
        }));
    }

    private Key Create(string id, string description, string alias, RecoveryKeysProps props)
    {
        var key = new Key(this, id, new KeyProps
        {
            Description = description,
            Alias = alias,
            EnableKeyRotation = true,
            RemovalPolicy = props.RemovalPolicy,
            PendingWindow = Duration.Days(props.RemovalPolicy == RemovalPolicy.DESTROY ? 7 : 30),
        });
        key.AddToResourcePolicy(EncryptionKeys.DenyGrantsExceptForAwsServices());
        return key;
    }
}
