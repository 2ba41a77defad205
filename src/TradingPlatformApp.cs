using Amazon.CDK;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs;
using TradingPlatform.Constructs.Api;
using TradingPlatform.Constructs.Core;
using TradingPlatform.Constructs.Delivery;
using TradingPlatform.Constructs.Monitoring;
using TradingPlatform.Stacks;

namespace TradingPlatform;

/// <summary>
/// The stacks of one environment, as built by <see cref="TradingPlatformApp.Build"/>: four, and in staging and prod a
/// fifth, Recovery, in the recovery region (null in dev-like environments).
/// </summary>
public sealed record TradingPlatformStacks(
    SecurityStack Security, NetworkStack Network, DataStack Data, ApiStack Api, RecoveryStack? Recovery = null)
{
    /// <summary>In deploy order: Recovery (when present) before Data.</summary>
    public IReadOnlyList<Stack> All => Recovery is null
        ? [Security, Network, Data, Api]
        : [Security, Network, Recovery, Data, Api];
}

/// <summary>Composition root shared by Program.cs and the tests, so both build exactly the same app.</summary>
public static class TradingPlatformApp
{
    /// <summary>
    /// CDK feature flags fixed in code rather than cdk.json, so tests (which do not read cdk.json)
    /// synthesize the same templates as the CLI. Passed as post-CLI context: a -c cannot change them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, object> FeatureFlags = new Dictionary<string, object>
    {
        // Server access log delivery through the bucket policy (ACLs are disabled on our buckets).
        ["@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"] = true,
        // Strip all rules from each VPC's default security group: nothing may use it.
        ["@aws-cdk/aws-ec2:restrictDefaultSecurityGroup"] = true,
        ["@aws-cdk/aws-iam:minimizePolicies"] = true,
        ["@aws-cdk/core:enablePartitionLiterals"] = true,
        ["@aws-cdk/aws-kms:aliasNameRef"] = true,
        ["@aws-cdk/aws-rds:lowercaseDbIdentifier"] = true,
        ["@aws-cdk/aws-rds:preventRenderingDeprecatedCredentials"] = true,
        ["@aws-cdk/core:validateSnapshotRemovalPolicy"] = true,
        ["@aws-cdk/core:checkSecretUsage"] = true,
        ["@aws-cdk/aws-apigateway:usagePlanKeyOrderInsensitiveId"] = true,
        ["@aws-cdk/aws-apigateway:requestValidatorUniqueId"] = true,
        ["@aws-cdk/aws-iam:standardizedServicePrincipals"] = true,
        ["@aws-cdk/aws-kms:reduceCrossAccountRegionPolicyScope"] = true,
        ["@aws-cdk/aws-lambda:recognizeLayerVersion"] = true,
        ["@aws-cdk/customresources:installLatestAwsSdkDefault"] = false,
    };

    /// <summary>
    /// The app. Under the CDK CLI, the outdir and context come from the environment it sets; a host that runs
    /// several apps in one process (src/Hosting/SynthBatch.cs) gives them here instead.
    /// </summary>
    public static App CreateApp(string? outdir = null, IDictionary<string, object>? context = null) => new(new AppProps
    {
        PostCliContext = FeatureFlags.ToDictionary(kv => kv.Key, kv => kv.Value),
        Context = context,
        Outdir = outdir,
    });

    /// <summary>What the configuration asks for: one environment's stacks, or the delivery pipeline and its stages.</summary>
    public static void Build(App app, AppConfiguration configuration)
    {
        if (configuration.Delivery is { } delivery)
        {
            BuildDelivery(app, delivery);
        }
        else
        {
            Build(app, configuration.Environment!);
        }
    }

