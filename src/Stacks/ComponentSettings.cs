using TradingPlatform.Config;
using TradingPlatform.Constructs;

namespace TradingPlatform.Stacks;

/// <summary>What the stacks derive from an environment's settings for more than one component.</summary>
internal static class ComponentSettings
{
    /// <summary>The environment's decisions about stored data, for every component with buckets or log groups.</summary>
    public static StoragePolicy Storage(this EnvironmentSettings settings) => new()
    {
        Kind = settings.Kind,
        RemovalPolicy = settings.StatefulRemovalPolicy,
        LogRetention = settings.LogRetention,
        CopiesToRecoveryRegion = settings.RecoveryRegion is not null,
    };
}
