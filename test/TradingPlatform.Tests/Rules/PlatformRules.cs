using System.Text.Json.Nodes;
using TradingPlatform.Config;

namespace TradingPlatform.Tests.Rules;

/// <summary>One invariant of the platform: what must hold, why it matters, and the check that lists what breaks it.</summary>
public sealed record PlatformRule(string Name, string Why, Func<PlatformView, IEnumerable<string>> Violations)
{
    public override string ToString() => Name;
}

/// <summary>
/// The rules every environment's templates must satisfy, stated by environment kind and by what AWS enforces,
/// never by the preset values that built the templates. Each rule returns its violations, one line each.
/// </summary>
public static class PlatformRules
{
    /// <summary>Resource types that hold data or protect it: losing one loses data or makes data unreadable.</summary>
    public static readonly string[] StatefulTypes =
    [
        "AWS::KMS::Key", "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::RDS::DBCluster",
        "AWS::Backup::BackupVault",
    ];

    /// <summary>Lambda's default regional concurrency quota, and what it must keep unreserved (PutFunctionConcurrency).</summary>
    public const int DefaultAccountConcurrency = 1000;
    public const int MinimumUnreservedConcurrency = 100;

    /// <summary>cdk-nag findings that only a disposable environment may excuse: missing deletion protection.</summary>
    /// <summary>... and the Control Tower control for the same (cfn-guard metadata).</summary>
    private static readonly string[] DisposableOnlyExemptions =
        ["AwsSolutions-RDS10", "PCI.DSS.321-RDSInstanceDeletionProtectionEnabled", "CT.RDS.PR.3"];

    private static readonly string[] TaggedTypes =
    [
        "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::RDS::DBCluster", "AWS::EC2::VPC",
        "AWS::Lambda::Function", "AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage", "AWS::WAFv2::WebACL", "AWS::EC2::SecurityGroup", "AWS::CloudTrail::Trail",
    ];

