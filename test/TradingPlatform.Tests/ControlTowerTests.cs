using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Constructs;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>
/// The AWS Control Tower proactive controls we comply with rather than suppress (issue 12). The gate in
/// scripts/guard-gate runs the controls themselves with cfn-guard; these tests pin the intent behind each fix,
/// in dev and prod.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class ControlTowerTests(SynthesizedApps apps)
{
    public static TheoryData<string> Environments => ["dev", "prod"];

    private SynthesizedEnvironment Env(string name) => name == "prod" ? apps.Prod : apps.Dev;

    // ---- CT.KMS.PR.3: grants only for AWS resources or by AWS services ------------------------------

    [Theory]
    [MemberData(nameof(Environments))]
    public void Every_key_denies_grants_not_for_aws_resources_and_still_lets_the_account_administer_it(string name)
    {
        var env = Env(name);
        var keys = env.Stacks.All.SelectMany(stack => env.JsonOf(stack).ResourcesOfType("AWS::KMS::Key")).ToList();
        keys.ShouldNotBeEmpty();
        foreach (var (id, key) in keys)
        {
            var statements = key.Properties()["KeyPolicy"]!["Statement"]!.AsArray().Select(s => s!.AsObject()).ToList();

            var deny = statements.SingleOrDefault(s => (string?)s["Sid"] == "DenyGrantsExceptForAwsResourcesOrServices");
            deny.ShouldNotBeNull($"{id}: a person or role could create a grant for itself and bypass the key policy");
            ((string)deny["Effect"]!).ShouldBe("Deny");
            ((string)deny["Action"]!).ShouldBe("kms:CreateGrant", $"{id}: only grant creation may be denied, or services break");
            ((string)deny["Principal"]!["AWS"]!).ShouldBe("*");
            ((string)deny["Resource"]!).ShouldBe("*");
            var condition = deny["Condition"]!.AsObject();
            condition.Select(c => c.Key).ShouldBe(["BoolIfExists"], $"{id}: the control accepts BoolIfExists only");
            ((string)condition["BoolIfExists"]!["kms:GrantIsForAWSResource"]!).ShouldBe("false");
            ((string)condition["BoolIfExists"]!["aws:PrincipalIsAWSService"]!).ShouldBe("false");

            // Lock-out guard: the account keeps full administration of the key.
            statements.ShouldContain(
                s => (string?)s["Effect"] == "Allow" && (string?)s["Action"] == "kms:*" && s["Principal"]!["AWS"]!.ToJsonString().Contains(":root"),
                $"{id}: without the account's kms:* statement the key could not be administered any more");
        }
    }

    // ---- CT.S3.PR.4: data buckets send object events to EventBridge ----------------------------------

    [Theory]
    [MemberData(nameof(Environments))]
    public void Data_buckets_send_events_to_eventbridge_on_the_bucket_itself(string name)
    {
        var env = Env(name);
        var data = env.JsonOf(env.Stacks.Data);
        foreach (var id in new[] { "IngestionBucket", "AnalyticsBucket", "ArchivalBucket" })
        {
            var bucket = data.ResourcesOfType("AWS::S3::Bucket").Single(b => b.LogicalId.StartsWith(id)).Resource.Properties();
            // Not a ?. chain ending in ShouldBe: a missing configuration would skip the assertion.
            bool? enabled = bucket["NotificationConfiguration"]?["EventBridgeConfiguration"]?["EventBridgeEnabled"]?.GetValue<bool>();
            enabled.ShouldBe(true, $"{id}: object changes must reach EventBridge (CT.S3.PR.4)");
        }

        // Set on the bucket, not through the CDK's notifications custom resource (a Lambda outside the VPC).
        foreach (var stack in env.Stacks.All)
        {
            env.JsonOf(stack).ResourcesOfType("Custom::S3BucketNotifications").ShouldBeEmpty(stack.StackName);
        }
    }

    // ---- CT.LAMBDA.PR.2: the function's invoke permissions are scoped to their source ----------------

    [Theory]
    [MemberData(nameof(Environments))]
    public void Api_gateway_may_invoke_the_function_only_from_this_accounts_api(string name)
    {
        var env = Env(name);
        var permissions = env.JsonOf(env.Stacks.Api).ResourcesOfType("AWS::Lambda::Permission").ToList();
        permissions.ShouldNotBeEmpty();
        foreach (var (id, permission) in permissions)
        {
            var props = permission.Properties();
            ((string)props["Principal"]!).ShouldBe("apigateway.amazonaws.com");
            ((string?)props["SourceAccount"]).ShouldBe(env.Settings.Account, $"{id}: another account's API could invoke the function");
            props["SourceArn"]!.ToJsonString().ShouldContain($"arn:aws:execute-api:{env.Settings.Region}:{env.Settings.Account}:", customMessage: id);
            props["SourceArn"]!.ToJsonString().ShouldContain("/POST/data", customMessage: $"{id}: scoped to the one method");
        }
    }

    // ---- Suppressions -----------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Environments))]
    public void Every_control_tower_suppression_has_a_specific_reason(string name)
    {
        var env = Env(name);
        foreach (var stack in env.Stacks.All)
        {
            foreach (var (id, resource) in env.JsonOf(stack)["Resources"]!.AsObject().Select(r => (r.Key, r.Value!.AsObject())))
            {
                if (resource["Metadata"]?["guard"] is not JsonObject guard)
                {
                    continue;
                }

                foreach (var rule in guard["SuppressedRules"]!.AsArray().Select(r => (string)r!))
                {
                    var reason = (string?)guard["SuppressionReasons"]?[rule];
                    reason.ShouldNotBeNull($"{stack.StackName}/{id}: {rule} has no reason");
                    reason.Trim().Length.ShouldBeGreaterThanOrEqualTo(20, $"{stack.StackName}/{id}: {rule}");
                }
            }
        }
    }

    [Fact]
    public void Prod_never_excuses_short_log_retention_or_a_deletable_database()
    {
        var env = apps.Prod;
        var suppressed = env.Stacks.All
            .SelectMany(stack => env.JsonOf(stack)["Resources"]!.AsObject())
            .SelectMany(r => r.Value!["Metadata"]?["guard"]?["SuppressedRules"]?.AsArray().Select(x => (string)x!) ?? [])
            .ToList();
        suppressed.ShouldNotContain(ControlTowerRules.LogGroupRetention, "prod keeps audit logs one year (PCI-DSS 10.7)");
        suppressed.ShouldNotContain(ControlTowerRules.RdsClusterDeletionProtection, "prod's database is deletion-protected");
    }
}
