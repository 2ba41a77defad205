using System.Text.Json.Nodes;
using TradingPlatform.Config;

namespace TradingPlatform.Tests.Rules;

/// <summary>A resource CloudFormation must never replace by accident.</summary>
public sealed record PinnedResource(Layer Layer, string LogicalId, string Type, string What);

/// <summary>
/// The reviewed logical ids of everything stateful or client-held. CloudFormation identifies a resource by its
/// logical id: a new id is a new resource, and the old one is deleted (or orphaned, if retained).
/// </summary>
public static class PinnedResources
{
    private static readonly PinnedResource[] Always =
    [
        new(Layer.Security, "DbEncryptionKey4BB74B52", "AWS::KMS::Key", "database key"),
        new(Layer.Security, "S3EncryptionKeyE102C1CF", "AWS::KMS::Key", "S3 key"),
        new(Layer.Security, "LambdaEncryptionKeyF0776DAE", "AWS::KMS::Key", "Lambda key"),
        new(Layer.Security, "LogsEncryptionKeyF4454017", "AWS::KMS::Key", "logs key"),
        new(Layer.Security, "DbEncryptionKeyAlias33C90FB8", "AWS::KMS::Alias", "database key alias"),
        new(Layer.Security, "S3EncryptionKeyAlias78E4E0B1", "AWS::KMS::Alias", "S3 key alias"),
        new(Layer.Security, "LambdaEncryptionKeyAlias5771E797", "AWS::KMS::Alias", "Lambda key alias"),
        new(Layer.Security, "LogsEncryptionKeyAlias8AD5CC74", "AWS::KMS::Alias", "logs key alias"),
        new(Layer.Security, "AlertsEncryptionKey7C96671A", "AWS::KMS::Key", "alert topic key"),
        new(Layer.Security, "AlertsEncryptionKeyAliasD7637139", "AWS::KMS::Alias", "alert topic key alias"),
        new(Layer.Security, "BackupEncryptionKeyC122292D", "AWS::KMS::Key", "backup vault key"),
        new(Layer.Security, "BackupEncryptionKeyAlias50E81EF4", "AWS::KMS::Alias", "backup vault key alias"),
        new(Layer.Security, "AlertTopic2720D535", "AWS::SNS::Topic", "the alert topic people subscribed to"),
        new(Layer.Security, "MachineClientPool31C4DAE7", "AWS::Cognito::UserPool", "the machine clients' user pool: a new one drops every app client id and secret clients hold"),
        new(Layer.Security, "MachineClientPoolTradingApiResourceServerFE07580D", "AWS::Cognito::UserPoolResourceServer", "the resource server whose scope every app client and the authorizer name"),
        new(Layer.Security, "MachineClientPoolTokenDomainECA7928E", "AWS::Cognito::UserPoolDomain", "the token endpoint's domain clients call (a replacement deletes it before re-creating the same prefix)"),
        new(Layer.Network, "TradingVpcB75D9053", "AWS::EC2::VPC", "the VPC every workload runs in"),
        new(Layer.Data, "TradingDatabase138FA84A", "AWS::RDS::DBCluster", "the trading database"),
        new(Layer.Data, "SessionsTable7C302024", "AWS::DynamoDB::Table", "sessions table"),
        new(Layer.Data, "ApiKeysTable9F4DC7E7", "AWS::DynamoDB::Table", "api-keys table"),
        new(Layer.Data, "IngestionBucket917A3A3A", "AWS::S3::Bucket", "ingestion bucket"),
        new(Layer.Data, "AnalyticsBucket39EAAEEA", "AWS::S3::Bucket", "analytics bucket"),
        new(Layer.Data, "ArchivalBucket8D93ED02", "AWS::S3::Bucket", "archival bucket"),
        new(Layer.Data, "AccessLogsBucket83982689", "AWS::S3::Bucket", "access-log bucket (a year of audit history)"),
        new(Layer.Data, "BackupVault3A9C5852", "AWS::Backup::BackupVault", "backup vault (its recovery points, locked in prod, stay with the old vault)"),
        new(Layer.Data, "BackupPlanA8F64793", "AWS::Backup::BackupPlan", "backup plan (a new one restarts the schedule and its selection)"),
        new(Layer.Api, "TradingApi5184C276", "AWS::ApiGateway::RestApi", "the REST API, whose id is in every client's URL"),
        new(Layer.Api, "TradingApiApiKey7F359AC8", "AWS::ApiGateway::ApiKey", "the API key clients hold"),
        new(Layer.Api, "TradingApiUsagePlanA35CE22E", "AWS::ApiGateway::UsagePlan", "the usage plan clients are throttled by"),
    ];

