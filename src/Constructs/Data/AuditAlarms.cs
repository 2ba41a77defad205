namespace TradingPlatform.Constructs.Data;

/// <summary>What one audit alarm watches in the trail's log group: its name, what it means, and the filter pattern.</summary>
/// <param name="Name">The alarm's short name (trading-&lt;env&gt;-&lt;Name&gt;) and its metric's name.</param>
/// <param name="Meaning">What it means when it fires, for the person paged.</param>
/// <param name="FilterPattern">A CloudWatch Logs JSON filter pattern over CloudTrail records (at most 1,024 characters).</param>
public sealed record AuditWatch(string Name, string Meaning, string FilterPattern);

/// <summary>What the audit alarms need to name the platform's resources in their filter patterns.</summary>
public sealed record AuditScope
{
    /// <summary>Required. The environment's suffix.</summary>
    public required string Suffix { get; init; }
    /// <summary>Required. The archival (locked) bucket's name (a token: CloudFormation generates it).</summary>
    public required string ArchivalBucketName { get; init; }
    /// <summary>The records replica's name in the recovery region (a derived name); null without a Recovery layer.</summary>
    public string? ReplicaBucketName { get; init; }
    /// <summary>The recovery region, where any key is taken for a platform key (only the Recovery layer's keys live there); null without one.</summary>
    public string? RecoveryRegion { get; init; }
    /// <summary>Required. The client registry's table name (api-keys-&lt;env&gt;).</summary>
    public required string RegistryTableName { get; init; }
    /// <summary>Required. The ingestion function's name: Lambda names its role session after it.</summary>
    public required string IngestionFunctionName { get; init; }
    /// <summary>Required. The platform's trail name.</summary>
    public required string TrailName { get; init; }
    /// <summary>Required. The ids of the platform's keys in the primary region (tokens: Security's keys and the audit key).</summary>
    public required IReadOnlyList<string> KeyIds { get; init; }
}

/// <summary>
/// The audit alarms (issue 27), each a metric filter on the platform trail's log group: what PCI DSS 10.4.1 and 10.7 ask
/// to be watched on the platform's own records, keys and registry. Where the CIS AWS Foundations Benchmark's monitoring
/// section has the same alarm (trussworks/terraform-aws-cloudtrail-alarms and nozaq/terraform-aws-secure-baseline carry
/// its patterns), its pattern is the reference; docs/compliance.md says where ours is narrower (the platform's resources,
/// not the whole account) or wider (more events). Patterns name the platform's resources by the prefixes CloudFormation
/// gives generated names (tradingplatform-&lt;env&gt;-... buckets, TradingPlatform-&lt;env&gt;-... roles and policies) or by
/// their fixed names.
/// </summary>
public static class AuditAlarms
{
    public const string RecordsAccessDenied = "audit-records-access-denied";
    public const string KeysAccessDenied = "audit-keys-access-denied";
    public const string LockedRecordsDeleteAttempt = "audit-locked-records-delete-attempt";
    public const string KeyDisabledOrScheduledDeletion = "audit-key-disabled-or-scheduled-deletion";
    public const string BucketControlsChanged = "audit-bucket-controls-changed";
    public const string PlatformRoleChanged = "audit-platform-role-changed";
    public const string TrailChanged = "audit-trail-changed";
    public const string ConfigRecorderStopped = "audit-config-recorder-stopped";
    public const string RegistryReadByOtherPrincipal = "audit-registry-read-by-other-principal";

    /// <summary>The calls that delete a locked record version, shorten or lift its lock (x-amz-bypass-governance-retention rides on these).</summary>
    public static readonly IReadOnlyList<string> LockedRecordCalls = ["DeleteObject", "DeleteObjects", "PutObjectRetention", "PutObjectLegalHold"];

    /// <summary>The S3 calls that change a bucket's protection: policy, lock, lifecycle, replication, versioning, public access, encryption, logging, ACL.</summary>
    public static readonly IReadOnlyList<string> BucketControlCalls =
    [
        "PutBucketPolicy", "DeleteBucketPolicy", "PutBucketObjectLockConfiguration", "PutBucketLifecycle", "DeleteBucketLifecycle",
        "PutBucketReplication", "DeleteBucketReplication", "PutBucketVersioning", "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock", "PutBucketEncryption", "DeleteBucketEncryption", "PutBucketLogging", "PutBucketAcl",
    ];

    /// <summary>CIS 3.9's calls, and deleting the recorder.</summary>
    public static readonly IReadOnlyList<string> ConfigRecorderCalls =
        ["StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"];