    public static readonly IReadOnlyList<PlatformRule> All =
    [
        // ---- Protection by environment kind -------------------------------------------------------------
        new("staging and prod have deletion protection on Aurora and every table",
            "a stray `cdk destroy`, a replacement or a console click must not delete trading data",
            v => v.Kind.IsDisposable() ? [] :
                v.Resources("AWS::RDS::DBCluster").Where(r => !IsTrue(r.Resource.Properties()["DeletionProtection"]))
                    .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId}: DeletionProtection is not true")
                .Concat(v.Resources("AWS::DynamoDB::Table").Where(r => !IsTrue(r.Resource.Properties()["DeletionProtectionEnabled"]))
                    .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId}: DeletionProtectionEnabled is not true"))),

        new("staging and prod keep every stateful resource when it is deleted or replaced",
            "keys, tables, buckets, log groups and the cluster hold (or unlock) records we must keep: DeletionPolicy and " +
            "UpdateReplacePolicy must be Retain (or Snapshot for the cluster)",
            v => v.Kind.IsDisposable() ? [] : v.Resources(StatefulTypes).SelectMany(r =>
            {
                string[] kept = (string)r.Resource["Type"]! == "AWS::RDS::DBCluster" ? ["Snapshot", "Retain"] : ["Retain"];
                return new[] { "DeletionPolicy", "UpdateReplacePolicy" }
                    .Where(policy => !kept.Contains((string?)r.Resource[policy]))
                    .Select(policy => $"{v.StackName(r.Layer)}/{r.LogicalId} ({r.Resource["Type"]}): {policy} is " +
                                      $"'{(string?)r.Resource[policy] ?? "Delete (default)"}', expected {string.Join(" or ", kept)}");
            })),

        new("staging and prod never empty their buckets on stack deletion",
            "the auto-delete helper erases every object of a bucket when its stack goes: only disposable environments may have it",
            v => v.Kind.IsDisposable() ? [] : v.Resources("Custom::S3AutoDeleteObjects")
                .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId}: empties bucket {r.Resource.Properties()["BucketName"]?.ToJsonString()}")),

        new("staging and prod keys wait 30 days before deletion",
            "a key scheduled for deletion by mistake can be cancelled within its pending window; data encrypted with it is lost after",
            v => v.Kind.IsDisposable() ? [] : v.Resources("AWS::KMS::Key")
                .Where(r => (int?)r.Resource.Properties()["PendingWindowInDays"] is not 30)
                .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId}: PendingWindowInDays is {r.Resource.Properties()["PendingWindowInDays"]?.ToJsonString() ?? "unset"}")),

        new("prod's stateful layers (Security, Data, Recovery) are termination-protected",
            "docs/configuration.md (presets) promises it: deleting any of them in prod would take the keys, the data or the " +
            "recovery copies (vault, records replica) with it",
            v => v.Kind != EnvironmentKind.Prod ? [] : new[] { Layer.Security, Layer.Data, Layer.Recovery }
                .Where(layer => !v.TerminationProtection.TryGetValue(layer, out var on) || !on)
                .Select(layer => $"{v.StackName(layer)}: termination protection is off")),

        new("dev-like environments stay disposable",
            "dev and pr-N environments are created and destroyed all the time: anything protected or retained there " +
            "blocks `cdk destroy` or is left behind costing money",
            v => !v.Kind.IsDisposable() ? [] :
                v.Resources(StatefulTypes).Where(r => (string?)r.Resource["DeletionPolicy"] != "Delete")
                    .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId}: DeletionPolicy is {(string?)r.Resource["DeletionPolicy"]}")
                .Concat(v.Resources("AWS::RDS::DBCluster").Where(r => IsTrue(r.Resource.Properties()["DeletionProtection"]))
                    .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId}: deletion protection blocks stack deletion"))
                .Concat(v.Resources("AWS::S3::Bucket").Where(r => !AutoDeleted(v, r.Layer, r.LogicalId))
                    .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId}: not emptied before deletion, so the stack cannot be deleted"))
                .Concat(v.Resources("AWS::S3::Bucket").Where(r => HasObjectLock(r.Resource))
                    .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId}: Object Lock keeps locked versions, so the bucket cannot be emptied nor deleted"))),

        new("staging and prod keep every trade record unalterable",
            "SEC 17a-4(f) and FINRA 4511: each accepted batch (trades/ in the ingestion bucket) must be replicated to a bucket " +
            "with S3 Object Lock and a default retention, in COMPLIANCE mode in prod (GOVERNANCE can be bypassed)",
            v => v.Kind.IsDisposable() ? [] : UnlockedRecords(v)),

        new("a locked bucket is created locked, unless the configuration says it predates that",
            "a new bucket given Object Lock only through ObjectLockConfiguration has been reported to hang in CREATE_IN_PROGRESS " +
            "and fail (cloudformation-coverage-roadmap#626), so a new one needs the top-level ObjectLockEnabled as well; an " +
            "existing bucket that gets the top-level flag is replaced (roadmap#1929): a new, empty bucket under a new name. " +
            "Each lock must name its bucket (tradingplatform:lockedBucket) so that the rollout check can say how to keep it",
            v => ObjectLockShapes(v)),

        // ---- Recovery: the loss of a region (issue 18) --------------------------------------------------
        new("staging and prod copy every backup rule to a vault of the recovery layer in another region, with the same retention",
            "a regional outage or the loss of the primary vault must not lose the firm's books: each recovery point needs a copy " +
            "in a second region, kept as long as the original (AWS's backup-and-restore DR baseline; SEC 17a-4's duplicate)",
            v => v.Kind.IsDisposable() ? [] : Recovery.BackupCopies(v)),

        new("staging and prod replicate every trade record to a locked replica in the recovery region, no weaker than the primary",
            "SEC 17a-4(f) expects a duplicate kept separately for the same period: the replica's Object Lock mode must equal the " +
            "archival bucket's and its retention be no shorter; replicas are encrypted with a key of the recovery region (a KMS " +
            "key cannot be used across regions); prod replicates under Replication Time Control (99.99% within 15 minutes)",
            v => v.Kind.IsDisposable() ? [] : Recovery.RecordReplicas(v)),

        new("prod locks every backup vault in compliance mode, and every recovery point and copy fits the lock of its vault",
            "AWS Backup fails a backup or copy job whose retention lies outside the Vault Lock bounds of the vault it lands in " +
            "(MinRetentionDays..MaxRetentionDays): a rule or copy action outside them leaves that day or month with no recovery " +
            "point or no copy; in prod the primary and the recovery vault are locked in compliance mode (ChangeableForDays), so " +
            "that nobody, root included, deletes a recovery point early (SEC 17a-4)",
            v => Recovery.VaultLocks(v)),

        new("dev-like environments have no recovery layer and no cross-region copy cost",
            "disposable data is not worth a second region: no Recovery stack, no backup copy action, no replication out of the platform",
            v => !v.Kind.IsDisposable() ? [] : Recovery.NoCopies(v)),

        // ---- Audit trail: PCI DSS v4.0.1 requirement 10 (issue 27) ------------------------------------------
        new("staging and prod record every read and write of the trade records and the client registry in a trail",
            "PCI DSS 10.2.1: who read, wrote or tried to delete the records (ingestion, analytics, archival, the recovery " +
            "region's replica) and the clients' registry must be answerable; a bucket or the table no data-event selector " +
            "covers leaves its accesses unrecorded. Checked with a person's GetObject/PutObject and GetItem/PutItem: with an " +
            "organization trail keeping the complete record, the platform's selectors leave out only the ingestion function's own calls",
            v => v.Kind.IsDisposable() ? [] : Audit.RecordsAreRecorded(v)),

        new("a trail's data-event selectors name only the platform's record buckets and registry",
            "CloudTrail bills every data event a selector matches: a selector without resources.ARN, or naming anything else, " +
            "records (and bills) every bucket or table of the account, or the trail's own bucket, whose writes would loop",
            v => Audit.SelectorsStayInsideThePlatform(v)),

        new("staging and prod keep the audit trail tamper-evident for at least a year",
            "PCI DSS 10.3 and 10.5.1: logs protected from change (log file validation, KMS, a bucket under Object Lock for at " +
            "least 365 days, COMPLIANCE in prod, versioned and access-logged), twelve months kept and three immediately " +
            "available (a log group of at least 90 days, a year in prod); multi-region with global service events, or the " +
            "replica's region and IAM go unrecorded",
            v => v.Kind.IsDisposable() ? [] : Audit.TrailIsTamperEvident(v)),

        new("every audit alarm notifies the alert topic, has a runbook row and watches events its trail records",
            "PCI DSS 10.4.1 and 10.7: an alarm whose events the trail does not record (management events left to an " +
            "organization trail, a data selector dropped) never fires; one without an action fires unheard; one without a " +
            "runbook row leaves the person paged guessing",
            v => Audit.AlarmsWatchWhatTheTrailRecords(v, Audit.RunbookRows.Value)),

        // ---- Progressive delivery of the ingestion function (issue 17) ---------------------------------------
        new("API Gateway invokes functions through an alias, never $LATEST",
            "an unqualified function ARN runs $LATEST, which CloudFormation changes in place: 100% of requests move to new " +
            "code at once and nothing can shift them back; the integration URI and the invoke permission must both name an alias",
            v => Rollout.ApiInvokesAliasesOnly(v)),

        new("every alias is deployed by CodeDeploy, rolled back on failure, stop and alarm, with alarms on the new version",
            "PCI DSS 6.5.1: a production change needs a way back to a secure state. The rollback alarms must watch the new " +
            "version's own invocations (ExecutedVersion), its errors, throttles and duration, and the API's 5XX responses, " +
            "and notify the alert topic like every alarm",
            v => Rollout.EveryApiAliasIsShiftedWithRollback(v)),

        new("prod exposes a new function version to at most 10% of requests for at least 10 minutes first",
            "a canary limits a bad release's blast radius to a tenth of prod's traffic while the rollback alarms decide",
            v => v.Kind != EnvironmentKind.Prod ? [] : Rollout.ProdShiftsGradually(v)),

        new("the pre-traffic check may only invoke the version under test and report to its deployment group",
            "it runs with every deployment: a broader role (lambda:*, another function, $LATEST) would let a compromised " +
            "check reach what the platform protects",
            v => Rollout.PreTrafficCheckIsLeastPrivilege(v)),

        new("CodeDeploy deploys with its AWS-managed Lambda service role, plus invoking its hooks only",
            "AWS keeps that policy to what a Lambda deployment needs (update the alias, read alarms, invoke CodeDeployHook_*); " +
            "anything added by hand would outlive its reason",
            v => Rollout.ServiceRoleIsAwsManaged(v)),

        // ---- Limits that span services ----------------------------------------------------------------------
        new("every function behind API Gateway times out before the integration does",
            "API Gateway gives up after 29 s (or the integration's timeout): a longer function keeps writing after the " +
            "client got a 504 and retried, which is how batches get stored twice",
            v => ApiFunctions(v).SelectMany(f =>
            {
                var timeout = (int?)f.Function.Properties()["Timeout"] ?? 3;
                return timeout * 1000 < f.IntegrationTimeoutMs ? []
                    : new[] { $"{v.StackName(Layer.Api)}/{f.LogicalId}: Timeout {timeout} s is not below the integration's {f.IntegrationTimeoutMs / 1000.0} s" };
            })),

        new("every function behind API Gateway has reserved concurrency of at least 1, leaving Lambda's 100 unreserved",
            "0 throttles every request for ever; without a reservation one function can starve the account. Lambda refuses a " +
            $"reservation that leaves fewer than 100 of the default {DefaultAccountConcurrency} unreserved",
            v =>
            {
                var reserved = v.Resources("AWS::Lambda::Function")
                    .Select(r => (r.Layer, r.LogicalId, Reserved: (int?)r.Resource.Properties()["ReservedConcurrentExecutions"])).ToList();
                var problems = ApiFunctions(v)
                    .Select(f => (f.LogicalId, Reserved: (int?)f.Function.Properties()["ReservedConcurrentExecutions"]))
                    .Where(f => f.Reserved is null or < 1)
                    .Select(f => $"{v.StackName(Layer.Api)}/{f.LogicalId}: ReservedConcurrentExecutions is {f.Reserved?.ToString() ?? "unset"}")
                    .ToList();
                var total = reserved.Sum(r => r.Reserved ?? 0);
                if (total > DefaultAccountConcurrency - MinimumUnreservedConcurrency)
                {
                    problems.Add($"{total} reserved in all leaves fewer than {MinimumUnreservedConcurrency} of {DefaultAccountConcurrency} unreserved");
                }

                return problems;
            }),

        new("every log group has a retention, and prod keeps logs at least 365 days",
            "PCI-DSS 10.7: at least one year of audit trail history in the cardholder environment; no retention means paying for ever",
            v => v.Resources("AWS::Logs::LogGroup").SelectMany(r =>
            {
                var days = (int?)r.Resource.Properties()["RetentionInDays"];
                return days is null ? [$"{v.StackName(r.Layer)}/{r.LogicalId}: no RetentionInDays"]
                    : v.Kind == EnvironmentKind.Prod && days < 365 ? new[] { $"{v.StackName(r.Layer)}/{r.LogicalId}: {days} days in prod, PCI-DSS 10.7 needs 365" }
                    : [];
            })),

        new("prod has a NAT gateway in every AZ and a database instance in every AZ",
            "an AZ outage must not cut the other AZs off the internet, nor leave Aurora without a failover target",
            v =>
            {
                if (v.Kind != EnvironmentKind.Prod)
                {
                    return [];
                }

                var zones = v.Resources("AWS::EC2::Subnet").Select(s => (string?)s.Resource.Properties()["AvailabilityZone"]).Distinct().Count();
                var nat = v.Resources("AWS::EC2::NatGateway").Count();
                var instances = v.Resources("AWS::RDS::DBInstance").Count();
                return new[]
                {
                    nat < zones ? $"{nat} NAT gateway(s) for {zones} AZs" : null,
                    instances < zones ? $"{instances} Aurora instance(s) (writer + readers) for {zones} AZs" : null,
                }.OfType<string>();
            }),

        // ---- Identity: what CloudFormation would replace ---------------------------------------------------
        new("stateful and client-held resources keep their logical ids",
            "a changed logical id makes CloudFormation create a new resource and delete the old one: data, keys, the API's " +
            "URL or every client's API key would be lost",
            v => PinnedResources.For(v).SelectMany(pin =>
            {
                var resource = v.Resource(pin.Layer, pin.LogicalId);
                return resource is not null && (string?)resource["Type"] == pin.Type ? []
                    : new[] { $"{v.StackName(pin.Layer)}: the {pin.Type} '{pin.LogicalId}' ({pin.What}) is gone. {PinnedResources.HowToRename(pin)}" };
            })),

        new("every export resolves to the reviewed resource and attribute",
            "other layers and other teams import these values: the same name with another value (the reader endpoint for " +
            "the writer, another bucket) silently redirects every consumer",
            v => ExportContract.Check(v)),

        new("every registered client's API key, usage plan, plan association and app client keep ids derived from its name",
            "clients hold their key and app client: a new logical id issues a new key or client_id (the one held is refused) or " +
            "drops the client's throttling; an id from the list position would change when the list is reordered",
            v => ClientIdentities.Check(v)),

        new("resources that cannot be replaced keep reviewed logical ids",
            "a new id makes CloudFormation create before it deletes: a fixed physical name collides with itself, and a resource " +
            "its parent holds once (bucket policy, route, SG rule, web ACL association or logging) is refused as a duplicate or " +
            "overwritten and then deleted, leaving a bucket without its TLS-only policy or the API without its firewall",
            v => ReplacementUnsafe.Check(v)),

        new("account- and region-wide singletons survive the teardown of any one environment",
            "API Gateway's account settings and their CloudWatch role, and AWS Config's recorder and delivery channel, exist " +
            "once per account and region and serve every environment there: retained, or created only by the account's owner",
            v => AccountSingletons.Check(v)),

        new("clients reach the API at a REGIONAL endpoint behind a REGIONAL web ACL",
            "every client's URL is the regional execute-api endpoint, and the web ACL's per-IP rules need to see the client's " +
            "own address: an EDGE endpoint puts CloudFront in front, PRIVATE or a disabled endpoint cuts every client off",
            v => ApiReachability.Check(v)),

        new("every fixed physical name is within AWS's limits",
            "a name over its service's limit fails the deploy half-way; the longest valid suffix and client name must still fit",
            v => NameLimits.Check(v)),

        // ---- Deploy-time limits (issue 26): what CloudFormation, IAM and the services refuse, which no linter checks ----
        new("every template fits CloudFormation's template quotas",
            "a template over 1 MB (as the CLI uploads it), 500 resources, 200 outputs or parameters, a 255-character logical " +
            "id or a 1,024-byte description is refused when the change set is created: the release stops at that stack " +
            "(docs/deploy-limits.md shows the margins left)",
            v => DeployLimits.Violations(v, LimitKind.Template)),

        new("every role's inline policies, managed policies and trust policy fit IAM's quotas",
            "IAM refuses a role whose inline policies together pass 10,240 characters, a managed policy past 6,144, a trust " +
            "policy past 2,048 or an 11th managed policy: CloudFormation fails the stack half-way and rolls back. Measured as " +
            "deployed: every policy naming the role added up, each intrinsic at the longest value it can resolve to",
            v => DeployLimits.Violations(v, LimitKind.Identity)),

        new("every resource policy fits its service's size limit",
            "a key policy past 32 KB, a bucket policy past 20 KB, a topic policy past 30 KB or a function's permissions past " +
            "20 KB is refused by the service at deploy time; a policy document of a kind with no known limit is reported too",
            v => DeployLimits.Violations(v, LimitKind.ResourcePolicy)),

        // ---- Security switches ------------------------------------------------------------------------------
        new("each resource is encrypted with its own customer-managed key",
            "one key per data class limits what a leaked grant exposes and lets each be audited and revoked on its own",
            v => KeyAssignments.Check(v)),

        new("every bucket blocks public access and refuses requests without TLS",
            "trading data must never be public or travel in clear text (PCI-DSS 1.3, 4.1)",
            v => v.Resources("AWS::S3::Bucket").SelectMany(b =>
            {
                var block = b.Resource.Properties()["PublicAccessBlockConfiguration"]?.AsObject();
                var blocked = block is not null && new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" }
                    .All(flag => IsTrue(block[flag]));
                var tlsOnly = v.Resources("AWS::S3::BucketPolicy")
                    .Where(p => v.RefersTo(p.Resource.Properties()["Bucket"], b.LogicalId))
                    .SelectMany(p => p.Resource.Properties()["PolicyDocument"]!["Statement"]!.AsArray())
                    .Any(s => (string?)s!["Effect"] == "Deny" && (string?)s["Condition"]?["Bool"]?["aws:SecureTransport"] == "false");
                return new[]
                {
                    blocked ? null : $"{v.StackName(b.Layer)}/{b.LogicalId}: public access is not fully blocked",
                    tlsOnly ? null : $"{v.StackName(b.Layer)}/{b.LogicalId}: no policy denies aws:SecureTransport=false",
                }.OfType<string>();
            })),

        new("every KMS key rotates",
            "PCI-DSS 3.6.4: cryptographic keys change at the end of their period; rotation does it without re-encrypting data",
            v => v.Resources("AWS::KMS::Key").Where(k => !IsTrue(k.Resource.Properties()["EnableKeyRotation"]))
                .Select(k => $"{v.StackName(k.Layer)}/{k.LogicalId}: EnableKeyRotation is not true")),

        new("no API stage logs request or response bodies",
            "data trace writes full trade payloads to CloudWatch; it must be explicitly false (absent is not a guarantee)",
            v => v.Resources("AWS::ApiGateway::Stage").SelectMany(s =>
            {
                var settings = s.Resource.Properties()["MethodSettings"]?.AsArray() ?? [];
                var explicitOff = settings.Any(m => (string?)m!["ResourcePath"] == "/*" && (string?)m["HttpMethod"] == "*"
                                                   && m["DataTraceEnabled"] is JsonValue d && !(bool)d);
                var anyOn = settings.Any(m => IsTrue(m!["DataTraceEnabled"]));
                return explicitOff && !anyOn ? [] : new[] { $"{v.StackName(s.Layer)}/{s.LogicalId}: data trace is not explicitly off for /*/*" };
            })),

        new("the database requires IAM authentication, is encrypted and cannot open connections",
            "IAM auth ties each connection to a principal (PCI-DSS 8); a database that can connect out can exfiltrate data",
            v => v.Resources("AWS::RDS::DBCluster").SelectMany(c =>
            {
                var properties = c.Resource.Properties();
                var problems = new List<string>();
                if (!IsTrue(properties["EnableIAMDatabaseAuthentication"]))
                {
                    problems.Add($"{v.StackName(c.Layer)}/{c.LogicalId}: IAM database authentication is off");
                }

                if (!IsTrue(properties["StorageEncrypted"]))
                {
                    problems.Add($"{v.StackName(c.Layer)}/{c.LogicalId}: storage is not encrypted");
                }

                foreach (var group in properties["VpcSecurityGroupIds"]?.AsArray() ?? [])
                {
                    var groupId = (string)group!["Fn::GetAtt"]![0]!;
                    var egress = v.Resource(c.Layer, groupId)!.Properties()["SecurityGroupEgress"]?.AsArray() ?? [];
                    var onlyPlaceholder = egress.Count == 1 && (string?)egress[0]!["CidrIp"] == "255.255.255.255/32";
                    var extraRules = v.Resources("AWS::EC2::SecurityGroupEgress").Where(e => v.RefersTo(e.Resource.Properties()["GroupId"], groupId));
                    if (!onlyPlaceholder || extraRules.Any())
                    {
                        problems.Add($"{v.StackName(c.Layer)}/{groupId}: the database's security group allows egress");
                    }
                }

                return problems;
            })),

        new("every taggable resource carries the four platform tags",
            "Environment, CostCenter, Compliance and DataClassification scope the PCI-DSS audit and the cost reports",
            // Except the CDK's own deploy-time helpers: raw resources that tag propagation does not reach.
            v => v.Resources(TaggedTypes).Where(r => !IsCdkProviderHandler(r.LogicalId)).SelectMany(r =>
            {
                var tags = (r.Resource.Properties()["Tags"] as JsonArray ?? [])
                    .ToDictionary(t => (string)t!["Key"]!, t => (string?)t!["Value"]);
                return new Dictionary<string, string>
                {
                    ["Environment"] = v.Suffix, ["CostCenter"] = "trading-platform",
                    ["Compliance"] = "PCI-DSS", ["DataClassification"] = "Confidential",
                }
                .Where(tag => tags.GetValueOrDefault(tag.Key) != tag.Value)
                .Select(tag => $"{v.StackName(r.Layer)}/{r.LogicalId}: tag {tag.Key} is not '{tag.Value}'");
            })),

        new("compliance exemptions for missing protection exist only in disposable environments",
            "an exemption must follow the environment kind, never the property it excuses: otherwise a staging or prod " +
            "that lost its protection excuses itself and the compliance gate passes",
            v => v.Kind.IsDisposable() ? [] : ProtectionExemptions(v)),
    ];

