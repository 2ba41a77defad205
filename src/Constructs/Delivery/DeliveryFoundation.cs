using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Constructs.Delivery;

public sealed record DeliveryFoundationProps
{
    /// <summary>Addresses subscribed to the delivery topic. Default: none.</summary>
    public IReadOnlyList<string> NotificationEmails { get; init; } = [];
}

/// <summary>
/// What the pipeline keeps and says, held to the platform's bar: one customer-managed key (rotating) for the
/// artifacts, the build logs and the notifications; the artifact bucket (private, TLS-only, versioned, access-logged);
/// one log group for every build (a year, PCI-DSS 10.7); the delivery topic for failures, approvals and reviews.
/// Everything is retained: a release's evidence outlives the pipeline.
/// </summary>
public sealed class DeliveryFoundation : PlatformComponent
{
    public Key Key { get; }
    public Bucket ArtifactBucket { get; }
    public LogGroup BuildLogs { get; }
    public Topic Topic { get; }

    public DeliveryFoundation(Construct scope, string id, DeliveryFoundationProps props) : base(scope, id)
    {
        var stack = Stack.Of(this);
        Key = EncryptionKeys.CreatePlatformKey(this, "DeliveryKey",
            "KMS key for the delivery pipeline: artifacts, build logs, notifications", "delivery-key", RemovalPolicy.RETAIN);
        EncryptionKeys.AllowCloudWatchLogsToEncryptWith(Key);
        // Pipeline notifications (CodeStar Notifications) publish to the encrypted topic through this key.
        Key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowPipelineNotificationsToPublish",
            Principals = [new ServicePrincipal("codestar-notifications.amazonaws.com")],
            Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"sns.{stack.Region}.amazonaws.com" },
            },
        }));

        var storage = new StoragePolicy { Kind = EnvironmentKind.Prod, RemovalPolicy = RemovalPolicy.RETAIN };
        var accessLogs = SecureDefaults.AccessLogsBucket(this, "ArtifactAccessLogs", storage);
        ArtifactBucket = SecureDefaults.DataBucket(this, "ArtifactBucket", storage, Key, accessLogs, new SecureDefaults.DataBucketOptions
        {
            ReplicationExemption = "Pipeline artifacts are rebuilt from the repository for every release; the release's record is the commit, the build logs and the deployed stacks, not a copy of the artifacts.",
            NoncurrentVersionExpirationDays = 90,
        }, new LifecycleRule
        {
            Id = "ExpireOldArtifacts",
            // A release needs its artifacts while it runs (at most the prod bake); a quarter keeps them for an investigation.
            Expiration = Duration.Days(90),
        });
        GuardSuppressions.Add(ArtifactBucket, new GuardSuppression(ControlTowerRules.S3ObjectLock,
            "Pipeline artifacts are transient build outputs that expire after 90 days; the release evidence (commit, build logs) is kept elsewhere, so WORM retention would only block the expiry."));

        BuildLogs = SecureDefaults.LogGroup(this, "BuildLogs", storage, Key);

        Topic = new Topic(this, "DeliveryTopic", new TopicProps
        {
            TopicName = "tradingplatform-delivery",
            DisplayName = "TradingPlatform delivery",
            MasterKey = Key,
            EnforceSSL = true,
        });
        Topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowThisAccountsPipelineNotificationsToPublish",
            Principals = [new ServicePrincipal("codestar-notifications.amazonaws.com")],
            Actions = ["sns:Publish"],
            Resources = [Topic.TopicArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            },
        }));
        foreach (var address in props.NotificationEmails)
        {
            Topic.AddSubscription(new EmailSubscription(address));
        }
    }
}
