namespace TradingPlatform.Config;

/// <summary>
/// The delivery pipeline (TradingPlatform-Delivery), from the validated context key <c>delivery</c>: where the pipeline
/// lives, what it watches, who may approve a production release, and each environment it deploys, in order.
/// </summary>
public sealed record DeliverySettings
{
    /// <summary>The delivery (tools) account and region: the pipeline, its artifacts and its build projects live there.</summary>
    public required string Account { get; init; }
    public required string Region { get; init; }

    /// <summary>The CodeConnections (CodeStar connection) ARN through which the pipeline reads the repository.</summary>
    public required string ConnectionArn { get; init; }
    /// <summary>"owner/name" of the repository, and the branch whose every push is a release candidate.</summary>
    public required string Repository { get; init; }
    public required string Branch { get; init; }

    /// <summary>The only role whose principals may approve the production stage (a role of the delivery account).</summary>
    public required string ApproversRoleArn { get; init; }

    /// <summary>Addresses subscribed to the delivery topic: failures, approvals waiting, permission-broadening reviews.</summary>
    public IReadOnlyList<string> NotificationEmails { get; init; } = [];

    /// <summary>dev, staging, prod: the order of the pipeline's stages.</summary>
    public required IReadOnlyList<DeliveryEnvironment> Environments { get; init; }

    /// <summary>
    /// The configuration as compact JSON: the pipeline's build synthesizes itself again with exactly this value
    /// (<c>-c delivery=...</c>), so a commit cannot change where the pipeline deploys or who approves prod.
    /// </summary>
    public required string Json { get; init; }

    /// <summary>The stack id and name of the pipeline.</summary>
    public const string StackName = "TradingPlatform-Delivery";

    /// <summary>
    /// Every resource type of the pipeline's stack (DeliveryTests checks the template against this list): the loader
    /// refuses a pipeline in a region that lacks one (<see cref="RegionSupport.MissingTypes"/>).
    /// </summary>
    public static readonly IReadOnlyList<string> PipelineResourceTypes =
    [
        "AWS::CodePipeline::Pipeline", "AWS::CodeBuild::Project", "AWS::CodeStarNotifications::NotificationRule",
        "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::KMS::Key", "AWS::KMS::Alias", "AWS::Lambda::Function", "AWS::Logs::LogGroup",
        "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription",
        "AWS::SSM::Parameter", "AWS::CDK::Metadata",
    ];

    /// <summary>The SSM parameter (delivery account) holding the commit last deployed to an environment by the pipeline.</summary>
    public static string DeployedCommitParameter(string suffix) => $"/tradingplatform/delivery/{suffix}/deployed-commit";
}

/// <summary>One environment the pipeline deploys: its settings, and the -c pairs a hand deploy of it uses.</summary>
public sealed record DeliveryEnvironment
{
    /// <summary>What the loader makes of this environment's context: exactly the settings of a hand deploy.</summary>
    public required EnvironmentSettings Settings { get; init; }

    /// <summary>
    /// The context of a hand <c>cdk deploy</c> of this environment, as -c key=value pairs (environmentSuffix, account,
    /// region, then the environment's own keys): the rollout check and the emergency path use exactly these.
    /// </summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Context { get; init; }

    public string Suffix => Settings.Suffix;

    /// <summary>A security review when IAM or security-group permissions widen: before every environment but dev.</summary>
    public bool ReviewsBroadening => Settings.Kind != EnvironmentKind.Dev;

    /// <summary>A manual approval by the approvers role: before prod only.</summary>
    public bool RequiresApproval => Settings.Kind == EnvironmentKind.Prod;

    /// <summary>
    /// How long the platform-health alarm must stay quiet after the deploy before the stage counts as done: none in dev
    /// (nothing waits for it), 30 minutes in staging, 60 in prod (AWS's Deployment Pipeline Reference Architecture).
    /// </summary>
    public TimeSpan BakeTime => Settings.Kind switch
    {
        EnvironmentKind.Staging => TimeSpan.FromMinutes(30),
        EnvironmentKind.Prod => TimeSpan.FromMinutes(60),
        _ => TimeSpan.Zero,
    };

    /// <summary>The -c arguments of a hand synth or deploy of this environment, shell-quoted.</summary>
    public string ContextArguments => string.Join(" ", Context.Select(kv => $"-c {ShellQuote($"{kv.Key}={kv.Value}")}"));

    private static string ShellQuote(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || "=-_.:,/@+".Contains(c)) ? text : "'" + text.Replace("'", "'\\''") + "'";
}
