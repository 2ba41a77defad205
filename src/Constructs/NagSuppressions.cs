using System.Runtime.CompilerServices;
using Amazon.CDK;
using Constructs;

namespace TradingPlatform.Constructs;

/// <summary>One cdk-nag rule that does not apply to a resource, and why.</summary>
/// <param name="RuleId">e.g. "AwsSolutions-IAM5" or "PCI.DSS.321-LambdaDLQ".</param>
/// <param name="Reason">Why the rule does not apply here or what compensates; read by auditors.</param>
/// <param name="AppliesTo">Optional granular findings, e.g. "Resource::*" for IAM5.</param>
public sealed record NagSuppression(string RuleId, string Reason, params string[] AppliesTo);

/// <summary>
/// Writes cdk-nag suppressions as CloudFormation metadata on one resource (the shape cdk-nag reads:
/// <c>cdk_nag.rules_to_suppress[{id, reason, applies_to}]</c>). The compliance gate in scripts/nag-gate
/// reads them from the synthesized template. Only per-resource suppressions exist: there is no stack-wide form.
/// </summary>
public static class NagSuppressions
{
    private const int MinimumReasonLength = 20;

    // Metadata is written whole each time, so keep what was added before for the same resource.
    private static readonly ConditionalWeakTable<CfnResource, List<NagSuppression>> Added = new();

    public static void Add(IConstruct construct, params NagSuppression[] suppressions)
    {
        var resource = construct as CfnResource
            ?? construct.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException(
                $"'{construct.Node.Path}' is not a CloudFormation resource and has no default child resource; " +
                "suppress on the resource itself", nameof(construct));

        foreach (var suppression in suppressions)
        {
            if (suppression.Reason.Trim().Length < MinimumReasonLength)
            {
                throw new ArgumentException(
                    $"Suppression of {suppression.RuleId} on '{resource.Node.Path}' needs a specific reason " +
                    $"(at least {MinimumReasonLength} characters), got '{suppression.Reason}'", nameof(suppressions));
            }
        }

        var all = Added.GetOrCreateValue(resource);
        all.AddRange(suppressions);
        resource.AddMetadata("cdk_nag", new Dictionary<string, object>
        {
            ["rules_to_suppress"] = all.Select(Render).ToArray(),
        });
    }

    private static Dictionary<string, object> Render(NagSuppression suppression)
    {
        var rendered = new Dictionary<string, object> { ["id"] = suppression.RuleId, ["reason"] = suppression.Reason };
        if (suppression.AppliesTo.Length > 0)
        {
            rendered["applies_to"] = suppression.AppliesTo;
        }

        return rendered;
    }
}