    private static IEnumerable<string> ProtectionExemptions(PlatformView v) =>
        from template in v.Templates
        from resource in template.Value["Resources"]!.AsObject()
        let nag = (resource.Value!["Metadata"]?["cdk_nag"]?["rules_to_suppress"]?.AsArray() ?? []).Select(n => (string?)n!["id"])
        let guard = (resource.Value!["Metadata"]?["guard"]?["SuppressedRules"]?.AsArray() ?? []).Select(n => (string?)n)
        from ruleId in nag.Concat(guard)
        where DisposableOnlyExemptions.Contains(ruleId)
        select $"{v.StackName(template.Key)}/{resource.Key}: suppresses {ruleId} in a {v.Kind} environment";

    /// <summary>The Lambda handlers of the CDK's custom resource providers (S3 auto-delete, default security group).</summary>
    public static bool IsCdkProviderHandler(string logicalId) =>
        logicalId.StartsWith("Custom", StringComparison.Ordinal) && logicalId.Contains("CustomResourceProviderHandler", StringComparison.Ordinal);

    public static bool IsTrue(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var b) && b;

    /// <summary>The functions API Gateway methods invoke, with the integration's timeout (29 s unless set).</summary>
    private static IEnumerable<(string LogicalId, JsonObject Function, int IntegrationTimeoutMs)> ApiFunctions(PlatformView v) =>
        from method in v.Resources("AWS::ApiGateway::Method")
        let integration = method.Resource.Properties()["Integration"]
        where integration is not null && (string?)integration["Type"] is "AWS_PROXY" or "AWS"
        from function in v.Resources("AWS::Lambda::Function")
        // Directly, or through an alias (or version) of the function.
        where v.RefersTo(integration["Uri"], function.LogicalId)
              || v.Resources("AWS::Lambda::Alias", "AWS::Lambda::Version").Any(a =>
                  v.RefersTo(integration["Uri"], a.LogicalId) && v.RefersTo(a.Resource.Properties()["FunctionName"], function.LogicalId))
        select (function.LogicalId, function.Resource, (int?)integration["TimeoutInMillis"] ?? 29_000);

