namespace TradingPlatform.Config;

/// <summary>
/// The fixed physical names of one environment's resources, in one place. Layers refer to another layer's resource
/// by these literal names where a CloudFormation reference would add a cross-stack export for no benefit (the
/// dashboard's metrics, alarm ARNs), and the runbook and the README quote them.
/// </summary>
public sealed record ResourceNames(string Suffix)
{
    public string DatabaseCluster => $"trading-db-{Suffix}";
    public string SessionsTable => $"user-sessions-{Suffix}";
    public string ApiKeysTable => $"api-keys-{Suffix}";
    public string BackupVault => $"trading-backups-{Suffix}";
    public string BackupPlan => $"trading-data-{Suffix}";
    public string DataProcessorFunction => $"data-processor-{Suffix}";
    /// <summary>The CodeDeploy application and deployment group that shift the function's live alias.</summary>
    public string FunctionDeploymentApplication => $"data-processor-{Suffix}";
    public string FunctionDeploymentGroup => $"data-processor-{Suffix}-live";
    /// <summary>The pre-traffic check CodeDeploy runs before a new version gets any request.</summary>
    public string PreTrafficCheckFunction => $"data-processor-{Suffix}-pre-traffic";
    public string RestApi => $"trading-api-{Suffix}";
    public string UsagePlan => $"trading-usage-plan-{Suffix}";
    /// <summary>The shared key of the seed: not registered in the api-keys table, so the function refuses it.</summary>
    public string ApiKey => $"trading-api-key-{Suffix}";
    public string ClientApiKey(string client) => $"trading-api-key-{Suffix}-{client}";
    public string ClientUsagePlan(string client) => $"trading-usage-plan-{Suffix}-{client}";
    public string MachineClientPool => $"trading-machine-clients-{Suffix}";
    public string AppClient(string client) => $"trading-{Suffix}-{client}";
    public string MachineClientAuthorizer => $"trading-machine-clients-{Suffix}";
    public string WebAcl => $"trading-api-{Suffix}-waf";
    public string AlertTopic => $"trading-alerts-{Suffix}";
    public string Dashboard => $"trading-platform-{Suffix}";
    /// <summary>The environment's cost budget (AWS Budgets names are per account).</summary>
    public string Budget => $"trading-platform-{Suffix}";
    /// <summary>The platform's CloudTrail trail (Data layer): its ARN is built from this name, never referenced (no cycle).</summary>
    public string AuditTrail => $"trading-audit-{Suffix}";
    /// <summary>The trail's CloudWatch Logs group: the audit alarms' metric filters, and Logs Insights queries.</summary>
    public string AuditLogGroup => $"/aws/cloudtrail/trading-audit-{Suffix}";
    /// <summary>The alias (without "alias/") of the key that encrypts the trail's log files, its bucket and its log group.</summary>
    public string AuditKeyAlias => $"audit-key-{Suffix}";
    /// <summary>The metric namespace of the audit alarms' metric filters (one per environment: two may share an account).</summary>
    public string AuditMetricNamespace => $"TradingPlatform/Audit/{Suffix}";

    /// <summary>The trail's ARN, from its fixed name.</summary>
    public string AuditTrailArn(string partition, string region, string account) =>
        $"arn:{partition}:cloudtrail:{region}:{account}:trail/{AuditTrail}";
}

/// <summary>
/// The Recovery layer's physical names, derived from the environment's suffix, account and recovery region. The Data
/// layer (another region) refers to the recovery vault, the records replica and its key by these names, never by a
/// CloudFormation reference (see RecoveryStack for why), and RecoveryWiringTests checks that the Recovery stack creates
/// exactly what Data names.
/// </summary>
public sealed record RecoveryNames(string Suffix, string Account, string Region)
{
    /// <summary>The recovery vault (vault names are per account and region; "-recovery" keeps it apart in every console).</summary>
    public string BackupVault => $"trading-backups-{Suffix}-recovery";
    /// <summary>Globally unique (account and region in it), at most 63 characters for staging and prod.</summary>
    public string RecordsReplicaBucket => $"trading-records-{Suffix}-{Account}-{Region}";
    public string RecordsReplicaAccessLogsBucket => $"trading-records-logs-{Suffix}-{Account}-{Region}";
    /// <summary>The alias of the replica's key (without "alias/"): S3 replication accepts the alias ARN as the replica key.</summary>
    public string RecordsReplicaKeyAlias => $"records-replica-key-{Suffix}";
    public string BackupKeyAlias => $"backup-recovery-key-{Suffix}";
    public string AlertsKeyAlias => $"alerts-recovery-key-{Suffix}";
    public string AlertTopic => $"trading-alerts-{Suffix}-recovery";

    public string BackupVaultArn(string partition) => $"arn:{partition}:backup:{Region}:{Account}:backup-vault:{BackupVault}";
    public string RecordsReplicaBucketArn(string partition) => $"arn:{partition}:s3:::{RecordsReplicaBucket}";
    public string RecordsReplicaKeyAliasArn(string partition) => $"arn:{partition}:kms:{Region}:{Account}:alias/{RecordsReplicaKeyAlias}";
}
