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
    public string RestApi => $"trading-api-{Suffix}";
    public string UsagePlan => $"trading-usage-plan-{Suffix}";
    public string ApiKey => $"trading-api-key-{Suffix}";
    public string WebAcl => $"trading-api-{Suffix}-waf";
    public string AlertTopic => $"trading-alerts-{Suffix}";
    public string Dashboard => $"trading-platform-{Suffix}";
}
