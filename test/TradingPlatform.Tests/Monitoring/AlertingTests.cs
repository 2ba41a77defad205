using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests.Monitoring;

/// <summary>The alert topic every alarm and compliance finding goes to, and what sends to it from the Security and Network layers.</summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class AlertingTests(SynthesizedApps apps)
{
    private JsonObject Security(string suffix = "dev") => apps.For(suffix).JsonOf(apps.For(suffix).Stacks.Security);

    [Fact]
    public void Topic_is_encrypted_with_the_alerts_key_and_refuses_plain_http()
    {
        // Alerts name resources and findings; SNS stores messages until delivered, so they are encrypted at rest
        // with their own key, and a publisher without TLS is refused (PCI-DSS 4.1).
        apps.Dev.Security.HasResourceProperties("AWS::SNS::Topic", new Dictionary<string, object>
        {
            ["TopicName"] = "trading-alerts-dev",
            ["KmsMasterKeyId"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { "AlertsEncryptionKey7C96671A", "Arn" } },
        });
        apps.Dev.Security.HasResourceProperties("AWS::SNS::TopicPolicy", new Dictionary<string, object>
        {
            ["PolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Effect"] = "Deny",
                    ["Condition"] = new Dictionary<string, object> { ["Bool"] = new Dictionary<string, object> { ["aws:SecureTransport"] = "false" } },
                })]),
            }),
        });
    }

    [Fact]
    public void Only_this_accounts_alarms_and_events_may_use_the_alerts_key()
    {
        // CloudWatch and EventBridge need a data key to publish to an encrypted topic; nobody else does.
        var key = Security().ResourcesOfType("AWS::KMS::Key").Single(k => k.LogicalId == "AlertsEncryptionKey7C96671A").Resource;
        var statement = key.Properties()["KeyPolicy"]!["Statement"]!.AsArray()
            .Single(s => (string?)s!["Sid"] == "AllowAlarmsAndEventsToPublishToTheAlertTopic")!;
        statement["Action"]!.AsArray().Select(a => (string)a!).ShouldBe(["kms:Decrypt", "kms:GenerateDataKey*"], ignoreOrder: true);
        statement["Principal"]!["Service"]!.AsArray().Select(a => (string)a!)
            .ShouldBe(["cloudwatch.amazonaws.com", "events.amazonaws.com"], ignoreOrder: true);
        statement["Condition"]!["StringEquals"]!["aws:SourceAccount"]!.GetValue<string>().ShouldBe("123456789012");
    }

    [Fact]
    public void No_subscription_without_configured_addresses_and_one_per_address_with_them()
    {
        apps.Dev.Security.ResourceCountIs("AWS::SNS::Subscription", 0);

        var withEmails = apps.StagingWithOverrides;
        withEmails.Security.ResourceCountIs("AWS::SNS::Subscription", 2);
        withEmails.Security.HasResourceProperties("AWS::SNS::Subscription", new Dictionary<string, object>
        {
            ["Protocol"] = "email",
            ["Endpoint"] = "risk@example.com",
            ["TopicArn"] = new Dictionary<string, object> { ["Ref"] = "AlertTopic2720D535" },
        });
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    public void A_config_rule_that_turns_non_compliant_alerts_the_topic(string suffix)
    {
        // Drift found by AWS Config is only useful if somebody hears about it; ephemeral environments watch too.
        var (_, rule) = Security(suffix).ResourcesOfType("AWS::Events::Rule").Single();
        var pattern = rule.Properties()["EventPattern"]!;
        pattern["source"]![0]!.GetValue<string>().ShouldBe("aws.config");
        pattern["detail"]!["newEvaluationResult"]!["complianceType"]![0]!.GetValue<string>().ShouldBe("NON_COMPLIANT");
        var ourRules = Security(suffix).ResourcesOfType("AWS::Config::ConfigRule").Select(r => r.LogicalId).ToList();
        pattern["detail"]!["configRuleName"]!.AsArray().Select(n => (string)n!["Ref"]!).ShouldBe(ourRules, ignoreOrder: true,
            "every rule of ours, and only ours (other teams' rules have other owners)");
        rule.Properties()["Targets"]![0]!["Arn"]!.ToJsonString().ShouldContain("AlertTopic2720D535");
    }

    [Fact]
    public void Every_nat_gateway_alarms_on_port_allocation_errors_and_dropped_packets()
    {
        // The NAT gateways are the private subnets' only way out: prod has 3 (one per AZ), dev 1.
        foreach (var (env, gateways) in new[] { (apps.Prod, 3), (apps.Dev, 1) })
        {
            var alarms = env.JsonOf(env.Stacks.Network).ResourcesOfType("AWS::CloudWatch::Alarm").Select(a => a.Resource.Properties()).ToList();
            var portErrors = alarms.Where(a => (string?)a["MetricName"] == "ErrorPortAllocation").ToList();
            var drops = alarms.Where(a => (string?)a["MetricName"] == "PacketsDropCount").ToList();
            portErrors.Count.ShouldBe(gateways);
            drops.Count.ShouldBe(gateways);
            portErrors.ShouldAllBe(a => (double)a["Threshold"]! == 1 && (string?)a["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
                                        && (string?)a["TreatMissingData"] == "notBreaching" && (int)a["EvaluationPeriods"]! == 1);
            drops.ShouldAllBe(a => (double)a["Threshold"]! == env.Settings.Alarms.NatPacketsDropped && (string?)a["Statistic"] == "Sum"
                                   && (int)a["Period"]! == 300 && (int)a["EvaluationPeriods"]! == env.Settings.Alarms.EvaluationPeriods);
        }
    }

    [Fact]
    public void Alarms_in_other_layers_notify_the_topic_on_alarm_and_recovery()
    {
        // The topic lives in the Security layer; the other layers import its ARN.
        foreach (var (_, alarm) in apps.Prod.JsonOf(apps.Prod.Stacks.Network).ResourcesOfType("AWS::CloudWatch::Alarm"))
        {
            foreach (var actions in new[] { "AlarmActions", "OKActions" })
            {
                alarm.Properties()[actions]!.ToJsonString().ShouldContain("ExportsOutputRefAlertTopic2720D535", customMessage: actions);
            }

            ((string)alarm.Properties()["AlarmName"]!).ShouldStartWith("trading-prod-nat-");
        }
    }
}
