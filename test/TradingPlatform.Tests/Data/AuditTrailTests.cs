using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Constructs.Data;
using Xunit;

namespace TradingPlatform.Tests.Data;

/// <summary>
/// The audit trail component (issue 27) as synthesized: least-privilege policies for CloudTrail and CloudWatch Logs,
/// what each configuration records, the filter patterns within CloudWatch's limit, and the disposable dev-like trail.
/// What must hold on every environment (coverage, locks, alarms fed) is in the platform rules (Rules/Audit.cs).
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class AuditTrailTests(SynthesizedApps apps)
{
    private const string TrailId = "AuditTrail";
    private const string KeyId = "AuditKeyB2DBB069";
    private const string BucketId = "AuditTrailBucket677225EC";
    private const string BucketPolicyId = "AuditTrailBucketPolicy00994082";

    /// <summary>staging and prod (the platform records everything), staging with an organization trail, a dev-like trail.</summary>
    public static TheoryData<string> WithTrail() => ["staging", "prod", "staging-with-overrides", SynthesizedApps.LongestNames];

    private static JsonObject Resource(SynthesizedEnvironment env, string id) =>
        env.DataJson()["Resources"]![id]?.AsObject() ?? throw new ShouldAssertException($"{env.Settings.Suffix}: no {id} in the Data layer");

    private static string TrailArn(SynthesizedEnvironment env) =>
        $"arn:aws:cloudtrail:{env.Settings.Region}:{env.Settings.Account}:trail/{env.Settings.Names.AuditTrail}";

    [Theory]
    [InlineData("dev")]
    [InlineData("pr-7")]
    public void Dev_like_environments_have_no_trail_unless_configured(string suffix) =>
        apps.For(suffix).DataJson().ResourcesOfType("AWS::CloudTrail::Trail").ShouldBeEmpty("dev-like: off unless auditTrail is set");

    [Theory]
    [MemberData(nameof(WithTrail))]
    public void The_arn_the_policies_name_is_the_trail_they_admit(string variant)
    {
        // The bucket and key policies name the trail by an ARN built from its fixed name (a reference would be a cycle):
        // it must be this trail's, in this stack's region and account.
        var env = Variant(variant);
        ((string?)Resource(env, TrailId).Properties()["TrailName"]).ShouldBe(env.Settings.Names.AuditTrail);
        var arn = TrailArn(env);

        var keyStatements = Resource(env, KeyId).Properties()["KeyPolicy"]!["Statement"]!.AsArray()
            .Where(s => s!["Principal"]?["Service"]?.ToString() == "cloudtrail.amazonaws.com").ToList();
        keyStatements.Select(s => (string?)s!["Sid"]).ShouldBe(["AllowCloudTrailToEncryptThisTrailsLogs", "AllowCloudTrailToDescribeTheKey"]);
        keyStatements.ShouldAllBe(s => (string?)s!["Condition"]!["StringEquals"]!["aws:SourceArn"] == arn, "CloudTrail may use the key for this trail only");

        var bucketStatements = Resource(env, BucketPolicyId).Properties()["PolicyDocument"]!["Statement"]!.AsArray()
            .Where(s => s!["Principal"]?["Service"]?.ToString() == "cloudtrail.amazonaws.com").ToList();
        bucketStatements.Count.ShouldBe(2, "the ACL check and the write");
        bucketStatements.ShouldAllBe(s => (string?)s!["Condition"]!["StringEquals"]!["aws:SourceArn"] == arn, "no other trail may deliver here (confused deputy)");
        var write = bucketStatements.Single(s => (string?)s!["Action"] == "s3:PutObject")!;
        write["Resource"]!.ToJsonString().ShouldContain($"/AWSLogs/{env.Settings.Account}/*", customMessage: "only this account's log prefix");
    }

    [Theory]
    [MemberData(nameof(WithTrail))]
    public void No_statement_of_the_key_opens_it_to_every_principal_but_the_grant_denial(string variant)
    {
        var statements = Resource(Variant(variant), KeyId).Properties()["KeyPolicy"]!["Statement"]!.AsArray();
        statements.Where(s => s!["Principal"]?["AWS"]?.ToString() == "*").ShouldAllBe(s => (string?)s!["Effect"] == "Deny",
            "readers decrypt through IAM policies of the account (the key's default statement), never a wildcard principal");
        var logs = statements.Single(s => (string?)s!["Sid"] == "AllowCloudWatchLogsForOneLogGroup")!;
        logs["Condition"]!["ArnEquals"]!["kms:EncryptionContext:aws:logs:arn"]!.ToString()
            .ShouldEndWith($":log-group:{Variant(variant).Settings.Names.AuditLogGroup}", customMessage: "CloudWatch Logs may use it for the trail's group only");
    }

    [Theory]
    [MemberData(nameof(WithTrail))]
    public void CloudTrail_writes_to_its_log_group_and_nothing_else(string variant)
    {
        var env = Variant(variant);
        var policies = env.DataJson().ResourcesOfType("AWS::IAM::ManagedPolicy").Where(p => p.LogicalId.StartsWith("AuditTrailLogsPolicy")).ToList();
        policies.Count.ShouldBe(1);
        var statement = policies[0].Resource.Properties()["PolicyDocument"]!["Statement"]!.AsArray().Single()!;
        statement["Action"]!.AsArray().Select(a => (string)a!).ShouldBe(["logs:CreateLogStream", "logs:PutLogEvents"]);
        statement["Resource"]!.ToJsonString().ShouldBe("""{"Fn::GetAtt":["AuditTrailLogGroup39A764DA","Arn"]}""");
        Resource(env, TrailId).DependsOn().ShouldContain(policies[0].LogicalId, "CloudTrail checks the role when the trail is created");
        Resource(env, TrailId).DependsOn().ShouldContain(BucketPolicyId, "and the bucket policy");
    }

    [Fact]
    public void With_an_organization_trail_the_platform_records_only_what_its_alarms_need()
    {
        var env = apps.StagingWithOverrides;
        var selectors = Resource(env, TrailId).Properties()["AdvancedEventSelectors"]!.AsArray().Select(s => s!.AsObject()).ToList();
        var management = selectors.Single(s => s["FieldSelectors"]!.AsArray().Any(f => f!["Equals"]?[0]?.ToString() == "Management"));
        management["FieldSelectors"]!.AsArray().ShouldContain(f => (string?)f!["Field"] == "readOnly" && f["Equals"]![0]!.ToString() == "false",
            "the organization trail records every management event: only the writes the alarms watch are recorded again");
        var notTheFunction = selectors.Where(s => s["FieldSelectors"]!.AsArray().Any(f => (string?)f!["Field"] == "userIdentity.arn")).ToList();
        notTheFunction.Count.ShouldBe(2, "records and registry: the calls the ingestion function does not make");
        notTheFunction.ShouldAllBe(s => s["FieldSelectors"]!.AsArray().Single(f => (string?)f!["Field"] == "userIdentity.arn")!["NotEndsWith"]![0]!.ToString()
            == $"/{env.Settings.Names.DataProcessorFunction}");
        var locked = selectors.Single(s => s["FieldSelectors"]!.AsArray().Any(f => (string?)f!["Field"] == "eventName"));
        locked["FieldSelectors"]!.AsArray().Single(f => (string?)f!["Field"] == "eventName")!["Equals"]!.AsArray().Select(e => (string)e!)
            .ShouldBe(AuditAlarms.LockedRecordCalls, "every delete, retention and legal-hold call on the locked records, by anyone");
    }

    [Theory]
    [MemberData(nameof(WithTrail))]
    public void Every_filter_pattern_fits_cloudwatchs_1024_characters_once_resolved(string variant)
    {
        // Tokens resolve at deploy time: count each at its longest (a key id 36, a generated bucket name 63 characters).
        foreach (var (id, filter) in Variant(variant).DataJson().ResourcesOfType("AWS::Logs::MetricFilter"))
        {
            var pattern = filter.Properties()["FilterPattern"]!;
            var length = pattern is JsonValue text ? ((string)text!).Length
                : pattern["Fn::Join"]![1]!.AsArray().Sum(part => part is JsonValue literal ? ((string)literal!).Length
                    : part!.ToJsonString().Contains("Fn::Select") || part.ToJsonString().Contains("AuditKey") ? 36 : 63);
            length.ShouldBeLessThanOrEqualTo(1024, $"{variant}/{id}: CloudFormation refuses a longer FilterPattern");
        }
    }

    [Fact]
    public void A_dev_like_trail_is_disposable()
    {
        var env = apps.For(SynthesizedApps.LongestNames);
        var bucket = Resource(env, BucketId);
        bucket.Properties().ContainsKey("ObjectLockConfiguration").ShouldBeFalse("a locked log file could never be deleted, nor its stack");
        ((string?)bucket["DeletionPolicy"]).ShouldBe("Delete");
        env.DataJson().ResourcesOfType("Custom::S3AutoDeleteObjects")
            .ShouldContain(r => r.Resource.Properties()["BucketName"]!.ToJsonString().Contains(BucketId), "emptied before the stack deletes it");
    }

    [Theory]
    [MemberData(nameof(WithTrail))]
    public void The_audit_alarms_are_in_the_platform_health_alarm(string variant)
    {
        var env = Variant(variant);
        var rule = env.JsonOf(env.Stacks.Api).ResourcesOfType("AWS::CloudWatch::CompositeAlarm").Single().Resource.Properties()["AlarmRule"]!.ToJsonString();
        foreach (var name in Rules.Audit.RequiredAlarms)
        {
            rule.ShouldContain($"trading-{env.Settings.Suffix}-{name}", customMessage: "the one alarm to page on covers every audit alarm");
        }
    }

    private SynthesizedEnvironment Variant(string name) => name == "staging-with-overrides" ? apps.StagingWithOverrides : apps.For(name);
}
