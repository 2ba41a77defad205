using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shouldly;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Security;
using TradingPlatform.Tests.Rules;
using Xunit;

namespace TradingPlatform.Tests.Security;

/// <summary>
/// Machine-client identity (issue 12): a user pool without users, the trading-api resource server and its scope, the
/// token domain, and one client-credentials app client per configured trading client.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class MachineClientIdentityTests(SynthesizedApps apps)
{
    public static TheoryData<string> Presets() => new() { "dev", "pr-7", "staging", "prod" };

    private static JsonObject SecurityJson(SynthesizedEnvironment env) => env.JsonOf(env.Stacks.Security);

    private static (string LogicalId, JsonObject Resource) Single(SynthesizedEnvironment env, string type)
    {
        var found = SecurityJson(env).ResourcesOfType(type).ToList();
        found.Count.ShouldBe(1, $"one {type} in {env.Stacks.Security.StackName}");
        return found[0];
    }

    private static List<(string LogicalId, JsonObject Properties)> AppClients(SynthesizedEnvironment env) =>
        SecurityJson(env).ResourcesOfType("AWS::Cognito::UserPoolClient").Select(c => (c.LogicalId, c.Resource.Properties())).ToList();

    [Theory]
    [MemberData(nameof(Presets))]
    public void Pool_admits_no_users_only_machine_clients(string suffix)
    {
        // Rule: nobody signs up and nobody is created: the pool exists to issue client-credentials tokens. A pool that
        // allowed self sign-up would let anyone on the internet get an identity the API's authorizer trusts.
        var env = apps.For(suffix);
        var pool = Single(env, "AWS::Cognito::UserPool").Resource.Properties();
        ((bool?)pool["AdminCreateUserConfig"]?["AllowAdminCreateUserOnly"]).ShouldBe(true, "self sign-up must be off");
        pool["AccountRecoverySetting"]!.ToJsonString().ShouldContain("admin_only", customMessage: "no self-service recovery: there are no users to recover");
        ((string?)pool["MfaConfiguration"]).ShouldBe("ON", "a user created by hand by mistake would still need a second factor");
        foreach (var template in env.Json.Values)
        {
            template.ResourcesOfType("AWS::Cognito::UserPoolUser").ShouldBeEmpty("machine clients only: no user is ever deployed");
        }
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Pool_is_protected_wherever_the_environment_keeps_its_data(string suffix)
    {
        // Rule by environment kind (not by preset value): clients hold app client ids and secrets issued by this pool;
        // losing it in staging or prod locks every client out until each is re-registered. Dev-like stays disposable.
        var env = apps.For(suffix);
        var (id, pool) = Single(env, "AWS::Cognito::UserPool");
        if (env.Settings.Kind.IsDisposable())
        {
            ((string?)pool.Properties()["DeletionProtection"]).ShouldBe("INACTIVE", $"{id}: a dev-like stack must be deletable");
            ((string?)pool["DeletionPolicy"]).ShouldBe("Delete");
        }
        else
        {
            ((string?)pool.Properties()["DeletionProtection"]).ShouldBe("ACTIVE", $"{id}: deletion protection in {suffix}");
            ((string?)pool["DeletionPolicy"]).ShouldBe("Retain", $"{id}: kept when the stack goes");
            ((string?)pool["UpdateReplacePolicy"]).ShouldBe("Retain", $"{id}: kept when replaced");
        }
    }

    [Fact]
    public void Resource_server_offers_exactly_the_write_scope_the_authorizer_requires()
    {
        // The scope string is a contract between three places: the resource server, each app client's allowed scopes,
        // and the authorizer on POST /data. "trading-api/trades.write" is what tokens carry.
        var (_, server) = Single(apps.Prod, "AWS::Cognito::UserPoolResourceServer");
        var properties = server.Properties();
        ((string)properties["Identifier"]!).ShouldBe("trading-api");
        properties["Scopes"]!.AsArray().Select(s => (string)s!["ScopeName"]!).ShouldBe(["trades.write"]);
        MachineClientIdentity.WriteScope.ShouldBe("trading-api/trades.write");
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Token_domain_prefix_comes_from_suffix_and_account_and_is_one_cognito_accepts(string suffix)
    {
        // Domain prefixes are global per region: the account makes ours unique; Cognito refuses upper case, leading or
        // trailing hyphens, more than 63 characters and the words aws, amazon, cognito (the deploy would fail late).
        var env = apps.For(suffix);
        var domain = (string)Single(env, "AWS::Cognito::UserPoolDomain").Resource.Properties()["Domain"]!;
        domain.ShouldBe($"trading-{suffix}-{env.Settings.Account}");
        Regex.IsMatch(domain, "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$").ShouldBeTrue($"'{domain}' breaks Cognito's prefix rules");
        foreach (var reserved in new[] { "aws", "amazon", "cognito" })
        {
            domain.ShouldNotContain(reserved);
        }

        ((string)SecurityJson(env)["Outputs"]!["TokenEndpoint"]!["Value"]!.ToJsonString()).ShouldContain("/oauth2/token",
            customMessage: "docs/api.md tells clients to read the token endpoint from the stack outputs");
    }

    [Fact]
    public void Without_configured_clients_there_is_no_app_client()
    {
        // Default: nobody can get a token (POST /data still requires one). An app client nobody asked for would be a
        // credential nobody owns.
        AppClients(apps.Prod).ShouldBeEmpty();
        AppClients(apps.Dev).ShouldBeEmpty();
    }

    [Fact]
    public void Each_configured_client_gets_one_app_client_with_the_client_credentials_grant_only()
    {
        // Rule: a machine client can only obtain a token with its id and secret, only for trades.write, and the token
        // is short-lived. User flows (password, SRP, custom) or code/implicit grants would open paths for people.
        var env = apps.StagingWithOverrides;
        var clients = AppClients(env);
        clients.Select(c => (string)c.Properties["ClientName"]!)
            .ShouldBe(["trading-staging-desk-a", "trading-staging-risk-engine", "trading-staging-desk-b"], ignoreOrder: true);

        var resourceServer = Single(env, "AWS::Cognito::UserPoolResourceServer").LogicalId;
        foreach (var (id, client) in clients)
        {
            client["AllowedOAuthFlows"]!.AsArray().Select(f => (string)f!).ShouldBe(["client_credentials"], $"{id}: client credentials only");
            ((bool?)client["AllowedOAuthFlowsUserPoolClient"]).ShouldBe(true, $"{id}: OAuth must be on for the grant to work");
            ((bool?)client["GenerateSecret"]).ShouldBe(true, $"{id}: the client credentials grant needs a secret");
            client["AllowedOAuthScopes"]!.ToJsonString().ShouldBe(
                $"[{{\"Fn::Join\":[\"\",[{{\"Ref\":\"{resourceServer}\"}},\"/trades.write\"]]}}]", $"{id}: only trades.write");
            (client["ExplicitAuthFlows"]?.AsArray().Select(f => (string)f!) ?? [])
                .ShouldBe(["ALLOW_REFRESH_TOKEN_AUTH"], $"{id}: no user sign-in flow (unset would enable SRP and custom auth)");
            client.ContainsKey("CallbackURLs").ShouldBeFalse($"{id}: no browser redirect: no user ever signs in");
            ((string)client["TokenValidityUnits"]!["AccessToken"]!).ShouldBe("minutes");
            ((int)client["AccessTokenValidity"]!).ShouldBeLessThanOrEqualTo(60, $"{id}: a leaked token must expire within the hour");
            client["SupportedIdentityProviders"]!.AsArray().Select(p => (string)p!).ShouldBe(["COGNITO"]);
        }
    }

    [Fact]
    public void App_client_logical_ids_depend_on_the_client_name_only()
    {
        // A new logical id is a new app client: a new client id and secret. Derived from the name alone (not from the
        // position in tradingClients), reordering or inserting clients replaces none of them.
        var env = apps.StagingWithOverrides;
        var ids = AppClients(env).Select(c => c.LogicalId).ToList();
        foreach (var name in new[] { "desk-a", "risk-engine", "desk-b" })
        {
            ids.ShouldContain(LogicalIds.Make(["MachineClientPool", $"Client-{name}", "Resource"]));
        }

        ids.ShouldContain("MachineClientPoolClientdeska9C3241F1", "the id deployed for desk-a; a change replaces its app client");
    }

    [Fact]
    public void Platform_rules_hold_with_trading_clients_configured()
    {
        // The presets have no clients; tags, export contract, pins and protection must hold with them too.
        var view = PlatformView.Of(apps.StagingWithOverrides);
        var violations = PlatformRules.All.SelectMany(rule => rule.Violations(view).Select(v => $"{rule.Name}: {v}")).ToList();
        violations.ShouldBeEmpty(string.Join("\n", violations));
    }
}
