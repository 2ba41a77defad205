using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TradingPlatform.Config;

namespace TradingPlatform.Tests.Rules;

/// <summary>
/// The progressive-delivery rules' checks (issue 17), read from the Api template: what API Gateway invokes, how CodeDeploy
/// shifts the live alias, what rolls it back, and what the pre-traffic check may do. Each check resolves references
/// (Ref, Fn::GetAtt) to the resources they name, so a value that merely looks right but points elsewhere is a violation.
/// </summary>
public static partial class Rollout
{
    /// <summary>The AWS-managed service policies CodeDeploy documents for Lambda deployments.</summary>
    public static readonly string[] CodeDeployLambdaServicePolicies = ["AWSCodeDeployRoleForLambdaLimited", "AWSCodeDeployRoleForLambda"];

    /// <summary>A traffic shift read from a deployment group: the share of the first step and how long it lasts.</summary>
    public sealed record Shift(string Kind, int FirstStepPercent, int FirstStepMinutes);

    /// <summary>
    /// How a deployment group shifts traffic: a predefined CodeDeployDefault.Lambda* name, or a DeploymentConfig resource of
    /// the template (TimeBasedCanary / TimeBasedLinear / AllAtOnce). Null when it cannot be read.
    /// </summary>
    public static Shift? ShiftOf(PlatformView v, JsonObject group)
    {
        var name = group.Properties()["DeploymentConfigName"];
        if (name is JsonValue && (string?)name is { } literal)
        {
            var m = PredefinedConfig().Match(literal);
            if (!m.Success)
            {
                return null;
            }

            return m.Groups["all"].Success
                ? new Shift("AllAtOnce", 100, 0)
                : new Shift(m.Groups["canary"].Success ? "Canary" : "Linear", int.Parse(m.Groups["percent"].Value), int.Parse(m.Groups["minutes"].Value));
        }

        var config = v.Resources("AWS::CodeDeploy::DeploymentConfig").FirstOrDefault(c => v.RefersTo(name, c.LogicalId)).Resource;
        var routing = config?.Properties()["TrafficRoutingConfig"];
        return (string?)routing?["Type"] switch
        {
            "AllAtOnce" => new Shift("AllAtOnce", 100, 0),
            "TimeBasedCanary" => new Shift("Canary", (int)routing!["TimeBasedCanary"]!["CanaryPercentage"]!, (int)routing["TimeBasedCanary"]!["CanaryInterval"]!),
            "TimeBasedLinear" => new Shift("Linear", (int)routing!["TimeBasedLinear"]!["LinearPercentage"]!, (int)routing["TimeBasedLinear"]!["LinearInterval"]!),
            _ => null,
        };
    }

    [GeneratedRegex(@"^CodeDeployDefault\.Lambda(?:(?<all>AllAtOnce)|(?:(?<canary>Canary)|(?<linear>Linear))(?<percent>\d+)Percent(?:Every)?(?<minutes>\d+)Minutes?)$")]
    private static partial Regex PredefinedConfig();

    /// <summary>Every alias of the Api layer with the CodeDeploy deployment group its update policy names.</summary>
    public static IEnumerable<(string AliasId, JsonObject Alias, string? GroupId, JsonObject? Group)> ShiftedAliases(PlatformView v) =>
        from alias in v.Resources("AWS::Lambda::Alias")
        let update = alias.Resource["UpdatePolicy"]?["CodeDeployLambdaAliasUpdate"]
        let deployment = v.Resources("AWS::CodeDeploy::DeploymentGroup").FirstOrDefault(g => update is not null && v.RefersTo(update["DeploymentGroupName"], g.LogicalId))
        select (alias.LogicalId, alias.Resource, (string?)deployment.LogicalId, (JsonObject?)deployment.Resource);

