using Amazon.CDK;
using Amazon.CDK.AWS.Logs;

namespace TradingPlatform.Config;

/// <summary>The starting point for each kind of environment; context overrides are applied on top.</summary>
public static class EnvironmentPresets
{
    public static EnvironmentKind KindOf(string suffix) => suffix switch
    {
        "dev" => EnvironmentKind.Dev,
        "staging" => EnvironmentKind.Staging,
        "prod" => EnvironmentKind.Prod,
        _ => EnvironmentKind.Ephemeral,
    };

    public static EnvironmentSettings For(string suffix, string account, string region)
    {
        var kind = KindOf(suffix);
        return kind switch
        {
            EnvironmentKind.Prod => new EnvironmentSettings
            {
                Suffix = suffix, Kind = kind, Account = account, Region = region,
                NatGateways = 3,
                AuroraMinCapacity = 2, AuroraMaxCapacity = 16, AuroraReaders = 2,
                DeletionProtection = true,
                StatefulRemovalPolicy = RemovalPolicy.RETAIN,
                TerminationProtection = true,
                // PCI-DSS 10.7: keep audit trail history for at least one year.
                LogRetention = RetentionDays.ONE_YEAR,
                WafRequestsPerFiveMinutesPerIp = 10_000,
                FunctionReservedConcurrency = 100,
                CreateConfigRecorder = true,
            },
            EnvironmentKind.Staging => new EnvironmentSettings
            {
                Suffix = suffix, Kind = kind, Account = account, Region = region,
                NatGateways = 3,
                AuroraMinCapacity = 0.5, AuroraMaxCapacity = 4, AuroraReaders = 1,
                DeletionProtection = true,
                StatefulRemovalPolicy = RemovalPolicy.RETAIN,
                TerminationProtection = false,
                LogRetention = RetentionDays.THREE_MONTHS,
                WafRequestsPerFiveMinutesPerIp = 5_000,
                FunctionReservedConcurrency = 25,
                CreateConfigRecorder = true,
            },
            _ => new EnvironmentSettings
            {
                Suffix = suffix, Kind = kind, Account = account, Region = region,
                NatGateways = 1,
                // The seed's range: 0.5-2 ACU.
                AuroraMinCapacity = 0.5, AuroraMaxCapacity = 2, AuroraReaders = 1,
                DeletionProtection = false,
                StatefulRemovalPolicy = RemovalPolicy.DESTROY,
                TerminationProtection = false,
                LogRetention = RetentionDays.ONE_MONTH,
                WafRequestsPerFiveMinutesPerIp = 2_000,
                FunctionReservedConcurrency = 10,
                // Ephemeral environments share the dev account, whose recorder dev already owns.
                CreateConfigRecorder = kind == EnvironmentKind.Dev,
            },
        };
    }
}
