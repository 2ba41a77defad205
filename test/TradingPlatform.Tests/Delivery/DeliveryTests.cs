using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using TradingPlatform.Config;
using TradingPlatform.Constructs.Delivery;
using TradingPlatform.Stacks;
using Xunit;

namespace TradingPlatform.Tests.Delivery;

/// <summary>One action of the pipeline, as CodePipeline will run it.</summary>
public sealed record PipelineAction(string Stage, string Name, int RunOrder, string Provider, JsonObject Json)
{
    public JsonObject Configuration => Json["Configuration"]?.AsObject() ?? [];
}

/// <summary>The delivery variant's cloud assembly (the committed sample configuration), read once.</summary>
public sealed class DeliveryAssembly
{
    private static readonly ConcurrentDictionary<string, DeliveryAssembly> Cache = new();

    public static DeliveryAssembly Of(SynthesizedApps apps) => Cache.GetOrAdd(apps.DeliveryDirectory, dir => new DeliveryAssembly(dir));

    private DeliveryAssembly(string directory)
    {
        Directory = directory;
        Settings = ConfigurationLoader.LoadDelivery(SynthesizedApps.ContextOf(SynthesizedApps.DeliveryVariant));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")))!["artifacts"]!.AsObject();
        Template = JsonNode.Parse(File.ReadAllText(Path.Combine(directory,
            (string)manifest[DeliverySettings.StackName]!["properties"]!["templateFile"]!)))!.AsObject();
        var pipeline = Template.ResourcesOfType("AWS::CodePipeline::Pipeline").Single().Resource.Properties();
        Actions = pipeline["Stages"]!.AsArray()
            .SelectMany(stage => stage!["Actions"]!.AsArray().Select(action => new PipelineAction(
                (string)stage["Name"]!, (string)action!["Name"]!, (int)action["RunOrder"]!,
                (string)action["ActionTypeId"]!["Provider"]!, action.AsObject())))
            .ToList();
        StageNames = pipeline["Stages"]!.AsArray().Select(s => (string)s!["Name"]!).ToList();

        foreach (var (id, artifact) in manifest.Where(a => (string?)a.Value!["type"] == "cdk:cloud-assembly"))
        {
            var stageDir = Path.Combine(directory, (string)artifact!["properties"]!["directoryName"]!);
            var stageManifest = JsonNode.Parse(File.ReadAllText(Path.Combine(stageDir, "manifest.json")))!["artifacts"]!.AsObject();
            StageTemplates[(string)artifact["properties"]!["displayName"]!] = stageManifest
                .Where(a => (string?)a.Value!["type"] == "aws:cloudformation:stack")
                .ToDictionary(
                    a => (string?)a.Value!["properties"]!["stackName"] ?? a.Key,
                    a => File.ReadAllText(Path.Combine(stageDir, (string)a.Value!["properties"]!["templateFile"]!)));
        }
    }

