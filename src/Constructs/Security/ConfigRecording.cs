using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Constructs;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Constructs.Security;

public sealed record ConfigRecordingProps
{
    /// <summary>
    /// Required. Whether this environment owns the account's recorder and delivery channel (one of each per account and
    /// region); without, only the rules and the alert are made.
    /// </summary>
    public required bool CreateRecorder { get; init; }
    /// <summary>Required. Encrypts the Config bucket and the delivered history (used with <see cref="CreateRecorder"/>).</summary>
    public required IKey BucketKey { get; init; }
    /// <summary>Required. Where NON_COMPLIANT evaluations are announced.</summary>
    public required ITopic AlertTopic { get; init; }
    /// <summary>Required. The environment's suffix, in the alert rule's description.</summary>
    public required string EnvironmentSuffix { get; init; }
    /// <summary>Required. Removal and exemptions of the Config buckets (used with <see cref="CreateRecorder"/>).</summary>
    public required StoragePolicy Storage { get; init; }
}

/// <summary>
/// AWS Config watching the account for PCI-DSS drift: the recorder and delivery channel (only in the environment
/// that owns them: one of each per account and region), the managed rules that watch what this app deploys, and
/// an alert whenever one of them finds a resource NON_COMPLIANT.
/// </summary>
public sealed class ConfigRecording : PlatformComponent
{
    /// <summary>Null when another environment in this account owns the recorder.</summary>
    public CfnConfigurationRecorder? Recorder { get; }
    public IReadOnlyList<ManagedRule> Rules { get; }
    /// <summary>Routes every NON_COMPLIANT evaluation of our rules to the alert topic.</summary>
    public Amazon.CDK.AWS.Events.Rule NonComplianceAlert { get; }

    public ConfigRecording(Construct scope, string id, ConfigRecordingProps props)
        : base(scope, id)
    {
        if (props.CreateRecorder)
        {
            Recorder = CreateRecorder(props.Storage, props.BucketKey);
        }

        Rules = CreateRules();
        foreach (var rule in Rules)
        {
            // Rules fail to create while no recorder exists; with our own recorder, order them after it.
            if (Recorder is not null)
            {
                rule.Node.AddDependency(Recorder);
            }
        }

        NonComplianceAlert = new Amazon.CDK.AWS.Events.Rule(this, "NonComplianceAlert", new Amazon.CDK.AWS.Events.RuleProps
        {
            Description = $"TradingPlatform {props.EnvironmentSuffix}: an AWS Config rule of ours found a NON_COMPLIANT resource",
            EventPattern = new EventPattern
            {
                Source = ["aws.config"],
                DetailType = ["Config Rules Compliance Change"],
                Detail = new Dictionary<string, object>
                {
                    ["configRuleName"] = Rules.Select(rule => rule.ConfigRuleName).ToArray(),
                    ["newEvaluationResult"] = new Dictionary<string, object> { ["complianceType"] = new[] { "NON_COMPLIANT" } },
                },
            },
            Targets =
            [
                new SnsTopic(props.AlertTopic, new SnsTopicProps
                {
                    Message = RuleTargetInput.FromText(
                        $"AWS Config: {EventField.FromPath("$.detail.resourceType")} {EventField.FromPath("$.detail.resourceId")} " +
                        $"is NON_COMPLIANT with {EventField.FromPath("$.detail.configRuleName")} " +
                        $"(account {EventField.Account}, region {EventField.Region}). Runbook: README.md#runbook (config-non-compliant)."),
                }),
            ],
        });
    }

    private CfnConfigurationRecorder CreateRecorder(StoragePolicy storage, IKey s3Key)
    {
        var accessLogs = SecureDefaults.AccessLogsBucket(this, "ConfigAccessLogsBucket", storage);
        var configBucket = SecureDefaults.DataBucket(this, "ConfigBucket", storage, s3Key, accessLogs);
        GuardSuppressions.Add(configBucket, new GuardSuppression(ControlTowerRules.S3ObjectLock,
            "AWS Config delivery history, versioned and KMS-encrypted; Config rewrites nothing here and Object Lock would block the noncurrent-version expiry."));

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
                $"Resource::<{Stack.Of(this).GetLogicalId((CfnElement)configBucket.Node.DefaultChild!)}.Arn>/*"));

        // L1: CDK 2.160 has no L2 for the recorder or the delivery channel.
        var recorder = new CfnConfigurationRecorder(this, "ConfigRecorder", new CfnConfigurationRecorderProps
        {
            RoleArn = configRole.RoleArn,
            RecordingGroup = new CfnConfigurationRecorder.RecordingGroupProperty
            {
                AllSupported = true,
                IncludeGlobalResourceTypes = true,
            },
        });

        // The channel needs the recorder to exist first.
        var deliveryChannel = new CfnDeliveryChannel(this, "DeliveryChannel", new CfnDeliveryChannelProps
        {
            S3BucketName = configBucket.BucketName,
            S3KmsKeyArn = s3Key.KeyArn,
        });
        deliveryChannel.AddDependency(recorder);
        // The role's policy must be in place before the channel's delivery test writes to the bucket.
        deliveryChannel.Node.AddDependency(configRole);
        return recorder;
    }

    private IReadOnlyList<ManagedRule> CreateRules()
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
