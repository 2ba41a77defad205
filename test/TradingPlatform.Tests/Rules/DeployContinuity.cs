using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TradingPlatform.Config;

namespace TradingPlatform.Tests.Rules;

/// <summary>
/// What every registered client holds beyond the seed's shared key: its API key (the secret it sends), the key's
/// association with a usage plan (its throttling), its own usage plan when it has limits, and its Cognito app client
/// (client_id and secret). CloudFormation identifies each by logical id: a new id issues a new key or app client (the
/// one the client holds stops working) or drops its association (the key is refused on every request), and a new
/// association is created before the old one is deleted, which API Gateway refuses as a duplicate.
/// </summary>
public static class ClientIdentities
{
    private const string KeyPrefix = "trading-api-key-";

    /// <summary>The registered clients, by name, as the API keys of the Api layer name them.</summary>
    public static IReadOnlyList<string> Clients(PlatformView v) => v.Resources("AWS::ApiGateway::ApiKey")
        .Select(k => (string?)k.Resource.Properties()["Name"])
        .OfType<string>()
        .Where(name => name.StartsWith($"{KeyPrefix}{v.Suffix}-", StringComparison.Ordinal))
        .Select(name => name[$"{KeyPrefix}{v.Suffix}-".Length..])
        .ToList();

    /// <summary>
    /// Each id must be the CDK's id of a construct named after the client (its name without hyphens, then the 8-digit
    /// hash of the path): derived from the name, never from the client's position in the list or a counter.
    /// </summary>
    public static IEnumerable<string> Check(PlatformView v)
    {
        var env = Alnum(v.Suffix);
        var keys = v.Resources("AWS::ApiGateway::ApiKey").ToDictionary(k => (string?)k.Resource.Properties()["Name"] ?? "", k => k.LogicalId);
        var appClients = v.Resources("AWS::Cognito::UserPoolClient").ToDictionary(c => (string?)c.Resource.Properties()["ClientName"] ?? "", c => c.LogicalId);
        var plans = v.Resources("AWS::ApiGateway::UsagePlan").ToDictionary(p => (string?)p.Resource.Properties()["UsagePlanName"] ?? "", p => p.LogicalId);
        foreach (var client in Clients(v))
        {
            var c = Alnum(client);
            var keyId = keys[$"{KeyPrefix}{v.Suffix}-{client}"];
            if (!Regex.IsMatch(keyId, $"^TradingApiClientApiKey{c}[0-9A-F]{{8}}$"))
            {
                yield return $"{v.StackName(Layer.Api)}/{keyId}: the API key of client '{client}' must have the id derived from its name " +
                             $"(TradingApiClientApiKey{c} + hash): a new id issues a new key, and the one '{client}' holds is refused";
            }

            var ownPlan = plans.GetValueOrDefault($"trading-usage-plan-{v.Suffix}-{client}");
            if (ownPlan is not null && !Regex.IsMatch(ownPlan, $"^TradingApiClientUsagePlan{c}[0-9A-F]{{8}}$"))
            {
                yield return $"{v.StackName(Layer.Api)}/{ownPlan}: the usage plan of client '{client}' must have the id derived from its name " +
                             $"(TradingApiClientUsagePlan{c} + hash): a new plan drops the client's throttling until its key is associated again";
            }

            var associations = v.Resources("AWS::ApiGateway::UsagePlanKey")
                .Where(a => (string?)a.Resource.Properties()["KeyId"]?["Ref"] == keyId).ToList();
            if (associations.Count != 1)
            {
                yield return $"{v.StackName(Layer.Api)}: the API key of client '{client}' is in {associations.Count} usage plans, expected exactly 1";
            }

            var planPart = ownPlan is null ? "TradingApiUsagePlan" : $"TradingApiClientUsagePlan{c}";
            foreach (var association in associations.Where(a =>
                         !Regex.IsMatch(a.LogicalId, $"^{planPart}UsagePlanKeyResourceTradingPlatform{env}ApiTradingApiClientApiKey{c}[0-9A-F]{{16}}$")))
            {
                yield return $"{v.StackName(Layer.Api)}/{association.LogicalId}: the usage-plan association of client '{client}' must have the " +
                             $"id derived from its plan and key ({planPart}UsagePlanKeyResource...ClientApiKey{c} + hash): a new id is created " +
                             "before the old one is deleted, and API Gateway refuses the key twice in one plan";
            }

            if (appClients.GetValueOrDefault($"trading-{v.Suffix}-{client}") is not { } appClient)
            {
                yield return $"{v.StackName(Layer.Security)}: client '{client}' has an API key but no app client named trading-{v.Suffix}-{client}";
            }
            else if (!Regex.IsMatch(appClient, $"^MachineClientPoolClient{c}[0-9A-F]{{8}}$"))
            {
                yield return $"{v.StackName(Layer.Security)}/{appClient}: the app client of '{client}' must have the id derived from its name " +
                             $"(MachineClientPoolClient{c} + hash): a new id is a new client_id and secret, and the registry's entry no longer matches";
            }
        }
    }

