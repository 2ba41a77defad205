using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.WAFv2;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;

namespace TradingPlatform.Constructs.Api;

public sealed record WebFirewallProps
{
    /// <summary>Required. The API stage the firewall is associated with.</summary>
    public required Amazon.CDK.AWS.APIGateway.Stage Stage { get; init; }
    /// <summary>Required. Encrypts the WAF log group.</summary>
    public required IKey LogsKey { get; init; }
    /// <summary>Required. Retention and removal of the WAF log group.</summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. The web ACL's fixed name (its metrics' dimension; its log group is aws-waf-logs-&lt;name&gt;).</summary>
    public required string WebAclName { get; init; }
    /// <summary>Required. The region the web ACL publishes its metrics in.</summary>
    public required string Region { get; init; }
    /// <summary>Required. The rate-based rule: requests allowed per client IP in any 5-minute window.</summary>
    public required int RequestsPerFiveMinutesPerIp { get; init; }
    /// <summary>Required. Creates the blocked-requests alarm.</summary>
    public required PlatformAlarms Alarms { get; init; }
    /// <summary>Required. The alarm thresholds (blocked requests per period).</summary>
    public required AlarmThresholds Thresholds { get; init; }
}

/// <summary>
/// The web firewall in front of the API stage: AWS managed rule groups and a per-IP rate limit, its association with
/// the stage, its logs (credentials redacted), and an alarm on a spike of blocked requests.
/// </summary>
public sealed class WebFirewall : PlatformComponent
{
    private readonly WebFirewallProps props;

    public CfnWebACL WebAcl { get; }
    public Alarm BlockedRequestsAlarm { get; }

    public WebFirewall(Construct scope, string id, WebFirewallProps props)
        : base(scope, id)
    {
        this.props = props;
        var (stage, aclName) = (props.Stage, props.WebAclName);

        // L1: WAFv2 has no L2 construct in the CDK.
        WebAcl = new CfnWebACL(this, "ApiWebAcl", new CfnWebACLProps
        {
            Name = aclName,
            Scope = "REGIONAL",
            DefaultAction = new CfnWebACL.DefaultActionProperty { Allow = new CfnWebACL.AllowActionProperty() },
            VisibilityConfig = Visibility(aclName),
            Rules = new object[]
            {
                // Trade batches are legitimately larger than the common rule set's 8 KB body limit;
                // the API's own size limit and request validator bound the body instead.
                ManagedGroup("AWSManagedRulesCommonRuleSet", 0, "SizeRestrictions_BODY"),
                ManagedGroup("AWSManagedRulesKnownBadInputsRuleSet", 1),
                ManagedGroup("AWSManagedRulesSQLiRuleSet", 2),
                ManagedGroup("AWSManagedRulesAmazonIpReputationList", 3),
                new CfnWebACL.RuleProperty
                {
                    Name = "RateLimitPerIp",
                    Priority = 4,
                    Action = new CfnWebACL.RuleActionProperty { Block = new CfnWebACL.BlockActionProperty() },
                    Statement = new CfnWebACL.StatementProperty
                    {
                        RateBasedStatement = new CfnWebACL.RateBasedStatementProperty
                        {
                            Limit = props.RequestsPerFiveMinutesPerIp,
                            AggregateKeyType = "IP",
                        },
                    },
                    VisibilityConfig = Visibility("RateLimitPerIp"),
                },
            },
        });

        new CfnWebACLAssociation(this, "ApiWebAclAssociation", new CfnWebACLAssociationProps
        {
            // The stage's ARN names the stage by Ref, which already orders the association after it (no DependsOn).
            ResourceArn = stage.StageArn,
            WebAclArn = WebAcl.AttrArn,
        });

        // WAF requires the destination log group's name to start with "aws-waf-logs-".
        var wafLogs = SecureDefaults.LogGroup(this, "WafLogGroup", props.Storage, props.LogsKey, $"aws-waf-logs-{aclName}");
        new CfnLoggingConfiguration(this, "ApiWebAclLogging", new CfnLoggingConfigurationProps
        {
            ResourceArn = WebAcl.AttrArn,
            // WAF wants the log group ARN without the ":*" suffix that LogGroupArn carries.
            LogDestinationConfigs =
            [
                Stack.Of(this).FormatArn(new ArnComponents
                {
                    Service = "logs",
                    Resource = "log-group",
                    ResourceName = wafLogs.LogGroupName,
                    ArnFormat = ArnFormat.COLON_RESOURCE_NAME,
                }),
            ],
            // Credentials never reach the logs.
            RedactedFields = new object[]
            {
                new CfnLoggingConfiguration.FieldToMatchProperty { SingleHeader = new Dictionary<string, object> { ["Name"] = "x-api-key" } },
                new CfnLoggingConfiguration.FieldToMatchProperty { SingleHeader = new Dictionary<string, object> { ["Name"] = "authorization" } },
            },
        });

        BlockedRequestsAlarm = props.Alarms.Add(this, "ApiWebAclBlockedRequestsAlarm", new AlarmDefinition(
            "waf-blocked-requests",
            "The web firewall blocked a spike of requests: an attack, a scanning client, or a legitimate client caught by a rule.",
            Metric("BlockedRequests"), props.Thresholds.WafBlockedRequests, ComparisonOperator.GREATER_THAN_THRESHOLD,
            // WAF publishes BlockedRequests only when it blocked something: silence is a quiet period.
            TreatMissingData.NOT_BREACHING));
    }

    /// <summary>
    /// A metric of the whole web ACL (Rule=ALL) summed over 5 minutes: AllowedRequests, BlockedRequests, CountedRequests.
    /// Regional web ACLs publish with the WebACL name, the Region and the rule.
    /// </summary>
    public IMetric Metric(string metricName) => new Metric(new MetricProps
    {
        Namespace = "AWS/WAFV2",
        MetricName = metricName,
        DimensionsMap = new Dictionary<string, string>
        {
            ["WebACL"] = props.WebAclName,
            ["Region"] = props.Region,
            ["Rule"] = "ALL",
        },
        Statistic = Stats.SUM,
        Period = Duration.Minutes(5),
    });

    private static CfnWebACL.RuleProperty ManagedGroup(string name, int priority, params string[] countOnly) => new()
    {
        Name = name,
        Priority = priority,
        OverrideAction = new CfnWebACL.OverrideActionProperty { None = new Dictionary<string, object>() },
        Statement = new CfnWebACL.StatementProperty
        {
            ManagedRuleGroupStatement = new CfnWebACL.ManagedRuleGroupStatementProperty
            {
                VendorName = "AWS",
                Name = name,
                RuleActionOverrides = countOnly.Length == 0
                    ? null
                    : countOnly.Select(rule => (object)new CfnWebACL.RuleActionOverrideProperty
                    {
                        Name = rule,
                        ActionToUse = new CfnWebACL.RuleActionProperty { Count = new CfnWebACL.CountActionProperty() },
                    }).ToArray(),
            },
        },
        VisibilityConfig = Visibility(name),
    };

    private static CfnWebACL.VisibilityConfigProperty Visibility(string metricName) => new()
    {
        CloudWatchMetricsEnabled = true,
        MetricName = metricName,
        SampledRequestsEnabled = true,
    };
}
