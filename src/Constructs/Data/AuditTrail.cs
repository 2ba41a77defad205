using Amazon.CDK;
using Amazon.CDK.AWS.CloudTrail;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Constructs.Data;

public sealed record AuditTrailProps
{
    /// <summary>Required. What the trail records, which organization trail records the rest, and the logs' Object Lock.</summary>
    public required AuditTrailSettings Settings { get; init; }
    /// <summary>Required. The environment's fixed names: trail, log group, key alias, metric namespace, function, registry.</summary>
    public required ResourceNames Names { get; init; }
    /// <summary>Required. Removal, log retention and the exemptions of the environment kind.</summary>
    public required StoragePolicy Storage { get; init; }
    /// <summary>Required. Where the trail bucket's server access logs go (the Data layer's access-log bucket).</summary>
    public required IBucket AccessLogs { get; init; }
    /// <summary>Required. The buckets that hold trade data in this region: ingestion, analytics, archival.</summary>
    public required IReadOnlyList<IBucket> RecordBuckets { get; init; }
    /// <summary>Required. The locked one among them (archival): deletes and lock changes on it are watched.</summary>
    public required IBucket LockedRecords { get; init; }
    /// <summary>The records replica in the recovery region, by its derived name; null without a Recovery layer.</summary>
    public RecordsReplicaDestination? Replica { get; init; }
    /// <summary>Required. The client registry (api-keys table).</summary>
    public required ITable Registry { get; init; }
    /// <summary>Required. The platform's keys of the primary region (the Security layer's): watched when disabled or denied.</summary>
    public required IReadOnlyList<IKey> PlatformKeys { get; init; }
    /// <summary>Required. Creates the audit alarms (alert topic on ALARM and OK, the alarm catalog).</summary>
    public required PlatformAlarms Alarms { get; init; }
}

/// <summary>
/// The audit trail of the platform's records, keys and registry (PCI DSS v4.0.1 requirement 10), in the Data layer where
/// the records are:
/// - a multi-region CloudTrail trail (the records replica is in the recovery region; IAM is global) recording data events
///   on the record buckets and the client registry only, by ARN (advanced event selectors: no other bucket or table of the
///   account is billed), and management events when the configuration says the account has no organization trail that
///   records them (<see cref="AuditTrailSettings"/>: otherwise only what the alarms need);
/// - log file integrity validation, the log and digest files encrypted with a key of its own (rotating, its policy
///   admitting CloudTrail only for this trail: aws:SourceArn and the aws:cloudtrail:arn encryption context);
/// - a bucket of its own: versioned, access-logged, private, TLS-only, created with S3 Object Lock (COMPLIANCE in prod,
///   GOVERNANCE in staging, at least twelve months), its policy admitting CloudTrail for this trail only;
/// - a CloudWatch Logs group (the environment's log retention: 90 days in staging, a year in prod), encrypted with the
///   same key, written through a role that may only create streams and put events there;
/// - the audit alarms (<see cref="AuditAlarms"/>), metric filters on that group, through the platform's alarm machinery.
///
/// L1 CfnTrail rather than the L2 Trail: in CDK 2.160 the L2 writes bucket-policy statements without aws:SourceArn (a
/// confused-deputy gap), gives its logs role an inline policy, and has no advanced event selectors. The trail's ARN is
/// built from its fixed name wherever the bucket and key policies need it: a reference would be a cycle (the trail
/// waits for both policies).
/// </summary>
public sealed class AuditTrail : PlatformComponent
{
    public const string BucketId = "AuditTrailBucket";

    public Key Key { get; }
    public Bucket Bucket { get; }
    public LogGroup LogGroup { get; }
    public Role LogsRole { get; }
    public CfnTrail Trail { get; }
    public IReadOnlyList<Alarm> AuditAlarmList { get; }