    public static IEnumerable<string> ApiInvokesAliasesOnly(PlatformView v)
    {
        var aliases = v.Resources("AWS::Lambda::Alias").Select(a => a.LogicalId).ToList();
        var functions = v.Resources("AWS::Lambda::Function").Select(f => f.LogicalId).ToList();
        var lambdaMethods = v.Resources("AWS::ApiGateway::Method")
            .Where(m => (string?)m.Resource.Properties()["Integration"]?["Type"] is "AWS_PROXY" or "AWS")
            .ToList();
        if (lambdaMethods.Count == 0)
        {
            yield return "no API method integrates a function: the rule has nothing to check";
        }

        foreach (var (layer, id, method) in lambdaMethods)
        {
            var uri = method.Properties()["Integration"]!["Uri"];
            if (!aliases.Any(a => v.RefersTo(uri, a)))
            {
                yield return $"{v.StackName(layer)}/{id}: the integration invokes {uri?.ToJsonString()}, not an alias (an unqualified function ARN runs $LATEST)";
            }

            foreach (var f in functions.Where(f => v.RefersTo(uri, f)))
            {
                yield return $"{v.StackName(layer)}/{id}: the integration names function {f} directly";
            }
        }

        foreach (var (layer, id, permission) in v.Resources("AWS::Lambda::Permission")
                     .Where(p => ((string?)p.Resource.Properties()["Principal"])?.StartsWith("apigateway.", StringComparison.Ordinal) == true))
        {
            var target = permission.Properties()["FunctionName"];
            if (!aliases.Any(a => v.RefersTo(target, a)))
            {
                yield return $"{v.StackName(layer)}/{id}: lets API Gateway invoke {target?.ToJsonString()}, not an alias";
            }
        }
    }

    public static IEnumerable<string> EveryApiAliasIsShiftedWithRollback(PlatformView v)
    {
        var shifted = ShiftedAliases(v).ToList();
        if (shifted.Count == 0)
        {
            yield return "no alias is deployed by CodeDeploy: a new version would take all traffic at once, with no way back but a person";
        }

        foreach (var (aliasId, _, groupId, group) in shifted)
        {
            var where = $"{v.StackName(Layer.Api)}/{aliasId}";
            if (group is null)
            {
                yield return $"{where}: not deployed by CodeDeploy (no CodeDeployLambdaAliasUpdate naming a deployment group of the template)";
                continue;
            }

            var rollback = group.Properties()["AutoRollbackConfiguration"];
            var events = rollback?["Events"]?.AsArray().Select(e => (string?)e).ToHashSet() ?? [];
            if (rollback?["Enabled"] is not JsonValue enabled || !(bool)enabled)
            {
                yield return $"{where} ({groupId}): automatic rollback is off";
            }

            foreach (var required in new[] { "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM" }.Where(e => !events.Contains(e)))
            {
                yield return $"{where} ({groupId}): no rollback on {required}";
            }

            foreach (var problem in RollbackAlarmProblems(v, group))
            {
                yield return $"{where} ({groupId}): {problem}";
            }
        }
    }

    /// <summary>
    /// The group's alarms must be enabled, be alarms of the template that notify the alert topic, and cover the new
    /// version's errors, throttles and duration (through its ExecutedVersion) and the API's 5XX responses.
    /// </summary>
    private static IEnumerable<string> RollbackAlarmProblems(PlatformView v, JsonObject group)
    {
        var configuration = group.Properties()["AlarmConfiguration"];
        var names = configuration?["Alarms"]?.AsArray().Select(a => a?["Name"]).ToList() ?? [];
        if (configuration?["Enabled"] is not JsonValue enabled || !(bool)enabled || names.Count == 0)
        {
            yield return "no enabled rollback alarms: a bad version keeps its traffic until someone stops the deployment";
            yield break;
        }

        var alarms = v.Resources("AWS::CloudWatch::Alarm").ToList();
        // The Security layer's alert topic, through whatever import an alarm names it by.
        var alertTopics = v.Resources("AWS::SNS::Topic").Where(t => t.Layer == Layer.Security).Select(t => t.LogicalId).ToList();
        var watched = new HashSet<string>();
        foreach (var name in names)
        {
            var alarm = alarms.FirstOrDefault(a => v.RefersTo(name, a.LogicalId) || (string?)(name as JsonValue) == (string?)a.Resource.Properties()["AlarmName"]);
            if (alarm.Resource is null)
            {
                yield return $"rollback alarm {name?.ToJsonString()} is not an alarm of the Api layer";
                continue;
            }

            var properties = alarm.Resource.Properties();
            if (!(properties["AlarmActions"]?.AsArray() ?? []).Any(action => alertTopics.Any(topic => v.RefersTo(action, topic))))
            {
                yield return $"rollback alarm {alarm.LogicalId} notifies nobody: its actions do not include the alert topic";
            }

            foreach (var metric in MetricsOf(properties))
            {
                var dimensions = metric["Dimensions"]?.AsArray().ToDictionary(d => (string)d!["Name"]!, d => d!["Value"]) ?? [];
                var metricName = (string?)metric["MetricName"];
                if ((string?)metric["Namespace"] == "AWS/Lambda")
                {
                    var versions = v.Resources("AWS::Lambda::Version").Select(x => x.LogicalId);
                    if (!dimensions.TryGetValue("ExecutedVersion", out var executed) || !versions.Any(x => v.RefersTo(executed, x)))
                    {
                        yield return $"rollback alarm {alarm.LogicalId} watches {metricName} of the function as a whole, not the new version (ExecutedVersion)";
                        continue;
                    }

                    watched.Add($"AWS/Lambda {metricName}");
                }
                else if ((string?)metric["Namespace"] == "AWS/ApiGateway")
                {
                    watched.Add($"AWS/ApiGateway {metricName}");
                }
            }
        }

        foreach (var required in new[] { "AWS/Lambda Errors", "AWS/Lambda Throttles", "AWS/Lambda Duration", "AWS/ApiGateway 5XXError" }.Where(r => !watched.Contains(r)))
        {
            yield return $"no rollback alarm watches {required}";
        }
    }