    private static string Alnum(string s) => new(s.Where(char.IsAsciiLetterOrDigit).ToArray());
}

/// <summary>
/// How the world reaches the API: the regional execute-api endpoint in every client's URL (the ApiUrl export), behind
/// a REGIONAL web ACL associated with the stage.
/// </summary>
public static class ApiReachability
{
    public static IEnumerable<string> Check(PlatformView v)
    {
        var apis = v.Resources("AWS::ApiGateway::RestApi").ToList();
        if (apis.Count == 0)
        {
            yield return "no REST API: nothing for clients to reach";
        }

        foreach (var (layer, id, api) in apis)
        {
            var name = $"{v.StackName(layer)}/{id}";
            var types = (api.Properties()["EndpointConfiguration"]?["Types"]?.AsArray() ?? []).Select(t => (string?)t).ToList();
            if (types is not ["REGIONAL"])
            {
                yield return $"{name}: endpoint types are [{string.Join(", ", types)}], expected [REGIONAL] (EDGE, the default when unset, " +
                             "puts CloudFront in front: the web ACL's per-IP rate limit and IP reputation rules would see CloudFront's " +
                             "addresses; PRIVATE is unreachable from every client that holds the URL)";
            }

            if (PlatformRules.IsTrue(api.Properties()["DisableExecuteApiEndpoint"]))
            {
                yield return $"{name}: the execute-api endpoint is disabled, and it is the URL every client holds (ApiUrl)";
            }

            foreach (var stage in v.Resources("AWS::ApiGateway::Stage").Where(s => v.RefersTo(s.Resource.Properties()["RestApiId"], id)))
            {
                var guarded = v.Resources("AWS::WAFv2::WebACLAssociation").Any(a =>
                    v.RefersTo(a.Resource.Properties()["ResourceArn"], id) && v.RefersTo(a.Resource.Properties()["ResourceArn"], stage.LogicalId)
                    && v.Resources("AWS::WAFv2::WebACL").Any(acl =>
                        (string?)acl.Resource.Properties()["Scope"] == "REGIONAL" && v.RefersTo(a.Resource.Properties()["WebACLArn"], acl.LogicalId)));
                if (!guarded)
                {
                    yield return $"{v.StackName(stage.Layer)}/{stage.LogicalId}: no REGIONAL web ACL of ours is associated with this stage";
                }
            }
        }
    }
}

/// <summary>
/// Settings that exist once per account and region, not once per environment: every environment in the account
/// shares them, so tearing one environment down must never delete them.
/// </summary>
public static class AccountSingletons
{
    /// <summary>Once-per-account-and-region resource types the platform does not create today: adding one needs a decision.</summary>
    private static readonly string[] Undecided =
        ["AWS::GuardDuty::Detector", "AWS::SecurityHub::Hub", "AWS::Macie::Session", "AWS::Detective::Graph", "AWS::Config::ConfigurationAggregator"];

