using Amazon.CDK;
using TradingPlatform.Diagnostics;

namespace TradingPlatform.Constructs;

/// <summary>
/// CDK 2.160's own custom-resource handlers (S3 auto-delete, default security group restriction) are
/// written as raw AWS::Lambda::Function resources on nodejs20.x, which is past end of support
/// (2026-04-30): Lambda refuses to create functions on a runtime once it is blocked. Their code runs
/// unchanged on the newest Node runtime (nodejs24.x), so this raises them to it. Our own functions set theirs.
/// </summary>
public static class SupportedNodeRuntime
{
    public const string NodeRuntime = "nodejs24.x";

    /// <summary>
    /// Raises the handler of every CDK custom-resource provider in the stack. The CDK creates each provider once per
    /// stack, as a direct child of the stack, with its function as the child "Handler"; so the stack's children are all
    /// that need looking at. (An aspect would do the same by visiting every construct, each visit a callback from
    /// JavaScript into .NET.) Call it once the stack's constructs are built.
    /// </summary>
    public static void Apply(Stack stack)
    {
        using var _ = SynthProfile.Measure("SupportedNodeRuntime.Apply (calls into JavaScript)");
        foreach (var child in stack.Node.Children)
        {
            if (child is CustomResourceProviderBase provider
                && provider.Node.TryFindChild("Handler") is CfnResource { CfnResourceType: "AWS::Lambda::Function" } handler)
            {
                handler.AddPropertyOverride("Runtime", NodeRuntime);
            }
        }
    }
}