    /// <summary>The Recovery layer (staging and prod): its keys, the recovery vault and the records replica.</summary>
    private static readonly PinnedResource[] WithRecovery =
    [
        new(Layer.Recovery, "RecordsReplicaKey7CBC43A7", "AWS::KMS::Key", "records replica key (every replica is encrypted with it)"),
        new(Layer.Recovery, "RecoveryBackupKey14CFBC06", "AWS::KMS::Key", "recovery vault key"),
        new(Layer.Recovery, "RecoveryAlertsKey0A095E38", "AWS::KMS::Key", "recovery alert topic key"),
        new(Layer.Recovery, "RecoveryBackupVault74C95F05", "AWS::Backup::BackupVault", "recovery vault (its copies, locked in prod, stay with the old vault)"),
        new(Layer.Recovery, "RecordsReplicaBucket22AA00A8", "AWS::S3::Bucket", "records replica (Object Lock: the duplicate of the books)"),
        new(Layer.Recovery, "RecordsReplicaAccessLogsBucket739B7531", "AWS::S3::Bucket", "records replica's access logs"),
    ];

    /// <summary>The audit trail (issue 27: staging and prod, dev-like when configured): its key, bucket, log group and trail.</summary>
    private static readonly PinnedResource[] WithAuditTrail =
    [
        new(Layer.Data, "AuditKeyB2DBB069", "AWS::KMS::Key", "audit key (every CloudTrail log and digest file is encrypted with it)"),
        new(Layer.Data, "AuditKeyAlias03A4B3A2", "AWS::KMS::Alias", "audit key alias"),
        new(Layer.Data, "AuditTrailBucket677225EC", "AWS::S3::Bucket", "audit trail bucket (Object Lock: the locked audit history, PCI DSS 10.3)"),
        new(Layer.Data, "AuditTrailLogGroup39A764DA", "AWS::Logs::LogGroup", "audit trail log group (the alarms' metric filters, Logs Insights history)"),
        new(Layer.Data, "AuditTrail", "AWS::CloudTrail::Trail", "the audit trail (a new one under the same fixed name fails, and its digest chain restarts)"),
    ];

    /// <summary>Created only by the environment that owns the account's AWS Config recorder.</summary>
    private static readonly PinnedResource[] WithConfigRecorder =
    [
        new(Layer.Security, "ConfigRecorder", "AWS::Config::ConfigurationRecorder", "the account's Config recorder"),
        new(Layer.Security, "DeliveryChannel", "AWS::Config::DeliveryChannel", "the account's Config delivery channel"),
        new(Layer.Security, "ConfigBucket2112C5EC", "AWS::S3::Bucket", "Config history bucket"),
        new(Layer.Security, "ConfigAccessLogsBucketFC5DCE77", "AWS::S3::Bucket", "Config bucket's access logs"),
    ];

    /// <summary>
    /// The stage's id includes the stage name, so it differs per long-lived environment. Ephemeral environments are
    /// disposable: a replaced stage there costs nothing.
    /// </summary>
    private static readonly Dictionary<string, string> StageIds = new()
    {
        ["dev"] = "TradingApiDeploymentStagedev1A032B36",
        ["staging"] = "TradingApiDeploymentStagestaging77BEE809",
        ["prod"] = "TradingApiDeploymentStageprod740B973A",
    };

    public static IEnumerable<PinnedResource> For(PlatformView view)
    {
        var pins = Always.ToList();
        if (view.Templates.ContainsKey(Layer.Recovery))
        {
            pins.AddRange(WithRecovery);
        }

        if (view.Resources("AWS::CloudTrail::Trail").Any())
        {
            pins.AddRange(WithAuditTrail);
        }

        if (view.Resources("AWS::Config::ConfigurationRecorder").Any())
        {
            pins.AddRange(WithConfigRecorder);
        }

        if (StageIds.TryGetValue(view.Suffix, out var stageId))
        {
            pins.Add(new(Layer.Api, stageId, "AWS::ApiGateway::Stage", "the stage, whose name is in every client's URL"));
        }

        return pins;
    }

