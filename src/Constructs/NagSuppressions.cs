using System.Runtime.CompilerServices;
using Amazon.CDK;
using Constructs;

namespace TradingPlatform.Constructs;

/// <summary>One cdk-nag rule that does not apply to a resource, and why.</summary>
/// <param name="RuleId">e.g. "AwsSolutions-IAM5" or "PCI.DSS.321-LambdaDLQ".</param>
/// <param name="Reason">Why the rule does not apply here or what compensates; read by auditors.</param>
/// <param name="AppliesTo">
/// Optional granular findings, e.g. "Resource::*" for IAM5. An entry written as /pattern/g is a regular
/// expression (cdk-nag's form), for findings that embed generated names such as cross-stack export names.
/// </param>
public sealed record NagSuppression(string RuleId, string Reason, params string[] AppliesTo);

/// <summary>
/// Writes cdk-nag suppressions as CloudFormation metadata on one resource (the shape cdk-nag reads:
/// <c>cdk_nag.rules_to_suppress[{id, reason, applies_to}]</c>). The compliance gate in scripts/nag-gate
/// reads them from the synthesized template. Only per-resource suppressions exist: there is no stack-wide form.
/// </summary>
public static class NagSuppressions
{
    // Metadata is written whole each time, so keep what was added before for the same resource.
    private static readonly ConditionalWeakTable<CfnResource, List<NagSuppression>> Added = new();

    public static void Add(IConstruct construct, params NagSuppression[] suppressions)
    {
        var resource = SuppressionTarget.Resolve(construct);

        foreach (var suppression in suppressions)
        {
            SuppressionTarget.RequireReason("cdk-nag", suppression.RuleId, resource, suppression.Reason);
        }

        var all = Added.GetOrCreateValue(resource);
        // Records compare by value, except the AppliesTo array: compare on its contents too.
        all.AddRange(suppressions.Where(s => !all.Any(existing =>
            existing.RuleId == s.RuleId && existing.Reason == s.Reason && existing.AppliesTo.SequenceEqual(s.AppliesTo))));
        resource.AddMetadata("cdk_nag", new Dictionary<string, object>
        {
            ["rules_to_suppress"] = all.Select(Render).ToArray(),
        });
    }

    /// <summary>
    /// Findings on the Lambda-backed custom resource providers the CDK itself adds to a stack (S3 auto-delete,
    /// default security group restriction). They run only during CloudFormation operations, never on the data path.
    /// </summary>
    public static void AddToCdkProvider(Stack stack, string providerId, string purpose, bool hasInlinePolicy)
    {
        var provider = stack.Node.TryFindChild(providerId)
            ?? throw new ArgumentException($"'{stack.Node.Path}' has no CDK provider '{providerId}'", nameof(providerId));
        Add(provider.Node.FindChild("Role"),
            new NagSuppression("AwsSolutions-IAM4",
                $"CDK-generated deploy-time helper ({purpose}) logs through the AWS-managed basic execution policy.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"));
        if (hasInlinePolicy)
        {
            Add(provider.Node.FindChild("Role"),
                new NagSuppression("PCI.DSS.321-IAMNoInlinePolicy",
                    $"CDK-generated deploy-time helper ({purpose}); its inline policy is scoped to the resources it manages."));
        }

        Add(provider.Node.FindChild("Handler"),
            new NagSuppression("PCI.DSS.321-LambdaInsideVPC",
                $"CDK-generated deploy-time helper ({purpose}) calls only AWS control-plane APIs during stack operations and never touches cardholder data."));
        GuardSuppressions.Add(provider.Node.FindChild("Handler"),
            new GuardSuppression(ControlTowerRules.LambdaInsideVpc,
                $"CDK-generated deploy-time helper ({purpose}) calls only AWS control-plane APIs during stack operations and never touches trading data."));
    }

    private static Dictionary<string, object> Render(NagSuppression suppression)
    {
        var rendered = new Dictionary<string, object> { ["id"] = suppression.RuleId, ["reason"] = suppression.Reason };
        if (suppression.AppliesTo.Length > 0)
        {
            rendered["applies_to"] = suppression.AppliesTo
                .Select(entry => entry.StartsWith('/') && entry.EndsWith("/g")
                    ? (object)new Dictionary<string, object> { ["regex"] = entry }
                    : entry)
                .ToArray();
        }

        return rendered;
    }
}
