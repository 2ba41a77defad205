using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.SNS;
using Shouldly;
using TradingPlatform.Constructs.Api;
using TradingPlatform.Constructs.Monitoring;
using Xunit;

namespace TradingPlatform.Tests.Components;

/// <summary>
/// The alarm catalog is sealed once read: the platform-health alarm (and the dashboard) see every alarm there will ever
/// be, or synthesis fails. Built on a bare stack and never synthesized: the rule is about construction order.
/// </summary>
public sealed class AlarmCatalogTests
{
    private static AlarmDefinition Definition(string name) => new(
        name, $"{name} fired, for this test.",
        new Metric(new MetricProps { Namespace = "Test", MetricName = name }),
        1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, TreatMissingData.NOT_BREACHING);

    [Fact]
    public void An_alarm_added_after_the_health_alarm_read_the_catalog_fails_naming_the_alarm_and_the_reader()
    {
        // GIVEN a layer whose alarms are watched by the platform-health alarm
        var stack = new Stack(new App(), "Bare");
        var topic = new Topic(stack, "Topic");
        var catalog = new AlarmCatalog();
        var alarms = new PlatformAlarms(new PlatformAlarmsProps { Topic = topic, EnvironmentSuffix = "test", EvaluationPeriods = 1, Catalog = catalog });
        alarms.Add(stack, "Before", Definition("before"));
        var health = new PlatformHealth(stack, "Health", new PlatformHealthProps
        {
            Catalog = catalog, Topic = topic, EnvironmentSuffix = "test", DashboardName = "trading-platform-test",
        });
        health.Covered.ShouldBe(["trading-test-before"]);

        // WHEN an alarm is created after it THEN it is refused, not silently left out of the composite
        var error = Should.Throw<InvalidOperationException>(() => alarms.Add(stack, "After", Definition("after")));
        error.Message.ShouldContain("'trading-test-after'", customMessage: "the message names the alarm");
        error.Message.ShouldContain("Bare/After", customMessage: "and where it is created");
        error.Message.ShouldContain("'Bare/Health'", customMessage: "and what read the catalog before it");
        stack.Node.TryFindChild("After").ShouldBeNull("refused before the alarm resource exists");
        catalog.IsSealed.ShouldBeTrue();
    }

    [Fact]
    public void Registering_directly_after_the_catalog_was_read_fails_too()
    {
        // The seal is the catalog's own, whoever registers.
        var stack = new Stack(new App(), "Bare");
        var catalog = new AlarmCatalog();
        catalog.Register(new Alarm(stack, "First", new AlarmProps
        {
            Metric = new Metric(new MetricProps { Namespace = "Test", MetricName = "First" }), Threshold = 1, EvaluationPeriods = 1,
        }), "trading-test-first");
        catalog.NamesFor(stack).ShouldBe(["trading-test-first"]);

        var late = new Alarm(stack, "Late", new AlarmProps
        {
            Metric = new Metric(new MetricProps { Namespace = "Test", MetricName = "Late" }), Threshold = 1, EvaluationPeriods = 1,
        });
        Should.Throw<InvalidOperationException>(() => catalog.Register(late, "trading-test-late"))
            .Message.ShouldContain("'trading-test-late'");
    }
}
