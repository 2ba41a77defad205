using Amazon.CDK;
using Amazon.CDK.AWS.CodeBuild;
using Amazon.CDK.AWS.CodePipeline;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SSM;
using Amazon.CDK.Pipelines;
using Constructs;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Core;

namespace TradingPlatform.Constructs.Delivery;

/// <summary>One environment's stage: its stacks (a CDK Stage), its settings, what the smoke check and the bake watch.</summary>
public sealed record ReleaseStage
{
    /// <summary>Required. The environment's stacks, built exactly as for a hand deploy.</summary>
    public required Amazon.CDK.Stage Stage { get; init; }
    public required DeliveryEnvironment Environment { get; init; }
    /// <summary>Required. The Api stack's output with the API's URL (the smoke check calls POST /data there).</summary>
    public required CfnOutput ApiUrl { get; init; }
    /// <summary>Required. The environment's composite platform-health alarm (the bake watches it).</summary>
    public required string HealthAlarmName { get; init; }
}

public sealed record ReleasePipelineProps
{
    public required DeliverySettings Delivery { get; init; }
    /// <summary>Required. dev, staging, prod, in this order.</summary>
    public required IReadOnlyList<ReleaseStage> Stages { get; init; }
    public required IKey Key { get; init; }
    public required IBucket ArtifactBucket { get; init; }
    public required ILogGroup BuildLogs { get; init; }
    public required ITopic Topic { get; init; }
    /// <summary>Required. The CDK CLI the pipeline updates itself with: the repository's pinned one.</summary>
    public required string CliVersion { get; init; }
}

/// <summary>
/// The release pipeline (CDK Pipelines): source -> build (the README's set-up and tests, the compliance gates, the
/// pipeline's own synth) -> self-update -> assets -> dev -> staging -> prod. Each stage deploys its environment's stacks
/// in dependency order through the target account's CDK bootstrap roles, between its gates:
/// before: the rollout check against the commit last deployed there (every stage), the security review when IAM or
/// security-group permissions widen (staging, prod), the manual approval of the approvers role (prod);
/// after: the smoke check (every stage), the bake on the platform-health alarm (staging, prod), and the record of the
/// deployed commit (every stage, last, so a stage counts as done only when all of them passed).
/// </summary>
public sealed class ReleasePipeline : PlatformComponent
{
    /// <summary>Names of the steps, which are the pipeline's action names.</summary>
    public const string BuildStep = "Synth";
    public const string RolloutCheckStep = "RolloutCheck";
    public const string SecurityReviewStep = "SecurityReview";
    public const string ApprovalStep = "Approve";
    public const string SmokeCheckStep = "SmokeCheck";
    public const string BakeStep = "Bake";
    public const string RecordStep = "RecordDeployedCommit";

    public CodePipeline Pipeline { get; }

