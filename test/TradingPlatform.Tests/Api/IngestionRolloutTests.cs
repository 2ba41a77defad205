using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Api;
using Xunit;
using static TradingPlatform.Tests.Api.AlarmTemplate;

namespace TradingPlatform.Tests.Api;

/// <summary>
/// The progressive delivery of the ingestion function as synthesized: what the pre-traffic check runs and checks, the
/// order CloudFormation updates things in, and the rollback alarms' shape. The environment-kind rules (prod's canary,
/// rollback on alarm, least privilege, the alias as the only target) are platform rules (Rules/Rollout.cs).
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class IngestionRolloutTests(SynthesizedApps apps)
{
    public static TheoryData<string> Suffixes() => new(["dev", "pr-7", "staging", "prod"]);

    private static JsonObject Resource(JsonObject template, string type, string idPrefix) =>
        template.ResourcesOfType(type).Single(r => r.LogicalId.StartsWith(idPrefix, StringComparison.Ordinal)).Resource;

    [Theory]
    [MemberData(nameof(Suffixes))]
    public void The_check_deployed_is_the_code_its_tests_run_and_it_checks_the_version_the_alias_moves_to(string suffix)
    {
        var api = ApiJson(apps.For(suffix));
        var check = Resource(api, "AWS::Lambda::Function", "PreTrafficCheck").Properties();
        var alias = Resource(api, "AWS::Lambda::Alias", "LiveAlias");

        // src/Functions/PreTrafficHook/test runs index.js: the template must carry exactly that file, or the tests
        // prove something about code that is not deployed.
        var source = File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "src", "Functions", "PreTrafficHook", "index.js"));
        ((string?)check["Code"]!["ZipFile"]).ShouldBe(source);
        ((string?)check["Handler"]).ShouldBe("index.handler");
        // Inline code is limited to 4 KB by CloudFormation (ZipFile); past it the template is refused.
        source.Length.ShouldBeLessThanOrEqualTo(4096);

        // The version it invokes is the one CodeDeploy is about to move the alias to: the alias's own version.
        var versionId = (string)alias.Properties()["FunctionVersion"]!["Fn::GetAtt"]![0]!;
        check["Environment"]!["Variables"]!["VERSION_ARN"]!.ToJsonString().ShouldBe($$"""{"Ref":"{{versionId}}"}""");
    }

    [Theory]
    [MemberData(nameof(Suffixes))]
    public void The_alias_moves_only_after_the_check_and_the_rollback_alarms_follow_the_new_version(string suffix)
    {
        // Rule: CodeDeploy reads the check's name and the alarms when the alias update starts. Their update (the new
        // VERSION_ARN, the new ExecutedVersion) must be done by then, so the alias depends on each of them.
        var api = ApiJson(apps.For(suffix));
        var alias = Resource(api, "AWS::Lambda::Alias", "LiveAlias");
        var dependsOn = alias["DependsOn"]!.AsArray().Select(d => (string)d!).ToHashSet();
        var group = Resource(api, "AWS::CodeDeploy::DeploymentGroup", "DeploymentGroup").Properties();
        var alarmIds = group["AlarmConfiguration"]!["Alarms"]!.AsArray().Select(a => (string)a!["Name"]!["Ref"]!).ToList();

        alarmIds.ShouldNotBeEmpty();
        alarmIds.Where(id => !dependsOn.Contains(id)).ShouldBeEmpty("the alias must wait for every rollback alarm");
        dependsOn.ShouldContain(api.ResourcesOfType("AWS::Lambda::Function").Single(f => f.LogicalId.StartsWith("PreTrafficCheck")).LogicalId);
        var updatePolicy = alias["UpdatePolicy"]!["CodeDeployLambdaAliasUpdate"]!;
        dependsOn.ShouldContain((string)updatePolicy["DeploymentGroupName"]!["Ref"]!);
    }

    [Theory]
    [MemberData(nameof(Suffixes))]
    public void Rollback_alarms_evaluate_minutes_and_the_functions_watch_the_live_alias(string suffix)
    {
        // A canary lasts minutes: an alarm evaluating 5-minute periods would decide after it is over.
        var env = apps.For(suffix);
        var api = ApiJson(env);
        var function = api.ResourcesOfType("AWS::Lambda::Function").Single(f => f.LogicalId.StartsWith("DataProcessingFunction")).LogicalId;
        foreach (var name in new[] { "ingestion-new-version-errors", "ingestion-new-version-throttles", "ingestion-new-version-duration" })
        {
            var alarm = Alarm(env, name);
            ((int)alarm["Period"]!).ShouldBe(60, name);
            var dimensions = Dimensions(alarm);
            dimensions["FunctionName"].ShouldBe($"{{Ref:{function}}}", name);
            // Resource is function:alias for alias invocations; a different alias or none would be another metric.
            dimensions["Resource"].ShouldBe($"{{Ref:{function}}}:{IngestionFunction.LiveAliasName}", name);
            ShouldNotifyTheAlertTopic(alarm);
        }

        var api5xx = Alarm(env, "api-5xx-rate-per-minute");
        api5xx["Metrics"]!.AsArray().Where(m => m!["MetricStat"] is not null).ShouldAllBe(m => (int)m!["MetricStat"]!["Period"]! == 60);
        // The stage by its literal name: a reference to the Stage would make the alias wait for the stage, which waits
        // for the method, which waits for the alias's invoke permission, which waits for the alias (a cycle).
        foreach (var metric in api5xx["Metrics"]!.AsArray().Where(m => m!["MetricStat"] is not null))
        {
            Dimensions(metric!["MetricStat"]!["Metric"]!.AsObject())["Stage"].ShouldBe(suffix);
        }
    }

    [Fact]
    public void Only_CodeDeploys_predefined_shifts_are_accepted_and_the_error_says_which_exist()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => TrafficShift.Canary(20, 10)).Message.ShouldContain("10% for 5, 10, 15, 30 minutes");
        Should.Throw<ArgumentOutOfRangeException>(() => TrafficShift.Linear(10, 5)).Message.ShouldContain("10% every 1, 2, 3, 10 minutes");

        // Every shift the factories accept maps to a configuration the CDK knows by that very name.
        TrafficShift[] accepted =
        [
            TrafficShift.AllAtOnce,
            .. new[] { 5, 10, 15, 30 }.Select(m => TrafficShift.Canary(10, m)),
            .. new[] { 1, 2, 3, 10 }.Select(m => TrafficShift.Linear(10, m)),
        ];
        foreach (var shift in accepted)
        {
            IngestionRollout.DeploymentConfigOf(shift).DeploymentConfigName.ShouldBe(shift.ConfigName);
        }
    }
}