    public static string HowToRename(PinnedResource pin) =>
        "If code moved (a new construct id or parent), keep the id: " +
        $"((CfnResource)construct.Node.DefaultChild).OverrideLogicalId(\"{pin.LogicalId}\"). " +
        "If the change is meant, it is a replacement: run `npm run rollout-check -- <deployed ref>` to see it, plan the " +
        "data migration (snapshot/restore, copy, new keys or URLs to clients), allow it there with --allow, and update this pin.";
}

/// <summary>
/// The export contract by value: for every export, the resource and attribute it must resolve to. Names alone are
/// not enough: the writer endpoint replaced by the reader's keeps the name and silently breaks every writer.
/// </summary>
public static class ExportContract
{
    private abstract record Expectation;
    private sealed record RefTo(string LogicalId) : Expectation;
    private sealed record AttributeOf(string LogicalId, string Attribute) : Expectation;
    private sealed record StageUrl(string RestApiId) : Expectation;

    private static readonly (Layer Layer, string Name, Expectation Value)[] Exports =
    [
        // The six seed outputs, imported by other teams by name.
        (Layer.Network, "VpcId-{env}", new RefTo("TradingVpcB75D9053")),
        (Layer.Data, "DatabaseEndpoint-{env}", new AttributeOf("TradingDatabase138FA84A", "Endpoint.Address")),
        (Layer.Data, "IngestionBucket-{env}", new RefTo("IngestionBucket917A3A3A")),
        (Layer.Data, "AnalyticsBucket-{env}", new RefTo("AnalyticsBucket39EAAEEA")),
        (Layer.Data, "ArchivalBucket-{env}", new RefTo("ArchivalBucket8D93ED02")),
        (Layer.Api, "ApiUrl-{env}", new StageUrl("TradingApi5184C276")),
        // The CDK's exports for the typed references between our own layers.
        (Layer.Security, "TradingPlatform-{env}-Security:ExportsOutputFnGetAttLogsEncryptionKeyF4454017Arn24227E1F", new AttributeOf("LogsEncryptionKeyF4454017", "Arn")),
        (Layer.Security, "TradingPlatform-{env}-Security:ExportsOutputFnGetAttDbEncryptionKey4BB74B52Arn9C919660", new AttributeOf("DbEncryptionKey4BB74B52", "Arn")),
        (Layer.Security, "TradingPlatform-{env}-Security:ExportsOutputFnGetAttS3EncryptionKeyE102C1CFArn8D8FC4ED", new AttributeOf("S3EncryptionKeyE102C1CF", "Arn")),
        (Layer.Security, "TradingPlatform-{env}-Security:ExportsOutputFnGetAttLambdaEncryptionKeyF0776DAEArnD65F74D7", new AttributeOf("LambdaEncryptionKeyF0776DAE", "Arn")),
        (Layer.Security, "TradingPlatform-{env}-Security:ExportsOutputRefAlertTopic2720D5359ADB6D3E", new RefTo("AlertTopic2720D535")),
        // Imported by the Data layer's backup vault (issue 11).
        (Layer.Security, "TradingPlatform-{env}-Security:ExportsOutputFnGetAttBackupEncryptionKeyC122292DArn8CA40E2D", new AttributeOf("BackupEncryptionKeyC122292D", "Arn")),
        // Imported by the Api layer's Cognito authorizer on POST /data (issue 12).
        (Layer.Security, "TradingPlatform-{env}-Security:ExportsOutputFnGetAttMachineClientPool31C4DAE7Arn83BD7949", new AttributeOf("MachineClientPool31C4DAE7", "Arn")),
        (Layer.Network, "TradingPlatform-{env}-Network:ExportsOutputRefTradingVpcB75D9053843139F1", new RefTo("TradingVpcB75D9053")),
        (Layer.Network, "TradingPlatform-{env}-Network:ExportsOutputRefTradingVpcPrivateSubnet1Subnet9312C72636516168", new RefTo("TradingVpcPrivateSubnet1Subnet9312C726")),
        (Layer.Network, "TradingPlatform-{env}-Network:ExportsOutputRefTradingVpcPrivateSubnet2SubnetABEABECF246D690E", new RefTo("TradingVpcPrivateSubnet2SubnetABEABECF")),
        (Layer.Network, "TradingPlatform-{env}-Network:ExportsOutputRefTradingVpcPrivateSubnet3Subnet41FFCF372A30615B", new RefTo("TradingVpcPrivateSubnet3Subnet41FFCF37")),
        (Layer.Data, "TradingPlatform-{env}-Data:ExportsOutputFnGetAttIngestionBucket917A3A3AArn205069C7", new AttributeOf("IngestionBucket917A3A3A", "Arn")),
        (Layer.Data, "TradingPlatform-{env}-Data:ExportsOutputFnGetAttAnalyticsBucket39EAAEEAArn99FBDA6B", new AttributeOf("AnalyticsBucket39EAAEEA", "Arn")),
        (Layer.Data, "TradingPlatform-{env}-Data:ExportsOutputRefIngestionBucket917A3A3AE431BBB7", new RefTo("IngestionBucket917A3A3A")),
        (Layer.Data, "TradingPlatform-{env}-Data:ExportsOutputRefAnalyticsBucket39EAAEEA4B56ABBC", new RefTo("AnalyticsBucket39EAAEEA")),
        (Layer.Data, "TradingPlatform-{env}-Data:ExportsOutputFnGetAttDatabaseClientSecurityGroup147BB607GroupId128F80D8", new AttributeOf("DatabaseClientSecurityGroup147BB607", "GroupId")),
        // Imported by the ingestion function: its client registry, GetItem only (issue 12).
        (Layer.Data, "TradingPlatform-{env}-Data:ExportsOutputFnGetAttApiKeysTable9F4DC7E7ArnE84F3BB0", new AttributeOf("ApiKeysTable9F4DC7E7", "Arn")),
        (Layer.Data, "TradingPlatform-{env}-Data:ExportsOutputRefApiKeysTable9F4DC7E79648F444", new RefTo("ApiKeysTable9F4DC7E7")),
    ];

