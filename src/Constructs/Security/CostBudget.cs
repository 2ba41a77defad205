using Amazon.CDK;
using Amazon.CDK.AWS.Budgets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Constructs.Security;

public sealed record CostBudgetProps
{
    /// <summary>Required. The budget's name, unique in the account (dev and the pr-N environments share one).</summary>
    public required string BudgetName { get; init; }
    /// <summary>Required. The value of the Environment cost allocation tag the budget counts.</summary>
    public required string EnvironmentSuffix { get; init; }
    /// <summary>Required. The monthly limit in USD (CostEstimates: the estimate plus the margin).</summary>
    public required int MonthlyLimitUsd { get; init; }
    /// <summary>Required. The alert topic the notifications go to.</summary>
    public required ITopic AlertTopic { get; init; }
    /// <summary>Required. The topic's key: Budgets asks KMS for a data key to publish to it.</summary>
    public required IKey AlertTopicKey { get; init; }
}

/// <summary>
/// The environment's monthly cost budget (AWS Budgets): its limit derives from `npm run cost`'s estimate of the
/// environment's kind (src/Config/CostEstimates.Generated.cs), it counts only costs tagged Environment=&lt;suffix&gt;, and it
/// notifies the alert topic when the month's forecast or actual cost passes the limit. Budgets without actions cost
/// nothing. The cost allocation tag must be activated once in Billing for the filter to see anything (docs/cost.md).
/// </summary>
public sealed class CostBudget : PlatformComponent
{
    /// <summary>The CloudFormation resource type of a budget, which some regions lack (src/Config/regions.json).</summary>
    public const string ResourceType = "AWS::Budgets::Budget";

    /// <summary>Whether a stack in the region can hold the budget.</summary>
    public static bool AvailableIn(string region) => RegionSupport.Has(region, ResourceType);

    /// <summary>Percent of the limit at which each notification fires.</summary>
    public const double ThresholdPercent = 100;

    public CfnBudget Budget { get; }

    public CostBudget(Construct scope, string id, CostBudgetProps props) : base(scope, id)
    {
        var stack = Stack.Of(this);
        CfnBudget.NotificationWithSubscribersProperty Notify(string type) => new()
        {
            Notification = new CfnBudget.NotificationProperty
            {
                NotificationType = type,
                ComparisonOperator = "GREATER_THAN",
                Threshold = ThresholdPercent,
                ThresholdType = "PERCENTAGE",
            },
            Subscribers = new object[] { new CfnBudget.SubscriberProperty { SubscriptionType = "SNS", Address = props.AlertTopic.TopicArn } },
        };

        // L1 only: CDK 2.160 has no L2 construct for AWS Budgets.
        Budget = new CfnBudget(this, "Budget", new CfnBudgetProps
        {
            Budget = new CfnBudget.BudgetDataProperty
            {
                BudgetName = props.BudgetName,
                BudgetType = "COST",
                TimeUnit = "MONTHLY",
                BudgetLimit = new CfnBudget.SpendProperty { Amount = props.MonthlyLimitUsd, Unit = "USD" },
                // A user-defined cost allocation tag is written "user:<key>$<value>" in a budget's filters.
                CostFilters = new Dictionary<string, object>
                {
                    ["TagKeyValue"] = new[] { $"user:Environment${props.EnvironmentSuffix}" },
                },
            },
            NotificationsWithSubscribers = new object[] { Notify("FORECASTED"), Notify("ACTUAL") },
        });

        // The topic policy replaces SNS's default: Budgets may publish, for this account's budget only.
        var budgetArn = $"arn:{stack.Partition}:budgets::{stack.Account}:budget/{props.BudgetName}";
        props.AlertTopic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowThisAccountsBudgetToPublish",
            Principals = [new ServicePrincipal("budgets.amazonaws.com")],
            Actions = ["sns:Publish"],
            Resources = [props.AlertTopic.TopicArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
                ["ArnLike"] = new Dictionary<string, object> { ["aws:SourceArn"] = budgetArn },
            },
        }));
        // The topic is encrypted: SNS asks KMS for a data key on Budgets' behalf, for this account only.
        props.AlertTopicKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowBudgetsToPublishToTheAlertTopic",
            Principals = [new ServicePrincipal("budgets.amazonaws.com")],
            Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            },
        }));
    }
}
