using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Constructs.Security;

public sealed record EncryptionKeysProps
{
    /// <summary>Required. The environment's suffix: each key's alias is &lt;data class&gt;-key-&lt;suffix&gt;.</summary>
    public required string EnvironmentSuffix { get; init; }
    /// <summary>
    /// Required. What happens to the keys when the stack is deleted; with DESTROY (dev-like) a deleted key waits the
    /// shortest 7 days, otherwise the longest 30, since data may still need it.
    /// </summary>
    public required RemovalPolicy RemovalPolicy { get; init; }
}

/// <summary>
/// One customer-managed key per data class, so a leaked grant exposes one class and each can be audited and
/// revoked on its own. Every key rotates yearly; where data outlives the stack, keys are retained and wait 30 days.
/// </summary>
public sealed class EncryptionKeys : PlatformComponent
{
    /// <summary>Aurora storage, its master secret, Performance Insights and the DynamoDB tables.</summary>
    public Key DatabaseKey { get; }
    /// <summary>The data buckets and the Config bucket.</summary>
    public Key S3Key { get; }
    /// <summary>Lambda environment variables and the function's queues.</summary>
    public Key LambdaKey { get; }
    /// <summary>Every CloudWatch Logs group (flow logs, Lambda, API access, WAF, Aurora).</summary>
    public Key LogsKey { get; }
    /// <summary>The alert topic: alarm and compliance notifications name resources and findings.</summary>
    public Key AlertsKey { get; }
    /// <summary>The backup vault: recovery points are copies of the database and tables.</summary>
    public Key BackupKey { get; }

    public EncryptionKeys(Construct scope, string id, EncryptionKeysProps props) : base(scope, id)
    {
        var suffix = props.EnvironmentSuffix;
        DatabaseKey = Create("DbEncryptionKey", "KMS key for database encryption", $"database-key-{suffix}", props);
        S3Key = Create("S3EncryptionKey", "KMS key for S3 bucket encryption", $"s3-key-{suffix}", props);
        LambdaKey = Create("LambdaEncryptionKey", "KMS key for Lambda environment variables", $"lambda-key-{suffix}", props);
        LogsKey = Create("LogsEncryptionKey", "KMS key for CloudWatch Logs", $"logs-key-{suffix}", props);
        AlertsKey = Create("AlertsEncryptionKey", "KMS key for the alert topic", $"alerts-key-{suffix}", props);
        BackupKey = Create("BackupEncryptionKey", "KMS key for the AWS Backup vault", $"backup-key-{suffix}", props);

        AllowCloudWatchLogsToEncryptWith(LogsKey);

        AllowAlarmsAndEventsToPublishWith(AlertsKey);
    }

    /// <summary>CloudWatch Logs encrypts with the key on behalf of log groups in the key's account and region only.</summary>
    public static void AllowCloudWatchLogsToEncryptWith(Key key)
    {
        var stack = Stack.Of(key);
        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudWatchLogsInThisAccount",
            Principals = [new ServicePrincipal($"logs.{stack.Region}.amazonaws.com")],
            Actions = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:logs:arn"] = $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:*",
                },
            },
        }));
    }

    /// <summary>The same, for one log group only: a key that encrypts nothing else in CloudWatch Logs.</summary>
    public static void AllowCloudWatchLogsToEncryptWith(Key key, string logGroupName)
    {
        var stack = Stack.Of(key);
        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudWatchLogsForOneLogGroup",
            Principals = [new ServicePrincipal($"logs.{stack.Region}.amazonaws.com")],
            Actions = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["ArnEquals"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:logs:arn"] = $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:{logGroupName}",
                },
            },
        }));
    }

    /// <summary>
    /// CloudWatch alarms and EventBridge publish to an encrypted alert topic: SNS asks KMS for a data key on their
    /// behalf, so they need exactly these two actions on the topic's key, and only for this account's resources.
    /// </summary>
    public static void AllowAlarmsAndEventsToPublishWith(Key alertsKey) => alertsKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
    {
        Sid = "AllowAlarmsAndEventsToPublishToTheAlertTopic",
        Principals = [new ServicePrincipal("cloudwatch.amazonaws.com"), new ServicePrincipal("events.amazonaws.com")],
        Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resources = ["*"],
        Conditions = new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Stack.Of(alertsKey).Account },
        },
    }));

    private Key Create(string id, string description, string alias, EncryptionKeysProps props) =>
        CreatePlatformKey(this, id, description, alias, props.RemovalPolicy);

    /// <summary>A customer-managed key as the platform makes every one: rotating, aliased, grants only for AWS resources.</summary>
    public static Key CreatePlatformKey(Construct scope, string id, string description, string alias, RemovalPolicy removalPolicy)
    {
        var key = new Key(scope, id, new KeyProps
        {
            Description = description,
            Alias = alias,
            EnableKeyRotation = true,
            RemovalPolicy = removalPolicy,
            // Shortest wait in dev-like environments; the maximum where data may still need the key.
            PendingWindow = Duration.Days(removalPolicy == RemovalPolicy.DESTROY ? 7 : 30),
        });
        key.AddToResourcePolicy(DenyGrantsExceptForAwsServices());
        return key;
    }

    /// <summary>
    /// Control Tower CT.KMS.PR.3: grants on a key may be created only for AWS resources or by AWS services (RDS, Logs,
    /// Lambda, DynamoDB, SNS, Backup create theirs with kms:GrantIsForAWSResource), never by a person or a role for itself,
    /// which would be a way around the key policy. Only kms:CreateGrant is denied: the account keeps administering the
    /// key (the CDK's default statement), so this cannot lock the key out.
    /// </summary>
    public static PolicyStatement DenyGrantsExceptForAwsServices() => new(new PolicyStatementProps
    {
        Sid = "DenyGrantsExceptForAwsResourcesOrServices",
        Effect = Effect.DENY,
        Principals = [new AnyPrincipal()],
        Actions = ["kms:CreateGrant"],
        Resources = ["*"],
        Conditions = new Dictionary<string, object>
        {
            ["BoolIfExists"] = new Dictionary<string, object>
            {
                ["kms:GrantIsForAWSResource"] = "false",
                ["aws:PrincipalIsAWSService"] = "false",
            },
        },
    });
}