    public static IEnumerable<string> Check(PlatformView v)
    {
        // API Gateway's account settings (the CloudWatch role every REST API of the region logs with) are created by
        // every environment's Api layer: each must leave them, and the role they name, behind when its stack goes.
        foreach (var (layer, id, account) in v.Resources("AWS::ApiGateway::Account"))
        {
            foreach (var problem in Retained(v, layer, id, account, "API Gateway's account settings (shared by every API of the region)"))
            {
                yield return problem;
            }

            var roleId = (string?)account.Properties()["CloudWatchRoleArn"]?["Fn::GetAtt"]?[0];
            if (roleId is null || v.Resource(layer, roleId) is not { } role)
            {
                yield return $"{v.StackName(layer)}/{id}: its CloudWatch role is not a role of this stack ({account.Properties()["CloudWatchRoleArn"]?.ToJsonString()})";
                continue;
            }

            foreach (var problem in Retained(v, layer, roleId, role, "the CloudWatch role the region's API Gateway account settings name"))
            {
                yield return problem;
            }
        }

        // AWS Config allows one recorder and one delivery channel per account and region. They are created only by the
        // environment that owns the account (dev in the dev account, staging, prod), never by an ephemeral pr-N in the
        // dev account, which relies on dev's and would take them down with it.
        var recorders = v.Resources("AWS::Config::ConfigurationRecorder").ToList();
        var channels = v.Resources("AWS::Config::DeliveryChannel").ToList();
        if (v.Kind == EnvironmentKind.Ephemeral)
        {
            foreach (var r in recorders.Concat(channels))
            {
                yield return $"{v.StackName(r.Layer)}/{r.LogicalId} ({r.Resource["Type"]}): an ephemeral environment must use its account's " +
                             "recorder, never create (and on teardown delete) the one other environments rely on";
            }
        }

        if (recorders.Count > 1 || channels.Count > 1 || recorders.Count != channels.Count)
        {
            yield return $"{recorders.Count} Config recorder(s) and {channels.Count} delivery channel(s): an account has one of each, together";
        }

        foreach (var r in v.Resources(Undecided))
        {
            yield return $"{v.StackName(r.Layer)}/{r.LogicalId}: {r.Resource["Type"]} exists once per account and region: decide which " +
                         "environment owns it (or retain it) and add it to this rule";
        }
    }

    private static IEnumerable<string> Retained(PlatformView v, Layer layer, string id, JsonObject resource, string what) =>
        new[] { "DeletionPolicy", "UpdateReplacePolicy" }
            .Where(policy => (string?)resource[policy] != "Retain")
            .Select(policy => $"{v.StackName(layer)}/{id} ({what}): {policy} is '{(string?)resource[policy] ?? "Delete (default)"}', " +
                              "expected Retain: deleting this environment would delete what the others use");
}

/// <summary>
/// Resources CloudFormation cannot replace without failing the deploy or opening a gap. On a new logical id it creates
/// the new resource first, then deletes the old one: a resource with a fixed physical name collides with itself
/// ("already exists"), or, where the service overwrites by name (alarms, dashboards), the old id's deletion then
/// deletes the live one; a resource its parent holds only once (a bucket's policy, a subnet's route table, a web
/// ACL's association or logging, a security-group rule) is refused as a duplicate, or overwritten and then deleted,
/// leaving the bucket without its TLS-only policy or the API without its firewall. Their ids are reviewed here.
/// </summary>
public static class ReplacementUnsafe
{
    /// <summary>Types with a fixed physical name, and the property that holds it.</summary>
    private static readonly Dictionary<string, string> NameProperty = new()
    {
        ["AWS::Logs::LogGroup"] = "LogGroupName", ["AWS::Lambda::Function"] = "FunctionName", ["AWS::DynamoDB::Table"] = "TableName",
        ["AWS::RDS::DBCluster"] = "DBClusterIdentifier", ["AWS::Backup::BackupVault"] = "BackupVaultName", ["AWS::SNS::Topic"] = "TopicName",
        ["AWS::CloudWatch::Alarm"] = "AlarmName", ["AWS::CloudWatch::CompositeAlarm"] = "AlarmName", ["AWS::CloudWatch::Dashboard"] = "DashboardName",
        ["AWS::WAFv2::WebACL"] = "Name", ["AWS::Cognito::UserPool"] = "UserPoolName", ["AWS::Cognito::UserPoolDomain"] = "Domain",
        ["AWS::KMS::Alias"] = "AliasName", ["AWS::ApiGateway::Model"] = "Name",
        // An alias's name is unique per function; an application's and a deployment group's per account and region.
        ["AWS::Lambda::Alias"] = "Name", ["AWS::CodeDeploy::Application"] = "ApplicationName",
        ["AWS::CodeDeploy::DeploymentGroup"] = "DeploymentGroupName",
        // A trail's name is unique per account and region (issue 27; the trail itself is pinned).
        ["AWS::CloudTrail::Trail"] = "TrailName",
    };

