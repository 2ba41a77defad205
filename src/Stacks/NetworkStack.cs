using Amazon.CDK;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Monitoring;
using TradingPlatform.Constructs.Network;
using TradingPlatform.Constructs.Security;

namespace TradingPlatform.Stacks;

public sealed class NetworkStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    /// <summary>The Security layer's keys (the logs key encrypts the flow-log group).</summary>
    public required EncryptionKeys Keys { get; init; }
    /// <summary>The Security layer's alarm factory.</summary>
    public required PlatformAlarms Alarms { get; init; }
}

/// <summary>The network layer: the VPC and what watches it.</summary>
public sealed class NetworkStack : LayerStack
{
    public TradingNetwork Network { get; }

    public NetworkStack(Construct scope, string id, NetworkStackProps props) : base(scope, id, props)
    {
        var settings = props.Settings;
        Network = new TradingNetwork(this, "Network", new TradingNetworkProps
        {
            VpcName = $"trading-vpc-{settings.Suffix}",
            NatGateways = settings.NatGateways,
            LogsKey = props.Keys.LogsKey,
            Storage = settings.Storage(),
            Alarms = props.Alarms,
            Thresholds = settings.Alarms,
        });

        new CfnOutput(this, "VpcId", new CfnOutputProps
        {
            Value = Network.Vpc.VpcId,
            Description = "VPC ID",
            ExportName = $"VpcId-{settings.Suffix}",
        });
    }
}
