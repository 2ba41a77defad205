using Amazon.CDK;
using Constructs;

namespace TradingPlatform.Constructs.Core;

/// <summary>
/// A component of the platform (the trading database, the ingestion function, the web firewall...): a construct
/// that owns its resources, grants, alarms and cdk-nag suppressions. Components are transparent to logical ids
/// (see <see cref="LayerStack"/>), so moving a resource into or between components never replaces it.
/// </summary>
public abstract class PlatformComponent : Construct
{
    protected PlatformComponent(Construct scope, string id) : base(scope, id)
    {
        (Stack.Of(this) as LayerStack)?.RegisterComponent(Node.Path);
    }
}