    /// <summary>
    /// Builds the four stacks in dependency order; typed references become exports and imports. The scope is the app
    /// (a hand deploy) or a stage of the delivery pipeline (src/Stacks/EnvironmentStage.cs): the same stacks, the same
    /// names, the same logical ids. Each stack's name is its id wherever it lives (in a stage the CDK would otherwise
    /// prefix the stage's name).
    /// </summary>
    public static TradingPlatformStacks Build(Construct app, EnvironmentSettings settings)
    {
        var env = new Amazon.CDK.Environment { Account = settings.Account, Region = settings.Region };
        var prefix = settings.StackIdPrefix;

        var security = new SecurityStack(app, $"{prefix}-Security", new SecurityStackProps
        {
            StackName = $"{prefix}-Security",
            Env = env,
            Settings = settings,
            AlarmCatalog = new AlarmCatalog(),
            Description = $"TradingPlatform {settings.Suffix}: KMS keys, alert topic, AWS Config, machine-client identity",
            TerminationProtection = settings.TerminationProtection,
        });

        var network = new NetworkStack(app, $"{prefix}-Network", new NetworkStackProps
        {
            StackName = $"{prefix}-Network",
            Env = env,
            Settings = settings,
            Description = $"TradingPlatform {settings.Suffix}: VPC, flow logs, gateway endpoints",
            Keys = security.Keys,
            Alarms = security.Alarms,
        });

        // The recovery region's layer, before Data: Data's copy actions and replication rule name what it creates.
        var recovery = settings.RecoveryRegion is { } recoveryRegion
            ? new RecoveryStack(app, $"{prefix}-Recovery", new RecoveryStackProps
            {
                StackName = $"{prefix}-Recovery",
                Env = new Amazon.CDK.Environment { Account = settings.Account, Region = recoveryRegion },
                Settings = settings,
                Description = $"TradingPlatform {settings.Suffix}: recovery region ({recoveryRegion}): keys, recovery vault, records replica, alert topic",
                TerminationProtection = settings.TerminationProtection,
            })
            : null;

        var data = new DataStack(app, $"{prefix}-Data", new DataStackProps
        {
            StackName = $"{prefix}-Data",
            Env = env,
            Settings = settings,
            Description = $"TradingPlatform {settings.Suffix}: Aurora, DynamoDB, S3 (stateful)",
            TerminationProtection = settings.TerminationProtection,
            Network = network.Network,
            Keys = security.Keys,
            Alarms = security.Alarms,
        });

        if (recovery is not null)
        {
            // Names, not references, cross the regions (see RecoveryStack): the order is this explicit dependency.
            data.AddDependency(recovery, "Data copies backups to the recovery vault and replicates records to the replica");
        }

        var api = new ApiStack(app, $"{prefix}-Api", new ApiStackProps
        {
            StackName = $"{prefix}-Api",
            Env = env,
            Settings = settings,
            Description = $"TradingPlatform {settings.Suffix}: data-processing function, REST API, WAF",
            Keys = security.Keys,
            Identity = security.Identity,
            Alarms = security.Alarms,
            Network = network.Network,
            Database = data.Database,
            Tables = data.Tables,
            Buckets = data.Buckets,
            DataProcessorAssetDir = DataProcessorAsset.Directory,
        });

        var stacks = new TradingPlatformStacks(security, network, data, api, recovery);
        foreach (var stack in stacks.All)
        {
            ApplyTags(stack, settings);
            // Once every construct of the stack exists: CDK helper functions on a supported runtime, and each
            // element's logical id written into it (see LayerStack.WriteLogicalIds).
            SupportedNodeRuntime.Apply(stack);
            ((LayerStack)stack).WriteLogicalIds();
        }

        return stacks;
    }

    /// <summary>
    /// The delivery pipeline's app: each environment as a stage built by <see cref="Build"/> (EnvironmentStage), and
    /// TradingPlatform-Delivery, whose pipeline deploys them in order.
    /// </summary>
    public static DeliveryStack BuildDelivery(App app, DeliverySettings delivery)
    {
        var stages = delivery.Environments.Select(environment =>
        {
            var stage = new EnvironmentStage(app, environment.Settings);
            return new ReleaseStage
            {
                Stage = stage,
                Environment = environment,
                ApiUrl = (CfnOutput)stage.Stacks.Api.Node.FindChild("ApiUrl"),
                HealthAlarmName = AlarmCatalog.AlarmName(environment.Suffix, PlatformHealth.Name),
            };
        }).ToList();

        var stack = new DeliveryStack(app, DeliverySettings.StackName, new DeliveryStackProps
        {
            Env = new Amazon.CDK.Environment { Account = delivery.Account, Region = delivery.Region },
            StackName = DeliverySettings.StackName,
            Delivery = delivery,
            Stages = stages,
            Description = "TradingPlatform delivery: the release pipeline dev -> staging -> prod, its artifacts, build logs and notifications",
            // The change-control path of every environment: deleting it takes a deliberate step.
            TerminationProtection = true,
        });
        ApplyTags(stack, "delivery");
        SupportedNodeRuntime.Apply(stack);
        stack.WriteLogicalIds();
        return stack;
    }

    private static void ApplyTags(Stack stack, EnvironmentSettings settings) => ApplyTags(stack, settings.Suffix);

    private static void ApplyTags(Stack stack, string environment)
    {
        Tags.Of(stack).Add("Environment", environment);
        Tags.Of(stack).Add("CostCenter", "trading-platform");
        Tags.Of(stack).Add("Compliance", "PCI-DSS");
        Tags.Of(stack).Add("DataClassification", "Confidential");
    }
}
