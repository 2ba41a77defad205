using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Shouldly;
using TradingPlatform.Config;
using Xunit;

namespace TradingPlatform.Tests.Rules;

/// <summary>
/// Proof that the rules bite: each damage below is an edit a user could make (in a preset, a construct, a template)
/// and the rule that must catch it. A rule that no damage can break would protect nothing.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class RulesBiteTests(SynthesizedApps apps)
{
    /// <summary>Damages applied to a copy of a real environment's templates: cheap, no extra synthesis.</summary>
    private static readonly Dictionary<string, (string Suffix, string Rule, Action<PlatformView> Damage)> TemplateDamages = new()
    {
        ["function timeout above API Gateway's 29 s"] = ("prod", "every function behind API Gateway times out before the integration does",
            v => Function(v)["Timeout"] = 30),
        ["prod reserved concurrency 0"] = ("prod", "every function behind API Gateway has reserved concurrency of at least 1, leaving Lambda's 100 unreserved",
            v => Function(v)["ReservedConcurrentExecutions"] = 0),
        ["reserved concurrency that eats the account's unreserved 100"] = ("prod", "every function behind API Gateway has reserved concurrency of at least 1, leaving Lambda's 100 unreserved",
            v => Function(v)["ReservedConcurrentExecutions"] = 950),
        ["DatabaseEndpoint export pointing at the reader endpoint"] = ("prod", "every export resolves to the reviewed resource and attribute",
            v => v.Templates[Layer.Data]["Outputs"]!["DatabaseEndpoint"]!["Value"] = JsonNode.Parse("""{"Fn::GetAtt": ["TradingDatabase138FA84A", "ReadEndpoint.Address"]}""")),
        ["an imported export removed"] = ("dev", "every export resolves to the reviewed resource and attribute",
            v => v.Templates[Layer.Data]["Outputs"]!.AsObject().Remove("ExportsOutputFnGetAttDatabaseClientSecurityGroup147BB607GroupId128F80D8")),
        ["API key construct renamed"] = ("prod", "stateful and client-held resources keep their logical ids",
            v => Rename(v, Layer.Api, "TradingApiApiKey7F359AC8", "TradingApiClientKey1A2B3C4D")),
        ["Aurora cluster moved into another construct"] = ("staging", "stateful and client-held resources keep their logical ids",
            v => Rename(v, Layer.Data, "TradingDatabase138FA84A", "DatabaseTradingDatabaseC0FFEE00")),
        ["data trace switched on"] = ("prod", "no API stage logs request or response bodies",
            v => Stage(v)["MethodSettings"]![0]!["DataTraceEnabled"] = true),
        ["data trace left unset"] = ("dev", "no API stage logs request or response bodies",
            v => Stage(v)["MethodSettings"]![0]!.AsObject().Remove("DataTraceEnabled")),
        ["prod log group kept 90 days"] = ("prod", "every log group has a retention, and prod keeps logs at least 365 days",
            v => First(v, "AWS::Logs::LogGroup")["RetentionInDays"] = 90),
        ["prod with one NAT gateway"] = ("prod", "prod has a NAT gateway in every AZ and a database instance in every AZ",
            v => Remove(v, Layer.Network, "AWS::EC2::NatGateway", keep: 1)),
        ["prod with one Aurora reader"] = ("prod", "prod has a NAT gateway in every AZ and a database instance in every AZ",
            v => Remove(v, Layer.Data, "AWS::RDS::DBInstance", keep: 2)),
        ["a table encrypted with the S3 key"] = ("dev", "each resource is encrypted with its own customer-managed key",
            v => First(v, "AWS::DynamoDB::Table")["SSESpecification"]!["KMSMasterKeyId"] = JsonNode.Parse(
                """{"Fn::ImportValue": "TradingPlatform-dev-Security:ExportsOutputFnGetAttS3EncryptionKeyE102C1CFArn8D8FC4ED"}""")),
        ["a data bucket on SSE-S3"] = ("prod", "each resource is encrypted with its own customer-managed key",
            v => v.Resource(Layer.Data, "IngestionBucket917A3A3A")!["Properties"]!["BucketEncryption"] = JsonNode.Parse(
                """{"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}""")),
        ["a bucket that accepts plain HTTP"] = ("prod", "every bucket blocks public access and refuses requests without TLS",
            v => v.Resource(Layer.Data, "ArchivalBucketPolicyF6B1C16F")!["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().RemoveAt(0)),
        ["a bucket that allows public policies"] = ("staging", "every bucket blocks public access and refuses requests without TLS",
            v => First(v, "AWS::S3::Bucket")["PublicAccessBlockConfiguration"]!["BlockPublicPolicy"] = false),
        ["a new prod's archival bucket locked through the nested form only"] = ("prod-new", "a locked bucket is created locked, unless the configuration says it predates that",
            v => v.Resource(Layer.Data, "ArchivalBucket8D93ED02")!["Properties"]!.AsObject().Remove("ObjectLockEnabled")),
        ["the existing prod archival bucket given the top-level flag (a replacement)"] = ("prod", "a locked bucket is created locked, unless the configuration says it predates that",
            v => v.Resource(Layer.Data, "ArchivalBucket8D93ED02")!["Properties"]!["ObjectLockEnabled"] = true),
        ["a key without rotation"] = ("prod", "every KMS key rotates",
            v => First(v, "AWS::KMS::Key")["EnableKeyRotation"] = false),
        ["database without IAM authentication"] = ("prod", "the database requires IAM authentication, is encrypted and cannot open connections",
            v => First(v, "AWS::RDS::DBCluster")["EnableIAMDatabaseAuthentication"] = false),
        ["database security group with egress"] = ("dev", "the database requires IAM authentication, is encrypted and cannot open connections",
            v => v.Resource(Layer.Data, "DatabaseSecurityGroup7319C0F6")!["Properties"]!["SecurityGroupEgress"] = JsonNode.Parse(
                """[{"CidrIp": "0.0.0.0/0", "IpProtocol": "-1"}]""")),
        ["a resource without the Compliance tag"] = ("prod", "every taggable resource carries the four platform tags",
            v => First(v, "AWS::S3::Bucket")["Tags"]!.AsArray().RemoveAt(0)),
        ["prod Data stack without termination protection"] = ("prod", "prod's stateful layers (Security, Data, Recovery) are termination-protected",
            v => ((Dictionary<Layer, bool>)v.TerminationProtection)[Layer.Data] = false),
        ["prod Recovery stack without termination protection"] = ("prod", "prod's stateful layers (Security, Data, Recovery) are termination-protected",
            v => ((Dictionary<Layer, bool>)v.TerminationProtection)[Layer.Recovery] = false),
        ["prod excusing missing deletion protection"] = ("prod", "compliance exemptions for missing protection exist only in disposable environments",
            v => v.Resource(Layer.Data, "TradingDatabase138FA84A")!["Metadata"] = JsonNode.Parse(
                """{"cdk_nag": {"rules_to_suppress": [{"id": "AwsSolutions-RDS10", "reason": "it is fine, really, trust me"}]}}""")),
        ["prod excusing missing deletion protection to Control Tower"] = ("prod", "compliance exemptions for missing protection exist only in disposable environments",
            v => v.Resource(Layer.Data, "TradingDatabase138FA84A")!["Metadata"] = JsonNode.Parse(
                """{"guard": {"SuppressedRules": ["CT.RDS.PR.3"], "SuppressionReasons": {"CT.RDS.PR.3": "it is fine, really, trust me"}}}""")),
        ["a dev bucket retained on deletion"] = ("dev", "dev-like environments stay disposable",
            v => v.Resource(Layer.Data, "IngestionBucket917A3A3A")!["DeletionPolicy"] = "Retain"),
        ["a dev bucket with Object Lock"] = ("pr-7", "dev-like environments stay disposable",
            v => v.Resource(Layer.Data, "ArchivalBucket8D93ED02")!["Properties"]!["ObjectLockConfiguration"] = JsonNode.Parse(
                """{"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}""")),
        ["prod records locked in GOVERNANCE mode"] = ("prod", "staging and prod keep every trade record unalterable",
            v => v.Resource(Layer.Data, "ArchivalBucket8D93ED02")!["Properties"]!["ObjectLockConfiguration"]!["Rule"]!["DefaultRetention"]!["Mode"] = "GOVERNANCE"),
        ["staging archival bucket without Object Lock"] = ("staging", "staging and prod keep every trade record unalterable",
            v => v.Resource(Layer.Data, "ArchivalBucket8D93ED02")!["Properties"]!.AsObject().Remove("ObjectLockConfiguration")),
        ["prod replicating trades/ to the unlocked analytics bucket"] = ("prod", "staging and prod keep every trade record unalterable",
            v => v.Resource(Layer.Data, "IngestionBucket917A3A3A")!["Properties"]!["ReplicationConfiguration"]!["Rules"]![0]!["Destination"]!["Bucket"] =
                JsonNode.Parse("""{"Fn::GetAtt": ["AnalyticsBucket39EAAEEA", "Arn"]}""")),
        ["prod replication switched off"] = ("prod", "staging and prod keep every trade record unalterable",
            v => v.Resource(Layer.Data, "IngestionBucket917A3A3A")!["Properties"]!.AsObject().Remove("ReplicationConfiguration")),
        ["a client's API key named after its position"] = ("staging-with-overrides", ClientRule,
            v => Rename(v, Layer.Api, "TradingApiClientApiKeydeskaA5A43405", "TradingApiClientApiKey0C0FFEE00")),
        ["a client's usage-plan association under a new id"] = (SynthesizedApps.LongestNames, ClientRule,
            v => Rename(v, Layer.Api, v.Resources("AWS::ApiGateway::UsagePlanKey").First(a => a.LogicalId.Contains("ClientApiKey")).LogicalId, "ClientKeyAssociation")),
        ["a client's app client moved"] = ("staging-with-overrides", ClientRule,
            v => Rename(v, Layer.Security, "MachineClientPoolClientdeskb3EB853FD", "IdentityClientdeskb3EB853FD")),
        ["the database's SG ingress rule under a new id"] = ("prod", ReplacementRule,
            v => Rename(v, Layer.Data, "DatabaseSecurityGroupfromTradingPlatformprodDataDatabaseClientSecurityGroup953F413C5432F10045DE", "DatabaseSecurityGroupIngressFromClients")),
        ["the function's fixed-name log group moved"] = ("dev", ReplacementRule,
            v => Rename(v, Layer.Api, "DataProcessingLogGroupA033B549", "IngestionFunctionLogGroup0C0FFEE0")),
        ["a bucket policy under a new id"] = ("staging", ReplacementRule,
            v => Rename(v, Layer.Data, "IngestionBucketPolicyA79CE1F0", "IngestionBucketTlsOnlyPolicy0C0FFEE0")),
        ["API Gateway's account settings deleted with dev"] = ("dev", SingletonRule,
            v => v.Resource(Layer.Api, "TradingApiAccount3AC99F5B")!["DeletionPolicy"] = "Delete"),
        ["the account settings' CloudWatch role deleted with a pr environment"] = ("pr-7", SingletonRule,
            v => v.Resource(Layer.Api, "TradingApiCloudWatchRole17B083C2")!.Remove("DeletionPolicy")),
        ["a pr environment with a Config recorder of its own"] = ("pr-7", SingletonRule,
            v => v.Templates[Layer.Security]["Resources"]!["ConfigRecorder"] = JsonNode.Parse("""{"Type": "AWS::Config::ConfigurationRecorder", "Properties": {}}""")),
        ["an EDGE endpoint"] = ("prod", ReachabilityRule,
            v => First(v, "AWS::ApiGateway::RestApi")["EndpointConfiguration"]!["Types"] = JsonNode.Parse("""["EDGE"]""")),
        ["no endpoint type (EDGE by default)"] = ("dev", ReachabilityRule,
            v => First(v, "AWS::ApiGateway::RestApi").Remove("EndpointConfiguration")),
        ["the execute-api endpoint disabled"] = ("staging", ReachabilityRule,
            v => First(v, "AWS::ApiGateway::RestApi")["DisableExecuteApiEndpoint"] = true),
        ["the web ACL association removed"] = ("prod", ReachabilityRule,
            v => v.Templates[Layer.Api]["Resources"]!.AsObject().Remove("ApiWebAclAssociation")),
        ["prod's daily backup rule without its copy action"] = ("prod", BackupCopyRule,
            v => BackupRule(v, 0).Remove("CopyActions")),
        ["staging's copy kept shorter than the original"] = ("staging", BackupCopyRule,
            v => BackupRule(v, 0)["CopyActions"]![0]!["Lifecycle"]!["DeleteAfterDays"] = 7),
        ["prod copying to a vault in its own region"] = ("prod", BackupCopyRule,
            v => BackupRule(v, 1)["CopyActions"]![0]!["DestinationBackupVaultArn"] = "arn:aws:backup:us-east-1:123456789012:backup-vault:trading-backups-prod-recovery"),
        ["prod copying to a vault name the Recovery layer does not create"] = ("prod", BackupCopyRule,
            v => BackupRule(v, 0)["CopyActions"]![0]!["DestinationBackupVaultArn"] = "arn:aws:backup:us-west-2:123456789012:backup-vault:trading-backups-prod"),
        ["prod replica retention shorter than the archival bucket's"] = ("prod", ReplicaRule,
            v => ReplicaRetention(v)["Years"] = 6),
        ["staging replica retention in days shorter than the archival bucket's"] = ("staging", ReplicaRule,
            v => ReplicaRetention(v)["Days"] = 29),
        ["prod replica in GOVERNANCE mode"] = ("prod", ReplicaRule,
            v => ReplicaRetention(v)["Mode"] = "GOVERNANCE"),
        ["prod replicas encrypted with a key of the primary region"] = ("prod", ReplicaRule,
            v => RecoveryReplication(v)["Destination"]!["EncryptionConfiguration"]!["ReplicaKmsKeyID"] = "arn:aws:kms:us-east-1:123456789012:alias/records-replica-key-prod"),
        ["prod replication to the recovery region without RTC"] = ("prod", ReplicaRule,
            v => RecoveryReplication(v)["Destination"]!.AsObject().Remove("ReplicationTime")),
        ["the recovery replication rule removed"] = ("staging", ReplicaRule,
            v => v.Resource(Layer.Data, "IngestionBucket917A3A3A")!["Properties"]!["ReplicationConfiguration"]!["Rules"]!.AsArray().RemoveAt(1)),
        ["replica bucket renamed in Recovery only"] = ("prod", ReplicaRule,
            v => v.Resource(Layer.Recovery, ReplicaBucketId)!["Properties"]!["BucketName"] = "trading-records-prod-renamed"),
        ["prod's recovery vault without its Vault Lock"] = ("prod", VaultLockRule,
            v => RecoveryVault(v).Remove("LockConfiguration")),
        ["prod's recovery vault locked in governance mode"] = ("prod", VaultLockRule,
            v => RecoveryVault(v)["LockConfiguration"]!.AsObject().Remove("ChangeableForDays")),
        ["prod's recovery vault lock shorter than the monthly copies"] = ("prod", VaultLockRule,
            v => RecoveryVault(v)["LockConfiguration"]!["MaxRetentionDays"] = 300),
        ["prod's monthly rule and its copy kept past both locks"] = ("prod", VaultLockRule,
            v =>
            {
                BackupRule(v, 1)["Lifecycle"]!["DeleteAfterDays"] = 400;
                BackupRule(v, 1)["CopyActions"]![0]!["Lifecycle"]!["DeleteAfterDays"] = 400;
            }),
        ["a dev backup rule with a copy action"] = ("dev", NoCopyRule,
            v => BackupRule(v, 0)["CopyActions"] = JsonNode.Parse("""[{"DestinationBackupVaultArn": "arn:aws:backup:us-west-2:123456789012:backup-vault:x", "Lifecycle": {"DeleteAfterDays": 35}}]""")),
        // Progressive delivery (issue 17): each damage is what a one-line edit of the app would synthesize.
        ["prod deploying a new version all at once"] = ("prod", ProdShiftRule,
            v => Group(v)["DeploymentConfigName"] = "CodeDeployDefault.LambdaAllAtOnce"),
        ["prod's canary of 10% for 5 minutes"] = ("prod", ProdShiftRule,
            v => Group(v)["DeploymentConfigName"] = "CodeDeployDefault.LambdaCanary10Percent5Minutes"),
        ["the rollback alarms removed from the deployment group"] = ("staging", RollbackRule,
            v => Group(v).Remove("AlarmConfiguration")),
        ["the API's 5XX alarm dropped from the rollback alarms"] = ("prod", RollbackRule,
            v => Group(v)["AlarmConfiguration"]!["Alarms"]!.AsArray().RemoveAt(3)),
        ["a rollback alarm on the whole function instead of the new version"] = ("dev", RollbackRule,
            v => RollbackAlarm(v, "Errors")["Dimensions"]!.AsArray().RemoveAt(0)),
        ["a rollback alarm without the alert topic"] = ("prod", RollbackRule,
            v => RollbackAlarm(v, "Throttles").Remove("AlarmActions")),
        ["automatic rollback switched off"] = ("pr-7", RollbackRule,
            v => Group(v)["AutoRollbackConfiguration"]!["Enabled"] = false),
        ["a stopped deployment no longer rolled back"] = ("prod", RollbackRule,
            v => Group(v)["AutoRollbackConfiguration"]!["Events"]!.AsArray().RemoveAt(1)),
        ["the alias no longer deployed by CodeDeploy"] = ("prod", RollbackRule,
            v => v.Resources("AWS::Lambda::Alias").Single().Resource.Remove("UpdatePolicy")),
        ["the integration pointing at the function instead of the alias"] = ("prod", AliasRule,
            v => PostData(v)["Integration"]!["Uri"]!["Fn::Join"]![1]![1] = JsonNode.Parse("""{"Fn::GetAtt": ["DataProcessingFunction1BB8FB78", "Arn"]}""")),
        ["API Gateway's invoke permission on the function instead of the alias"] = ("staging", AliasRule,
            v => First(v, "AWS::Lambda::Permission")["FunctionName"] = JsonNode.Parse("""{"Ref": "DataProcessingFunction1BB8FB78"}""")),
        ["the pre-traffic check granted lambda:*"] = ("prod", HookRule,
            v => HookPolicy(v).Add(JsonNode.Parse("""{"Action": "lambda:*", "Effect": "Allow", "Resource": "*"}"""))),
        ["the pre-traffic check allowed to invoke the alias"] = ("dev", HookRule,
            v => HookPolicy(v).First(s => s!["Action"]!.ToJsonString() == "\"lambda:InvokeFunction\"")!["Resource"] = JsonNode.Parse("""{"Ref": "LiveAlias9B8FFEA9"}""")),
        ["the pre-traffic check removed"] = ("staging", HookRule,
            v => v.Resources("AWS::Lambda::Alias").Single().Resource["UpdatePolicy"]!["CodeDeployLambdaAliasUpdate"]!.AsObject().Remove("BeforeAllowTrafficHook")),
        ["CodeDeploy's role given a broader managed policy"] = ("prod", ServiceRoleRule,
            v => v.Resources("AWS::IAM::Role").Single(r => r.LogicalId.StartsWith("DeploymentGroupServiceRole")).Resource["Properties"]!["ManagedPolicyArns"]![0] =
                "arn:aws:iam::aws:policy/AdministratorAccess"),
        ["a backup vault name over 50 characters"] = (SynthesizedApps.LongestNames, "every fixed physical name is within AWS's limits",
            v => First(v, "AWS::Backup::BackupVault")["BackupVaultName"] = $"trading-platform-backup-vault-for-{SynthesizedApps.LongestSuffix}"),
        // Audit trail (issue 27): each damage is one edit of the AuditTrail component, a preset or the configuration.
        ["prod's trade-records selector dropped"] = ("prod", AuditRecordedRule, v => RemoveSelector(v, "Trade records")),
        ["staging's registry selector dropped"] = ("staging", AuditRecordedRule, v => RemoveSelector(v, "Client registry")),
        ["the records replica left out of prod's selector"] = ("prod", AuditRecordedRule,
            v => AuditSelector(v, "Trade records")["FieldSelectors"]!.AsArray().Single(f => (string?)f!["Field"] == "resources.ARN")!["StartsWith"]!.AsArray().RemoveAt(3)),
        ["no trail at all in staging"] = ("staging", AuditRecordedRule, v => v.Templates[Layer.Data]["Resources"]!.AsObject().Remove("AuditTrail")),
        ["a records selector without resources.ARN (every bucket of the account)"] = ("prod", AuditSelectorRule,
            v => AuditSelector(v, "Trade records")["FieldSelectors"]!.AsArray().RemoveAt(2)),
        ["a selector naming the access-log bucket"] = ("staging", AuditSelectorRule,
            v => AuditSelector(v, "Trade records")["FieldSelectors"]![2]!["StartsWith"]!.AsArray().Add(JsonNode.Parse(
                """{"Fn::Join": ["", [{"Fn::GetAtt": ["AccessLogsBucket83982689", "Arn"]}, "/"]]}"""))),
        ["a registry selector widened to every table (StartsWith the account's table prefix)"] = ("staging-with-overrides", AuditSelectorRule,
            v => AuditSelector(v, "Client registry")["FieldSelectors"]![2] = JsonNode.Parse(
                """{"Field": "resources.ARN", "StartsWith": ["arn:aws:dynamodb:us-east-1:123456789012:table/"]}""")),
        ["staging's trail with log file validation off"] = ("staging", AuditTamperRule, v => AuditTrailProperties(v)["EnableLogFileValidation"] = false),
        ["prod's audit logs locked 364 days"] = ("prod", AuditTamperRule,
            v =>
            {
                AuditLock(v).AsObject().Remove("Years");
                AuditLock(v)["Days"] = 364;
            }),
        ["prod's audit logs locked in GOVERNANCE mode"] = ("prod", AuditTamperRule, v => AuditLock(v)["Mode"] = "GOVERNANCE"),
        ["staging's audit bucket without Object Lock"] = ("staging", AuditTamperRule,
            v => v.Resource(Layer.Data, AuditBucketId)!["Properties"]!.AsObject().Remove("ObjectLockConfiguration")),
        ["a single-region trail (the replica's region unrecorded)"] = ("prod", AuditTamperRule, v => AuditTrailProperties(v)["IsMultiRegionTrail"] = false),
        ["prod's trail without its KMS key"] = ("prod", AuditTamperRule, v => AuditTrailProperties(v).Remove("KMSKeyId")),
        ["staging's audit log group kept 30 days"] = ("staging", AuditTamperRule,
            v => v.Resource(Layer.Data, "AuditTrailLogGroup39A764DA")!["Properties"]!["RetentionInDays"] = 30),
        ["an audit alarm without its action"] = ("prod", AuditAlarmRule, v => AuditAlarm(v, "audit-key-disabled-or-scheduled-deletion").Remove("AlarmActions")),
        ["an audit alarm removed"] = ("staging", AuditAlarmRule,
            v => v.Templates[Layer.Data]["Resources"]!.AsObject().Remove("AuditTrailChangedAlarmA3631CF7")),
        ["an audit alarm's filter on another log group"] = ("prod", AuditAlarmRule,
            v => v.Resource(Layer.Data, "AuditRegistryReadByOtherPrincipalFilterA0A5C9E6")!["Properties"]!["LogGroupName"] = "/aws/lambda/data-processor-prod"),
        ["management events no longer recorded while the alarms need them"] = ("prod", AuditAlarmRule, v => RemoveSelector(v, "Management")),
        ["with an organization trail: the locked records' delete selector dropped"] = ("staging-with-overrides", AuditAlarmRule,
            v => RemoveSelector(v, "Locked records")),
        ["with an organization trail: registry reads by the function's session name only"] = ("staging-with-overrides", AuditAlarmRule,
            v => AuditSelector(v, "Client registry")["FieldSelectors"]![3]!["NotEndsWith"] = JsonNode.Parse("""["/alice"]""")),
        // Deploy-time limits (issue 26): each damage grows a copy of a real template past what AWS accepts at deploy time.
        ["a role's inline policy grown past 10,240 characters"] = ("prod", IdentityLimitRule,
            v => AddStatements(FunctionRolePolicy(v), 110, i => $$"""{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::trading-records-example/trades/2024/{{i:000}}/*"}""")),
        ["two policies of one role, each within 10,240 characters, together past it"] = ("dev", IdentityLimitRule,
            v =>
            {
                foreach (var name in new[] { "ExtraReadPolicyA", "ExtraReadPolicyB" })
                {
                    var policy = JsonNode.Parse("""{"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "NAME", "Roles": [{"Ref": "ROLE"}], "PolicyDocument": {"Version": "2012-10-17", "Statement": []}}}"""
                        .Replace("NAME", name).Replace("ROLE", FunctionRoleId(v)))!;
                    AddStatements(policy["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray(), 55,
                        i => $$"""{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::trading-records-example/{{name}}/{{i:000}}/*"}""");
                    v.Templates[Layer.Api]["Resources"]![name] = policy;
                }
            }),
        ["a managed policy grown past 6,144 characters"] = ("staging", IdentityLimitRule,
            v => AddStatements(v.Resource(Layer.Data, "ReplicationPolicy48D09A53")!["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray(), 45,
                i => $$"""{"Effect": "Allow", "Action": "s3:GetObjectVersion", "Resource": "arn:aws:s3:::trading-records-example/trades/{{i:000}}/*"}""")),
        ["a trust policy grown past 2,048 characters"] = ("dev", IdentityLimitRule,
            v => AddStatements(v.Resource(Layer.Api, FunctionRoleId(v))!["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray(), 22,
                i => $$"""{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/trading-desk-{{i:00}}"}, "Action": "sts:AssumeRole"}""")),
        ["an 11th managed policy on a role"] = ("prod", IdentityLimitRule,
            v => v.Resource(Layer.Api, FunctionRoleId(v))!["Properties"]!["ManagedPolicyArns"] =
                new JsonArray(Enumerable.Range(0, 11).Select(i => (JsonNode)$"arn:aws:iam::123456789012:policy/trading-extra-{i}").ToArray())),
        ["a policy naming a resource whose ARN length is not known"] = ("dev", IdentityLimitRule,
            v => FunctionRolePolicy(v).Add(JsonNode.Parse($$$"""{"Effect": "Allow", "Action": "wafv2:GetWebACL", "Resource": {"Fn::GetAtt": ["{{{First(v, "AWS::WAFv2::WebACL", Layer.Api)}}}", "Arn"]}}"""))),
        ["a key policy grown past 32 KB"] = ("prod", ResourcePolicyLimitRule,
            v => AddStatements(First(v, "AWS::KMS::Key")["KeyPolicy"]!["Statement"]!.AsArray(), 300,
                i => $$"""{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/trading-reader-{{i:000}}"}, "Action": "kms:Decrypt", "Resource": "*"}""")),
        ["a bucket policy grown past 20 KB"] = ("staging", ResourcePolicyLimitRule,
            v => AddStatements(v.Resource(Layer.Data, "IngestionBucketPolicyA79CE1F0")!["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray(), 200,
                i => $$"""{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trading-ingestion-example/blocked/{{i:000}}/*"}""")),
        ["a topic policy grown past 30 KB"] = ("dev", ResourcePolicyLimitRule,
            v => AddStatements(First(v, "AWS::SNS::TopicPolicy")["PolicyDocument"]!["Statement"]!.AsArray(), 300,
                i => $$"""{"Sid": "Publisher{{i:000}}", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sns:Publish", "Resource": "*"}""")),
        ["invoke permissions past the function's 20 KB resource policy"] = ("prod", ResourcePolicyLimitRule,
            v =>
            {
                var resources = v.Templates[Layer.Api]["Resources"]!.AsObject();
                var permission = resources.First(r => (string?)r.Value!["Type"] == "AWS::Lambda::Permission").Value!;
                for (var i = 0; i < 60; i++)
                {
                    resources[$"ExtraInvokePermission{i}"] = permission.DeepClone();
                }
            }),
        ["a new kind of resource policy nobody measures"] = ("prod", ResourcePolicyLimitRule,
            v => v.Templates[Layer.Data]["Resources"]!["SharedFileSystem"] = JsonNode.Parse(
                """{"Type": "AWS::EFS::FileSystem", "Properties": {"FileSystemPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}""")),
        ["a template past 500 resources"] = ("dev", TemplateLimitRule,
            v =>
            {
                for (var i = 0; i < 460; i++)
                {
                    v.Templates[Layer.Api]["Resources"]![$"Handle{i}"] = JsonNode.Parse("""{"Type": "AWS::CloudFormation::WaitConditionHandle"}""");
                }
            }),
        ["a template past 200 outputs"] = ("prod", TemplateLimitRule,
            v =>
            {
                for (var i = 0; i < 190; i++)
                {
                    v.Templates[Layer.Data]["Outputs"]![$"Extra{i}"] = JsonNode.Parse("""{"Value": "x"}""");
                }
            }),
        ["a template past 200 parameters"] = ("staging", TemplateLimitRule,
            v =>
            {
                for (var i = 0; i < 200; i++)
                {
                    v.Templates[Layer.Network]["Parameters"]![$"Extra{i}"] = JsonNode.Parse("""{"Type": "String", "Default": "x"}""");
                }
            }),
        ["a template past 1 MB"] = ("prod", TemplateLimitRule,
            v => v.Templates[Layer.Api]["Metadata"] = new JsonObject { ["padding"] = new string('x', 1_000_000) }),
        ["a logical id of 256 characters"] = (SynthesizedApps.LongestNames, TemplateLimitRule,
            v => Rename(v, Layer.Api, FunctionRoleId(v), "DataProcessingFunctionServiceRole" + new string('X', 256 - 33))),
    };

    private const string AuditRecordedRule = "staging and prod record every read and write of the trade records and the client registry in a trail";
    private const string AuditSelectorRule = "a trail's data-event selectors name only the platform's record buckets and registry";
    private const string AuditTamperRule = "staging and prod keep the audit trail tamper-evident for at least a year";
    private const string AuditAlarmRule = "every audit alarm notifies the alert topic, has a runbook row and watches events its trail records";
    private const string AuditBucketId = "AuditTrailBucket677225EC";

    private static JsonObject AuditTrailProperties(PlatformView v) => v.Resource(Layer.Data, "AuditTrail")!["Properties"]!.AsObject();

    private static JsonArray AuditSelectors(PlatformView v) => AuditTrailProperties(v)["AdvancedEventSelectors"]!.AsArray();

    private static JsonNode AuditSelector(PlatformView v, string namePrefix) =>
        AuditSelectors(v).Single(s => ((string?)s!["Name"] ?? "").StartsWith(namePrefix, StringComparison.Ordinal))!;

    private static void RemoveSelector(PlatformView v, string namePrefix) => AuditSelectors(v).Remove(AuditSelector(v, namePrefix));

    private static JsonNode AuditLock(PlatformView v) =>
        v.Resource(Layer.Data, AuditBucketId)!["Properties"]!["ObjectLockConfiguration"]!["Rule"]!["DefaultRetention"]!;

    private static JsonObject AuditAlarm(PlatformView v, string name) =>
        v.Resources("AWS::CloudWatch::Alarm").Select(a => a.Resource["Properties"]!.AsObject())
            .Single(a => (string?)a["AlarmName"] == $"trading-{v.Suffix}-{name}");


    private const string TemplateLimitRule = "every template fits CloudFormation's template quotas";
    private const string IdentityLimitRule = "every role's inline policies, managed policies and trust policy fit IAM's quotas";
    private const string ResourcePolicyLimitRule = "every resource policy fits its service's size limit";

    private static string FunctionRoleId(PlatformView v) =>
        v.Resources("AWS::IAM::Role").Single(r => r.LogicalId.StartsWith("DataProcessingFunctionServiceRole", StringComparison.Ordinal)).LogicalId;

    private static JsonArray FunctionRolePolicy(PlatformView v) =>
        v.Resources("AWS::IAM::Policy").Single(p => p.LogicalId.StartsWith("DataProcessingFunctionServiceRoleDefaultPolicy", StringComparison.Ordinal))
            .Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();

    private static string First(PlatformView v, string type, Layer layer) => v.Resources(type).First(r => r.Layer == layer).LogicalId;

    private static void AddStatements(JsonArray statements, int count, Func<int, string> statement)
    {
        for (var i = 0; i < count; i++)
        {
            statements.Add(JsonNode.Parse(statement(i)));
        }
    }

    private const string ProdShiftRule = "prod exposes a new function version to at most 10% of requests for at least 10 minutes first";
    private const string RollbackRule = "every alias is deployed by CodeDeploy, rolled back on failure, stop and alarm, with alarms on the new version";
    private const string AliasRule = "API Gateway invokes functions through an alias, never $LATEST";
    private const string HookRule = "the pre-traffic check may only invoke the version under test and report to its deployment group";
    private const string ServiceRoleRule = "CodeDeploy deploys with its AWS-managed Lambda service role, plus invoking its hooks only";

    private static JsonObject Group(PlatformView v) => First(v, "AWS::CodeDeploy::DeploymentGroup");

    private static JsonObject RollbackAlarm(PlatformView v, string metricName) =>
        v.Resources("AWS::CloudWatch::Alarm").Select(a => a.Resource["Properties"]!.AsObject())
            .Single(a => (string?)a["MetricName"] == metricName && a["Dimensions"]!.AsArray().Any(d => (string?)d!["Name"] == "ExecutedVersion"));

    private static JsonObject PostData(PlatformView v) =>
        v.Resources("AWS::ApiGateway::Method").Select(m => m.Resource["Properties"]!.AsObject()).Single(m => (string?)m["HttpMethod"] == "POST");

    private static JsonArray HookPolicy(PlatformView v) =>
        v.Resources("AWS::IAM::Policy").Single(p => p.LogicalId.StartsWith("PreTrafficCheckServiceRole")).Resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();

    private const string BackupCopyRule = "staging and prod copy every backup rule to a vault of the recovery layer in another region, with the same retention";
    private const string ReplicaRule = "staging and prod replicate every trade record to a locked replica in the recovery region, no weaker than the primary";
    private const string VaultLockRule = "prod locks every backup vault in compliance mode, and every recovery point and copy fits the lock of its vault";
    private const string NoCopyRule = "dev-like environments have no recovery layer and no cross-region copy cost";
    private const string ReplicaBucketId = "RecordsReplicaBucket22AA00A8";

    private static JsonObject BackupRule(PlatformView v, int index) =>
        v.Resource(Layer.Data, "BackupPlanA8F64793")!["Properties"]!["BackupPlan"]!["BackupPlanRule"]![index]!.AsObject();

    private static JsonObject RecoveryVault(PlatformView v) =>
        v.Resource(Layer.Recovery, "RecoveryBackupVault74C95F05")!["Properties"]!.AsObject();

    private static JsonNode ReplicaRetention(PlatformView v) =>
        v.Resource(Layer.Recovery, ReplicaBucketId)!["Properties"]!["ObjectLockConfiguration"]!["Rule"]!["DefaultRetention"]!;

    private static JsonNode RecoveryReplication(PlatformView v) =>
        v.Resource(Layer.Data, "IngestionBucket917A3A3A")!["Properties"]!["ReplicationConfiguration"]!["Rules"]!.AsArray()
            .Single(r => (string?)r!["Id"] == "TradesToRecoveryReplica")!;

    private const string ClientRule = "every registered client's API key, usage plan, plan association and app client keep ids derived from its name";
    private const string ReplacementRule = "resources that cannot be replaced keep reviewed logical ids";
    private const string SingletonRule = "account- and region-wide singletons survive the teardown of any one environment";
    private const string ReachabilityRule = "clients reach the API at a REGIONAL endpoint behind a REGIONAL web ACL";

    public static TheoryData<string> TemplateDamageNames() => new(TemplateDamages.Keys);

    [Theory]
    [MemberData(nameof(TemplateDamageNames))]
    public void Rule_catches(string damage)
    {
        var (suffix, ruleName, apply) = TemplateDamages[damage];
        var rule = PlatformRules.All.Single(r => r.Name == ruleName);
        var view = PlatformView.Of(apps.For(suffix)).Mutable();
        rule.Violations(view).ShouldBeEmpty($"'{rule.Name}' must hold on the undamaged {suffix} templates");

        apply(view);

        rule.Violations(view).ShouldNotBeEmpty($"'{rule.Name}' did not notice: {damage}");
    }

    [Fact]
    public void A_circular_dependency_fails_every_test_of_its_environment_when_its_templates_are_loaded()
    {
        // CloudFormation refuses a template whose resources depend on each other in a cycle. SynthesizedEnvironment loads
        // every template with Template.FromString, which refuses one too: this is that check, seen biting on the Api
        // layer with the live invoke permission made to wait for the method that waits for it.
        var api = PlatformView.Of(apps.For("dev")).Mutable().Templates[Layer.Api];
        api["Resources"]!["TradingApidataPOSTApiPermissionTradingPlatformdevApiRestApiTradingApi7E767846POSTdata9F33EFFB"]!["DependsOn"] =
            JsonNode.Parse("""["TradingApidataPOST7B08CAFA"]""");

        Should.Throw<Exception>(() => Template.FromString(api.ToJsonString())).Message.ShouldContain("dependency cycle");
    }

    [Fact]
    public void Staging_preset_without_protection_breaks_the_protection_rules()
    {
        var view = PlatformView.Of(UnprotectedStaging());
        string[] protectionRules =
        [
            "staging and prod have deletion protection on Aurora and every table",
            "staging and prod keep every stateful resource when it is deleted or replaced",
            "staging and prod never empty their buckets on stack deletion",
            "staging and prod keys wait 30 days before deletion",
        ];
        foreach (var rule in PlatformRules.All.Where(r => protectionRules.Contains(r.Name)))
        {
            rule.Violations(view).ShouldNotBeEmpty($"'{rule.Name}' let an unprotected staging through");
        }
    }

    [Fact]
    public void Compliance_gate_fails_a_staging_that_lost_its_protection()
    {
        // The RDS10 exemption follows the environment kind: an unprotected staging is not excused, so cdk-nag fails it.
        var env = UnprotectedStaging();
        var (exitCode, output) = RunNagGate(env.Directory);

        exitCode.ShouldBe(1, output);
        output.ShouldContain("AwsSolutions-RDS10");
    }

    private SynthesizedEnvironment UnprotectedStaging() => apps.Damaged("staging-unprotected", () =>
        EnvironmentPresets.For("staging", ConfigurationLoader.PlaceholderAccount, ConfigurationLoader.PlaceholderRegion) with
        {
            DeletionProtection = false,
            StatefulRemovalPolicy = RemovalPolicy.DESTROY,
        });

    private static (int ExitCode, string Output) RunNagGate(string assemblyDirectory)
    {
        var repo = SynthCache.RepositoryRoot();
        var start = new ProcessStartInfo("node", [Path.Combine(repo, "scripts/nag-gate/index.mjs"), assemblyDirectory])
        {
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException("node is not on PATH: run the tests with `npm test` (node_modules/.bin first on PATH)", error);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit(TimeSpan.FromMinutes(2)).ShouldBeTrue("the compliance gate did not finish in 2 minutes");
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }

    private static JsonObject Function(PlatformView v) =>
        v.Resources("AWS::Lambda::Function").Single(f => f.LogicalId.StartsWith("DataProcessingFunction")).Resource["Properties"]!.AsObject();

    private static JsonObject Stage(PlatformView v) => First(v, "AWS::ApiGateway::Stage");

    private static JsonObject First(PlatformView v, string type) => v.Resources(type).First().Resource["Properties"]!.AsObject();

    private static void Rename(PlatformView v, Layer layer, string from, string to)
    {
        var resources = v.Templates[layer]["Resources"]!.AsObject();
        var resource = resources[from]!;
        resources.Remove(from);
        resources[to] = resource;
    }

    private static void Remove(PlatformView v, Layer layer, string type, int keep)
    {
        var resources = v.Templates[layer]["Resources"]!.AsObject();
        foreach (var id in resources.Where(r => (string?)r.Value!["Type"] == type).Skip(keep).Select(r => r.Key).ToList())
        {
            resources.Remove(id);
        }
    }
}