    public AuditTrail(Construct scope, string id, AuditTrailProps props) : base(scope, id)
    {
        var stack = Stack.Of(this);
        var names = props.Names;
        var storage = props.Storage;
        var trailArn = names.AuditTrailArn(stack.Partition, stack.Region, stack.Account);

        Key = EncryptionKeys.CreatePlatformKey(this, "AuditKey",
            "KMS key for the audit trail: CloudTrail log and digest files, their bucket, the trail's log group", names.AuditKeyAlias,
            storage.RemovalPolicy);
        AllowCloudTrailToEncryptWith(Key, trailArn);
        EncryptionKeys.AllowCloudWatchLogsToEncryptWith(Key, names.AuditLogGroup);

        Bucket = CreateBucket(props, trailArn);
        LogGroup = SecureDefaults.LogGroup(this, "AuditTrailLogGroup", storage, Key, names.AuditLogGroup);

        LogsRole = new Role(this, "AuditTrailLogsRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("cloudtrail.amazonaws.com"),
            Description = $"CloudTrail delivers the trail {names.AuditTrail} to its log group {names.AuditLogGroup}",
        });
        // Customer-managed, not inline (PCI DSS 7: reviewable on its own): the log group's streams only.
        var logsPolicy = new ManagedPolicy(this, "AuditTrailLogsPolicy", new ManagedPolicyProps
        {
            Description = $"Least privilege for CloudTrail to write the trail {names.AuditTrail} to {names.AuditLogGroup}",
            Roles = [LogsRole],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "DeliverToTheTrailsLogGroup",
                    Actions = ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resources = [LogGroup.LogGroupArn],
                }),
            ],
        });

        Trail = new CfnTrail(this, "AuditTrail", new CfnTrailProps
        {
            TrailName = names.AuditTrail,
            IsLogging = true,
            // The records replica lives in the recovery region, IAM is global: one trail sees both, in one log group.
            IsMultiRegionTrail = true,
            IncludeGlobalServiceEvents = true,
            EnableLogFileValidation = true,
            KmsKeyId = Key.KeyArn,
            S3BucketName = Bucket.BucketName,
            CloudWatchLogsLogGroupArn = LogGroup.LogGroupArn,
            CloudWatchLogsRoleArn = LogsRole.RoleArn,
            AdvancedEventSelectors = Selectors(props),
        });
        // CloudTrail checks the bucket policy and the role when the trail is created or updated.
        Trail.AddDependency((CfnResource)Bucket.Policy!.Node.DefaultChild!);
        Trail.AddDependency((CfnResource)logsPolicy.Node.DefaultChild!);

        AuditAlarmList = CreateAlarms(props);
    }

    /// <summary>
    /// The advanced event selectors. Data events only on the platform's record buckets and registry (by ARN); with an
    /// organization trail keeping the complete record, only the events the alarms need from this account's own copy.
    /// </summary>
    private CfnTrail.AdvancedEventSelectorProperty[] Selectors(AuditTrailProps props)
    {
        var settings = props.Settings;
        var recordPrefixes = props.RecordBuckets.Select(b => $"{b.BucketArn}/")
            .Concat(props.Replica is { } r ? [$"{r.BucketArn}/"] : []).ToArray();
        var lockedPrefixes = new[] { $"{props.LockedRecords.BucketArn}/" }
            .Concat(props.Replica is { } replica ? [$"{replica.BucketArn}/"] : []).ToArray();
        var notTheFunction = Field("userIdentity.arn", notEndsWith: [$"/{props.Names.DataProcessorFunction}"]);

        var selectors = new List<CfnTrail.AdvancedEventSelectorProperty>();
        if (settings.ManagementEvents == AuditEventRecorder.Platform)
        {
            selectors.Add(Selector("Management events: this account's record of them", Field("eventCategory", equalTo: ["Management"])));
        }
        else
        {
            // The organization trail keeps the complete record; the alarms watch changes, which are writes.
            selectors.Add(Selector("Management writes the audit alarms watch (the organization trail records every management event)",
                Field("eventCategory", equalTo: ["Management"]), Field("readOnly", equalTo: ["false"])));
        }

        if (settings.DataEvents == AuditEventRecorder.Platform)
        {
            selectors.Add(Selector("Trade records: every read and write",
                Field("eventCategory", equalTo: ["Data"]), Field("resources.type", equalTo: ["AWS::S3::Object"]),
                Field("resources.ARN", startsWith: recordPrefixes)));
            selectors.Add(Selector("Client registry: every read and write",
                Field("eventCategory", equalTo: ["Data"]), Field("resources.type", equalTo: ["AWS::DynamoDB::Table"]),
                Field("resources.ARN", equalTo: [props.Registry.TableArn])));
        }
        else
        {
            selectors.Add(Selector("Trade records: calls not made by the ingestion function",
                Field("eventCategory", equalTo: ["Data"]), Field("resources.type", equalTo: ["AWS::S3::Object"]),
                Field("resources.ARN", startsWith: recordPrefixes), notTheFunction));
            selectors.Add(Selector("Locked records: deletes and lock changes, by anyone",
                Field("eventCategory", equalTo: ["Data"]), Field("resources.type", equalTo: ["AWS::S3::Object"]),
                Field("resources.ARN", startsWith: lockedPrefixes), Field("eventName", equalTo: AuditAlarms.LockedRecordCalls.ToArray())));
            selectors.Add(Selector("Client registry: calls not made by the ingestion function",
                Field("eventCategory", equalTo: ["Data"]), Field("resources.type", equalTo: ["AWS::DynamoDB::Table"]),
                Field("resources.ARN", equalTo: [props.Registry.TableArn]), notTheFunction));
        }

        return selectors.ToArray();

        static CfnTrail.AdvancedEventSelectorProperty Selector(string name, params CfnTrail.AdvancedFieldSelectorProperty[] fields) =>
            new() { Name = name, FieldSelectors = fields };

        static CfnTrail.AdvancedFieldSelectorProperty Field(string field, string[]? equalTo = null, string[]? startsWith = null, string[]? notEndsWith = null) =>
            new() { Field = field, EqualTo = equalTo, StartsWith = startsWith, NotEndsWith = notEndsWith };
    }

    /// <summary>
    /// The trail's own bucket: a data bucket of the secure defaults (private, TLS-only, versioned, access-logged, events to
    /// EventBridge), encrypted with the audit key without bucket keys (CloudTrail's encryption context must reach KMS),
    /// created with Object Lock where the environment keeps its logs (staging, prod), and a policy admitting CloudTrail
    /// for this trail only (aws:SourceArn).
    /// </summary>
    private Bucket CreateBucket(AuditTrailProps props, string trailArn)
    {
        var stack = Stack.Of(this);
        var lockDays = props.Settings.LogLock?.UpperBoundDays ?? 0;
        // Current log files are kept a year at least and until no version can still be locked; they move to Glacier
        // Instant Retrieval after the 90 days PCI DSS 10.5.1 wants immediately available (still readable in milliseconds).
        var keepDays = Math.Max(AuditTrailSettings.MinimumLockDays, lockDays);
        var bucket = SecureDefaults.DataBucket(this, BucketId, props.Storage, Key, props.AccessLogs,
            new SecureDefaults.DataBucketOptions
            {
                BucketKeyEnabled = false,
                ObjectLockEnabled = props.Settings.LogLock is not null,
                NoncurrentVersionExpirationDays = Math.Max(SecureDefaults.DataBucketOptions.DefaultNoncurrentVersionExpirationDays, lockDays),
                ReplicationExemption =
                    "CloudTrail writes each log and digest file once, under Object Lock and a signed digest chain (log file validation); PCI DSS 10.5.1 asks for twelve months of retention, which the lock enforces, not a second region.",
            },
            new LifecycleRule
            {
                Id = "AuditLogRetention",
                Enabled = true,
                Transitions = [new Transition { StorageClass = StorageClass.GLACIER_INSTANT_RETRIEVAL, TransitionAfter = Duration.Days(90) }],
                Expiration = Duration.Days(keepDays),
            });
        if (props.Settings.LogLock is { } logLock)
        {
            SecureDefaults.LockRecords(bucket, LockedBuckets.AuditTrail, props.Names.Suffix, logLock);
        }
        else if (props.Storage.Kind.IsDisposable())
        {
            // By kind, not by the setting it excuses: a staging or prod trail bucket without its lock fails the gate.
            GuardSuppressions.Add(bucket, new GuardSuppression(ControlTowerRules.S3ObjectLock,
                "Disposable dev-like environment: a locked log file could never be deleted, nor its bucket or stack; staging and prod lock the audit trail's logs."));
        }

        var fromThisTrail = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn };
        bucket.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AWSCloudTrailAclCheck",
            Principals = [new ServicePrincipal("cloudtrail.amazonaws.com")],
            Actions = ["s3:GetBucketAcl"],
            Resources = [bucket.BucketArn],
            Conditions = new Dictionary<string, object> { ["StringEquals"] = fromThisTrail },
        }));
        bucket.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AWSCloudTrailWrite",
            Principals = [new ServicePrincipal("cloudtrail.amazonaws.com")],
            Actions = ["s3:PutObject"],
            Resources = [bucket.ArnForObjects($"AWSLogs/{stack.Account}/*")],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object>(fromThisTrail) { ["s3:x-amz-acl"] = "bucket-owner-full-control" },
            },
        }));
        return bucket;
    }

    /// <summary>
    /// CloudTrail encrypts log and digest files with the key, for this trail only: aws:SourceArn, and the encryption
    /// context CloudTrail sets (the documented key policy). Reading them takes kms:Decrypt, which only IAM policies of the
    /// account grant (the key's default statement): auditors get it with the bucket.
    /// </summary>
    private static void AllowCloudTrailToEncryptWith(Key key, string trailArn)
    {
        var stack = Stack.Of(key);
        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudTrailToEncryptThisTrailsLogs",
            Principals = [new ServicePrincipal("cloudtrail.amazonaws.com")],
            Actions = ["kms:GenerateDataKey*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn },
                ["StringLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:cloudtrail:arn"] = $"arn:{stack.Partition}:cloudtrail:*:{stack.Account}:trail/*",
                },
            },
        }));
        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudTrailToDescribeTheKey",
            Principals = [new ServicePrincipal("cloudtrail.amazonaws.com")],
            Actions = ["kms:DescribeKey"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn },
            },
        }));
    }

    /// <summary>One metric filter and one alarm per <see cref="AuditWatch"/>: any match in 5 minutes fires it.</summary>
    private IReadOnlyList<Alarm> CreateAlarms(AuditTrailProps props)
    {
        var names = props.Names;
        var watches = AuditAlarms.For(new AuditScope
        {
            Suffix = names.Suffix,
            ArchivalBucketName = props.LockedRecords.BucketName,
            ReplicaBucketName = props.Replica?.BucketArn.Split(':').Last(),
            RecoveryRegion = props.Replica?.Region,
            RegistryTableName = names.ApiKeysTable,
            IngestionFunctionName = names.DataProcessorFunction,
            TrailName = names.AuditTrail,
            // A key's id is the last part of its ARN: the Security layer's keys arrive as ARNs (exports).
            KeyIds = props.PlatformKeys.Select(k => Fn.Select(1, Fn.Split("/", k.KeyArn))).Append(Key.KeyId).ToList(),
        });

        var alarms = new List<Alarm>();
        foreach (var watch in watches)
        {
            var id = string.Concat(watch.Name.Split('-').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
            new MetricFilter(this, $"{id}Filter", new MetricFilterProps
            {
                LogGroup = LogGroup,
                FilterPattern = FilterPattern.Literal(watch.FilterPattern),
                MetricNamespace = names.AuditMetricNamespace,
                MetricName = watch.Name,
                MetricValue = "1",
            });
            alarms.Add(props.Alarms.Add(this, $"{id}Alarm", new AlarmDefinition(
                watch.Name,
                watch.Meaning,
                new Metric(new MetricProps
                {
                    Namespace = names.AuditMetricNamespace,
                    MetricName = watch.Name,
                    Statistic = Stats.SUM,
                    Period = Duration.Minutes(5),
                }),
                1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                // Published only when a CloudTrail record matches: no data is nothing to report.
                TreatMissingData.NOT_BREACHING) { EvaluationPeriods = 1 }));
        }

        return alarms;
    }
}