    /// <summary>Fixed-name resources not already pinned as stateful (PinnedResources), by name ({env} = the suffix).</summary>
    private static readonly Dictionary<string, string> ByName = new()
    {
        ["AWS::Logs::LogGroup /aws/lambda/data-processor-{env}"] = "DataProcessingLogGroupA033B549",
        ["AWS::Logs::LogGroup aws-waf-logs-trading-api-{env}-waf"] = "WafLogGroupDFDE65B0",
        ["AWS::Logs::LogGroup /aws/rds/cluster/trading-db-{env}/postgresql"] = "DatabaseLogGroup3C9B0F88",
        ["AWS::Lambda::Function data-processor-{env}"] = "DataProcessingFunction1BB8FB78",
        ["AWS::WAFv2::WebACL trading-api-{env}-waf"] = "ApiWebAcl",
        ["AWS::ApiGateway::Model TradeBatch"] = "TradingApiTradeBatchModel2B79E28A",
        ["AWS::CloudWatch::Dashboard trading-platform-{env}"] = "PlatformDashboard94C19816",
        ["AWS::CloudWatch::CompositeAlarm trading-{env}-platform-health"] = "PlatformHealthAlarm52F0173C",
        ["AWS::CloudWatch::Alarm trading-{env}-api-5xx-rate"] = "TradingApi5xxAlarmF5D5A97E",
        ["AWS::CloudWatch::Alarm trading-{env}-api-p99-latency"] = "TradingApiLatencyAlarm685960AC",
        ["AWS::CloudWatch::Alarm trading-{env}-ingestion-function-concurrency"] = "DataProcessingConcurrencyAlarm063832D5",
        ["AWS::CloudWatch::Alarm trading-{env}-ingestion-function-duration"] = "DataProcessingDurationAlarmA066743E",
        ["AWS::CloudWatch::Alarm trading-{env}-ingestion-function-errors"] = "DataProcessingErrorsAlarm3D6FCEC8",
        ["AWS::CloudWatch::Alarm trading-{env}-ingestion-function-throttles"] = "DataProcessingThrottlesAlarmBD622C76",
        ["AWS::CloudWatch::Alarm trading-{env}-waf-blocked-requests"] = "ApiWebAclBlockedRequestsAlarm7C6F5121",
        ["AWS::CloudWatch::Alarm trading-{env}-api-keys-table-system-errors"] = "ApiKeysTableSystemErrorsAlarmCDF3BA61",
        ["AWS::CloudWatch::Alarm trading-{env}-api-keys-table-throttled"] = "ApiKeysTableThrottlesAlarmC202C1F2",
        ["AWS::CloudWatch::Alarm trading-{env}-sessions-table-system-errors"] = "SessionsTableSystemErrorsAlarmF853093D",
        ["AWS::CloudWatch::Alarm trading-{env}-sessions-table-throttled"] = "SessionsTableThrottlesAlarm1BB96E91",
        ["AWS::CloudWatch::Alarm trading-{env}-aurora-acu-near-max"] = "DatabaseAcuUtilizationAlarmCFCFE830",
        ["AWS::CloudWatch::Alarm trading-{env}-aurora-connections-high"] = "DatabaseConnectionsAlarm3643818C",
        ["AWS::CloudWatch::Alarm trading-{env}-aurora-cpu-high"] = "DatabaseCpuAlarmFB0E33CD",
        ["AWS::CloudWatch::Alarm trading-{env}-aurora-freeable-memory-low"] = "DatabaseFreeableMemoryAlarmBE751C3E",
        ["AWS::CloudWatch::Alarm trading-{env}-aurora-replica-lag-high"] = "DatabaseReplicaLagAlarm47509DA9",
        ["AWS::CloudWatch::Alarm trading-{env}-backup-jobs-failed"] = "BackupJobsFailedAlarmC7E408C1",
        ["AWS::CloudWatch::Alarm trading-{env}-records-replication-failed"] = "RecordsReplicationFailedAlarmA9DA52B5",
        ["AWS::CloudWatch::Alarm trading-{env}-nat-1-packets-dropped"] = "NatGateway1PacketsDropped9BB2D674",
        ["AWS::CloudWatch::Alarm trading-{env}-nat-1-port-allocation-errors"] = "NatGateway1PortAllocationErrorsBB3C9841",
        ["AWS::CloudWatch::Alarm trading-{env}-nat-2-packets-dropped"] = "NatGateway2PacketsDroppedEFB7176B",
        ["AWS::CloudWatch::Alarm trading-{env}-nat-2-port-allocation-errors"] = "NatGateway2PortAllocationErrorsD6DC8A57",
        ["AWS::CloudWatch::Alarm trading-{env}-nat-3-packets-dropped"] = "NatGateway3PacketsDropped359A979B",
        ["AWS::CloudWatch::Alarm trading-{env}-nat-3-port-allocation-errors"] = "NatGateway3PortAllocationErrors6F9BF673",
        // Recovery (issue 18): the Data layer's copy and replication alarms, the Recovery layer's named resources.
        ["AWS::CloudWatch::Alarm trading-{env}-backup-copy-jobs-failed"] = "BackupCopyJobsFailedAlarm27C33D87",
        ["AWS::CloudWatch::Alarm trading-{env}-records-recovery-replication-failed"] = "RecoveryReplicationFailedAlarmE3A4B9D0",
        ["AWS::CloudWatch::Alarm trading-{env}-records-recovery-replication-latency"] = "RecoveryReplicationLatencyAlarm24199925",
        ["AWS::Backup::BackupVault trading-backups-{env}-recovery"] = "RecoveryBackupVault74C95F05",
        ["AWS::SNS::Topic trading-alerts-{env}-recovery"] = "AlertTopic2720D535",
        ["AWS::KMS::Alias alias/records-replica-key-{env}"] = "RecordsReplicaKeyAlias45E04912",
        ["AWS::KMS::Alias alias/backup-recovery-key-{env}"] = "RecoveryBackupKeyAliasFE41141B",
        ["AWS::KMS::Alias alias/alerts-recovery-key-{env}"] = "RecoveryAlertsKeyAlias5D9CE0FD",
        // Progressive delivery (issue 17): the live alias (clients' traffic goes through it), its CodeDeploy application
        // and group, the pre-traffic check and the rollback alarms.
        ["AWS::Lambda::Alias live"] = "LiveAlias9B8FFEA9",
        ["AWS::CodeDeploy::Application data-processor-{env}"] = "DeploymentApplicationC20F1262",
        ["AWS::CodeDeploy::DeploymentGroup data-processor-{env}-live"] = "DeploymentGroup6D277AF0",
        ["AWS::Lambda::Function data-processor-{env}-pre-traffic"] = "PreTrafficCheck613A2AF3",
        ["AWS::Logs::LogGroup /aws/lambda/data-processor-{env}-pre-traffic"] = "PreTrafficCheckLogGroup02165909",
        ["AWS::CloudWatch::Alarm trading-{env}-ingestion-new-version-errors"] = "NewVersionErrorsAlarm392B232C",
        ["AWS::CloudWatch::Alarm trading-{env}-ingestion-new-version-throttles"] = "NewVersionThrottlesAlarmDC3C6284",
        ["AWS::CloudWatch::Alarm trading-{env}-ingestion-new-version-duration"] = "NewVersionDurationAlarm6AEC8536",
        ["AWS::CloudWatch::Alarm trading-{env}-api-5xx-rate-per-minute"] = "RolloutApi5xxAlarmBA491F15",
        // The audit trail (issue 27): its key's alias and its alarms.
        ["AWS::KMS::Alias alias/audit-key-{env}"] = "AuditKeyAlias03A4B3A2",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-records-access-denied"] = "AuditRecordsAccessDeniedAlarm39B77748",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-keys-access-denied"] = "AuditKeysAccessDeniedAlarmEA414DF8",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-locked-records-delete-attempt"] = "AuditLockedRecordsDeleteAttemptAlarm7DFD8B33",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-key-disabled-or-scheduled-deletion"] = "AuditKeyDisabledOrScheduledDeletionAlarm56E3C396",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-bucket-controls-changed"] = "AuditBucketControlsChangedAlarm950D2516",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-platform-role-changed"] = "AuditPlatformRoleChangedAlarmB7FA5101",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-trail-changed"] = "AuditTrailChangedAlarmA3631CF7",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-config-recorder-stopped"] = "AuditConfigRecorderStoppedAlarmA586D007",
        ["AWS::CloudWatch::Alarm trading-{env}-audit-registry-read-by-other-principal"] = "AuditRegistryReadByOtherPrincipalAlarm8CD220A7",
    };

    /// <summary>Types their parent holds at most once (per bucket, topic, subnet, route table and destination, web ACL, VPC, region).</summary>
    private static readonly string[] OncePerParentTypes =
    [
        "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy", "AWS::WAFv2::WebACLAssociation", "AWS::WAFv2::LoggingConfiguration",
        "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::Route", "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::FlowLog",
        "AWS::ApiGateway::Account", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::ApiGateway::UsagePlanKey",
    ];

    /// <summary>The reviewed ids of the once-per-parent resources that are the same in every environment.</summary>
    private static readonly HashSet<string> OncePerParent =
    [
        "AccessLogsBucketPolicy7F77476F", "AnalyticsBucketPolicyB099319A", "ArchivalBucketPolicyF6B1C16F", "IngestionBucketPolicyA79CE1F0",
        "ConfigAccessLogsBucketPolicyC669D520", "ConfigBucketPolicy6D5E90FF", "AlertTopicPolicy3376BC02",
        "RecordsReplicaBucketPolicyBAA6CBE3", "RecordsReplicaAccessLogsBucketPolicyED03A20E", "AuditTrailBucketPolicy00994082",
        "ApiWebAclAssociation", "ApiWebAclLogging", "TradingApiAccount3AC99F5B",
        "TradingVpcAllTrafficFlowLogAE87F5D1", "TradingVpcVPCGW3DC575BB",
        "TradingVpcPrivateSubnet1DefaultRoute720D1D9D", "TradingVpcPrivateSubnet2DefaultRouteB949290F", "TradingVpcPrivateSubnet3DefaultRoute19370114",
        "TradingVpcPublicSubnet1DefaultRoute3E487D25", "TradingVpcPublicSubnet2DefaultRoute7A6B3914", "TradingVpcPublicSubnet3DefaultRoute9E95140F",
        "TradingVpcPrivateSubnet1RouteTableAssociation8621177B", "TradingVpcPrivateSubnet2RouteTableAssociationEB352871",
        "TradingVpcPrivateSubnet3RouteTableAssociationAFE2A96D", "TradingVpcPublicSubnet1RouteTableAssociationD96FF3AC",
        "TradingVpcPublicSubnet2RouteTableAssociationE7A69BBD", "TradingVpcPublicSubnet3RouteTableAssociationB1488FF6",
    ];

    /// <summary>
    /// Ids that contain the stack's name (the CDK names these after the peer's or the key's path): reviewed per
    /// long-lived environment. An ephemeral environment is rebuilt rather than updated across such a change.
    /// </summary>
    private static readonly Dictionary<string, string[]> OncePerParentByEnvironment = new()
    {
        ["dev"] =
        [
            "DatabaseClientSecurityGrouptoTradingPlatformdevDataDatabaseSecurityGroupA5787A3954327B365F90",
            "DatabaseSecurityGroupfromTradingPlatformdevDataDatabaseClientSecurityGroupEE856E5F54327411A389",
            "TradingApiUsagePlanUsagePlanKeyResourceTradingPlatformdevApiTradingApiApiKey615AE81957C6F01B",
        ],
        ["staging"] =
        [
            "DatabaseClientSecurityGrouptoTradingPlatformstagingDataDatabaseSecurityGroup63D3D8CC5432A2C91CCA",
            "DatabaseSecurityGroupfromTradingPlatformstagingDataDatabaseClientSecurityGroupC9C100015432BD15BA2F",
            "TradingApiUsagePlanUsagePlanKeyResourceTradingPlatformstagingApiTradingApiApiKey60DE36640385BC01",
        ],
        ["prod"] =
        [
            "DatabaseClientSecurityGrouptoTradingPlatformprodDataDatabaseSecurityGroupA01B14665432F6FC92FE",
            "DatabaseSecurityGroupfromTradingPlatformprodDataDatabaseClientSecurityGroup953F413C5432F10045DE",
            "TradingApiUsagePlanUsagePlanKeyResourceTradingPlatformprodApiTradingApiApiKey6A34022588848086",
        ],
    };

    private const string HowToKeep =
        "If code moved, keep the id with OverrideLogicalId (or the construct id it had); if a new resource is meant, " +
        "review how it is created next to the old one and add its id here.";

    public static IEnumerable<string> Check(PlatformView v)
    {
        var pinned = PinnedResources.For(v).Select(p => (p.Layer, p.LogicalId)).ToHashSet();
        foreach (var (type, property) in NameProperty)
        {
            foreach (var (layer, id, resource) in v.Resources(type).Where(r => !pinned.Contains((r.Layer, r.LogicalId))))
            {
                if (resource.Properties()[property] is not JsonValue nameValue || (string?)nameValue is not { } name)
                {
                    continue;
                }

                var key = $"{type} {name.Replace(v.Suffix, "{env}", StringComparison.Ordinal)}";
                if (!ByName.TryGetValue(key, out var reviewed))
                {
                    yield return $"{v.StackName(layer)}/{id}: the {type} named '{name}' has a fixed name and an unreviewed id. {HowToKeep}";
                }
                else if (reviewed != id)
                {
                    yield return $"{v.StackName(layer)}/{id}: the {type} named '{name}' had the id {reviewed}: under a new id CloudFormation " +
                                 $"creates a second '{name}' before deleting the first, which fails or deletes the live one. {HowToKeep}";
                }
            }
        }

        var perEnvironment = OncePerParentByEnvironment.GetValueOrDefault(v.Suffix);
        var clientKeys = ClientIdentities.Clients(v).Count > 0
            ? v.Resources("AWS::ApiGateway::ApiKey").Where(k => ((string?)k.Resource.Properties()["Name"] ?? "").StartsWith($"trading-api-key-{v.Suffix}-"))
                .Select(k => k.LogicalId).ToHashSet()
            : [];
        foreach (var (layer, id, resource) in v.Resources(OncePerParentTypes))
        {
            var ok = OncePerParent.Contains(id)
                     || (perEnvironment?.Contains(id) ?? v.Kind == EnvironmentKind.Ephemeral && id.Contains(Alnum(v.Suffix), StringComparison.Ordinal))
                     // A client's association: ClientIdentities checks it.
                     || (string?)resource.Properties()["KeyId"]?["Ref"] is { } keyId && clientKeys.Contains(keyId);
            if (!ok)
            {
                yield return $"{v.StackName(layer)}/{id} ({resource["Type"]}): not a reviewed id; its parent holds one at a time, so a " +
                             $"renamed one is refused as a duplicate or overwrites and then deletes the live one. {HowToKeep}";
            }
        }
    }

    private static string Alnum(string s) => new(s.Where(char.IsAsciiLetterOrDigit).ToArray());
}

