using System.Text.Json.Nodes;
using Shouldly;
using Xunit;
using static TradingPlatform.Tests.Api.AlarmTemplate;

namespace TradingPlatform.Tests.Api;

/// <summary>
/// The ingestion function authorizes every caller against the client registry (the api-keys table): it is told the
/// table's name and may read one item at a time from that table, and nothing else in DynamoDB, the sessions table
/// above all (issue 12).
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class ClientRegistryAccessTests(SynthesizedApps apps)
{
    private const string ApiKeysTableId = "ApiKeysTable9F4DC7E7";
    private const string SessionsTableId = "SessionsTable7C302024";

    private SynthesizedEnvironment Env(string suffix) => suffix == "prod" ? apps.Prod : apps.Dev;

    private static JsonObject Function(SynthesizedEnvironment env) =>
        ApiJson(env).ResourcesOfType("AWS::Lambda::Function")
            .Single(f => f.LogicalId.StartsWith("DataProcessingFunction")).Resource.Properties();

    /// <summary>Every statement of every policy attached to the function's role.</summary>
    private static List<JsonObject> RoleStatements(SynthesizedEnvironment env)
    {
        var roleId = (string)Function(env)["Role"]!["Fn::GetAtt"]![0]!;
        var policies = ApiJson(env).ResourcesOfType("AWS::IAM::Policy")
            .Select(p => p.Resource.Properties())
            .Where(p => p["Roles"]!.AsArray().Any(r => (string?)r!["Ref"] == roleId))
            .ToList();
        policies.ShouldNotBeEmpty();
        return policies.SelectMany(p => p["PolicyDocument"]!["Statement"]!.AsArray()).Select(s => s!.AsObject()).ToList();
    }

    private static List<string> Actions(JsonObject statement) => statement["Action"] switch
    {
        JsonArray many => many.Select(a => (string)a!).ToList(),
        var one => [(string)one!],
    };

    /// <summary>The statement's resources, each import resolved to the producing stack's output value (as text).</summary>
    private static List<string> Resources(SynthesizedEnvironment env, JsonObject statement) =>
        (statement["Resource"] is JsonArray many ? many.Select(r => r!) : [statement["Resource"]!])
            .Where(r => r.ToJsonString() != "{\"Ref\":\"AWS::NoValue\"}") // the index ARNs of a table without indexes
            .Select(r => Resolve(env, r))
            .ToList();

    /// <summary>An Fn::ImportValue as the value its exporter outputs; anything else as it is.</summary>
    private static string Resolve(SynthesizedEnvironment env, JsonNode value)
    {
        if (value is JsonObject o && o["Fn::ImportValue"] is JsonValue import)
        {
            var name = (string)import!;
            var outputs = env.Stacks.All.Select(env.JsonOf)
                .SelectMany(t => t["Outputs"]?.AsObject() ?? [])
                .Where(kv => (string?)kv.Value!["Export"]?["Name"] == name)
                .ToList();
            outputs.Count.ShouldBe(1, $"one export named {name}");
            return outputs[0].Value!["Value"]!.ToJsonString();
        }

        return value.ToJsonString();
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_function_is_told_the_api_keys_table_name(string suffix)
    {
        var env = Env(suffix);
        var variable = Function(env)["Environment"]!["Variables"]!["API_KEYS_TABLE"];
        variable.ShouldNotBeNull("without API_KEYS_TABLE the function refuses to start");
        Resolve(env, variable).ShouldBe($"{{\"Ref\":\"{ApiKeysTableId}\"}}", "the api-keys table, by reference (its name), not a string");
        ((string)env.JsonOf(env.Stacks.Data)["Resources"]![ApiKeysTableId]!["Properties"]!["TableName"]!).ShouldBe($"api-keys-{suffix}");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_role_allows_exactly_GetItem_on_exactly_the_api_keys_table(string suffix)
    {
        var env = Env(suffix);
        var dynamo = RoleStatements(env).Where(s => Actions(s).Any(a => a.StartsWith("dynamodb:", StringComparison.OrdinalIgnoreCase) || a == "*")).ToList();

        dynamo.Count.ShouldBe(1, "one DynamoDB statement");
        ((string)dynamo[0]["Effect"]!).ShouldBe("Allow");
        Actions(dynamo[0]).ShouldBe(["dynamodb:GetItem"], "one item per caller: no Query, Scan, BatchGetItem or writes");
        Resources(env, dynamo[0]).ShouldBe([$"{{\"Fn::GetAtt\":[\"{ApiKeysTableId}\",\"Arn\"]}}"], "the api-keys table and nothing else");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_role_has_no_access_to_the_sessions_table(string suffix)
    {
        // The sessions table holds user sessions of the analytics front end; a trade feed has no business there.
        var env = Env(suffix);
        foreach (var statement in RoleStatements(env))
        {
            Resources(env, statement).ShouldAllBe(r => !r.Contains(SessionsTableId) && !r.Contains("user-sessions"),
                $"no statement of the function's role may name the sessions table: {statement.ToJsonString()}");
        }

        Function(env)["Environment"]!["Variables"]!.ToJsonString().ShouldNotContain("Sessions");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void The_registry_key_may_only_decrypt_and_only_through_DynamoDB(string suffix)
    {
        // GetItem on a table encrypted with a customer managed key needs kms:Decrypt on that key; the database key
        // also protects Aurora and the sessions table, so the grant is limited to DynamoDB's use of it.
        var env = Env(suffix);
        var tableKey = env.JsonOf(env.Stacks.Data)["Resources"]![ApiKeysTableId]!["Properties"]!["SSESpecification"]!["KMSMasterKeyId"]!;
        var keyArn = Resolve(env, tableKey);
        var statements = RoleStatements(env).Where(s => Resources(env, s).Contains(keyArn)).ToList();

        statements.Count.ShouldBe(1, $"one statement on the registry's key {keyArn}");
        Actions(statements[0]).ShouldBe(["kms:Decrypt"]);
        statements[0]["Condition"]!["StringEquals"]!["kms:ViaService"]!.ToJsonString().ShouldContain("dynamodb.");
    }
}
