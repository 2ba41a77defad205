using Amazon.CDK;
using Amazon.CDK.AWS.KMS;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;
using TradingPlatform.Constructs.Monitoring;
using TradingPlatform.Constructs.Network;

namespace TradingPlatform.Stacks;

public sealed class NetworkStackProps : StackProps
{
    public required EnvironmentSettings Settings { get; init; }
    /// <summary>Encrypts the flow-log group.</summary>
    public required IKey LogsKey { get; init; }
    public required PlatformAlarms Alarms { get; init; }
}

/// <summary>The network layer: the VPC and what watches it.</summary>
public sealed class NetworkStack : LayerStack
{
    public TradingNetwork Network { get; }

    public NetworkStack(Construct scope, string id, NetworkStackProps props) : base(scope, id, props)
    {
        Network = new TradingNetwork(this, "Network", props.Settings, props.LogsKey, props.Alarms);

        new CfnOutput(this, "VpcId", new CfnOutputProps
        {
            Value = Network.Vpc.VpcId,
            Description = "VPC ID",
            ExportName = $"VpcId-{props.Settings.Suffix}",
        });
    }
}
