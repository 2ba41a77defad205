using Amazon.CDK;
using Constructs;
using TradingPlatform.Diagnostics;

namespace TradingPlatform.Constructs.Core;

/// <summary>
/// Base of the four layer stacks. Its one job: logical ids are computed as if no <see cref="PlatformComponent"/>
/// were in the construct path, i.e. exactly the ids the resources had when the stacks created them directly.
/// A changed logical id is a new resource to CloudFormation (the old one is deleted), so this keeps every
/// deployed resource, stateful or not, through the restructuring into components, in one visible place.
/// Stack.allocateLogicalId is the CDK's documented hook for a custom naming scheme; the scheme is the CDK's own
/// (makeUniqueId) applied to the path without components. LogicalIdTests checks it against the CDK's scheme.
/// </summary>
public abstract class LayerStack : Stack
{
    // Two resources may not end up with one id once components are skipped: refuse instead of merging them.
    private readonly Dictionary<string, string> pathByLogicalId = new();
    // Paths of the components in this stack, and ids already allocated. jsii hands .NET the same proxy object for the
    // same JavaScript object, so an id is computed once per element from its path (two crossings into JavaScript).
    private readonly HashSet<string> componentPaths = [];
    private readonly Dictionary<CfnElement, string> logicalIdByElement = new(ReferenceEqualityComparer.Instance);
    private readonly string pathPrefix;

    protected LayerStack(Construct scope, string id, IStackProps props) : base(scope, id, props)
    {
        pathPrefix = Node.Path + "/";
    }

    /// <summary>Type of the manifest metadata entry that lists the paths of the stack's components.</summary>
    public const string ComponentsMetadataType = "tradingplatform:components";

    internal void RegisterComponent(string path) => componentPaths.Add(path);

    /// <summary>
    /// Writes each element's id into the element, once the stack's constructs are built. The CDK asks the stack for an
    /// element's id every time it resolves a reference to it (about seven times per element here), and each question
    /// is a callback from JavaScript into .NET; a written id is answered in JavaScript. Elements whose L2 already
    /// derives its own id from ours (an API deployment's id carries a hash of the API) or that a component names
    /// explicitly are left as they are; elements the CDK adds while synthesizing still reach <see cref="AllocateLogicalId"/>.
    /// </summary>
    public void WriteLogicalIds()
    {
        using var _ = SynthProfile.Measure("LayerStack.WriteLogicalIds (calls into JavaScript)");
        // The manifest (not the templates) records which constructs are components, next to each element's path and
        // id, so that the scheme can be checked on any synthesized assembly (LogicalIdTests).
        Node.AddMetadata(ComponentsMetadataType, componentPaths.Order(StringComparer.Ordinal).ToArray());
        foreach (var construct in Node.FindAll())
        {
            if (construct is not CfnElement element)
            {
                continue;
            }

            var logicalId = LogicalIdOf(element);
            if ((string)Resolve(element.LogicalId) == logicalId)
            {
                element.OverrideLogicalId(logicalId);
            }
        }
    }

    protected override string AllocateLogicalId(CfnElement cfnElement)
    {
        using var _ = SynthProfile.Callback("Stack.allocateLogicalId");
        return LogicalIdOf(cfnElement);
    }

    private string LogicalIdOf(CfnElement element)
    {
        if (logicalIdByElement.TryGetValue(element, out var known))
        {
            return known;
        }

        // The path's ids below the stack, leaving out every component (e.g. "Keys" in Keys/DbEncryptionKey/Resource).
        var path = element.Node.Path;
        var segments = path[pathPrefix.Length..].Split('/');
        var kept = new List<string>(segments.Length);
        var prefix = Node.Path;
        foreach (var segment in segments)
        {
            prefix += "/" + segment;
            if (!componentPaths.Contains(prefix))
            {
                kept.Add(segment);
            }
        }

        var logicalId = LogicalIds.Make(kept);
        if (pathByLogicalId.TryGetValue(logicalId, out var other) && other != path)
        {
            throw new InvalidOperationException(
                $"'{path}' and '{other}' would both get the logical id {logicalId} in {StackName}: components are " +
                "transparent to logical ids, so give one of them another construct id");
        }

        pathByLogicalId[logicalId] = path;
        logicalIdByElement[element] = logicalId;
        return logicalId;
    }
}
