using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Constructs;
using TradingPlatform.Config;

namespace TradingPlatform.Constructs.Security;

/// <summary>
/// The environment's alert topic: every alarm (ALARM and OK) and every AWS Config non-compliance lands here.
/// Encrypted with its own key, TLS-only, with the e-mail subscriptions given in context (alertEmails).
/// </summary>
public sealed class Alerting : PlatformComponent
{
    public Topic Topic { get; }

    public Alerting(Construct scope, string id, EnvironmentSettings settings, IKey alertsKey) : base(scope, id)
    {
        Topic = new Topic(this, "AlertTopic", new TopicProps
        {
            TopicName = settings.Names.AlertTopic,
            DisplayName = $"TradingPlatform {settings.Suffix} alerts",
            MasterKey = alertsKey,
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

        foreach (var address in settings.AlertEmails)
        {
            Topic.AddSubscription(new EmailSubscription(address));
        }
    }
}
