using Amazon.CDK;
using Amazon.JSII.Runtime.Deputy;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Stacks;

/// <summary>
/// One environment as a stage of the delivery pipeline: the stacks <see cref="TradingPlatformApp.Build"/> makes for a
/// hand deploy, built by the same code from the same settings, so that an environment deployed by hand is adopted
/// with no replacement. Two things would tell the stage's templates from the hand deploy's, and both are undone here:
/// the stack names (the stack's id, set in Build) and the construct paths CloudFormation metadata records
/// (aws:cdk:path), which in a stage start with the stage's id. DeliveryTests compares every template with the
/// standalone synth of the same environment.
/// </summary>
public sealed class EnvironmentStage : Stage
{
    public TradingPlatformStacks Stacks { get; }

    public EnvironmentSettings Settings { get; }

    public EnvironmentStage(Construct scope, EnvironmentSettings settings) : base(scope, settings.Suffix, new StageProps())
    {
        Settings = settings;
        Stacks = TradingPlatformApp.Build(this, settings);
        foreach (var stack in Stacks.All)
        {
            // After prepare (so also on the CDKMetadata resource the CDK adds while synthesizing) and before the templates
            // are written: a validation is the CDK's last hook there. It reports nothing.
            stack.Node.AddValidation(new StandalonePaths((LayerStack)stack));
        }
    }

    /// <summary>
    /// What a resource records of where it was built, written as the hand deploy's app records it: its aws:cdk:path,
    /// a tag whose value is a construct path (the VPC names its subnets after their paths), and aws:asset:path (the
    /// stage's assets are staged once beside the stage's assembly, so its path starts with "../").
    /// </summary>
    private sealed class StandalonePaths(LayerStack stack) : DeputyBase, IValidation
    {
        private const string PathMetadataKey = "aws:cdk:path";
        private const string AssetPathMetadataKey = "aws:asset:path";
        private const int AfterEveryTag = 10_000;

        public string[] Validate()
        {
            var stagePrefix = stack.StagePrefix;
            foreach (var construct in stack.Node.FindAll())
            {
                if (construct is not CfnResource resource)
                {
                    continue;
                }

                if (resource.GetMetadata(PathMetadataKey) is string path && path.StartsWith(stagePrefix, StringComparison.Ordinal))
                {
                    resource.AddMetadata(PathMetadataKey, stack.StandalonePath(path));
                }

                if (resource.GetMetadata(AssetPathMetadataKey) is string assetPath && assetPath.StartsWith("../", StringComparison.Ordinal))
                {
                    resource.AddMetadata(AssetPathMetadataKey, assetPath[3..]);
                }

                if (TagManager.Of(resource) is { } tags)
                {
                    foreach (var (key, value) in tags.TagValues())
                    {
                        if (value.StartsWith(stagePrefix, StringComparison.Ordinal))
                        {
                            tags.SetTag(key, stack.StandalonePath(value), AfterEveryTag, true);
                        }
                    }
                }
            }

            return [];
        }
    }
}
