using Amazon.CDK;
using Constructs;

namespace TradingPlatform.Constructs;

/// <summary>What cdk-nag and Control Tower suppressions share: they sit on one resource, each with a specific reason.</summary>
internal static class SuppressionTarget
{
    /// <summary>Auditors read the reasons; anything shorter than this is not a reason.</summary>
    public const int MinimumReasonLength = 20;

    /// <summary>The resource itself, or the construct's default child resource (an L2's CfnXxx).</summary>
    public static CfnResource Resolve(IConstruct construct) =>
        construct as CfnResource
        ?? construct.Node.DefaultChild as CfnResource
        ?? throw new ArgumentException(
            $"'{construct.Node.Path}' is not a CloudFormation resource and has no default child resource; " +
            "suppress on the resource itself", nameof(construct));

    public static void RequireReason(string gate, string rule, CfnResource resource, string reason)
    {
        if (reason.Trim().Length < MinimumReasonLength)
        {
            throw new ArgumentException(
                $"{gate} suppression of {rule} on '{resource.Node.Path}' needs a specific reason " +
                $"(at least {MinimumReasonLength} characters), got '{reason}'", nameof(reason));
        }
    }
}
