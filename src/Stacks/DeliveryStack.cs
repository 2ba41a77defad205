using Amazon.CDK;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Delivery;

namespace TradingPlatform.Stacks;

public sealed class DeliveryStackProps : StackProps
{
    public required DeliverySettings Delivery { get; init; }
    /// <summary>Required. The environments' stages (EnvironmentStage), dev, staging, prod.</summary>
    public required IReadOnlyList<ReleaseStage> Stages { get; init; }
}

/// <summary>
/// TradingPlatform-Delivery, in the delivery account: the release pipeline that takes every commit of the branch through
/// dev, staging and prod, and what it keeps (key, artifacts, build logs) and says (the delivery topic). Synthesized only
/// when the context has a <c>delivery</c> object; never part of a hand deploy of an environment.
/// </summary>
public sealed class DeliveryStack : LayerStack
{
    /// <summary>The CDK CLI the pipeline updates itself with: the one package.json pins (DeliveryTests checks it).</summary>
    public const string CliVersion = "2.1148.1";

    public DeliveryFoundation Foundation { get; }
    public ReleasePipeline Release { get; }

    public DeliveryStack(Construct scope, string id, DeliveryStackProps props) : base(scope, id, props)
    {
        Foundation = new DeliveryFoundation(this, "Foundation", new DeliveryFoundationProps
        {
            NotificationEmails = props.Delivery.NotificationEmails,
        });
        Release = new ReleasePipeline(this, "Release", new ReleasePipelineProps
        {
            Delivery = props.Delivery,
            Stages = props.Stages,
            Key = Foundation.Key,
            ArtifactBucket = Foundation.ArtifactBucket,
            BuildLogs = Foundation.BuildLogs,
            Topic = Foundation.Topic,
            CliVersion = CliVersion,
        });
    }
}
