using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Constructs.Security;

public sealed record AlertingProps
{
    /// <summary>Required. Encrypts the topic (and so every notification, which names resources and findings).</summary>
    public required IKey Key { get; init; }
    /// <summary>Required. The topic's fixed name.</summary>
    public required string TopicName { get; init; }
    /// <summary>Required. The environment's suffix, in the topic's display name.</summary>
    public required string EnvironmentSuffix { get; init; }
    /// <summary>E-mail addresses subscribed to the topic. Default: none.</summary>
    public IReadOnlyList<string> EmailAddresses { get; init; } = [];
}

/// <summary>
/// The environment's alert topic: every alarm (ALARM and OK) and every AWS Config non-compliance lands here.
/// Encrypted with its own key, TLS-only, with the e-mail subscriptions given in context (alertEmails).
/// </summary>
public sealed class Alerting : PlatformComponent
{
    public Topic Topic { get; }

    public Alerting(Construct scope, string id, AlertingProps props) : base(scope, id)
    {
        Topic = new Topic(this, "AlertTopic", new TopicProps
        {
            TopicName = props.TopicName,
            DisplayName = $"TradingPlatform {props.EnvironmentSuffix} alerts",
            MasterKey = props.Key,
            EnforceSSL = true,
        });

        // An explicit topic policy replaces SNS's default one: let this account's alarms publish, nobody else's.
        var stack = Stack.Of(this);
        Topic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowThisAccountsAlarmsToPublish",
            Principals = [new ServicePrincipal("cloudwatch.amazonaws.com")],
            Actions = ["sns:Publish"],
            Resources = [Topic.TopicArn],
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["aws:SourceArn"] = $"arn:{stack.Partition}:cloudwatch:{stack.Region}:{stack.Account}:alarm:*",
                },
            },
        }));

        foreach (var address in props.EmailAddresses)
        {
            Topic.AddSubscription(new EmailSubscription(address));
        }
    }
}
