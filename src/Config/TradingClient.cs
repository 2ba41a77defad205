namespace TradingPlatform.Config;

/// <summary>
/// A machine client of the trading API (context key tradingClients): it gets a Cognito app client (OAuth2 client
/// credentials) and its own API key. Without limits it is throttled by the shared usage plan; with limits, by a usage
/// plan of its own.
/// </summary>
/// <param name="Name">3-32 lower-case letters, digits and single hyphens: part of the app client's and key's names.</param>
/// <param name="Limits">Its own steady rate and burst (requests per second), or null for the shared plan's.</param>
public sealed record TradingClient(string Name, ThrottleLimits? Limits = null);

/// <summary>API Gateway throttling of one API key: a steady rate and a burst, requests per second (burst &gt;= rate).</summary>
public sealed record ThrottleLimits(int RateLimit, int BurstLimit)
{
    /// <summary>The seed's usage plan: what every client gets unless it is configured otherwise.</summary>
    public static readonly ThrottleLimits SharedPlan = new(1000, 2000);
}
