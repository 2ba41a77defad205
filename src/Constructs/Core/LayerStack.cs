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
public abstract partial class LayerStack : Stack
{
    // Two resources may not end up with one id once components are skipped: refuse instead of merging them.
    private readonly Dictionary<string, string> pathByLogicalId = new();
    // Paths of the components in this stack, and ids already allocated. jsii hands .NET the same proxy object for the
    // same JavaScript object, so an id is computed once per element from its path (two crossings into JavaScript).
    private readonly HashSet<string> componentPaths = [];
    private readonly Dictionary<CfnElement, string> logicalIdByElement = new(ReferenceEqualityComparer.Instance);
    private readonly string pathPrefix;

    // The number of path segments the stage adds in front of the stack's id (0 in a hand deploy's app).
    private readonly int stageDepth;

    protected LayerStack(Construct scope, string id, IStackProps props) : base(scope, id, props)
    {
        pathPrefix = Node.Path + "/";
        StagePrefix = Node.Path[..^Node.Id.Length];
        stageDepth = StagePrefix.Length == 0 ? 0 : StagePrefix.TrimEnd('/').Split('/').Length;
    }

    /// <summary>In a stage of the delivery pipeline, the stage's path ("prod/"); empty in a hand deploy's app.</summary>
    public string StagePrefix { get; }

    /// <summary>
    /// A construct path as the hand deploy's app has it: without the stage's prefix, and with every construct id that
    /// embeds an ancestor's unique id (API Gateway names a method's invoke permission after its API's) embedding the
    /// unique id the ancestor has there. Identity outside a stage.
    /// </summary>
    public string StandalonePath(string path)
    {
        if (StagePrefix.Length == 0 || !path.StartsWith(StagePrefix, StringComparison.Ordinal))
        {
            return path;
        }

        return string.Join("/", StandaloneSegments(path.Split('/')));
    }

    // The segments of a full path (stage first) without the stage, each rewritten as above.
    private List<string> StandaloneSegments(string[] full)
    {
        var result = new List<string>(full.Length - stageDepth);
        for (var i = stageDepth; i < full.Length; i++)
        {
            var segment = full[i];
            // A unique id is a run of letters and digits; in a stage it starts with the stage's id.
            foreach (var run in UniqueIdCandidate().Matches(segment).Select(m => m.Value).Distinct().ToList())
            {
                if (StandaloneUniqueIds().TryGetValue(run, out var standalone))
                {
                    segment = segment.Replace(run, standalone, StringComparison.Ordinal);
                }
            }

            result.Add(segment);
        }

        return result;
    }

    // Unique id (Names.nodeUniqueId) in the stage -> the same construct's unique id in a hand deploy's app, for every
    // construct of the stack; made once, when the first id is asked for (the stack is built by then).
    private Dictionary<string, string>? standaloneUniqueIds;

    private Dictionary<string, string> StandaloneUniqueIds()
    {
        if (standaloneUniqueIds is null)
        {
            standaloneUniqueIds = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var construct in Node.FindAll())
            {
                var components = construct.Node.Path.Split('/');
                standaloneUniqueIds[LogicalIds.Make(components)] = LogicalIds.Make(components[stageDepth..]);
                // Also as a component names another construct after its path without components (TradingRestApi does).
                var prefix = "";
                var withoutComponents = new List<string>(components.Length);
                foreach (var component in components)
                {
                    prefix = prefix.Length == 0 ? component : prefix + "/" + component;
                    if (!componentPaths.Contains(prefix))
                    {
                        withoutComponents.Add(component);
                    }
                }

                standaloneUniqueIds.TryAdd(LogicalIds.Make(withoutComponents), LogicalIds.Make(withoutComponents.Skip(stageDepth).ToList()));
            }
        }

        return standaloneUniqueIds;
    }

    [System.Text.RegularExpressions.GeneratedRegex("[A-Za-z0-9]{9,}")]
    private static partial System.Text.RegularExpressions.Regex UniqueIdCandidate();

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
        if (StagePrefix.Length > 0)
        {
            // Ids asked for while the stack was being built knew only the constructs of that moment: ask again.
            standaloneUniqueIds = null;
            logicalIdByElement.Clear();
            pathByLogicalId.Clear();
        }

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
        // In a stage, the ids the hand deploy's app gives the same constructs (see StandalonePath).
        var standalone = StagePrefix.Length == 0 ? segments : StandaloneSegments(path.Split('/')).Skip(1).ToArray();
        var kept = new List<string>(segments.Length);
        var prefix = Node.Path;
        for (var i = 0; i < segments.Length; i++)
        {
            prefix += "/" + segments[i];
            if (!componentPaths.Contains(prefix))
            {
                kept.Add(standalone[i]);
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