    /// <summary>Every stack template of an assembly and of its nested assemblies (stages), by stack name, as the manifests list them.</summary>
    public static IReadOnlyList<(string Name, string Text)> TemplatesOf(string directory)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")))!["artifacts"]!.AsObject();
        return manifest.SelectMany(a => (string?)a.Value!["type"] switch
        {
            "aws:cloudformation:stack" => [(
                (string?)a.Value!["properties"]!["stackName"] ?? a.Key,
                File.ReadAllText(Path.Combine(directory, (string)a.Value!["properties"]!["templateFile"]!)))],
            "cdk:cloud-assembly" => TemplatesOf(Path.Combine(directory, (string)a.Value!["properties"]!["directoryName"]!)),
            _ => [],
        }).ToList();
    }

    public string Directory { get; }
    public DeliverySettings Settings { get; }
    public JsonObject Template { get; }
    public IReadOnlyList<string> StageNames { get; }
    public IReadOnlyList<PipelineAction> Actions { get; }
    /// <summary>Stage name -> stack name -> template text, from each stage's nested assembly.</summary>
    public Dictionary<string, Dictionary<string, string>> StageTemplates { get; } = [];

    public IReadOnlyList<PipelineAction> In(string stage) => Actions.Where(a => a.Stage == stage).ToList();

    public PipelineAction? Find(string stage, string name) => Actions.SingleOrDefault(a => a.Stage == stage && a.Name == name);

    /// <summary>The buildspec of a CodeBuild action's project (the commands it runs).</summary>
    public string BuildSpecOf(PipelineAction action)
    {
        var project = (string)action.Configuration["ProjectName"]!["Ref"]!;
        var buildSpec = Template["Resources"]![project]!["Properties"]!["Source"]!["BuildSpec"]!;
        // A buildspec that names a resource (the security review's names its function) is an Fn::Join.
        return buildSpec is JsonValue ? (string)buildSpec! : buildSpec.ToJsonString();
    }

    public JsonObject EnvironmentOf(PipelineAction action)
    {
        var variables = action.Configuration["EnvironmentVariables"] is JsonNode text
            ? JsonNode.Parse((string)text!)!.AsArray()
            : [];
        var project = (string)action.Configuration["ProjectName"]!["Ref"]!;
        var projectVariables = Template["Resources"]![project]!["Properties"]!["Environment"]!["EnvironmentVariables"]?.AsArray() ?? [];
        var all = new JsonObject();
        foreach (var variable in projectVariables.Concat(variables))
        {
            // The project's variables are CloudFormation's (Name, Value); the action's are CodePipeline's (name, value).
            var value = (variable!["Value"] ?? variable["value"])!;
            // A parameter's name is a Ref to the parameter: read the name it was given.
            if (value is JsonObject { Count: 1 } reference && reference["Ref"] is JsonNode id
                && Template["Resources"]![(string)id!]?["Properties"]?["Name"] is JsonNode name)
            {
                value = name;
            }

            all[(string)(variable["Name"] ?? variable["name"])!] = value.DeepClone();
        }

        return all;
    }
}

