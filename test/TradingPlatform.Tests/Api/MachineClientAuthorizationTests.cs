using System.Text.Json.Nodes;
using Shouldly;
using Xunit;
using static TradingPlatform.Tests.Api.AlarmTemplate;

namespace TradingPlatform.Tests.Api;

/// <summary>
/// POST /data needs both an access token with trading-api/trades.write from the machine-client pool and an API key;
/// each configured client has its own key in a usage plan (the shared one, or its own when it has limits).
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class MachineClientAuthorizationTests(SynthesizedApps apps)
{
    private const string SharedKey = "TradingApiApiKey7F359AC8";
    private const string SharedPlan = "TradingApiUsagePlanA35CE22E";

    private SynthesizedEnvironment Env(string suffix) => suffix == "staging+clients" ? apps.StagingWithOverrides : apps.For(suffix);

    private static JsonObject PostData(SynthesizedEnvironment env) =>
        ApiJson(env).ResourcesOfType("AWS::ApiGateway::Method")
            .Single(m => (string?)m.Resource.Properties()["HttpMethod"] == "POST").Resource;

    private static string? Ref(JsonNode? node) => (string?)node?["Ref"];

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    [InlineData("staging+clients")]
    public void Post_data_requires_a_token_with_the_write_scope_and_an_api_key(string suffix)
    {
        // Both, not either: the token proves which client (client_id, short-lived, revocable in Cognito), the key meters
        // and throttles it under its usage plan, and the function matches the two in the api-keys table. Without the
        // scope, any token of the pool would do; without ApiKeyRequired, the usage plan would throttle nobody.
        var env = Env(suffix);
        var method = PostData(env).Properties();
        ((string)method["AuthorizationType"]!).ShouldBe("COGNITO_USER_POOLS");
        method["AuthorizationScopes"]!.AsArray().Select(s => (string)s!).ShouldBe(["trading-api/trades.write"]);
        ((bool)method["ApiKeyRequired"]!).ShouldBeTrue("the API key stays required alongside the token");

        var (authorizerId, authorizer) = ApiJson(env).ResourcesOfType("AWS::ApiGateway::Authorizer").Single();
        Ref(method["AuthorizerId"]).ShouldBe(authorizerId);
        var properties = authorizer.Properties();
        ((string)properties["Type"]!).ShouldBe("COGNITO_USER_POOLS");
        ((string)properties["IdentitySource"]!).ShouldBe("method.request.header.Authorization");
        // The pool of this environment's Security layer, and only it: a token of any other pool must be refused.
        properties["ProviderARNs"]!.ToJsonString().ShouldBe(
            $"[{{\"Fn::ImportValue\":\"TradingPlatform-{env.Settings.Suffix}-Security:ExportsOutputFnGetAttMachineClientPool31C4DAE7Arn83BD7949\"}}]");
    }

    [Fact]
    public void Post_data_no_longer_excuses_the_missing_authorizer()
    {
        // The suppressions of AwsSolutions-APIG4 and -COG4 said "no authorizer"; now one exists. Kept, they would hide
        // a future regression (the authorizer removed) from the compliance gate.
        var metadata = PostData(apps.Prod)["Metadata"]?.ToJsonString() ?? "";
        metadata.ShouldNotContain("AwsSolutions-APIG4");
        metadata.ShouldNotContain("AwsSolutions-COG4");
    }

    /// <summary>API key logical id -> its name, and usage plan logical id -> the keys associated with it.</summary>
    private static (Dictionary<string, string> KeyNames, ILookup<string, string> KeysByPlan) Keys(SynthesizedEnvironment env)
    {
        var json = ApiJson(env);
        var names = json.ResourcesOfType("AWS::ApiGateway::ApiKey").ToDictionary(k => k.LogicalId, k => (string)k.Resource.Properties()["Name"]!);
        var byPlan = json.ResourcesOfType("AWS::ApiGateway::UsagePlanKey")
            .Select(a => a.Resource.Properties())
            .ToLookup(a => Ref(a["UsagePlanId"])!, a => Ref(a["KeyId"])!);
        return (names, byPlan);
    }

    [Fact]
    public void Each_client_has_its_own_api_key_in_exactly_one_usage_plan_on_the_stage()
    {
        // A client's key is its identity at the API Gateway level (metering, throttling, revocation by key). API Gateway
        // refuses a key in two usage plans of the same stage, and a key in no plan is refused on every request.
        var env = apps.StagingWithOverrides;
        var (names, byPlan) = Keys(env);
        names.Values.ShouldBe(
            ["trading-api-key-staging", "trading-api-key-staging-desk-a", "trading-api-key-staging-risk-engine", "trading-api-key-staging-desk-b"],
            ignoreOrder: true);

        var associations = byPlan.SelectMany(plan => plan).ToList();
        associations.ShouldBe(names.Keys, ignoreOrder: true, "every key, each in exactly one plan");

        var plans = ApiJson(env).ResourcesOfType("AWS::ApiGateway::UsagePlan").ToDictionary(p => p.LogicalId, p => p.Resource.Properties());
        var stage = ApiJson(env).ResourcesOfType("AWS::ApiGateway::Stage").Single().LogicalId;
        foreach (var (planId, plan) in plans)
        {
            plan["ApiStages"]!.AsArray().Select(s => Ref(s!["Stage"])).ShouldBe([stage], $"{planId} must cover the stage clients call");
        }
    }

    [Fact]
    public void Clients_without_limits_share_the_seed_plan_of_1000_rps_and_2000_burst()
    {
        // Usage-plan throttling applies per key: each client on the shared plan gets 1000 rps / 2000 burst of its own.
        // The seed's shared key stays in that plan until clients have moved to their own keys (the function refuses it).
        var env = apps.StagingWithOverrides;
        var (names, byPlan) = Keys(env);
        var plan = ApiJson(env)["Resources"]![SharedPlan]!.AsObject().Properties();
        ((int)plan["Throttle"]!["RateLimit"]!).ShouldBe(1000);
        ((int)plan["Throttle"]!["BurstLimit"]!).ShouldBe(2000);
        byPlan[SharedPlan].Select(k => names[k]).ShouldBe(
            ["trading-api-key-staging", "trading-api-key-staging-desk-a", "trading-api-key-staging-desk-b"], ignoreOrder: true);
        byPlan[SharedPlan].ShouldContain(SharedKey);
    }

    [Fact]
    public void A_client_with_limits_is_throttled_by_a_usage_plan_of_its_own()
    {
        // risk-engine is configured with 200 rps / 400 burst: its key must be in a plan with exactly those limits, and
        // only its key (another client in that plan would silently get risk-engine's limits).
        var env = apps.StagingWithOverrides;
        var (names, byPlan) = Keys(env);
        var own = ApiJson(env).ResourcesOfType("AWS::ApiGateway::UsagePlan")
            .Single(p => (string?)p.Resource.Properties()["UsagePlanName"] == "trading-usage-plan-staging-risk-engine");
        var throttle = own.Resource.Properties()["Throttle"]!;
        ((int)throttle["RateLimit"]!).ShouldBe(200);
        ((int)throttle["BurstLimit"]!).ShouldBe(400);
        byPlan[own.LogicalId].Select(k => names[k]).ShouldBe(["trading-api-key-staging-risk-engine"]);
    }

    [Fact]
    public void Without_configured_clients_only_the_shared_key_and_plan_exist()
    {
        // The default changes nothing for API keys: the pinned shared key, plan and association of the seed.
        var (names, byPlan) = Keys(apps.Prod);
        names.Keys.ShouldBe([SharedKey]);
        byPlan.Select(p => p.Key).ShouldBe([SharedPlan]);
    }
}