/// <summary>AWS's limits on the physical names we fix, read from the templates (the longest suffix is what tests them).</summary>
public static class NameLimits
{
    private static readonly (string Type, string[] Path, int Max, string Pattern)[] Limits =
    [
        ("AWS::RDS::DBCluster", ["DBClusterIdentifier"], 63, "^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$"),
        ("AWS::Lambda::Function", ["FunctionName"], 64, "^[A-Za-z0-9_-]+$"),
        ("AWS::DynamoDB::Table", ["TableName"], 255, "^[A-Za-z0-9_.-]{3,}$"),
        ("AWS::Logs::LogGroup", ["LogGroupName"], 512, "^[A-Za-z0-9_./#-]+$"),
        ("AWS::Backup::BackupVault", ["BackupVaultName"], 50, "^[A-Za-z0-9_-]{2,}$"),
        ("AWS::Backup::BackupPlan", ["BackupPlan", "BackupPlanName"], 50, "^[A-Za-z0-9_.-]+$"),
        ("AWS::SNS::Topic", ["TopicName"], 256, "^[A-Za-z0-9_-]+$"),
        ("AWS::CloudWatch::Alarm", ["AlarmName"], 255, "^[ -~]+$"),
        ("AWS::CloudWatch::CompositeAlarm", ["AlarmName"], 255, "^[ -~]+$"),
        ("AWS::CloudWatch::Dashboard", ["DashboardName"], 255, "^[A-Za-z0-9_-]+$"),
        ("AWS::WAFv2::WebACL", ["Name"], 128, "^[A-Za-z0-9_-]+$"),
        ("AWS::WAFv2::WebACL", ["VisibilityConfig", "MetricName"], 255, "^[A-Za-z0-9_#:./-]+$"),
        ("AWS::Cognito::UserPool", ["UserPoolName"], 128, @"^[\w\s+=,.@-]+$"),
        ("AWS::Cognito::UserPoolClient", ["ClientName"], 128, @"^[\w\s+=,.@-]+$"),
        ("AWS::Cognito::UserPoolDomain", ["Domain"], 63, "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"),
        ("AWS::KMS::Alias", ["AliasName"], 256, "^alias/[A-Za-z0-9/_-]+$"),
        ("AWS::Lambda::Alias", ["Name"], 128, "^(?![0-9]+$)[A-Za-z0-9_-]+$"),
        ("AWS::CodeDeploy::Application", ["ApplicationName"], 100, "^[ -~]+$"),
        ("AWS::CodeDeploy::DeploymentGroup", ["DeploymentGroupName"], 100, "^[ -~]+$"),
        ("AWS::CloudTrail::Trail", ["TrailName"], 128, "^[A-Za-z0-9](?!.*[._-]{2})[A-Za-z0-9._-]{1,126}[A-Za-z0-9]$"),
    ];