    /// <summary>The metrics an alarm reads: its own, or those of its math expression.</summary>
    private static IEnumerable<JsonObject> MetricsOf(JsonObject alarm)
    {
        if (alarm["MetricName"] is not null)
        {
            yield return alarm;
        }

        foreach (var query in alarm["Metrics"]?.AsArray() ?? [])
        {
            if (query?["MetricStat"]?["Metric"] is JsonObject metric)
            {
                yield return metric;
            }
        }
    }

    public static IEnumerable<string> ProdShiftsGradually(PlatformView v)
    {
        foreach (var (aliasId, _, groupId, group) in ShiftedAliases(v).Where(s => s.Group is not null))
        {
            var shift = ShiftOf(v, group!);
            var where = $"{v.StackName(Layer.Api)}/{aliasId} ({groupId})";
            if (shift is null)
            {
                yield return $"{where}: the traffic shift {group!.Properties()["DeploymentConfigName"]?.ToJsonString()} cannot be read";
            }
            else if (shift.Kind == "AllAtOnce" || shift.FirstStepPercent > 10 || shift.FirstStepMinutes < 10)
            {
                yield return $"{where}: {shift.Kind} {shift.FirstStepPercent}% for {shift.FirstStepMinutes} min; prod must expose at most 10% of requests " +
                             "to a new version for at least 10 minutes first";
            }
        }
    }

    public static IEnumerable<string> PreTrafficCheckIsLeastPrivilege(PlatformView v)
    {
        foreach (var (aliasId, alias, groupId, group) in ShiftedAliases(v).Where(s => s.Group is not null))
        {
            var where = $"{v.StackName(Layer.Api)}/{aliasId}";
            var hookRef = alias["UpdatePolicy"]!["CodeDeployLambdaAliasUpdate"]!["BeforeAllowTrafficHook"];
            var hook = v.Resources("AWS::Lambda::Function").FirstOrDefault(f => v.RefersTo(hookRef, f.LogicalId));
            if (hook.Resource is null)
            {
                yield return $"{where}: no pre-traffic check (BeforeAllowTrafficHook) of the template runs before traffic shifts";
                continue;
            }

            var version = alias.Properties()["FunctionVersion"];
            var versionId = v.Resources("AWS::Lambda::Version").Select(x => x.LogicalId).FirstOrDefault(x => v.RefersTo(version, x));
            var role = hook.Resource.Properties()["Role"];
            var roleId = v.Resources("AWS::IAM::Role").Select(r => r.LogicalId).FirstOrDefault(r => v.RefersTo(role, r));
            if (roleId is null || versionId is null)
            {
                yield return $"{where}: the check's role or the alias's version is not a resource of the template";
                continue;
            }

            var managed = v.Resource(Layer.Api, roleId)!.Properties()["ManagedPolicyArns"]?.AsArray().Select(a => a!.ToJsonString()) ?? [];
            foreach (var arn in managed.Where(a => !a.Contains("service-role/AWSLambdaBasicExecutionRole", StringComparison.Ordinal)))
            {
                yield return $"{where}: the check {hook.LogicalId} has managed policy {arn} (only CloudWatch Logs writes are allowed)";
            }

            foreach (var statement in StatementsOf(v, roleId))
            {
                var actions = AsList(statement["Action"]).Select(a => (string?)a).ToList();
                var resources = AsList(statement["Resource"]);
                var allowed =
                    (actions.All(a => a is "xray:PutTraceSegments" or "xray:PutTelemetryRecords") && resources.All(r => (string?)(r as JsonValue) == "*"))
                    || (actions.SequenceEqual(["lambda:InvokeFunction"]) && resources.Count > 0 && resources.All(r => r is JsonObject o && o["Ref"] is JsonValue id && (string)id! == versionId))
                    || (actions.SequenceEqual(["codedeploy:PutLifecycleEventHookExecutionStatus"]) && resources.Count > 0 && resources.All(r => v.RefersTo(r, groupId!)));
                if ((string?)statement["Effect"] == "Allow" && !allowed)
                {
                    yield return $"{where}: the check {hook.LogicalId} may {string.Join(", ", actions)} on {string.Join(", ", resources.Select(r => r?.ToJsonString()))}; " +
                                 "it may only invoke the version under test and report to its deployment group";
                }
            }
        }
    }