    public ReleasePipeline(Construct scope, string id, ReleasePipelineProps props) : base(scope, id)
    {
        var delivery = props.Delivery;
        var stack = Stack.Of(this);
        var source = CodePipelineSource.Connection(delivery.Repository, delivery.Branch, new ConnectionSourceOptions
        {
            ConnectionArn = delivery.ConnectionArn,
            // A git clone rather than a zip: the rollout check synthesizes the commit last deployed, from the history.
            CodeBuildCloneOutput = true,
            TriggerOnPush = true,
        });

        // What a new user runs on a fresh machine (the README's set-up and test commands), the compliance gates, then the
        // pipeline's own cloud assembly. Offline, as the README promises: no AWS credentials reach these commands.
        var synth = new CodeBuildStep(BuildStep, new CodeBuildStepProps
        {
            Input = source,
            Env = new Dictionary<string, string> { ["DELIVERY_CONFIG"] = delivery.Json },
            Commands =
            [
                ". scripts/delivery/build-tools.sh",
                "offline npm ci && offline npx cdk synth",
                "offline npm test",
                "offline npm run compliance",
                "rm -rf cdk.out",
                "offline npx cdk synth --quiet -c delivery=\"$DELIVERY_CONFIG\"",
            ],
            PrimaryOutputDirectory = "cdk.out",
            BuildEnvironment = LargeBuild,
            Timeout = Duration.Minutes(60),
        });

        Pipeline = new CodePipeline(this, "Pipeline", new CodePipelineProps
        {
            PipelineName = DeliverySettings.StackName,
            Synth = synth,
            ArtifactBucket = props.ArtifactBucket,
            // Cross-account deploys need KMS-encrypted artifacts; the recovery region's replication bucket gets a key too.
            CrossAccountKeys = true,
            EnableKeyRotation = true,
            CliVersion = props.CliVersion,
            PublishAssetsInParallel = false,
            CodeBuildDefaults = new CodeBuildOptions
            {
                BuildEnvironment = new BuildEnvironment
                {
                    BuildImage = LinuxBuildImage.STANDARD_7_0,
                    ComputeType = ComputeType.SMALL,
                    Privileged = false,
                },
                Logging = new LoggingOptions { CloudWatch = new CloudWatchLoggingOptions { LogGroup = props.BuildLogs } },
            },
        });

        var approvers = Role.FromRoleArn(this, "Approvers", delivery.ApproversRoleArn, new FromRoleArnOptions { Mutable = true });
        ReleaseApproval? approval = null;
        foreach (var release in props.Stages)
        {
            var environment = release.Environment;
            var suffix = environment.Suffix;
            var recorded = new StringParameter(this, $"DeployedCommit-{suffix}", new StringParameterProps
            {
                ParameterName = DeliverySettings.DeployedCommitParameter(suffix),
                Description = $"The commit the pipeline last deployed to {suffix} (the rollout check's base); 'none' for an environment never deployed",
                // Not a commit: the first rollout check stops until someone records what is deployed (docs/delivery.md).
                StringValue = "unrecorded",
            });

            var pre = new List<Step>();
            var rollout = new CodeBuildStep(RolloutCheckStep, new CodeBuildStepProps
            {
                Input = source,
                Env = new Dictionary<string, string> { ["DEPLOYED_COMMIT_PARAMETER"] = recorded.ParameterName },
                Commands =
                [
                    $"status=0; bash scripts/delivery/rollout-gate.sh {environment.ContextArguments} || status=$?",
                    ". ./.rollout-gate.env",
                    "test \"$status\" -eq 0",
                ],
                RolePolicyStatements =
                [
                    new PolicyStatement(new PolicyStatementProps { Actions = ["ssm:GetParameter"], Resources = [recorded.ParameterArn] }),
                ],
                BuildEnvironment = LargeBuild,
                Timeout = Duration.Minutes(60),
            });
            pre.Add(rollout);

            Step last = rollout;
            if (environment.ReviewsBroadening)
            {
                var review = new ConfirmPermissionsBroadening(SecurityReviewStep, new PermissionsBroadeningCheckProps
                {
                    Stage = release.Stage,
                    NotificationTopic = props.Topic,
                });
                review.AddStepDependency(last);
                pre.Add(review);
                last = review;
            }

            if (environment.RequiresApproval)
            {
                approval = new ReleaseApproval(ApprovalStep, new ReleaseApprovalProps
                {
                    Information =
                        $"Release {source.SourceAttribute("CommitId")} to {suffix}. Reason (commit message): {source.SourceAttribute("CommitMessage")} " +
                        $"| Rollout check against what {suffix} runs: {rollout.ExportedVariable("ROLLOUT_SUMMARY")} (full report: the link)",
                    ReportLink = rollout.ExportedVariable("ROLLOUT_REPORT_URL"),
                    Approvers = approvers,
                    Topic = props.Topic,
                });
                approval.AddStepDependency(last);
                pre.Add(approval);
            }

            var post = new List<Step>();
            var smoke = new CodeBuildStep(SmokeCheckStep, new CodeBuildStepProps
            {
                Input = source,
                EnvFromCfnOutputs = new Dictionary<string, CfnOutput> { ["API_URL"] = release.ApiUrl },
                Commands = ["bash scripts/delivery/smoke-check.sh \"$API_URL\""],
            });
            post.Add(smoke);
            last = smoke;

            if (environment.BakeTime > TimeSpan.Zero)
            {
                var settings = environment.Settings;
                var bake = new CodeBuildStep(BakeStep, new CodeBuildStepProps
                {
                    Input = source,
                    Env = new Dictionary<string, string>
                    {
                        ["TARGET_ACCOUNT"] = settings.Account,
                        ["TARGET_REGION"] = settings.Region,
                        ["HEALTH_ALARM"] = release.HealthAlarmName,
                        ["BAKE_MINUTES"] = ((int)environment.BakeTime.TotalMinutes).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    },
                    Commands = ["bash scripts/delivery/bake.sh"],
                    RolePolicyStatements =
                    [
                        // Reads the alarm through the target account's CDK bootstrap lookup role (read-only), nothing else.
                        new PolicyStatement(new PolicyStatementProps
                        {
                            Actions = ["sts:AssumeRole"],
                            Resources = [$"arn:{stack.Partition}:iam::{settings.Account}:role/cdk-hnb659fds-lookup-role-{settings.Account}-{settings.Region}"],
                        }),
                    ],
                    Timeout = Duration.Minutes(environment.BakeTime.TotalMinutes + 20),
                });
                bake.AddStepDependency(last);
                post.Add(bake);
                last = bake;
            }

            var record = new CodeBuildStep(RecordStep, new CodeBuildStepProps
            {
                Env = new Dictionary<string, string>
                {
                    ["DEPLOYED_COMMIT_PARAMETER"] = recorded.ParameterName,
                    ["COMMIT_ID"] = source.SourceAttribute("CommitId"),
                },
                Commands = ["aws ssm put-parameter --name \"$DEPLOYED_COMMIT_PARAMETER\" --value \"$COMMIT_ID\" --type String --overwrite"],
                RolePolicyStatements =
                [
                    new PolicyStatement(new PolicyStatementProps { Actions = ["ssm:PutParameter"], Resources = [recorded.ParameterArn] }),
                ],
            });
            record.AddStepDependency(last);
            post.Add(record);

            Pipeline.AddStage(release.Stage, new AddStageOpts { Pre = pre.ToArray(), Post = post.ToArray() });
        }

        Pipeline.BuildPipeline();
        Harden(props, approval);
    }

