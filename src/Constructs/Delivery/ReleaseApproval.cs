using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.CodePipeline.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.Pipelines;

namespace TradingPlatform.Constructs.Delivery;

public sealed record ReleaseApprovalProps
{
    /// <summary>Required. What the approver reads: the change's reason (commit message) and the rollout report's verdict.</summary>
    public required string Information { get; init; }
    /// <summary>Required. Where the approver reads the whole rollout report (the rollout check's build log).</summary>
    public required string ReportLink { get; init; }
    /// <summary>Required. The only principals allowed to approve (a role of the delivery account).</summary>
    public required IRole Approvers { get; init; }
    /// <summary>Required. Told when an approval is waiting.</summary>
    public required ITopic Topic { get; init; }
}

/// <summary>
/// The manual approval before prod. CDK Pipelines' ManualApprovalStep takes only a comment; this step makes the same
/// CodePipeline action with what a production change needs (PCI DSS 6.5.1): the reason and the rollout report shown to
/// the approver, a notification, and the approval granted to the approvers role alone.
/// </summary>
public sealed class ReleaseApproval : Step, ICodePipelineActionFactory
{
    private readonly ReleaseApprovalProps props;
    private string? stageName;
    private string? actionName;

    public ReleaseApproval(string id, ReleaseApprovalProps props) : base(id)
    {
        this.props = props;
        // The texts name outputs of earlier steps (the source's commit message, the rollout check's verdict): this makes
        // the pipeline give those steps a variables namespace and run them first.
        DiscoverReferencedOutputs(new Dictionary<string, object> { ["information"] = props.Information, ["link"] = props.ReportLink });
    }

    public ICodePipelineActionFactoryResult ProduceAction(IStage stage, IProduceActionOptions options)
    {
        var action = new ManualApprovalAction(new ManualApprovalActionProps
        {
            ActionName = options.ActionName,
            RunOrder = options.RunOrder,
            AdditionalInformation = props.Information,
            ExternalEntityLink = props.ReportLink,
            NotificationTopic = props.Topic,
        });
        stage.AddAction(action);
        stageName = stage.StageName;
        actionName = options.ActionName;
        action.GrantManualApproval(props.Approvers);
        return new CodePipelineActionFactoryResult { RunOrdersConsumed = 1 };
    }

    /// <summary>
    /// The approval action's ARN (what codepipeline:PutApprovalResult names), once the pipeline is built, from the
    /// pipeline's literal name rather than its <c>PipelineArn</c> (a Ref): a policy that names the pipeline by Ref depends
    /// on the pipeline, and a policy of a role the pipeline itself depends on would close a dependency cycle, which
    /// CloudFormation refuses (cfn-lint E3004).
    /// </summary>
    public string? ActionArn(Amazon.CDK.Stack stack, string pipelineName) =>
        stageName is null ? null : stack.FormatArn(new Amazon.CDK.ArnComponents
        {
            Service = "codepipeline",
            Resource = pipelineName,
            ResourceName = $"{stageName}/{actionName}",
            ArnFormat = Amazon.CDK.ArnFormat.SLASH_RESOURCE_NAME,
        });
}
