using System.Runtime.CompilerServices;
using Amazon.CDK;
using Constructs;

namespace TradingPlatform.Constructs;

/// <summary>
/// The AWS Control Tower proactive controls (cfn-guard rule names) the platform suppresses somewhere; the control id
/// is in the comment. Suppressions name the rule, cfn-guard's convention; the gate also accepts the control id.
/// </summary>
public static class ControlTowerRules
{
    /// <summary>CT.CLOUDWATCH.PR.2: log groups kept at least one year.</summary>
    public const string LogGroupRetention = "cloudwatch_log_group_retention_period_check";
    /// <summary>CT.CLOUDWATCH.PR.3: log groups encrypted with a KMS key.</summary>
    public const string LogGroupEncrypted = "cloudwatch_log_group_encrypted_check";
    /// <summary>CT.LAMBDA.PR.3: functions in a customer-managed VPC.</summary>
    public const string LambdaInsideVpc = "lambda_inside_vpc_check";
    /// <summary>CT.RDS.PR.3: clusters with deletion protection.</summary>
    public const string RdsClusterDeletionProtection = "rds_cluster_deletion_protection_enabled_check";
    /// <summary>CT.S3.PR.2: buckets with server access logging.</summary>
    public const string S3AccessLogging = "s3_bucket_logging_enabled_check";
    /// <summary>CT.S3.PR.4: buckets with event notifications.</summary>
    public const string S3EventNotifications = "s3_event_notifications_enabled_check";
    /// <summary>CT.S3.PR.9: buckets with Object Lock.</summary>
    public const string S3ObjectLock = "s3_bucket_object_lock_enabled_check";
    /// <summary>CT.S3.PR.10: buckets encrypted with a KMS key.</summary>
    public const string S3KmsEncryption = "s3_bucket_default_encryption_kms_check";
}

/// <summary>One Control Tower rule that does not apply to a resource, and why (read by auditors).</summary>
public sealed record GuardSuppression(string Rule, string Reason);

/// <summary>
/// Writes Control Tower (cfn-guard) suppressions as CloudFormation metadata on one resource, in cfn-guard's
/// convention plus a reason per rule: <c>guard.SuppressedRules[rule]</c> and <c>guard.SuppressionReasons{rule: reason}</c>.
/// The gate in scripts/guard-gate reads them from the synthesized template and refuses a suppression without a
/// specific reason. Only per-resource suppressions exist: there is no stack-wide form.
/// </summary>
public static class GuardSuppressions
{
    // Metadata is written whole each time, so keep what was added before for the same resource.
    private static readonly ConditionalWeakTable<CfnResource, List<GuardSuppression>> Added = new();

    public static void Add(IConstruct construct, params GuardSuppression[] suppressions)
    {
        var resource = SuppressionTarget.Resolve(construct);

        foreach (var suppression in suppressions)
        {
            SuppressionTarget.RequireReason("Control Tower", suppression.Rule, resource, suppression.Reason);
        }

        var all = Added.GetOrCreateValue(resource);
        foreach (var suppression in suppressions)
        {
            // One reason per rule: a second suppression of the same rule replaces the first.
            all.RemoveAll(existing => existing.Rule == suppression.Rule);
            all.Add(suppression);
        }

        resource.AddMetadata("guard", new Dictionary<string, object>
        {
            ["SuppressedRules"] = all.Select(s => s.Rule).ToArray(),
            ["SuppressionReasons"] = all.ToDictionary(s => s.Rule, s => (object)s.Reason),
        });
    }
}