    /// <summary>Where the environment has an audit trail (issue 27): the Data layer's audit alarms watch every platform key.</summary>
    private static readonly (Layer Layer, string Name, Expectation Value)[] WithAuditTrail =
    [
        (Layer.Security, "TradingPlatform-{env}-Security:ExportsOutputFnGetAttAlertsEncryptionKey7C96671AArn011E7B56", new AttributeOf("AlertsEncryptionKey7C96671A", "Arn")),
    ];

    private const string TwoDeploys =
        "CloudFormation refuses to delete or change an export that a deployed stack imports. Remove it in two deploys: " +
        "(1) keep it alive in the producer with this.ExportValue(<the same value>) and deploy the consumers without the " +
        "reference; (2) delete the ExportValue call and deploy the producer. Then update ExportContract.";

    public static IEnumerable<string> Check(PlatformView v)
    {
        var actual = v.Exports().ToDictionary(e => e.Name, e => (e.Layer, e.Value));
        var expected = Exports.Concat(v.Resources("AWS::CloudTrail::Trail").Any() ? WithAuditTrail : [])
            .ToDictionary(e => e.Name.Replace("{env}", v.Suffix), e => (e.Layer, e.Value));

        foreach (var (name, (layer, expectation)) in expected)
        {
            if (!actual.TryGetValue(name, out var found))
            {
                yield return $"{v.StackName(layer)} no longer exports '{name}'. {TwoDeploys}";
            }
            else if (found.Layer != layer)
            {
                yield return $"'{name}' moved from {v.StackName(layer)} to {v.StackName(found.Layer)}. {TwoDeploys}";
            }
            else if (Mismatch(v, expectation, found.Value) is { } problem)
            {
                yield return $"{v.StackName(layer)} exports '{name}' as {found.Value.ToJsonString()}, {problem}";
            }
        }

        foreach (var name in actual.Keys.Except(expected.Keys))
        {
            yield return $"{v.StackName(actual[name].Layer)} exports a new name '{name}'. Exports are a contract between " +
                         "independently deployed stacks: review who will import it, then add it to ExportContract.";
        }
    }

    private static string? Mismatch(PlatformView v, Expectation expectation, JsonNode value) => expectation switch
    {
        RefTo r when value is JsonObject o && (string?)o["Ref"] == r.LogicalId => null,
        RefTo r => $"expected {{\"Ref\": \"{r.LogicalId}\"}}",
        AttributeOf a when value is JsonObject o && o["Fn::GetAtt"] is JsonArray g
                           && (string?)g[0] == a.LogicalId && (string?)g[1] == a.Attribute => null,
        AttributeOf a => $"expected {{\"Fn::GetAtt\": [\"{a.LogicalId}\", \"{a.Attribute}\"]}}",
        StageUrl s when v.RefersTo(value, s.RestApiId)
                        && v.Resources("AWS::ApiGateway::Stage").Any(stage =>
                            (string?)stage.Resource.Properties()["StageName"] == v.Suffix && v.RefersTo(value, stage.LogicalId))
                        && value.ToJsonString().Contains("https://") => null,
        StageUrl s => $"expected the https URL of REST API {s.RestApiId} at its '{v.Suffix}' stage",
        _ => "an unknown expectation",
    };
}