    /// <summary>Object Lock by either property (the top-level flag, or the configuration's own ObjectLockEnabled).</summary>
    public static bool HasObjectLock(JsonObject bucket) =>
        IsTrue(bucket.Properties()["ObjectLockEnabled"])
        || (string?)bucket.Properties()["ObjectLockConfiguration"]?["ObjectLockEnabled"] == "Enabled";

    private static IEnumerable<string> ObjectLockShapes(PlatformView v)
    {
        var named = new HashSet<string>();
        foreach (var (layer, logicalId, bucket) in v.Resources("AWS::S3::Bucket"))
        {
            var properties = bucket.Properties();
            var top = properties["ObjectLockEnabled"];
            var configured = (string?)properties["ObjectLockConfiguration"]?["ObjectLockEnabled"] == "Enabled"
                && properties["ObjectLockConfiguration"]?["Rule"]?["DefaultRetention"] is not null;
            if (top is null && properties["ObjectLockConfiguration"] is null)
            {
                continue;
            }

            var where = $"{v.StackName(layer)}/{logicalId}";
            var name = (string?)bucket["Metadata"]?["tradingplatform:lockedBucket"]?["name"];
            if (name is null)
            {
                yield return $"{where}: has an Object Lock setting but no tradingplatform:lockedBucket metadata naming it";
                continue;
            }

            named.Add(name);
            if (v.BucketsPredatingObjectLock.Contains(name))
            {
                if (top is not null || !configured)
                {
                    yield return $"{where} ('{name}', listed as predating Object Lock at creation): expected ObjectLockConfiguration " +
                        $"(Enabled, with a default retention) and no top-level ObjectLockEnabled, found ObjectLockEnabled={top?.ToJsonString() ?? "absent"}";
                }
            }
            else if (!IsTrue(top) || !configured)
            {
                yield return $"{where} ('{name}', created locked): expected the top-level ObjectLockEnabled true and ObjectLockConfiguration " +
                    $"(Enabled, with a default retention), found ObjectLockEnabled={top?.ToJsonString() ?? "absent"}, configuration " +
                    (configured ? "complete" : "missing or without a default retention");
            }
        }

        foreach (var missing in v.BucketsPredatingObjectLock.Where(b => !named.Contains(b)))
        {
            yield return $"the configuration lists '{missing}' as predating Object Lock at creation, but no locked bucket is named so";
        }
    }

