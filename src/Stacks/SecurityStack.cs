using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;

namespace TradingPlatform.Stacks;

public sealed class SecurityStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
}

/// <summary>
/// Encryption keys for every other layer, and AWS Config watching the account for PCI-DSS drift.
/// Deployed first: it depends on nothing.
/// </summary>
public sealed class SecurityStack : LayerStack
{
    /// <summary>Aurora storage, its master secret and the DynamoDB tables.</summary>
    public Key DatabaseKey { get; }
    /// <summary>The data buckets and the Config bucket.</summary>
    public Key S3Key { get; }
    /// <summary>Lambda environment variables and the function's dead-letter queue.</summary>
    public Key LambdaKey { get; }
    /// <summary>Every CloudWatch Logs group (flow logs, Lambda, API access, WAF, Aurora).</summary>
    public Key LogsKey { get; }
    /// <summary>Null when another environment in this account owns the recorder.</summary>
    public CfnConfigurationRecorder? ConfigRecorder { get; }
    public IReadOnlyList<ManagedRule> ConfigRules { get; }

    public SecurityStack(Construct scope, string id, SecurityStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;

        DatabaseKey = CreateKey("DbEncryptionKey", "KMS key for database encryption", $"database-key-{settings.Suffix}", settings);
        S3Key = CreateKey("S3EncryptionKey", "KMS key for S3 bucket encryption", $"s3-key-{settings.Suffix}", settings);
        LambdaKey = CreateKey("LambdaEncryptionKey", "KMS key for Lambda environment variables", $"lambda-key-{settings.Suffix}", settings);
        LogsKey = CreateKey("LogsEncryptionKey", "KMS key for CloudWatch Logs", $"logs-key-{settings.Suffix}", settings);

        // CloudWatch Logs encrypts with the key on behalf of log groups in this account and region only.
        LogsKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudWatchLogsInThisAccount",
            Principals = [new ServicePrincipal($"logs.{Region}.amazonaws.com")],
            Actions = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:logs:arn"] = $"arn:{Partition}:logs:{Region}:{Account}:log-group:*",
                },
            },
        }));

        if (settings.CreateConfigRecorder)
        {
            ConfigRecorder = CreateRecorder(settings);
        }

        ConfigRules = CreateConfigRules();
        foreach (var rule in ConfigRules)
        {
            // Rules fail to create while no recorder exists; with our own recorder, order them after it.
            if (ConfigRecorder is not null)
            {
                rule.Node.AddDependency(ConfigRecorder);
            }
        }
    }

    private Key CreateKey(string id, string description, string alias, EnvironmentSettings settings) =>
        new(this, id, new KeyProps
        {
            Description = description,
            Alias = alias,
            EnableKeyRotation = true,
            RemovalPolicy = settings.StatefulRemovalPolicy,
            // Shortest wait in dev-like environments; the maximum where data may still need the key.
            PendingWindow = Duration.Days(settings.DestroysDataOnDelete ? 7 : 30),
        });

    private CfnConfigurationRecorder CreateRecorder(EnvironmentSettings settings)
    {
        var accessLogs = SecureDefaults.AccessLogsBucket(this, "ConfigAccessLogsBucket", settings);
        var configBucket = SecureDefaults.DataBucket(this, "ConfigBucket", settings, S3Key, accessLogs);

        var configRole = new Role(this, "ConfigRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("config.amazonaws.com"),
            // The seed named "service-role/ConfigRole", which does not exist; this is the real managed policy.
            ManagedPolicies = [ManagedPolicy.FromAwsManagedPolicyName("service-role/AWS_ConfigRole")],
        });
        configBucket.GrantPut(configRole);
        // Config checks the bucket ACL before each delivery.
        configRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:GetBucketAcl", "s3:ListBucket"],
            Resources = [configBucket.BucketArn],
        }));
        NagSuppressions.Add(configRole,
            new NagSuppression("AwsSolutions-IAM4",
                "AWS_ConfigRole is the AWS-maintained policy that lets Config read every resource type it records.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole"));
        NagSuppressions.Add(configRole.Node.FindChild("DefaultPolicy"),
            new NagSuppression("PCI.DSS.321-IAMNoInlinePolicy",
                "Generated from bucket grants, attached to the Config role only, scoped to the Config bucket and S3 key."),
            new NagSuppression("AwsSolutions-IAM5",
                "Config writes objects under generated keys in its own bucket and encrypts each with fresh data keys.",
                "Action::s3:Abort*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
                $"Resource::<{GetLogicalId((CfnElement)configBucket.Node.DefaultChild!)}.Arn>/*"));

        var recorder = new CfnConfigurationRecorder(this, "ConfigRecorder", new CfnConfigurationRecorderProps
        {
            RoleArn = configRole.RoleArn,
            RecordingGroup = new CfnConfigurationRecorder.RecordingGroupProperty
            {
                AllSupported = true,
                IncludeGlobalResourceTypes = true,
            },
        });

        // L1: there is no L2 for the delivery channel. It needs the recorder to exist first.
        var deliveryChannel = new CfnDeliveryChannel(this, "DeliveryChannel", new CfnDeliveryChannelProps
        {
            S3BucketName = configBucket.BucketName,
            S3KmsKeyArn = S3Key.KeyArn,
        });
        deliveryChannel.AddDependency(recorder);
        // The role's policy must be in place before the channel's delivery test writes to the bucket.
        deliveryChannel.Node.AddDependency(configRole);
        return recorder;
    }

    private IReadOnlyList<ManagedRule> CreateConfigRules()
    {
        (string Id, string Identifier, string Description)[] rules =
        [
            // The seed's rules.
            ("EncryptedVolumes", ManagedRuleIdentifiers.EBS_ENCRYPTED_VOLUMES, "Check that EBS volumes are encrypted"),
            ("RdsEncryption", ManagedRuleIdentifiers.RDS_STORAGE_ENCRYPTED, "Check that RDS storage is encrypted"),
            ("S3BucketPublicRead", ManagedRuleIdentifiers.S3_BUCKET_PUBLIC_READ_PROHIBITED, "Check that S3 buckets do not allow public read access"),
            // Rules that watch what this app deploys.
            ("VpcFlowLogsEnabled", ManagedRuleIdentifiers.VPC_FLOW_LOGS_ENABLED, "Check that every VPC has flow logs"),
            ("DynamoDbPitrEnabled", ManagedRuleIdentifiers.DYNAMODB_PITR_ENABLED, "Check that DynamoDB tables have point-in-time recovery"),
            ("S3TlsOnly", ManagedRuleIdentifiers.S3_BUCKET_SSL_REQUESTS_ONLY, "Check that S3 bucket policies deny requests without TLS"),
            ("S3BucketLogging", ManagedRuleIdentifiers.S3_BUCKET_LOGGING_ENABLED, "Check that S3 buckets log access"),
            ("LambdaInsideVpc", ManagedRuleIdentifiers.LAMBDA_INSIDE_VPC, "Check that Lambda functions run inside a VPC"),
            ("ApiGatewayExecutionLogging", ManagedRuleIdentifiers.API_GW_EXECUTION_LOGGING_ENABLED, "Check that API Gateway stages log execution"),
            ("KmsKeyRotation", ManagedRuleIdentifiers.CMK_BACKING_KEY_ROTATION_ENABLED, "Check that customer-managed KMS keys rotate"),
            ("LogGroupsEncrypted", ManagedRuleIdentifiers.CLOUDWATCH_LOG_GROUP_ENCRYPTED, "Check that CloudWatch log groups are KMS-encrypted"),
            ("RdsClusterDeletionProtection", ManagedRuleIdentifiers.RDS_CLUSTER_DELETION_PROTECTION_ENABLED, "Check that Aurora clusters are protected from deletion"),
        ];

        return rules
            .Select(rule => new ManagedRule(this, rule.Id, new ManagedRuleProps
            {
                Identifier = rule.Identifier,
                Description = rule.Description,
            }))
            .ToList();
    }
}
