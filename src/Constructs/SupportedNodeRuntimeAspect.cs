using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.JSII.Runtime.Deputy;
using Constructs;

namespace TradingPlatform.Constructs;

/// <summary>
/// CDK 2.160's own custom-resource handlers (S3 auto-delete, default security group restriction) are
/// written as raw AWS::Lambda::Function resources on nodejs20.x, which is past end of support
/// (2026-04-30): Lambda refuses to create functions on a runtime once it is blocked. Their code runs
/// unchanged on the newest Node runtime (nodejs24.x), so this raises them to it. Our own functions set theirs.
/// </summary>
public sealed class SupportedNodeRuntimeAspect : DeputyBase, IAspect
{
    public const string NodeRuntime = "nodejs24.x";

    public void Visit(IConstruct node)
    {
        // CfnFunction is ours (typed runtime); a plain CfnResource of this type is a CDK provider handler.
        if (node is CfnResource resource and not CfnFunction && resource.CfnResourceType == "AWS::Lambda::Function")
        {
            resource.AddPropertyOverride("Runtime", NodeRuntime);
        }
    }
}