    private static BuildEnvironment LargeBuild => new()
    {
        BuildImage = LinuxBuildImage.STANDARD_7_0,
        // .NET, the CDK's jsii runtime and the test servers side by side: SMALL's 3 GB is not enough.
        ComputeType = ComputeType.MEDIUM,
        Privileged = false,
    };

    /// <summary>
    /// What CDK Pipelines builds on its own, brought to the platform's bar once the pipeline exists: notifications, and
    /// the security review's helpers (its CodeBuild project logs to the encrypted log group; its auto-approve function
    /// runs on a supported runtime, logs there too, and may never approve the production release).
    /// </summary>
    private void Harden(ReleasePipelineProps props, ReleaseApproval? approval)
    {
        Pipeline.Pipeline.NotifyOn("Notifications", props.Topic, new PipelineNotifyOnOptions
        {
            NotificationRuleName = "tradingplatform-delivery",
            Events =
            [
                PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
                PipelineNotificationEvents.ACTION_EXECUTION_FAILED,
                PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
                PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
            ],
        });

        PipelineCompliance.Apply(Stack.Of(this), Pipeline.Pipeline);
        if (Pipeline.Node.TryFindChild("PipelinesSecurityCheck") is not Construct securityCheck)
        {
            return;
        }

        var project = (Project)securityCheck.Node.FindChild("CDKSecurityCheck");
        ((CfnProject)project.Node.DefaultChild!).LogsConfig = new CfnProject.LogsConfigProperty
        {
            CloudWatchLogs = new CfnProject.CloudWatchLogsConfigProperty { Status = "ENABLED", GroupName = props.BuildLogs.LogGroupName },
        };
        props.BuildLogs.GrantWrite(project);

        var autoApprove = (Function)securityCheck.Node.FindChild("CDKPipelinesAutoApprove");
        PipelineCompliance.ExcuseAutoApprove(autoApprove);
        var cfnFunction = (CfnFunction)autoApprove.Node.DefaultChild!;
        cfnFunction.AddPropertyOverride("Runtime", SupportedNodeRuntime.NodeRuntime);
        cfnFunction.LoggingConfig = new CfnFunction.LoggingConfigProperty { LogGroup = props.BuildLogs.LogGroupName };
        if (approval?.ActionArn(Stack.Of(this), DeliverySettings.StackName) is { } approvalArn)
        {
            // It approves the security reviews' own confirmations when nothing widens; the production release is the
            // approvers' alone. The pipeline depends on this function (through the security check's project), so the
            // deny names the action by the pipeline's literal name, never by a reference to the pipeline.
            autoApprove.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "NeverApproveTheProductionRelease",
                Effect = Effect.DENY,
                Actions = ["codepipeline:PutApprovalResult"],
                Resources = [approvalArn],
            }));
        }
    }
}