/// <summary>Which customer-managed key encrypts which kind of resource: one key per data class.</summary>
public static class KeyAssignments
{
    private const string DatabaseKey = "DbEncryptionKey4BB74B52";
    private const string S3Key = "S3EncryptionKeyE102C1CF";
    private const string LambdaKey = "LambdaEncryptionKeyF0776DAE";
    private const string LogsKey = "LogsEncryptionKeyF4454017";
    private const string AlertsKey = "AlertsEncryptionKey7C96671A";
    private const string BackupKey = "BackupEncryptionKeyC122292D";

    /// <summary>The Recovery layer's own keys (a KMS key cannot be used in another region), by the primary key they stand for.</summary>
    private static readonly Dictionary<string, string> RecoveryKeys = new()
    {
        [S3Key] = "RecordsReplicaKey7CBC43A7",
        [AlertsKey] = "RecoveryAlertsKey0A095E38",
        [BackupKey] = "RecoveryBackupKey14CFBC06",
    };

    private static string KeyIn(Layer layer, string key) => layer == Layer.Recovery ? RecoveryKeys.GetValueOrDefault(key, key) : key;

    public static IEnumerable<string> Check(PlatformView v)
    {
        IEnumerable<string> Expect(string type, string key, Func<JsonObject, JsonNode?> keyProperty, string property) =>
            v.Resources(type)
                .Where(r => !v.RefersTo(keyProperty(r.Resource.Properties()), KeyIn(r.Layer, key)))
                .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId} ({type}): {property} is not the key {KeyIn(r.Layer, key)}");

        // The audit trail's bucket and log group are encrypted with the trail's own key (audit records are a class of
        // their own: who may read who read the records); every other bucket and log group with its class's key below.
        var audit = AuditTrailEncryption(v, out var auditProblems);
        IEnumerable<(Layer Layer, string LogicalId, JsonObject Resource)> Others(string type) =>
            v.Resources(type).Where(r => !audit.Contains((r.Layer, r.LogicalId)));

        var problems = Expect("AWS::DynamoDB::Table", DatabaseKey, p => p["SSESpecification"]?["KMSMasterKeyId"], "SSESpecification.KMSMasterKeyId")
            .Concat(Expect("AWS::RDS::DBCluster", DatabaseKey, p => p["KmsKeyId"], "KmsKeyId"))
            .Concat(Expect("AWS::RDS::DBCluster", DatabaseKey, p => p["MasterUserSecret"]?["KmsKeyId"], "MasterUserSecret.KmsKeyId"))
            .Concat(Others("AWS::Logs::LogGroup").Where(r => !v.RefersTo(r.Resource.Properties()["KmsKeyId"], KeyIn(r.Layer, LogsKey)))
                .Select(r => $"{v.StackName(r.Layer)}/{r.LogicalId} (AWS::Logs::LogGroup): KmsKeyId is not the key {KeyIn(r.Layer, LogsKey)}"))
            .Concat(Expect("AWS::SQS::Queue", LambdaKey, p => p["KmsMasterKeyId"], "KmsMasterKeyId"))
            .Concat(Expect("AWS::Config::DeliveryChannel", S3Key, p => p["S3KmsKeyArn"], "S3KmsKeyArn"))
            .Concat(Expect("AWS::SNS::Topic", AlertsKey, p => p["KmsMasterKeyId"], "KmsMasterKeyId"))
            .Concat(Expect("AWS::Backup::BackupVault", BackupKey, p => p["EncryptionKeyArn"], "EncryptionKeyArn"))

            .Concat(auditProblems)
            .ToList();