/// <summary>
/// The delivery pipeline (issue 19), on the assembly of the committed sample configuration: stage order, each stage's
/// stacks in dependency order, the gates where they belong (and nowhere they would block dev), the approval before prod
/// alone and its approvers, the platform's bar, and the adoption of hand-deployed environments: every stage's templates
/// are the standalone synth's.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class DeliveryTests(SynthesizedApps apps)
{
    private DeliveryAssembly Delivery => DeliveryAssembly.Of(apps);

    private static readonly string[] Environments = ["dev", "staging", "prod"];

    [Fact]
    public void The_sample_configuration_is_the_one_the_tests_and_the_gates_synthesize()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "delivery.sample.json")));
        var variant = SynthesizedApps.Variants[SynthesizedApps.DeliveryVariant][ConfigurationLoader.DeliveryKey];

        JsonNode.DeepEquals(JsonNode.Parse(variant.GetRawText()), JsonNode.Parse(sample.RootElement.GetRawText()))
            .ShouldBeTrue("SynthVariants.json's delivery variant must be delivery.sample.json, which the README shows");
        File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "delivery.sample.json")).TrimEnd().ShouldNotContain("\n",
            customMessage: "the CDK CLI keeps only the first line of a -c value: the README's -c delivery=\"$(cat delivery.sample.json)\" needs one line");
    }

    [Fact]
    public void Releases_flow_source_build_self_update_assets_then_dev_staging_prod()
    {
        Delivery.StageNames.ShouldBe(["Source", "Build", "UpdatePipeline", "Assets", "dev", "staging", "prod"],
            "pre-production before production (PCI DSS 6.5.3): dev, then staging, then prod, after the build's tests and gates");
    }

    [Fact]
    public void Each_stage_deploys_its_environments_stacks_after_the_stacks_they_depend_on()
    {
        foreach (var suffix in Environments)
        {
            var standalone = apps.For(suffix);
            var deploys = Delivery.In(suffix).Where(a => a.Provider == "CloudFormation").ToList();
            deploys.Select(a => (string)a.Configuration["StackName"]!).Distinct()
                .ShouldBe(standalone.StackNames, ignoreOrder: true, $"{suffix}'s stage deploys exactly the environment's stacks, under their own names");

            int Order(string stack, string step) => deploys.Single(a => a.Name == $"{stack}.{step}").RunOrder;
            foreach (var stack in standalone.Stacks.All.Append(standalone.Stacks.Recovery).OfType<SynthesizedStack>())
            {
                Order(stack.StackName, "Prepare").ShouldBeLessThan(Order(stack.StackName, "Deploy"));
                foreach (var dependency in stack.Dependencies)
                {
                    Order(dependency, "Deploy").ShouldBeLessThan(Order(stack.StackName, "Prepare"),
                        $"{stack.StackName} deploys after {dependency}, which it depends on");
                }
            }

            var layers = standalone.Stacks.All.Select(s => Order(s.StackName, "Deploy")).ToList();
            layers.ShouldBe(layers.Order().ToList(), $"{suffix}: Security, Network, Data, Api, one layer after the other");
        }
    }

    [Fact]
    public void Every_stage_starts_with_the_rollout_check_against_the_commit_last_deployed_there()
    {
        foreach (var environment in Delivery.Settings.Environments)
        {
            var suffix = environment.Suffix;
            var check = Delivery.Find(suffix, ReleasePipeline.RolloutCheckStep)
                ?? throw new ShouldAssertException($"{suffix} has no rollout check before its stacks");
            var firstStack = Delivery.In(suffix).Where(a => a.Provider == "CloudFormation").Min(a => a.RunOrder);
            check.RunOrder.ShouldBe(1, $"{suffix}: the rollout check runs first");
            Delivery.In(suffix).Where(a => a.Provider != "CloudFormation" && a.RunOrder < firstStack).ShouldAllBe(a => a.RunOrder >= check.RunOrder);

            var buildSpec = Delivery.BuildSpecOf(check);
            buildSpec.ShouldContain($"bash scripts/delivery/rollout-gate.sh {environment.ContextArguments}",
                customMessage: $"{suffix}: the check synthesizes the environment exactly as its hand deploy (same -c pairs)");
            buildSpec.ShouldContain("\\\"$status\\\" -eq 0", customMessage: "a blocking finding stops the stage");
            ((string)Delivery.EnvironmentOf(check)["DEPLOYED_COMMIT_PARAMETER"]!).ShouldBe(DeliverySettings.DeployedCommitParameter(suffix),
                $"{suffix}: compared with the commit the pipeline recorded for {suffix}");
        }
    }

    [Fact]
    public void Every_stage_records_its_deployed_commit_last_after_the_smoke_check_and_the_bake()
    {
        foreach (var environment in Delivery.Settings.Environments)
        {
            var suffix = environment.Suffix;
            var actions = Delivery.In(suffix);
            var lastStack = actions.Where(a => a.Provider == "CloudFormation").Max(a => a.RunOrder);
            var smoke = Delivery.Find(suffix, ReleasePipeline.SmokeCheckStep).ShouldNotBeNull($"{suffix} has a smoke check");
            smoke.RunOrder.ShouldBeGreaterThan(lastStack);
            Delivery.BuildSpecOf(smoke).ShouldContain("scripts/delivery/smoke-check.sh");
            ((string)Delivery.EnvironmentOf(smoke)["API_URL"]!).ShouldContain("ApiUrl",
                customMessage: "the smoke check calls the URL the environment's Api stack outputs");

            var bake = Delivery.Find(suffix, ReleasePipeline.BakeStep);
            if (environment.BakeTime > TimeSpan.Zero)
            {
                bake.ShouldNotBeNull($"{suffix} bakes").RunOrder.ShouldBeGreaterThan(smoke.RunOrder);
                ((string)Delivery.EnvironmentOf(bake)["HEALTH_ALARM"]!).ShouldBe($"trading-{suffix}-platform-health");
            }
            else
            {
                bake.ShouldBeNull($"{suffix} does not bake: nothing waits for dev");
            }

            var record = Delivery.Find(suffix, ReleasePipeline.RecordStep).ShouldNotBeNull($"{suffix} records its deployed commit");
            record.RunOrder.ShouldBe(actions.Max(a => a.RunOrder), $"{suffix} counts as deployed only after every check passed");
            ((string)Delivery.EnvironmentOf(record)["DEPLOYED_COMMIT_PARAMETER"]!).ShouldBe(DeliverySettings.DeployedCommitParameter(suffix));
        }
    }

    [Fact]
    public void Staging_and_prod_review_widened_permissions_and_nothing_waits_on_a_person_in_dev()
    {
        Delivery.In("dev").ShouldNotContain(a => a.Provider == "Manual", "dev deploys every commit without waiting for anyone");
        Delivery.Find("dev", $"{ReleasePipeline.SecurityReviewStep}.Check").ShouldBeNull();
        foreach (var suffix in new[] { "staging", "prod" })
        {
            var check = Delivery.Find(suffix, $"{ReleasePipeline.SecurityReviewStep}.Check").ShouldNotBeNull($"{suffix} reviews widened permissions");
            var confirm = Delivery.Find(suffix, $"{ReleasePipeline.SecurityReviewStep}.Confirm").ShouldNotBeNull();
            check.RunOrder.ShouldBeGreaterThan(Delivery.Find(suffix, ReleasePipeline.RolloutCheckStep)!.RunOrder);
            confirm.RunOrder.ShouldBeLessThan(Delivery.In(suffix).Where(a => a.Provider == "CloudFormation").Min(a => a.RunOrder),
                $"{suffix}: the review comes before any stack");
            Delivery.BuildSpecOf(check).ShouldContain("--security-only --fail");
        }
    }

    [Fact]
    public void Only_prod_waits_for_the_release_approval_which_shows_the_reason_and_the_rollout_report()
    {
        Delivery.Actions.Where(a => a.Name == ReleasePipeline.ApprovalStep).Select(a => a.Stage)
            .ShouldBe(["prod"], "one release approval, before prod only");
        var approval = Delivery.Find("prod", ReleasePipeline.ApprovalStep)!;
        var rollout = Delivery.Find("prod", ReleasePipeline.RolloutCheckStep)!;
        var source = Delivery.Actions.Single(a => a.Stage == "Source");

        approval.RunOrder.ShouldBeGreaterThan(Delivery.Find("prod", $"{ReleasePipeline.SecurityReviewStep}.Confirm")!.RunOrder);
        approval.RunOrder.ShouldBeLessThan(Delivery.In("prod").Where(a => a.Provider == "CloudFormation").Min(a => a.RunOrder));
        var shown = (string)approval.Configuration["CustomData"]!;
        shown.ShouldContain($"#{{{(string)source.Json["Namespace"]!}.CommitMessage}}", customMessage: "the change's reason: its commit message");
        shown.ShouldContain($"#{{{(string)rollout.Json["Namespace"]!}.ROLLOUT_SUMMARY}}", customMessage: "prod's rollout report, from prod's check");
        ((string)approval.Configuration["ExternalEntityLink"]!).ShouldBe($"#{{{(string)rollout.Json["Namespace"]!}.ROLLOUT_REPORT_URL}}");
        approval.Configuration["NotificationArn"]!.ToJsonString().ShouldContain("DeliveryTopic");
    }

    [Fact]
    public void Only_the_approvers_role_may_approve_the_release()
    {
        var approverRole = Delivery.Settings.ApproversRoleArn.Split('/')[^1];
        var policies = Delivery.Template.ResourcesOfType("AWS::IAM::Policy").ToList();
        var allowing = policies.Where(p => Statements(p.Resource)
                .Any(s => (string?)s["Effect"] == "Allow" && Actions(s).Any(a => a is "codepipeline:PutApprovalResult" or "codepipeline:*" or "*")
                          && (Resources(s).Any(r => r.EndsWith("/prod/Approve\"]]}", StringComparison.Ordinal)) || s["Condition"] is null && Resources(s).Contains("\"*\""))))
            .ToList();
        allowing.Select(p => p.Resource.Properties()["Roles"]!.ToJsonString()).ShouldBe([$"[\"{approverRole}\"]"],
            "the approvers role is the only one granted the production approval");

        // The deny names the approval by the pipeline's literal ARN: the pipeline depends on this function (through the
        // security check's project), so a Ref to the pipeline here would be a dependency cycle CloudFormation refuses.
        var approvalArn = $"arn:aws:codepipeline:{Delivery.Settings.Region}:{Delivery.Settings.Account}:{DeliverySettings.StackName}/prod/{ReleasePipeline.ApprovalStep}";
        var autoApprove = policies.Single(p => p.LogicalId.Contains("AutoApprove", StringComparison.Ordinal));
        Statements(autoApprove.Resource).ShouldContain(s => (string?)s["Effect"] == "Deny"
            && Actions(s).Contains("codepipeline:PutApprovalResult") && Resources(s).Contains($"\"{approvalArn}\""),
            $"the security review's auto-approve function (allowed on every action of the pipeline by tag) must never approve the release ({approvalArn})");
    }

    [Fact]
    public void No_template_of_the_delivery_app_has_a_dependency_cycle()
    {
        // CloudFormation refuses a template whose resources depend on each other in a cycle; Template.FromString refuses it
        // too. The pipeline stack, every stage's stacks and the cross-region support stacks, as the manifests list them.
        var templates = DeliveryAssembly.TemplatesOf(Delivery.Directory);
        templates.Count.ShouldBeGreaterThan(Environments.Length * 4, "the pipeline, its support stack and every stage's stacks");
        foreach (var (name, text) in templates)
        {
            Should.NotThrow(() => Amazon.CDK.Assertions.Template.FromString(text), $"{name} has a dependency cycle (or is no template)");
        }
    }

    [Fact]
    public void Every_stage_is_the_hand_deploy_of_its_environment_so_it_is_adopted_without_replacement()
    {
        foreach (var environment in Delivery.Settings.Environments)
        {
            var suffix = environment.Suffix;
            var standalone = apps.For(suffix);
            var stage = Delivery.StageTemplates[suffix];
            stage.Keys.ShouldBe(standalone.StackNames, ignoreOrder: true, $"{suffix}: the same stacks under the same names as a hand deploy");

            // The standalone variants are synthesized for the placeholder account; the stage for the environment's own.
            var placeholder = standalone.Settings.Account;
            foreach (var (stackName, template) in stage)
            {
                var expected = File.ReadAllText(Path.Combine(standalone.Directory, $"{stackName}.template.json"));
                template.ShouldContain(environment.Settings.Account, customMessage: $"{stackName} is built for {suffix}'s own account");
                // The function's published version is named with a hash of the function's properties, whose code bucket
                // names the account (cdk-hnb659fds-assets-<account>-<region>): masked here, the rest of the comparison
                // shows the function's properties equal but for the account, so a hand deploy to the same account gets
                // the stage's version id.
                MaskVersionHash(template.Replace(environment.Settings.Account, placeholder, StringComparison.Ordinal)).ShouldBe(MaskVersionHash(expected),
                    $"{stackName} in the pipeline must be byte for byte the standalone synth of {suffix} (same logical ids, properties, paths): " +
                    "a hand-deployed environment is adopted with no replacement");
            }
        }
    }

    private static string MaskVersionHash(string template) =>
        System.Text.RegularExpressions.Regex.Replace(template, "(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}", "$1<hash of the function>");

    [Fact]
    public void The_build_runs_the_readmes_set_up_and_tests_and_the_compliance_gates_then_synthesizes_this_pipeline()
    {
        var build = Delivery.Actions.Single(a => a.Stage == "Build");
        var spec = Delivery.BuildSpecOf(build);
        var readme = File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "README.md"));
        readme.ShouldContain("npm ci && npx cdk synth");
        readme.ShouldContain("npm test");
        spec.ShouldContain("offline npm ci && offline npx cdk synth");
        spec.ShouldContain("offline npm test");
        spec.ShouldContain("offline npm run compliance");
        spec.ShouldContain("-c delivery=\\\"$DELIVERY_CONFIG\\\"");
        JsonNode.DeepEquals(JsonNode.Parse((string)Delivery.EnvironmentOf(build)["DELIVERY_CONFIG"]!), JsonNode.Parse(Delivery.Settings.Json))
            .ShouldBeTrue("the pipeline synthesizes itself with the configuration it was deployed with");
    }

    [Fact]
    public void The_pipeline_is_held_to_the_platforms_bar()
    {
        var resources = Delivery.Template["Resources"]!.AsObject();
        string KeyOf(JsonNode? node) => node!.ToJsonString();
        var deliveryKey = resources.Single(r => (string?)r.Value!["Type"] == "AWS::KMS::Key").Key;
        ((bool)resources[deliveryKey]!["Properties"]!["EnableKeyRotation"]!).ShouldBeTrue();

        foreach (var (id, project) in Delivery.Template.ResourcesOfType("AWS::CodeBuild::Project"))
        {
            var properties = project.Properties();
            ((bool?)properties["Environment"]!["PrivilegedMode"] ?? false).ShouldBeFalse($"{id}: no privileged builds");
            KeyOf(properties["EncryptionKey"]).ShouldContain(deliveryKey, customMessage: $"{id}: artifacts encrypted with the delivery key");
            KeyOf(properties["LogsConfig"]).ShouldContain("BuildLogs", customMessage: $"{id}: logs to the encrypted build log group");
        }

        foreach (var (id, logGroup) in Delivery.Template.ResourcesOfType("AWS::Logs::LogGroup"))
        {
            KeyOf(logGroup.Properties()["KmsKeyId"]).ShouldContain(deliveryKey, customMessage: $"{id}: encrypted with the delivery key");
        }

        var pipeline = Delivery.Template.ResourcesOfType("AWS::CodePipeline::Pipeline").Single().Resource.Properties();
        KeyOf(pipeline["ArtifactStores"] ?? pipeline["ArtifactStore"]).ShouldContain(deliveryKey);
        KeyOf(Delivery.Template.ResourcesOfType("AWS::SNS::Topic").Single().Resource.Properties()["KmsMasterKeyId"]).ShouldContain(deliveryKey);
        Delivery.Template.ResourcesOfType("AWS::CodeStarNotifications::NotificationRule").Single().Resource.Properties()["Targets"]!
            .ToJsonString().ShouldContain("DeliveryTopic", customMessage: "failures and approvals are notified to the delivery topic");

        foreach (var deploy in Delivery.Actions.Where(a => a.Provider == "CloudFormation"))
        {
            var environment = Delivery.Settings.Environments.Single(e => e.Suffix == deploy.Stage).Settings;
            var region = (string?)deploy.Json["Region"] ?? environment.Region;
            deploy.Json["RoleArn"]!.ToJsonString().ShouldContain($":role/cdk-hnb659fds-deploy-role-{environment.Account}-{region}",
                customMessage: $"{deploy.Name} deploys only through {deploy.Stage}'s CDK bootstrap deploy role");
        }
    }

    [Fact]
    public void The_pipeline_updates_itself_with_the_repositorys_pinned_cdk_cli()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(SynthCache.RepositoryRoot(), "package.json")));
        DeliveryStack.CliVersion.ShouldBe(package.RootElement.GetProperty("devDependencies").GetProperty("aws-cdk").GetString());
        Delivery.BuildSpecOf(Delivery.Actions.Single(a => a.Stage == "UpdatePipeline")).ShouldContain($"aws-cdk@{DeliveryStack.CliVersion}");
    }

    private static IEnumerable<JsonObject> Statements(JsonObject policy) =>
        policy.Properties()["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject());

    private static IEnumerable<string> Actions(JsonObject statement) => statement["Action"] switch
    {
        JsonArray array => array.Select(a => (string)a!),
        JsonNode node => [(string)node!],
        _ => [],
    };

    private static IReadOnlyList<string> Resources(JsonObject statement) => statement["Resource"] switch
    {
        JsonArray array => array.Select(r => r!.ToJsonString()).ToList(),
        JsonNode node => [node.ToJsonString()],
        _ => [],
    };
}
