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
}