    /// <summary>The names checked, to prove a check ran: (where, name).</summary>
    public static IEnumerable<(string Where, string Name)> Names(PlatformView v) =>
        from limit in Limits
        from r in v.Resources(limit.Type)
        let value = limit.Path.Aggregate((JsonNode?)r.Resource.Properties(), (node, key) => node?[key])
        where value is JsonValue
        select ($"{v.StackName(r.Layer)}/{r.LogicalId} {string.Join(".", limit.Path)}", (string)value!);

    public static IEnumerable<string> Check(PlatformView v)
    {
        foreach (var limit in Limits)
        {
            foreach (var r in v.Resources(limit.Type))
            {
                var value = limit.Path.Aggregate((JsonNode?)r.Resource.Properties(), (node, key) => node?[key]);
                if (value is not JsonValue || (string?)value is not { } name)
                {
                    continue;
                }

                var where = $"{v.StackName(r.Layer)}/{r.LogicalId} {string.Join(".", limit.Path)}";
                if (name.Length > limit.Max)
                {
                    yield return $"{where} '{name}' is {name.Length} characters; {limit.Type} allows {limit.Max}";
                }
                else if (!Regex.IsMatch(name, limit.Pattern))
                {
                    yield return $"{where} '{name}' does not match {limit.Pattern}, which {limit.Type} requires";
                }
            }
        }

        foreach (var layer in Enum.GetValues<Layer>().Where(l => v.StackName(l).Length > 128))
        {
            yield return $"stack {v.StackName(layer)} is {v.StackName(layer).Length} characters; CloudFormation allows 128";
        }
    }
}
