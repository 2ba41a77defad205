using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Shouldly;
using TradingPlatform.Constructs.Data;
using TradingPlatform.Constructs.Monitoring;
using Xunit;

namespace TradingPlatform.Tests.Components;

/// <summary>The tables component with its minimal props on a bare stack (no layer stack, no environment), synthesized once.</summary>
public sealed class TradingTablesOnABareStack
{
    public TradingTablesOnABareStack()
    {
        var stack = new Stack(new App(), "Bare");
        Catalog = new AlarmCatalog();
        Tables = new TradingTables(stack, "Tables", new TradingTablesProps
        {
            Key = new Key(stack, "Key"),
            SessionsTableName = "sessions",
            ApiKeysTableName = "api-keys",
            DeletionProtection = false,
            RemovalPolicy = RemovalPolicy.DESTROY,
            Alarms = new PlatformAlarms(new PlatformAlarmsProps
            {
                Topic = new Topic(stack, "Topic"), EnvironmentSuffix = "test", EvaluationPeriods = 3, Catalog = Catalog,
            }),
        });
        Template = Template.FromStack(stack);
        // jsii hands the template over as Newtonsoft objects.
        Json = JsonNode.Parse(Newtonsoft.Json.JsonConvert.SerializeObject(Template.ToJSON()))!.AsObject();
    }

    public TradingTables Tables { get; }
    public AlarmCatalog Catalog { get; }
    public Template Template { get; }
    public JsonObject Json { get; }
}

/// <summary>
/// Rules of the tables component that hold whatever the environment: read on the component alone, they do not depend on
/// a preset, and a preset cannot hide a broken component.
/// </summary>
public sealed class TradingTablesOnABareStackTests(TradingTablesOnABareStack bare) : IClassFixture<TradingTablesOnABareStack>
{
    [Fact]
    public void Every_table_is_recoverable_and_encrypted_with_the_key_it_is_given()
    {
        // Even where it is disposable: point-in-time recovery and a customer-managed key are not environment choices.
        var tables = bare.Json.ResourcesOfType("AWS::DynamoDB::Table").ToList();
        tables.Count.ShouldBe(2);
        foreach (var (id, table) in tables)
        {
            var properties = table.Properties();
            ((bool)properties["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!).ShouldBeTrue($"{id}: PITR");
            var sse = properties["SSESpecification"]!;
            ((bool)sse["SSEEnabled"]!).ShouldBeTrue($"{id}: encrypted");
            ((string)sse["SSEType"]!).ShouldBe("KMS", $"{id}: with a KMS key");
            sse["KMSMasterKeyId"]!.ToJsonString().ShouldContain("\"Key", customMessage: $"{id}: the key given in the props, not an AWS-owned one");
            ((string)properties["BillingMode"]!).ShouldBe("PAY_PER_REQUEST");
        }
    }

    [Fact]
    public void Only_sessions_expire()
    {
        // A client registry entry that expired would lock its client out; a session that never did would live for ever.
        var byName = bare.Json.ResourcesOfType("AWS::DynamoDB::Table").ToDictionary(t => (string)t.Resource.Properties()["TableName"]!, t => t.Resource.Properties());
        ((string)byName["sessions"]["TimeToLiveSpecification"]!["AttributeName"]!).ShouldBe("expiresAt");
        byName["api-keys"]["TimeToLiveSpecification"].ShouldBeNull();
    }

    [Fact]
    public void Each_table_registers_its_alarms_in_the_catalog_and_they_notify_the_topic()
    {
        // Whatever the stack: an alarm of the component that is not in the catalog is invisible to the platform-health alarm.
        bare.Catalog.IsSealed.ShouldBeFalse("nothing has read the catalog yet");
        var alarms = bare.Json.ResourcesOfType("AWS::CloudWatch::Alarm").Select(a => a.Resource.Properties()).ToList();
        alarms.Select(a => (string)a["AlarmName"]!).ShouldBe(
            ["trading-test-sessions-table-throttled", "trading-test-sessions-table-system-errors",
             "trading-test-api-keys-table-throttled", "trading-test-api-keys-table-system-errors"], ignoreOrder: true);
        bare.Tables.Alarms.Count.ShouldBe(alarms.Count);
        foreach (var alarm in alarms)
        {
            alarm["AlarmActions"]!.ToJsonString().ShouldContain("Topic", customMessage: "ALARM notifies the topic");
            alarm["OKActions"]!.ToJsonString().ShouldContain("Topic", customMessage: "and so does the all-clear");
        }
    }
}