    public static IReadOnlyList<AuditWatch> For(AuditScope scope)
    {
        var env = scope.Suffix;
        // CIS 3.1 (unauthorized API calls): the error codes.
        const string denied = "(($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\"))";
        var platformBuckets = $"($.requestParameters.bucketName = \"tradingplatform-{env}-*\") || ($.requestParameters.bucketName = \"trading-records-{env}-*\")";
        var registry = $"($.requestParameters.tableName = \"{scope.RegistryTableName}\") || ($.resources[0].ARN = \"*:table/{scope.RegistryTableName}\")";
        var keys = string.Join(" || ", scope.KeyIds.Select(id => $"($.resources[0].ARN = \"*{id}\")")
            .Concat(scope.RecoveryRegion is { } recovery ? [$"($.awsRegion = \"{recovery}\")"] : []));
        var lockedBuckets = string.Join(" || ", new[] { scope.ArchivalBucketName, scope.ReplicaBucketName }.OfType<string>()
            .Select(name => $"($.requestParameters.bucketName = \"{name}\")"));
        string AnyOf(IEnumerable<string> names) => "(" + string.Join(" || ", names.Select(n => $"($.eventName = \"{n}\")")) + ")";

        return
        [
            new(RecordsAccessDenied,
                "Access to the platform's records or client registry was denied: a principal tried to read, write or delete what " +
                "it may not (a probe, a stolen credential, or a grant missing after a change).",
                $"{{ {denied} && ({platformBuckets} || {registry}) }}"),
            new(KeysAccessDenied,
                "A call on one of the platform's KMS keys was denied: someone tried to use or administer a key that protects the " +
                "records, the registry or the audit trail.",
                $"{{ {denied} && ($.eventSource = \"kms.amazonaws.com\") && ({keys}) }}"),
            new(LockedRecordsDeleteAttempt,
                "Someone tried to delete a locked trade record version, or to shorten, lift or bypass its Object Lock (SEC 17a-4(f)): " +
                "the platform never does.",
                $"{{ ($.eventSource = \"s3.amazonaws.com\") && {AnyOf(LockedRecordCalls)} && ({lockedBuckets}) }}"),
            new(KeyDisabledOrScheduledDeletion,
                "A platform KMS key was disabled or scheduled for deletion: the data it encrypts becomes unreadable (for good, " +
                "once the pending window ends).",
                $"{{ ($.eventSource = \"kms.amazonaws.com\") && (($.eventName = \"DisableKey\") || ($.eventName = \"ScheduleKeyDeletion\")) && ({keys}) }}"),
            new(BucketControlsChanged,
                "The policy, Object Lock, lifecycle, replication, versioning, public access block, encryption, logging or ACL of a " +
                "platform bucket changed: expected during a deploy of its layer, a control weakened otherwise.",
                $"{{ ($.eventSource = \"s3.amazonaws.com\") && {AnyOf(BucketControlCalls)} && ({platformBuckets}) }}"),
            new(PlatformRoleChanged,
                "An IAM role or customer-managed policy of the platform was created, changed or deleted: expected during a deploy, " +
                "a privilege change otherwise.",
                $"{{ ($.eventSource = \"iam.amazonaws.com\") && ($.readOnly IS FALSE) && (($.requestParameters.roleName = \"TradingPlatform-{env}-*\") || " +
                $"($.requestParameters.policyArn = \"*:policy/TradingPlatform-{env}-*\")) }}"),
            new(TrailChanged,
                "The platform's audit trail was stopped, deleted or changed (what it records, where it delivers): the audit " +
                "record may have a gap.",
                $"{{ ($.eventSource = \"cloudtrail.amazonaws.com\") && ($.readOnly IS FALSE) && (($.requestParameters.name = \"*{scope.TrailName}\") || " +
                $"($.requestParameters.trailName = \"*{scope.TrailName}\") || ($.requestParameters.resourceId = \"*{scope.TrailName}\")) }}"),
            new(ConfigRecorderStopped,
                "AWS Config's recorder or delivery channel was stopped, deleted or changed: the Config rules stop seeing drift.",
                $"{{ ($.eventSource = \"config.amazonaws.com\") && {AnyOf(ConfigRecorderCalls)} }}"),
            new(RegistryReadByOtherPrincipal,
                $"The client registry ({scope.RegistryTableName}) was read by a principal other than the ingestion function: the " +
                "clients, their API key ids and the accounts they may write were looked at by a person or another workload.",
                $"{{ ($.eventSource = \"dynamodb.amazonaws.com\") && ($.readOnly IS TRUE) && ({registry}) && " +
                $"($.userIdentity.arn != \"*/{scope.IngestionFunctionName}\") }}"),
        ];
    }
}