    private static IEnumerable<string> UnlockedRecords(PlatformView v)
    {
        var rules = (
            from source in v.Resources("AWS::S3::Bucket")
            from rule in source.Resource.Properties()["ReplicationConfiguration"]?["Rules"]?.AsArray() ?? []
            where (string?)rule!["Filter"]?["Prefix"] == "trades/" && (string?)rule["Status"] == "Enabled"
            select (source.Layer, Destination: rule["Destination"]!["Bucket"])).ToList();
        if (rules.Count == 0)
        {
            yield return "no bucket replicates trades/ anywhere: accepted batches have no unalterable copy";
        }

        foreach (var (layer, destination) in rules)
        {
            // A bucket of this region by reference; the recovery region's replica by its ARN (derived name, see RecoveryStack).
            var target = v.Resources("AWS::S3::Bucket").FirstOrDefault(b => v.RefersTo(destination, b.LogicalId)
                || (destination is JsonValue && b.Resource.Properties()["BucketName"] is JsonValue name
                    && (string?)destination == $"arn:aws:s3:::{(string)name!}"));
            if (target.Resource is null)
            {
                yield return $"{v.StackName(layer)}: trades/ replicates to {destination?.ToJsonString()}, not a bucket of this platform";
                continue;
            }

            var name = $"{v.StackName(target.Layer)}/{target.LogicalId}";
            var retention = target.Resource.Properties()["ObjectLockConfiguration"]?["Rule"]?["DefaultRetention"];
            var mode = (string?)retention?["Mode"];
            if (!HasObjectLock(target.Resource) || retention?["Years"] is null && retention?["Days"] is null)
            {
                yield return $"{name}: receives trades/ but has no Object Lock with a default retention";
            }
            else if (v.Kind == EnvironmentKind.Prod && mode != "COMPLIANCE")
            {
                yield return $"{name}: Object Lock mode is {mode ?? "unset"} in prod, expected COMPLIANCE";
            }
        }
    }

    private static bool AutoDeleted(PlatformView v, Layer layer, string bucketId) =>
        v.Resources("Custom::S3AutoDeleteObjects").Any(r => r.Layer == layer && v.RefersTo(r.Resource.Properties()["BucketName"], bucketId));
}
