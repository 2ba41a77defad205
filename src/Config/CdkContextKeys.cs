using System.Text.RegularExpressions;

namespace TradingPlatform.Config;

/// <summary>
/// The context keys that the CDK CLI and the CDK itself put into CDK_CONTEXT_JSON next to ours, so that
/// every other key can be refused as a typo. Found by running the CLI (2.1148) with an app that prints
/// what it receives, and in the CLI's source (toolkit-lib contextFromSettings, cx-api app.ts):
/// </summary>
public static partial class CdkContextKeys
{
    // Set by the CLI itself or by its commands in cdk.json: `cdk cli-telemetry --disable` writes cli-telemetry,
    // `cdk acknowledge N` writes acknowledged-issue-numbers.
    private static readonly HashSet<string> CliKeys = ["cli-telemetry", "acknowledged-issue-numbers"];

    // The context providers' cached lookups in cdk.context.json, e.g. "availability-zones:account=...:region=...".
    private static readonly string[] LookupProviders =
    [
        "ami", "availability-zones", "hosted-zone", "ssm", "vpc-provider", "endpoint-service-availability-zones",
        "load-balancer", "load-balancer-listener", "security-group", "key-provider", "plugin", "cc-api-provider",
    ];

    // Feature flags ("@aws-cdk/core:...", "@aws-cdk-containers/...:..."), CLI settings passed as context
    // ("aws:cdk:enable-path-metadata", "aws:cdk:bundling-stacks", ...) and the legacy "aws-cdk:..." flags.
    [GeneratedRegex("^(@aws-cdk[a-z-]*/[^:]+:.+|aws:cdk:.+|aws-cdk:.+)$")]
    private static partial Regex CdkNamespacedKey();

    public static bool IsPassedByCdk(string key) =>
        CliKeys.Contains(key)
        || CdkNamespacedKey().IsMatch(key)
        || LookupProviders.Any(provider => key.StartsWith(provider + ":", StringComparison.Ordinal));
}