        // Performance Insights keeps samples of SQL text: the database's own key, wherever it is switched on.
        problems.AddRange(v.Resources("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
            .Where(i => PlatformRules.IsTrue(i.Resource.Properties()["EnablePerformanceInsights"] ?? i.Resource.Properties()["PerformanceInsightsEnabled"]))
            .Where(i => !v.RefersTo(i.Resource.Properties()["PerformanceInsightsKMSKeyId"] ?? i.Resource.Properties()["PerformanceInsightsKmsKeyId"], DatabaseKey))
            .Select(i => $"{v.StackName(i.Layer)}/{i.LogicalId}: Performance Insights is not encrypted with the key {DatabaseKey}"));

        // Our functions carry environment variables (configuration); the CDK's deploy-time helpers carry none.
        problems.AddRange(v.Resources("AWS::Lambda::Function")
            .Where(f => f.Resource.Properties()["Environment"] is not null && !v.RefersTo(f.Resource.Properties()["KmsKeyArn"], LambdaKey))
            .Select(f => $"{v.StackName(f.Layer)}/{f.LogicalId}: its environment is not encrypted with the key {LambdaKey}"));

        // S3 server access logs can only be delivered to SSE-S3 buckets: that, and only that, is allowed without the S3 key.
        foreach (var (layer, id, bucket) in Others("AWS::S3::Bucket"))
        {
            var sse = bucket.Properties()["BucketEncryption"]?["ServerSideEncryptionConfiguration"]?[0]?["ServerSideEncryptionByDefault"];
            var isLogTarget = v.Resources("AWS::S3::Bucket").Any(other =>
                v.RefersTo(other.Resource.Properties()["LoggingConfiguration"]?["DestinationBucketName"], id));
            var ok = (string?)sse?["SSEAlgorithm"] == "aws:kms" ? v.RefersTo(sse!["KMSMasterKeyID"], KeyIn(layer, S3Key))
                : (string?)sse?["SSEAlgorithm"] == "AES256" && isLogTarget;
            if (!ok)
            {
                problems.Add($"{v.StackName(layer)}/{id}: encrypted with {sse?.ToJsonString() ?? "nothing"}, expected the key {KeyIn(layer, S3Key)} " +
                             "(SSE-S3 only for a server access log destination)");
            }
        }

        return problems;
    }

    /// <summary>
    /// Every trail's bucket and log group, which must be encrypted with the trail's own key (KMSKeyId), itself a key of
    /// no other class. Returns them (the other expectations skip them) and the problems found.
    /// </summary>
    private static HashSet<(Layer, string)> AuditTrailEncryption(PlatformView v, out List<string> problems)
    {
        problems = [];
        var covered = new HashSet<(Layer, string)>();
        string[] classKeys = [DatabaseKey, S3Key, LambdaKey, LogsKey, AlertsKey, BackupKey];
        foreach (var (layer, id, trail) in v.Resources("AWS::CloudTrail::Trail"))
        {
            var properties = trail.Properties();
            var keyId = (string?)properties["KMSKeyId"]?["Fn::GetAtt"]?[0];
            if (keyId is null || v.Resource(layer, keyId) is not { } key || (string?)key["Type"] != "AWS::KMS::Key" || classKeys.Contains(keyId))
            {
                problems.Add($"{v.StackName(layer)}/{id}: the trail's KMSKeyId {properties["KMSKeyId"]?.ToJsonString() ?? "(none)"} is not a key of its own in its stack");
                continue;
            }

            if ((string?)properties["S3BucketName"]?["Ref"] is { } bucketId && v.Resource(layer, bucketId) is { } bucket)
            {
                covered.Add((layer, bucketId));
                var sse = bucket.Properties()["BucketEncryption"]?["ServerSideEncryptionConfiguration"]?[0]?["ServerSideEncryptionByDefault"];
                if ((string?)sse?["SSEAlgorithm"] != "aws:kms" || !v.RefersTo(sse!["KMSMasterKeyID"], keyId))
                {
                    problems.Add($"{v.StackName(layer)}/{bucketId}: the trail's bucket is encrypted with {sse?.ToJsonString() ?? "nothing"}, expected the trail's key {keyId}");
                }
            }

            if ((string?)properties["CloudWatchLogsLogGroupArn"]?["Fn::GetAtt"]?[0] is { } groupId && v.Resource(layer, groupId) is { } group)
            {
                covered.Add((layer, groupId));
                if (!v.RefersTo(group.Properties()["KmsKeyId"], keyId))
                {
                    problems.Add($"{v.StackName(layer)}/{groupId}: the trail's log group is not encrypted with the trail's key {keyId}");
                }
            }
        }

        return covered;
    }
}
