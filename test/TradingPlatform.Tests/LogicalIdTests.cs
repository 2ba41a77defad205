using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.AWS.SQS;
using Constructs;
using Shouldly;
using TradingPlatform.Constructs.Core;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>
/// Components are transparent to logical ids: a resource keeps the id it had at stack level when it moves into a
/// component, so restructuring the code never makes CloudFormation replace (delete) anything.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class LogicalIdTests(SynthesizedApps apps)
{
    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_element_has_the_id_the_cdk_gives_it_once_components_are_left_out(string suffix)
    {
        // The manifest records every element's path and logical id (resources, outputs, conditions...), and each stack
        // lists its components. Rebuild each path, without its components, in a plain CDK stack, and ask the CDK for
        // the id: the ids in our templates must be exactly the CDK's own for those paths.
        var env = apps.For(suffix);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(env.Directory, "manifest.json")))!["artifacts"]!;
        var compared = 0;
        foreach (var stack in env.Stacks.All)
        {
            stack.Components.ShouldNotBeEmpty($"{stack.StackName} lists its components in the manifest");
            var componentPaths = stack.Components.ToHashSet();
            var probe = new Stack(new App(), "Probe");
            var built = new Dictionary<string, Construct>();
            var elements = manifest[stack.StackName]!["metadata"]!.AsObject()
                .SelectMany(m => m.Value!.AsArray()
                    .Where(e => (string?)e!["type"] == "aws:cdk:logicalId")
                    .Select(e => (Path: m.Key.TrimStart('/'), LogicalId: (string)e!["data"]!)));
            foreach (var (path, logicalId) in elements)
            {
                var segments = new List<string>();
                var prefix = stack.StackName;
                foreach (var segment in path[(stack.StackName.Length + 1)..].Split('/'))
                {
                    prefix += "/" + segment;
                    if (!componentPaths.Contains(prefix))
                    {
                        segments.Add(segment);
                    }
                }

                Construct parent = probe;
                for (var i = 0; i < segments.Count - 1; i++)
                {
                    var key = string.Join("/", segments.Take(i + 1));
                    parent = built.TryGetValue(key, out var existing) ? existing : built[key] = new Construct(parent, segments[i]);
                }

                var leaf = new CfnResource(parent, segments[^1], new CfnResourceProps { Type = "Probe::Resource" });
                built[string.Join("/", segments)] = leaf;
                var schemeId = probe.GetLogicalId(leaf);
                var type = (string?)env.JsonOf(stack)["Resources"]?[logicalId]?["Type"];
                if (type == "AWS::Lambda::Version")
                {
                    // Function.currentVersion: our id plus a hash of the function's code and configuration, so that a
                    // change to either publishes a new version for CodeDeploy to shift the live alias to.
                    logicalId.ShouldMatch($"^{schemeId}[0-9a-f]{{32}}$", $"{path}: the version's id must be ours plus the function's hash");
                }
                else if (type == "AWS::ApiGateway::Deployment")
                {
                    // The CDK names an API deployment after our id plus a hash of the API, so that any change to the
                    // API creates a new deployment (without it, the stage would keep serving the old API).
                    logicalId.ShouldMatch($"^{schemeId}[0-9a-f]{{32}}$", $"{path}: the deployment's id must be ours plus the API's hash");
                }
                else
                {
                    logicalId.ShouldBe(schemeId, path);
                }

                compared++;
            }
        }

        compared.ShouldBeGreaterThan(100, "the comparison must cover the real resources");
    }

    [Fact]
    public void Registered_clients_keep_the_ids_their_keys_and_app_clients_were_created_with()
    {
        // What three registered clients hold, as deployed: their API keys, risk-engine's own usage plan, each key's
        // association with its plan, and their app clients. The rule ("ids derived from the client's name") checks the
        // shape on every environment; these literal ids also catch a change of the hash (a moved or renamed construct)
        // and prove the ids do not follow the list's order (risk-engine is second, desk-b third).
        var view = Rules.PlatformView.Of(apps.StagingWithOverrides);
        string[] pinned =
        [
            "TradingApiClientApiKeydeskaA5A43405", "TradingApiClientApiKeyriskengine23DE7145", "TradingApiClientApiKeydeskb28AA0D4E",
            "TradingApiClientUsagePlanriskengineC4971449",
            "TradingApiUsagePlanUsagePlanKeyResourceTradingPlatformstagingApiTradingApiClientApiKeydeskaC87D4F8F15C77334",
            "TradingApiUsagePlanUsagePlanKeyResourceTradingPlatformstagingApiTradingApiClientApiKeydeskbE161F84F7CC2EB59",
            "TradingApiClientUsagePlanriskengineUsagePlanKeyResourceTradingPlatformstagingApiTradingApiClientApiKeyriskengine46A627B77422DF03",
        ];
        foreach (var id in pinned)
        {
            view.Resource(Rules.Layer.Api, id).ShouldNotBeNull($"{id}: a client holds it (or is throttled by it); a new id issues a new key or drops the association");
        }

        foreach (var id in new[] { "MachineClientPoolClientdeska9C3241F1", "MachineClientPoolClientriskengineB55FE64A", "MachineClientPoolClientdeskb3EB853FD" })
        {
            view.Resource(Rules.Layer.Security, id).ShouldNotBeNull($"{id}: a new id is a new client_id and secret");
        }
    }

    [Theory]
    [InlineData("TradingQueue", "Queue")]
    [InlineData("Default", "Queue")]
    [InlineData("Trading-Queue_1", "Dead.Letter")]
    public void Our_scheme_is_the_cdks_for_nested_dashed_and_hidden_ids(string parent, string child)
    {
        // Cases the app may not have today: a child whose id ends its parent's, "Default", non-alphanumerics.
        var stack = new Stack(new App(), "Probe");
        var queue = new Queue(new Construct(stack, parent), child);

        LogicalIds.Make([parent, child, "Resource"]).ShouldBe(stack.GetLogicalId((CfnElement)queue.Node.DefaultChild!));
    }

    [Fact]
    public void Two_resources_that_would_share_an_id_are_refused()
    {
        // Without components in the path, "A/Queue" and "B/Queue" would collide: refuse rather than merge them.
        var app = new App();
        var stack = new ProbeStack(app, "Probe");
        new Queue(new Component(stack, "A"), "Queue");
        new Queue(new Component(stack, "B"), "Queue");

        Should.Throw<Exception>(() => app.Synth()).Message.ShouldContain("would both get the logical id");
    }

    private sealed class ProbeStack(Construct scope, string id) : LayerStack(scope, id, new StackProps());

    private sealed class Component(Construct scope, string id) : PlatformComponent(scope, id);
}