    public static IEnumerable<string> ServiceRoleIsAwsManaged(PlatformView v)
    {
        foreach (var (groupId, group) in v.Resources("AWS::CodeDeploy::DeploymentGroup").Select(g => (g.LogicalId, g.Resource)))
        {
            var role = v.Resources("AWS::IAM::Role").FirstOrDefault(r => v.RefersTo(group.Properties()["ServiceRoleArn"], r.LogicalId));
            var where = $"{v.StackName(Layer.Api)}/{groupId}";
            if (role.Resource is null)
            {
                yield return $"{where}: its service role is not a role of the template";
                continue;
            }

            var principal = role.Resource.Properties()["AssumeRolePolicyDocument"]?["Statement"]?.AsArray().Select(s => s?["Principal"]?["Service"]?.ToJsonString()).ToList() ?? [];
            if (!principal.SequenceEqual(["\"codedeploy.amazonaws.com\""]))
            {
                yield return $"{where}: role {role.LogicalId} is assumed by {string.Join(", ", principal)}, expected only codedeploy.amazonaws.com";
            }

            var managed = role.Resource.Properties()["ManagedPolicyArns"]?.AsArray().Select(a => a!.ToJsonString()).ToList() ?? [];
            if (managed.Count != 1 || !CodeDeployLambdaServicePolicies.Any(p => managed[0].Contains($"service-role/{p}\"", StringComparison.Ordinal)))
            {
                yield return $"{where}: role {role.LogicalId} has managed policies [{string.Join(", ", managed)}], expected exactly one of CodeDeploy's for Lambda";
            }

            // Beyond the managed policy: only invoking the hooks the alias names (the managed policy allows CodeDeployHook_* only).
            var hooks = ShiftedAliases(v).Where(s => s.GroupId == groupId)
                .Select(s => s.Alias["UpdatePolicy"]!["CodeDeployLambdaAliasUpdate"]!["BeforeAllowTrafficHook"]).ToList();
            foreach (var statement in StatementsOf(v, role.LogicalId))
            {
                var actions = AsList(statement["Action"]).Select(a => (string?)a).ToList();
                var resources = AsList(statement["Resource"]);
                var hookIds = v.Resources("AWS::Lambda::Function").Select(f => f.LogicalId).Where(f => hooks.Any(h => v.RefersTo(h, f))).ToList();
                if (!actions.SequenceEqual(["lambda:InvokeFunction"]) || !resources.All(r => hookIds.Any(h => v.RefersTo(r, h))))
                {
                    yield return $"{where}: role {role.LogicalId} may {string.Join(", ", actions)} on {string.Join(", ", resources.Select(r => r?.ToJsonString()))}, beyond invoking its hooks";
                }
            }
        }
    }

    /// <summary>Every statement of the inline policies (AWS::IAM::Policy) attached to the role.</summary>
    private static IEnumerable<JsonObject> StatementsOf(PlatformView v, string roleId) =>
        v.Resources("AWS::IAM::Policy")
            .Where(p => p.Resource.Properties()["Roles"]?.AsArray().Any(r => v.RefersTo(r, roleId)) == true)
            .SelectMany(p => p.Resource.Properties()["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject()));

    private static List<JsonNode?> AsList(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.ToList(),
        _ => [node],
    };
}
