using Amazon.CDK;
using Amazon.CDK.AWS.SQS;
using Constructs;
using Shouldly;
using TradingPlatform.Constructs;
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
    public void Our_scheme_is_the_cdks_for_every_resource_outside_a_component(string suffix)
    {
        // The port of the CDK's scheme must agree with the CDK wherever the CDK still allocates the id itself.
        var env = apps.For(suffix);
        var checkedIds = 0;
        foreach (var stack in env.Stacks.All)
        {
            foreach (var element in stack.Node.FindAll().OfType<CfnElement>())
            {
                var inside = element.Node.Scopes.SkipWhile(scope => scope != stack).Skip(1).ToList();
                if (inside.Any(scope => scope is PlatformComponent))
                {
                    continue;
                }

                LogicalIds.Make(inside.Select(scope => scope.Node.Id).ToList())
                    .ShouldBe(stack.GetLogicalId(element), element.Node.Path);
                checkedIds++;
            }
        }

        checkedIds.ShouldBeGreaterThan(50, "the comparison must cover real resources");
    }

    [Fact]
    public void Moving_a_resource_into_a_component_keeps_its_logical_id()
    {
        var before = LogicalIdOf(stack => new Queue(stack, "TradingQueue"));
        var after = LogicalIdOf(stack => new Queue(new Component(stack, "Messaging"), "TradingQueue"));

        after.ShouldBe(before);
    }

    [Theory]
    [InlineData("TradingQueue", "Queue")]
    [InlineData("Default", "Queue")]
    [InlineData("Trading-Queue_1", "Dead.Letter")]
    public void Our_scheme_is_the_cdks_for_nested_dashed_and_hidden_ids(string parent, string child)
    {
        // Cases the app may not have today: a child whose id ends its parent's, "Default", non-alphanumerics.
        var app = new App();
        var stack = new ProbeStack(app, "Probe");
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

    private static string LogicalIdOf(Func<Stack, Queue> create)
    {
        var app = new App();
        var stack = new ProbeStack(app, "Probe");
        var queue = create(stack);
        return stack.GetLogicalId((CfnElement)queue.Node.DefaultChild!);
    }

    private sealed class ProbeStack(Construct scope, string id) : LayerStack(scope, id, new StackProps());

    private sealed class Component(Construct scope, string id) : PlatformComponent(scope, id);
}
