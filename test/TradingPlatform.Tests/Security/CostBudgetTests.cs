using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Config;
using Xunit;

namespace TradingPlatform.Tests.Security;

/// <summary>
/// The cost budget of each environment (issue 28): a monthly AWS Budgets cost budget whose limit derives from
/// `npm run cost`'s estimate of the kind (CostEstimates.Generated.cs, which a Node test keeps equal to the tool), scoped
/// by the Environment cost allocation tag, notifying the alert topic on forecast and actual overrun.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class CostBudgetTests(SynthesizedApps apps)
{
    public static TheoryData<string> Presets() => new() { "dev", "pr-7", "staging", "prod" };

    private static JsonObject Budget(SynthesizedEnvironment env)
    {
        var budgets = env.JsonOf(env.Stacks.Security).ResourcesOfType("AWS::Budgets::Budget").ToList();
        budgets.Count.ShouldBe(1, $"one budget in {env.Stacks.Security.StackName}, beside the alert topic");
        return budgets[0].Resource.Properties();
    }

    private static string AlertTopicId(SynthesizedEnvironment env) =>
        env.JsonOf(env.Stacks.Security).ResourcesOfType("AWS::SNS::Topic").Single().LogicalId;

    [Theory]
    [MemberData(nameof(Presets))]
    public void Monthly_cost_budget_counts_the_environments_tagged_costs_only(string suffix)
    {
        var env = apps.For(suffix);
        var data = Budget(env)["Budget"]!;
        ((string)data["BudgetName"]!).ShouldBe(env.Settings.Names.Budget);
        ((string)data["BudgetType"]!).ShouldBe("COST");
        ((string)data["TimeUnit"]!).ShouldBe("MONTHLY");
        ((string)data["BudgetLimit"]!["Unit"]!).ShouldBe("USD");
        // dev and the pr-N environments share an account: only the Environment tag tells their costs apart.
        data["CostFilters"]!["TagKeyValue"]!.AsArray().Select(v => (string)v!).ShouldBe([$"user:Environment${suffix}"]);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Limit_lies_between_the_estimate_and_the_estimate_with_twice_the_margin(string suffix)
    {
        // Rule: below the estimate the budget would fire every month; far above it, never. The margin absorbs traffic above
        // the assumption and prices that moved since the table's date.
        var env = apps.For(suffix);
        var limit = (double)Budget(env)["Budget"]!["BudgetLimit"]!["Amount"]!;
        var estimate = CostEstimates.MonthlyUsd[env.Settings.Kind];
        estimate.ShouldBeGreaterThan(0, $"{suffix}: the estimate of its kind");
        limit.ShouldBeGreaterThanOrEqualTo(estimate * (1 + CostEstimates.BudgetMargin), $"{suffix}: the estimate plus the margin");
        limit.ShouldBeLessThanOrEqualTo(estimate * (1 + 2 * CostEstimates.BudgetMargin) + 10, $"{suffix}: no more than twice the margin (and the rounding to $10)");
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Forecast_and_actual_overrun_notify_the_alert_topic(string suffix)
    {
        var env = apps.For(suffix);
        var notifications = Budget(env)["NotificationsWithSubscribers"]!.AsArray();
        notifications.Select(n => (string)n!["Notification"]!["NotificationType"]!).Order().ShouldBe(["ACTUAL", "FORECASTED"]);
        foreach (var n in notifications)
        {
            ((string)n!["Notification"]!["ComparisonOperator"]!).ShouldBe("GREATER_THAN");
            ((double)n["Notification"]!["Threshold"]!).ShouldBe(100);
            ((string)n["Notification"]!["ThresholdType"]!).ShouldBe("PERCENTAGE");
            var subscriber = n["Subscribers"]!.AsArray().Single()!;
            ((string)subscriber["SubscriptionType"]!).ShouldBe("SNS");
            ((string?)subscriber["Address"]!["Ref"]).ShouldBe(AlertTopicId(env), "the environment's alert topic, which on-call reads");
        }
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Budgets_may_publish_to_the_encrypted_topic_for_this_account_and_budget_only(string suffix)
    {
        // The topic is KMS-encrypted: without the key statement SNS refuses Budgets' message, and nobody hears of the overrun.
        var env = apps.For(suffix);
        var security = env.JsonOf(env.Stacks.Security);
        var account = env.Settings.Account;
        var topicStatement = security.ResourcesOfType("AWS::SNS::TopicPolicy").Single().Resource.Properties()["PolicyDocument"]!["Statement"]!.AsArray()
            .Single(s => (s!["Principal"] as JsonObject)?["Service"]?.ToString() == "budgets.amazonaws.com")!;
        ((string)topicStatement["Action"]!).ShouldBe("sns:Publish");
        ((string)topicStatement["Condition"]!["StringEquals"]!["aws:SourceAccount"]!).ShouldBe(account);
        ((string)topicStatement["Condition"]!["ArnLike"]!["aws:SourceArn"]!).ShouldBe($"arn:aws:budgets::{account}:budget/{env.Settings.Names.Budget}");

        var topicKey = (string)security.ResourcesOfType("AWS::SNS::Topic").Single().Resource.Properties()["KmsMasterKeyId"]!["Fn::GetAtt"]![0]!;
        var keyStatement = security["Resources"]![topicKey]!.AsObject().Properties()["KeyPolicy"]!["Statement"]!.AsArray()
            .Single(s => (s!["Principal"] as JsonObject)?["Service"]?.ToString() == "budgets.amazonaws.com")!;
        keyStatement["Action"]!.AsArray().Select(a => (string)a!).Order().ShouldBe(["kms:Decrypt", "kms:GenerateDataKey*"]);
        ((string)keyStatement["Condition"]!["StringEquals"]!["aws:SourceAccount"]!).ShouldBe(account);
    }
}
