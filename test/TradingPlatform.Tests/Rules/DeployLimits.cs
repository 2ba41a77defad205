using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TradingPlatform.Tests.Rules;

/// <summary>Which platform rule reports a limit: the template's own, identity (IAM) or resource policies.</summary>
public enum LimitKind { Template, Identity, ResourcePolicy }

/// <summary>
/// How a template reaches CloudFormation, which decides the template-size limit that applies. Read from the cloud
/// assembly (its manifest and, for the pipeline's stages, the pipeline's own actions), never guessed from names.
/// </summary>
public enum TemplateRoute
{
    /// <summary>
    /// `cdk deploy` of a stack whose synthesizer publishes the template as a file asset (the manifest's
    /// stackTemplateAssetObjectUrl; DefaultStackSynthesizer): cdk-assets uploads the file byte for byte to the bootstrap
    /// bucket and the CLI passes TemplateURL, whatever the size (aws-cdk CLI 2.1148, toolkit-lib's makeBodyParameter).
    /// </summary>
    TemplateAsset,

    /// <summary>
    /// `cdk deploy` of a stack without a template asset (the pipeline's cross-region support stack, synthesized without
    /// bootstrap resources): the CLI serializes the template as YAML and passes it as TemplateBody when that text is at
    /// most 50 KiB (51,200 characters), else uploads the template file to the bootstrap bucket of the stack's environment.
    /// </summary>
    CliBodyOrUpload,

    /// <summary>A CloudFormation action of the delivery pipeline (CDK Pipelines' Prepare), reading TemplatePath from the synth artifact.</summary>
    Pipeline,
}

/// <summary>One stack's template as it is deployed; FileBytes is the template file's size when it was read from an assembly.</summary>
public sealed record StackTemplate(string Name, JsonObject Template, TemplateRoute Route, long? FileBytes = null);

/// <summary>A limit AWS enforces when the template is deployed, how we measure against it, and where it is documented.</summary>
public sealed record DeployLimit(string Name, LimitKind Kind, long Max, string Unit, string Measure, string Source)
{
    /// <summary>A quantity in this limit's unit: "1,062 bytes", "1 parameter".</summary>
    public string Of(long n) => $"{n.ToString("N0", CultureInfo.InvariantCulture)} " +
        (n != 1 ? Unit : Unit.EndsWith("ies", StringComparison.Ordinal) ? Unit[..^3] + "y" : Unit.TrimEnd('s'));
}

/// <summary>One measurement: a thing in a stack (the stack itself, a role, a key...) and its size against a limit.</summary>
public sealed record LimitMeasure(DeployLimit Limit, string Stack, string What, long Size)
{
    public long Margin => Limit.Max - Size;

    public double MarginShare => (double)Margin / Limit.Max;

    public bool Exceeds => Size > Limit.Max;

    public string Violation =>
        $"{Stack}/{What}: {Limit.Of(Size)}, over the limit of {Limit.Of(Limit.Max)} ({Limit.Name}) by {Limit.Of(-Margin)}; {Limit.Source}";
}

/// <summary>What a set of stacks measures: every limit's measurements, and what could not be measured (each a violation).</summary>
public sealed record LimitReport(IReadOnlyList<LimitMeasure> Measures, IReadOnlyList<(LimitKind Kind, string Problem)> Unmeasurable)
{
    public IEnumerable<string> Violations(LimitKind kind) =>
        Measures.Where(m => m.Limit.Kind == kind && m.Exceeds).Select(m => m.Violation)
            .Concat(Unmeasurable.Where(u => u.Kind == kind).Select(u => u.Problem));
}

/// <summary>
/// Deploy-time limits that no linter checks: CloudFormation's template quotas, IAM's policy quotas and the size limits
/// of resource policies, measured on the templates as AWS will see them once deployed.
///
/// How things are measured (each limit below says which):
/// - A template's size is its bytes as written by `cdk synth` (JSON, one-space indent): the CLI publishes the file
///   itself (a file asset, byte for byte) and the pipeline passes the file of the synth artifact; nobody minifies it.
///   A template read from an assembly uses its file's length; one held in memory (a platform view, a damaged copy) is
///   serialized the way the CDK writes it, which a test proves gives every real template's file length.
/// - A policy is measured in the form AWS receives it: CloudFormation serializes the template's JSON object, so there
///   is no whitespace of ours in it; we measure its compact JSON. IAM counts characters and "does not count white
///   space" (IAM and AWS STS quotas); the resource policies are limited in bytes (UTF-8).
/// - Intrinsic functions resolve at deploy time to longer strings than the JSON that asks for them: each is replaced by
///   a worst-case stand-in before measuring (see <see cref="Resolver"/>): the literal it names when the template knows
///   it (a fixed name), otherwise the longest value AWS allows (an ARN built from the longest partition, region and
///   name of that kind). A function or reference whose length cannot be bounded is reported, never guessed.
/// - Policies that CloudFormation assembles from several resources are aggregated as AWS keeps them: a role's inline
///   policies are its Policies plus every AWS::IAM::Policy / AWS::IAM::RolePolicy naming it (by Ref, or by an import of
///   an export that is a Ref to it); a function's resource policy is every AWS::Lambda::Permission naming the function
///   or one of its aliases or versions (AWS keeps one policy per qualifier: adding them up over-counts, on purpose).
/// </summary>
public static class DeployLimits
{
    // ---- Sources --------------------------------------------------------------------------------------------------
    private const string CfnQuotas = "CloudFormation quotas, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html";
    private const string IamQuotas = "IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";

    // ---- CloudFormation quotas ------------------------------------------------------------------------------------
    public static readonly DeployLimit TemplateFromS3 = new("template body from S3", LimitKind.Template, 1_048_576, "bytes",
        "the template file's bytes as `cdk synth` writes them (not minified; the CLI and the pipeline send the file as is)",
        CfnQuotas + " (template body size in an Amazon S3 object: 1 MB)");

    /// <summary>
    /// Reported, not documented: the CloudFormation action of CodePipeline has been seen refusing templates over 512 KB
    /// although CloudFormation takes 1 MB from S3 (aws-cloudformation/cloudformation-coverage-roadmap#1023, open). The
    /// CodePipeline quotas page names no template limit; the stages' templates are held to the smaller figure (512,000,
    /// the smaller reading of "512KB").
    /// </summary>
    public static readonly DeployLimit TemplateThroughPipeline = new("template through CodePipeline's CloudFormation action", LimitKind.Template, 512_000, "bytes",
        "as above, for the stages' stacks that the delivery pipeline deploys",
        "reported, not documented: https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1023 (CodePipeline's quotas page names no template limit)");

    public static readonly DeployLimit Resources = new("resources per template", LimitKind.Template, 500, "resources",
        "entries of Resources", CfnQuotas);

    public static readonly DeployLimit Outputs = new("outputs per template", LimitKind.Template, 200, "outputs", "entries of Outputs", CfnQuotas);

    public static readonly DeployLimit Parameters = new("parameters per template", LimitKind.Template, 200, "parameters",
        "entries of Parameters (the CDK's BootstrapVersion included)", CfnQuotas);

    public static readonly DeployLimit Mappings = new("mappings per template", LimitKind.Template, 200, "mappings", "entries of Mappings", CfnQuotas);

    public static readonly DeployLimit LogicalIdLength = new("logical id length", LimitKind.Template, 255, "characters",
        "the longest name of a resource, output, parameter, mapping or condition", CfnQuotas + " (resource, output, parameter and mapping names)");

    public static readonly DeployLimit DescriptionLength = new("template description", LimitKind.Template, 1_024, "bytes",
        "the Description's UTF-8 bytes", CfnQuotas);

    public static readonly DeployLimit DynamicReferences = new("dynamic references per template", LimitKind.Template, 60, "references",
        "occurrences of {{resolve:...}} in the template's strings", CfnQuotas);

    // ---- IAM quotas -------------------------------------------------------------------------------------------------
    public static readonly DeployLimit RoleInlinePolicies = new("a role's inline policies together", LimitKind.Identity, 10_240, "characters",
        "compact JSON of every inline policy of the role (its Policies, and each AWS::IAM::Policy or RolePolicy naming it), " +
        "intrinsics at worst-case length, added up; IAM does not count white space",
        IamQuotas + " (role policy size)");

    public static readonly DeployLimit ManagedPolicySize = new("a managed policy", LimitKind.Identity, 6_144, "characters",
        "compact JSON of the AWS::IAM::ManagedPolicy's document, intrinsics at worst-case length", IamQuotas + " (managed policy size)");

    public static readonly DeployLimit TrustPolicySize = new("a role's trust policy", LimitKind.Identity, 2_048, "characters",
        "compact JSON of AssumeRolePolicyDocument, intrinsics at worst-case length", IamQuotas + " (role trust policy length; default, can be raised)");

    public static readonly DeployLimit ManagedPoliciesPerRole = new("managed policies attached to a role", LimitKind.Identity, 10, "policies",
        "ManagedPolicyArns plus each AWS::IAM::ManagedPolicy whose Roles names the role", IamQuotas + " (managed policies per role; default, can be raised)");

    public static readonly DeployLimit UserInlinePolicies = new("a user's inline policies together", LimitKind.Identity, 2_048, "characters",
        "as for a role", IamQuotas + " (user policy size)");

    public static readonly DeployLimit GroupInlinePolicies = new("a group's inline policies together", LimitKind.Identity, 5_120, "characters",
        "as for a role", IamQuotas + " (group policy size)");

    // ---- Resource policies --------------------------------------------------------------------------------------------
    public static readonly DeployLimit KeyPolicy = new("a KMS key policy", LimitKind.ResourcePolicy, 32_768, "bytes",
        "UTF-8 bytes of the KeyPolicy's compact JSON, intrinsics at worst-case length",
        "AWS KMS resource quotas, https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html (key policy document size: 32 KB)");

    public static readonly DeployLimit BucketPolicy = new("an S3 bucket policy", LimitKind.ResourcePolicy, 20_480, "bytes",
        "UTF-8 bytes of the AWS::S3::BucketPolicy document's compact JSON, intrinsics at worst-case length",
        "Amazon S3 User Guide, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html (\"Bucket policies are limited to 20 KB in size\")");

    public static readonly DeployLimit TopicPolicy = new("an SNS topic policy", LimitKind.ResourcePolicy, 30_720, "bytes",
        "UTF-8 bytes of the AWS::SNS::TopicPolicy document's compact JSON, intrinsics at worst-case length",
        "Amazon SNS policy quotas, https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html (bytes: 30 kb)");

    public static readonly DeployLimit QueuePolicy = new("an SQS queue policy", LimitKind.ResourcePolicy, 8_192, "bytes",
        "UTF-8 bytes of the AWS::SQS::QueuePolicy document's compact JSON, intrinsics at worst-case length",
        "Amazon SQS policy quotas, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html (8,192 bytes)");

    public static readonly DeployLimit FunctionPolicy = new("a Lambda function's resource-based policy", LimitKind.ResourcePolicy, 20_480, "bytes",
        "UTF-8 bytes of the policy Lambda builds from every AWS::Lambda::Permission naming the function, an alias or a version " +
        "(one statement each, with a 100-character statement id, the function's ARN and its conditions)",
        "AWS Lambda quotas, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (function resource-based policy: 20 KB)");

    public static readonly DeployLimit RestApiPolicy = new("an API Gateway resource policy", LimitKind.ResourcePolicy, 8_192, "characters",
        "compact JSON of the RestApi's Policy, intrinsics at worst-case length",
        "API Gateway REST API quotas, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html (length, in characters, of API Gateway resource policy)");

    /// <summary>Every limit, in the order the documentation lists them.</summary>
    public static readonly IReadOnlyList<DeployLimit> Catalog =
    [
        TemplateFromS3, TemplateThroughPipeline, Resources, Outputs, Parameters, Mappings, LogicalIdLength, DescriptionLength, DynamicReferences,
        RoleInlinePolicies, ManagedPolicySize, TrustPolicySize, ManagedPoliciesPerRole, UserInlinePolicies, GroupInlinePolicies,
        KeyPolicy, BucketPolicy, TopicPolicy, QueuePolicy, FunctionPolicy, RestApiPolicy,
    ];

    /// <summary>
    /// The policy documents each limit above covers, by resource type and property path (* for any array index). A policy
    /// document anywhere else (a new kind of resource policy) is reported, so that its limit is added rather than skipped.
    /// </summary>
    private static readonly HashSet<(string Type, string Path)> MeasuredPolicies =
    [
        ("AWS::IAM::Role", "AssumeRolePolicyDocument"), ("AWS::IAM::Role", "Policies/*/PolicyDocument"),
        ("AWS::IAM::User", "Policies/*/PolicyDocument"), ("AWS::IAM::Group", "Policies/*/PolicyDocument"),
        ("AWS::IAM::Policy", "PolicyDocument"), ("AWS::IAM::RolePolicy", "PolicyDocument"), ("AWS::IAM::UserPolicy", "PolicyDocument"),
        ("AWS::IAM::GroupPolicy", "PolicyDocument"), ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
        ("AWS::KMS::Key", "KeyPolicy"), ("AWS::KMS::ReplicaKey", "KeyPolicy"),
        ("AWS::S3::BucketPolicy", "PolicyDocument"), ("AWS::SNS::TopicPolicy", "PolicyDocument"), ("AWS::SQS::QueuePolicy", "PolicyDocument"),
        ("AWS::ApiGateway::RestApi", "Policy"),
        // AWS Backup documents no size limit for a vault access policy (PutBackupVaultAccessPolicy, the Backup quotas).
        ("AWS::Backup::BackupVault", "AccessPolicy"),
    ];

    /// <summary>How JSON is written by `cdk synth` (JSON.stringify with a one-space indent): the template file's bytes.</summary>
    private static readonly JsonSerializerOptions AsWritten = new()
    {
        WriteIndented = true, IndentSize = 1, IndentCharacter = ' ', NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Compact JSON, as CloudFormation hands a policy object to the service (no whitespace between tokens).</summary>
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A template's size as `cdk synth` writes it, in bytes.</summary>
    public static long BytesAsWritten(JsonObject template) => Encoding.UTF8.GetByteCount(template.ToJsonString(AsWritten));

    public static string CompactJson(JsonNode node) => node.ToJsonString(Compact);

    // ---- The platform rules' view -------------------------------------------------------------------------------------

    /// <summary>An environment's stacks: each deployed by `cdk deploy` from its template asset (the assembly tests prove it).</summary>
    public static IReadOnlyList<StackTemplate> Of(PlatformView v) =>
        v.Templates.Select(t => new StackTemplate(v.StackName(t.Key), t.Value, TemplateRoute.TemplateAsset)).ToList();

    public static IEnumerable<string> Violations(PlatformView v, LimitKind kind) => Measure(Of(v)).Violations(kind);

    // ---- Cloud assemblies -------------------------------------------------------------------------------------------------

    /// <summary>The stacks of one cloud assembly (the root, or a stage's nested assembly), deployed together.</summary>
    public sealed record AssemblyStacks(string Label, IReadOnlyList<StackTemplate> Stacks);

    /// <summary>
    /// Every stack of a cloud assembly and of the assemblies nested in it (a pipeline's stages), found through the
    /// manifests, with the route each template takes: a template that a CloudFormation action of a pipeline of the root
    /// assembly names as its TemplatePath goes through the pipeline; otherwise the manifest's template asset says whether
    /// the CLI publishes it to S3 or may pass it as a body.
    /// </summary>
    public static IReadOnlyList<AssemblyStacks> FromAssembly(string directory)
    {
        var pipelinePaths = new HashSet<string>();
        var result = new List<AssemblyStacks>();
        Walk(directory, "", "");
        return result;

        void Walk(string dir, string relative, string label)
        {
            var artifacts = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!["artifacts"]!.AsObject();
            var stacks = new List<StackTemplate>();
            foreach (var (id, artifact) in artifacts.Where(a => (string?)a.Value!["type"] == "aws:cloudformation:stack"))
            {
                var properties = artifact!["properties"]!;
                var file = (string)properties["templateFile"]!;
                var template = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, file)))!.AsObject();
                foreach (var (_, pipeline) in template.ResourcesOfType("AWS::CodePipeline::Pipeline"))
                {
                    foreach (var action in pipeline.Properties()["Stages"]!.AsArray().SelectMany(stage => stage!["Actions"]!.AsArray()))
                    {
                        if ((string?)action!["ActionTypeId"]?["Provider"] == "CloudFormation" && action["Configuration"]?["TemplatePath"] is JsonValue path)
                        {
                            pipelinePaths.Add(((string)path!).Split("::", 2)[1]);
                        }
                    }
                }

                var route = pipelinePaths.Contains(relative + file) ? TemplateRoute.Pipeline
                    : properties["stackTemplateAssetObjectUrl"] is not null ? TemplateRoute.TemplateAsset
                    : TemplateRoute.CliBodyOrUpload;
                stacks.Add(new StackTemplate((string?)properties["stackName"] ?? id, template, route, new FileInfo(Path.Combine(dir, file)).Length));
            }

            result.Add(new AssemblyStacks(label, stacks));
            foreach (var (_, nested) in artifacts.Where(a => (string?)a.Value!["type"] == "cdk:cloud-assembly"))
            {
                var name = (string)nested!["properties"]!["directoryName"]!;
                Walk(Path.Combine(dir, name), $"{relative}{name}/", (string?)nested["properties"]!["displayName"] ?? name);
            }
        }
    }

    // ---- Measuring ------------------------------------------------------------------------------------------------------

    /// <summary>Measures a set of stacks deployed together (imports resolve among them) against every limit.</summary>
    public static LimitReport Measure(IReadOnlyList<StackTemplate> stacks)
    {
        var measures = new List<LimitMeasure>();
        var problems = new List<(LimitKind, string)>();
        var resolver = new Resolver(stacks);
        foreach (var stack in stacks)
        {
            measures.AddRange(TemplateQuotas(stack));
            problems.AddRange(UnmeasuredPolicies(stack).Select(p => (LimitKind.ResourcePolicy, p)));
        }

        measures.AddRange(IdentityQuotas(stacks, resolver));
        measures.AddRange(ResourcePolicies(stacks, resolver));
        problems.AddRange(resolver.Problems);
        return new LimitReport(measures, problems);
    }

    private static IEnumerable<LimitMeasure> TemplateQuotas(StackTemplate stack)
    {
        var t = stack.Template;
        var size = stack.FileBytes ?? BytesAsWritten(t);
        yield return new LimitMeasure(TemplateFromS3, stack.Name, "template", size);
        if (stack.Route == TemplateRoute.Pipeline)
        {
            yield return new LimitMeasure(TemplateThroughPipeline, stack.Name, "template", size);
        }

        int Count(string section) => t[section]?.AsObject().Count ?? 0;
        yield return new LimitMeasure(Resources, stack.Name, "Resources", Count("Resources"));
        yield return new LimitMeasure(Outputs, stack.Name, "Outputs", Count("Outputs"));
        yield return new LimitMeasure(Parameters, stack.Name, "Parameters", Count("Parameters"));
        if (Count("Mappings") > 0)
        {
            yield return new LimitMeasure(Mappings, stack.Name, "Mappings", Count("Mappings"));
        }

        var longest = new[] { "Resources", "Outputs", "Parameters", "Mappings", "Conditions" }
            .SelectMany(section => (t[section]?.AsObject() ?? []).Select(e => $"{section}/{e.Key}"))
            .MaxBy(name => name.Length - name.IndexOf('/') - 1);
        if (longest is not null)
        {
            yield return new LimitMeasure(LogicalIdLength, stack.Name, longest, longest.Length - longest.IndexOf('/') - 1);
        }

        if (t["Description"] is JsonValue description)
        {
            yield return new LimitMeasure(DescriptionLength, stack.Name, "Description", Encoding.UTF8.GetByteCount((string)description!));
        }

        var references = Strings(t).Sum(s => CountOf(s, "{{resolve:"));
        if (references > 0)
        {
            yield return new LimitMeasure(DynamicReferences, stack.Name, "dynamic references", references);
        }
    }

    private static IEnumerable<LimitMeasure> IdentityQuotas(IReadOnlyList<StackTemplate> stacks, Resolver resolver)
    {
        resolver.Kind = LimitKind.Identity;
        // Inline policies of each role, user and group: their own Policies, plus every policy resource that names them.
        var entities = new (string Type, string ListProperty, string NameProperty, string PolicyType, DeployLimit Limit)[]
        {
            ("AWS::IAM::Role", "Roles", "RoleName", "AWS::IAM::RolePolicy", RoleInlinePolicies),
            ("AWS::IAM::User", "Users", "UserName", "AWS::IAM::UserPolicy", UserInlinePolicies),
            ("AWS::IAM::Group", "Groups", "GroupName", "AWS::IAM::GroupPolicy", GroupInlinePolicies),
        };
        foreach (var entity in entities)
        {
            var inline = new Dictionary<string, (string Stack, string What, long Size, int Documents)>();

            void Add(string key, string stack, string what, long size)
            {
                var current = inline.GetValueOrDefault(key, (stack, what, 0, 0));
                inline[key] = (current.Stack, current.What, current.Size + size, current.Documents + 1);
            }

            foreach (var stack in stacks)
            {
                foreach (var (id, resource) in stack.Template.ResourcesOfType(entity.Type))
                {
                    inline[$"{stack.Name}/{id}"] = (stack.Name, id, 0, 0);
                    foreach (var (policy, index) in (resource.Properties()["Policies"]?.AsArray() ?? []).Select((p, i) => (p, i)))
                    {
                        Add($"{stack.Name}/{id}", stack.Name, id, Characters(policy!["PolicyDocument"], stack, $"{id}/Policies/{index}", resolver));
                    }
                }
            }

            foreach (var stack in stacks)
            {
                // An AWS::IAM::Policy lists its roles (users, groups); a RolePolicy (UserPolicy, GroupPolicy) names one.
                var attached =
                    from policy in stack.Template.ResourcesOfType("AWS::IAM::Policy")
                    from target in policy.Resource.Properties()[entity.ListProperty]?.AsArray() ?? []
                    select (policy.LogicalId, policy.Resource, Target: target!);
                attached = attached.Concat(
                    from policy in stack.Template.ResourcesOfType(entity.PolicyType)
                    select (policy.LogicalId, policy.Resource, Target: policy.Resource.Properties()[entity.NameProperty]!));
                foreach (var (policyId, policy, target) in attached)
                {
                    var size = Characters(policy.Properties()["PolicyDocument"], stack, policyId, resolver);
                    var (owner, ownerId) = resolver.TargetOf(target, stack);
                    if (owner is not null)
                    {
                        Add($"{owner.Name}/{ownerId}", owner.Name, ownerId, size);
                    }
                    else
                    {
                        // A name of an entity outside these stacks: what these stacks add to it is all we can see.
                        Add($"external:{ownerId}", stack.Name, $"{entity.Type} '{ownerId}' (outside the app: its other policies not counted)", size);
                    }
                }
            }

            foreach (var (_, (stack, what, size, documents)) in inline.Where(e => e.Value.Documents > 0))
            {
                yield return new LimitMeasure(entity.Limit, stack, $"{what} ({documents} inline polic{(documents == 1 ? "y" : "ies")})", size);
            }
        }

        foreach (var stack in stacks)
        {
            foreach (var (id, policy) in stack.Template.ResourcesOfType("AWS::IAM::ManagedPolicy"))
            {
                yield return new LimitMeasure(ManagedPolicySize, stack.Name, id, Characters(policy.Properties()["PolicyDocument"], stack, id, resolver));
            }

            foreach (var (id, role) in stack.Template.ResourcesOfType("AWS::IAM::Role"))
            {
                yield return new LimitMeasure(TrustPolicySize, stack.Name, id, Characters(role.Properties()["AssumeRolePolicyDocument"], stack, $"{id}/AssumeRolePolicyDocument", resolver));
                var managed = (role.Properties()["ManagedPolicyArns"]?.AsArray().Count ?? 0) + stacks.Sum(s =>
                    s.Template.ResourcesOfType("AWS::IAM::ManagedPolicy").Count(p =>
                        (p.Resource.Properties()["Roles"]?.AsArray() ?? []).Any(r => resolver.TargetOf(r!, s) is var (owner, ownerId) && owner == stack && ownerId == id)));
                if (managed > 0)
                {
                    yield return new LimitMeasure(ManagedPoliciesPerRole, stack.Name, id, managed);
                }
            }
        }
    }

    private static IEnumerable<LimitMeasure> ResourcePolicies(IReadOnlyList<StackTemplate> stacks, Resolver resolver)
    {
        resolver.Kind = LimitKind.ResourcePolicy;
        foreach (var stack in stacks)
        {
            var t = stack.Template;
            foreach (var (id, key) in t.ResourcesOfType("AWS::KMS::Key").Concat(t.ResourcesOfType("AWS::KMS::ReplicaKey")))
            {
                yield return new LimitMeasure(KeyPolicy, stack.Name, id, Bytes(key.Properties()["KeyPolicy"], stack, $"{id}/KeyPolicy", resolver));
            }

            foreach (var (id, policy) in t.ResourcesOfType("AWS::S3::BucketPolicy"))
            {
                yield return new LimitMeasure(BucketPolicy, stack.Name, $"{id} (bucket {Named(policy.Properties()["Bucket"])})",
                    Bytes(policy.Properties()["PolicyDocument"], stack, id, resolver));
            }

            foreach (var (id, policy) in t.ResourcesOfType("AWS::SNS::TopicPolicy"))
            {
                yield return new LimitMeasure(TopicPolicy, stack.Name, $"{id} (topic {Named(policy.Properties()["Topics"])})",
                    Bytes(policy.Properties()["PolicyDocument"], stack, id, resolver));
            }

            foreach (var (id, policy) in t.ResourcesOfType("AWS::SQS::QueuePolicy"))
            {
                yield return new LimitMeasure(QueuePolicy, stack.Name, id, Bytes(policy.Properties()["PolicyDocument"], stack, id, resolver));
            }

            foreach (var (id, api) in t.ResourcesOfType("AWS::ApiGateway::RestApi").Where(a => a.Resource.Properties()["Policy"] is not null))
            {
                yield return new LimitMeasure(RestApiPolicy, stack.Name, id, Characters(api.Properties()["Policy"], stack, $"{id}/Policy", resolver));
            }
        }

        // A function's resource-based policy: one statement per permission, on the function or any of its qualifiers.
        var functions = new Dictionary<string, (string Stack, string What, List<JsonNode> Statements)>();
        foreach (var stack in stacks)
        {
            foreach (var (id, permission) in stack.Template.ResourcesOfType("AWS::Lambda::Permission"))
            {
                var (owner, functionId) = resolver.FunctionOf(permission.Properties()["FunctionName"]!, stack);
                var key = owner is null ? $"external:{functionId}" : $"{owner.Name}/{functionId}";
                if (!functions.TryGetValue(key, out var function))
                {
                    function = functions[key] = (owner?.Name ?? stack.Name, owner is null ? $"function '{functionId}' (outside the app)" : functionId, []);
                }

                function.Statements.Add(resolver.PermissionStatement(permission.Properties(), stack, $"{stack.Name}/{id}"));
            }
        }

        foreach (var (_, (stack, what, statements)) in functions)
        {
            var policy = new JsonObject
            {
                ["Version"] = "2012-10-17", ["Id"] = "default", ["Statement"] = new JsonArray(statements.ToArray()),
            };
            yield return new LimitMeasure(FunctionPolicy, stack, $"{what} ({statements.Count} permission{(statements.Count == 1 ? "" : "s")})",
                Encoding.UTF8.GetByteCount(CompactJson(policy)));
        }
    }

    /// <summary>Policy documents in places no limit above covers: a new kind of resource policy must get its limit.</summary>
    private static IEnumerable<string> UnmeasuredPolicies(StackTemplate stack)
    {
        foreach (var (id, resource) in stack.Template["Resources"]!.AsObject())
        {
            var type = (string)resource!["Type"]!;
            foreach (var path in PolicyDocumentPaths(resource["Properties"], ""))
            {
                if (!MeasuredPolicies.Contains((type, path)))
                {
                    yield return $"{stack.Name}/{id}: a policy document at {type} {path} that no deploy-time limit measures: add its " +
                                 "service's size limit to DeployLimits (or, if the service documents none, to MeasuredPolicies with the source)";
                }
            }
        }
    }

    private static IEnumerable<string> PolicyDocumentPaths(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o when o["Statement"] is JsonArray or JsonObject && (o.ContainsKey("Version") || StatementsHaveEffect(o["Statement"]!)):
                yield return path;
                break;
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    foreach (var found in PolicyDocumentPaths(child, path.Length == 0 ? key : $"{path}/{key}"))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    foreach (var found in PolicyDocumentPaths(child, $"{path}/*"))
                    {
                        yield return found;
                    }
                }

                break;
        }
    }

    private static bool StatementsHaveEffect(JsonNode statement) => statement switch
    {
        JsonArray a => a.Any(s => s is JsonObject o && o.ContainsKey("Effect")),
        JsonObject o => o.ContainsKey("Effect"),
        _ => false,
    };

    private static long Characters(JsonNode? document, StackTemplate stack, string where, Resolver resolver) =>
        document is null ? 0 : CompactJson(resolver.Resolve(document, stack, $"{stack.Name}/{where}") ?? new JsonObject()).Length;

    private static long Bytes(JsonNode? document, StackTemplate stack, string where, Resolver resolver) =>
        document is null ? 0 : Encoding.UTF8.GetByteCount(CompactJson(resolver.Resolve(document, stack, $"{stack.Name}/{where}") ?? new JsonObject()));

    /// <summary>A short name for what a policy applies to (the logical id a Ref names), for the measurement's label.</summary>
    private static string Named(JsonNode? target) => target switch
    {
        JsonObject o when o["Ref"] is JsonValue r => (string)r!,
        JsonObject o when o["Fn::ImportValue"] is JsonValue i => $"imported {(string)i!}",
        JsonArray { Count: 1 } a => Named(a[0]),
        JsonValue v => (string)v!,
        _ => target?.ToJsonString() ?? "?",
    };

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        JsonObject o => o.SelectMany(kv => Strings(kv.Value)),
        JsonArray a => a.SelectMany(Strings),
        _ => [],
    };

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Replaces intrinsic functions with worst-case stand-ins: the text they resolve to when the templates fix it (a
    /// literal name), otherwise a string of the longest length AWS allows for that value. The lengths used:
    /// - pseudo parameters: AWS::Partition 10 ("aws-us-gov"), AWS::Region 14 ("ap-southeast-5", "us-isob-east-1"),
    ///   AWS::AccountId 12, AWS::URLSuffix 16 ("amazonaws.com.cn"), AWS::StackName 128 (CloudFormation quotas), AWS::StackId
    ///   its ARN with a 36-character id;
    /// - a resource's name when it is not fixed in the template: the service's maximum (bucket 63, role 64, function 64,
    ///   alias 128, topic 256, queue 80, log group 512, table 255, cluster 63, CodeBuild project 255, CodeDeploy
    ///   application and group 100, pipeline 100, SSM parameter 2048, backup vault 50, managed policy 128); ids: KMS key 36,
    ///   user pool 55, REST API 10, VPC 21, subnet 24, security group 20, Lambda version 10 digits;
    /// - ARNs built from those parts ("arn:" partition ":" service ":" region ":" account ":" resource).
    /// Anything else (another function, an attribute or a type not listed, an import that no stack exports) is reported
    /// as unmeasurable and stands in at 2,048 characters (IAM's longest ARN).
    /// </summary>
    private sealed class Resolver
    {
        private const int UnknownLength = 2048;
        private static readonly string Partition = Fill(10);
        private static readonly string Region = Fill(14);
        private static readonly string Account = Fill(12);
        private static readonly string UrlSuffix = Fill(16);

        private readonly Dictionary<string, (StackTemplate Stack, JsonNode Value)> exports = new();
        private readonly List<(LimitKind, string)> problems = [];
        public Resolver(IReadOnlyList<StackTemplate> stacks)
        {
            foreach (var stack in stacks)
            {
                foreach (var (_, output) in stack.Template["Outputs"]?.AsObject() ?? [])
                {
                    if (output!["Export"]?["Name"] is JsonValue name && name.TryGetValue<string>(out var exportName))
                    {
                        exports[exportName] = (stack, output["Value"]!);
                    }
                }
            }
        }

        /// <summary>The rule a problem is reported by: the kind of limit being measured when it was met.</summary>
        public LimitKind Kind { get; set; }

        public IEnumerable<(LimitKind, string)> Problems => problems.Distinct();

        private static string Fill(int length) => new('x', length);

        private static bool IsIntrinsic(JsonObject o) => o.Count == 1 && o.First().Key is var key && (key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal));

        /// <summary>The document with every intrinsic replaced by its stand-in; null for AWS::NoValue (the property goes).</summary>
        public JsonNode? Resolve(JsonNode? node, StackTemplate stack, string where)
        {
            switch (node)
            {
                case JsonObject o when IsIntrinsic(o) && o.First().Key == "Fn::If" && o["Fn::If"] is JsonArray { Count: 3 } branches:
                    // Either branch may be taken: the longer one.
                    return new[] { Resolve(branches[1], stack, where), Resolve(branches[2], stack, where) }
                        .MaxBy(b => b is null ? 0 : CompactJson(b).Length);
                case JsonObject o when IsIntrinsic(o):
                    return Text(o, stack, where) is { } text ? JsonValue.Create(text) : null;
                case JsonObject o:
                    var copy = new JsonObject();
                    foreach (var (key, child) in o)
                    {
                        if (Resolve(child, stack, where) is { } resolved)
                        {
                            copy[key] = resolved;
                        }
                    }

                    return copy;
                case JsonArray a:
                    return new JsonArray(a.Select(child => Resolve(child, stack, where)).OfType<JsonNode>().ToArray());
                default:
                    return node?.DeepClone();
            }
        }

        /// <summary>The worst-case text of a value: a literal as is, an intrinsic's stand-in; null for AWS::NoValue.</summary>
        private string? Text(JsonNode? node, StackTemplate stack, string where)
        {
            switch (node)
            {
                case JsonValue v:
                    return v.TryGetValue<string>(out var s) ? s : v.ToJsonString();
                case JsonObject o when IsIntrinsic(o):
                    var (function, argument) = (o.First().Key, o.First().Value);
                    return function switch
                    {
                        "Ref" => Reference((string)argument!, null, stack, where),
                        "Fn::GetAtt" => argument switch
                        {
                            JsonArray a => Reference((string)a[0]!, Text(a[1], stack, where), stack, where),
                            JsonValue v => Reference(((string)v!).Split('.', 2)[0], ((string)v!).Split('.', 2).ElementAtOrDefault(1), stack, where),
                            _ => Unknown(where, o),
                        },
                        "Fn::Join" when argument is JsonArray { Count: 2 } join && join[1] is JsonArray parts =>
                            string.Join(Text(join[0], stack, where), parts.Select(p => Text(p, stack, where)).OfType<string>()),
                        "Fn::Sub" => Substitute(argument, stack, where),
                        "Fn::ImportValue" when Text(argument, stack, where) is { } name && exports.TryGetValue(name, out var export) =>
                            Text(export.Value, export.Stack, where),
                        "Fn::Select" when argument is JsonArray { Count: 2 } select => select[1] switch
                        {
                            JsonArray list when int.TryParse(Text(select[0], stack, where), out var index) && index < list.Count => Text(list[index], stack, where),
                            // A piece of a split string is never longer than the string.
                            JsonObject split when split["Fn::Split"] is JsonArray { Count: 2 } parts => Text(parts[1], stack, where),
                            JsonObject zones when zones.ContainsKey("Fn::GetAZs") => Region + Fill(1),
                            _ => Unknown(where, o),
                        },
                        "Fn::If" when argument is JsonArray { Count: 3 } branches =>
                            new[] { Text(branches[1], stack, where), Text(branches[2], stack, where) }.MaxBy(b => b?.Length ?? 0),
                        "Fn::Base64" => Fill(((Text(argument, stack, where)?.Length ?? 0) + 2) / 3 * 4),
                        _ => Unknown(where, o),
                    };
                default:
                    return Unknown(where, node);
            }
        }

        private string Unknown(string where, JsonNode? node)
        {
            problems.Add((Kind, $"{where}: cannot bound the deployed length of {node?.ToJsonString() ?? "null"}: give it a worst-case length in DeployLimits' resolver " +
                         "(measured meanwhile as 2,048 characters)"));
            return Fill(UnknownLength);
        }

        private string Substitute(JsonNode? argument, StackTemplate stack, string where)
        {
            var (text, variables) = argument switch
            {
                JsonArray { Count: 2 } a => ((string)a[0]!, a[1]!.AsObject()),
                _ => ((string)argument!, new JsonObject()),
            };
            var result = new StringBuilder();
            for (var i = 0; i < text.Length;)
            {
                var start = text.IndexOf("${", i, StringComparison.Ordinal);
                if (start < 0)
                {
                    result.Append(text, i, text.Length - i);
                    break;
                }

                var end = text.IndexOf('}', start);
                result.Append(text, i, start - i);
                var name = text[(start + 2)..end];
                if (name.StartsWith('!'))
                {
                    result.Append("${").Append(name[1..]).Append('}');
                }
                else if (variables[name] is { } value)
                {
                    result.Append(Text(value, stack, where));
                }
                else
                {
                    var parts = name.Split('.', 2);
                    result.Append(Reference(parts[0], parts.ElementAtOrDefault(1), stack, where));
                }

                i = end + 1;
            }

            return result.ToString();
        }

        /// <summary>What Ref (attribute null) or Fn::GetAtt of a name resolves to, at its longest; null for AWS::NoValue.</summary>
        private string? Reference(string name, string? attribute, StackTemplate stack, string where)
        {
            switch (name)
            {
                case "AWS::NoValue":
                    return null;
                case "AWS::Partition":
                    return Partition;
                case "AWS::Region":
                    return Region;
                case "AWS::AccountId":
                    return Account;
                case "AWS::URLSuffix":
                    return UrlSuffix;
                case "AWS::StackName":
                    return Fill(128);
                case "AWS::StackId":
                    return Arn("cloudformation", "stack/" + Fill(128) + "/" + Fill(36));
            }

            if (stack.Template["Resources"]?[name] is not JsonObject resource)
            {
                return Unknown(where, attribute is null ? new JsonObject { ["Ref"] = name } : new JsonObject { ["Fn::GetAtt"] = new JsonArray(name, attribute) });
            }

            var properties = resource.Properties();
            string Name(string property, int max) => properties[property] is { } value ? Text(value, stack, where) ?? "" : Fill(max);
            string Path() => properties["Path"] is { } path ? Text(path, stack, where) ?? "/" : "/";
            string FunctionName() => properties["FunctionName"] is JsonObject { Count: 1 } reference && reference["Ref"] is JsonValue target
                && stack.Template["Resources"]?[(string)target!]?["Type"]?.GetValue<string>() == "AWS::Lambda::Function"
                    ? Reference((string)target!, null, stack, where) ?? Fill(64)
                    : Fill(64);

            var type = (string)resource["Type"]!;
            var text = (type, attribute) switch
            {
                ("AWS::S3::Bucket", null) => Name("BucketName", 63),
                ("AWS::S3::Bucket", "Arn") => Arn("s3", Name("BucketName", 63), regional: false, inAccount: false),
                ("AWS::S3::Bucket", "DomainName") => $"{Name("BucketName", 63)}.s3.{UrlSuffix}",
                ("AWS::S3::Bucket", "RegionalDomainName") => $"{Name("BucketName", 63)}.s3.{Region}.{UrlSuffix}",
                ("AWS::IAM::Role", null) => Name("RoleName", 64),
                ("AWS::IAM::Role", "Arn") => Arn("iam", "role" + Path() + Name("RoleName", 64), regional: false),
                ("AWS::IAM::ManagedPolicy", null or "PolicyArn") => Arn("iam", "policy" + Path() + Name("ManagedPolicyName", 128), regional: false),
                ("AWS::KMS::Key", null or "KeyId") => Fill(36),
                ("AWS::KMS::Key", "Arn") => Arn("kms", "key/" + Fill(36)),
                ("AWS::KMS::Alias", null) => Name("AliasName", 256),
                ("AWS::Lambda::Function", null) => Name("FunctionName", 64),
                ("AWS::Lambda::Function", "Arn") => Arn("lambda", "function:" + Name("FunctionName", 64)),
                ("AWS::Lambda::Alias", null or "AliasArn") => Arn("lambda", $"function:{FunctionName()}:{Name("Name", 128)}"),
                ("AWS::Lambda::Version", null) => Arn("lambda", $"function:{FunctionName()}:{Fill(10)}"),
                ("AWS::Lambda::Version", "Version") => Fill(10),
                ("AWS::SNS::Topic", null or "TopicArn") => Arn("sns", Name("TopicName", 256)),
                ("AWS::SNS::Topic", "TopicName") => Name("TopicName", 256),
                ("AWS::SQS::Queue", null or "QueueUrl") => $"https://sqs.{Region}.{UrlSuffix}/{Account}/{Name("QueueName", 80)}",
                ("AWS::SQS::Queue", "Arn") => Arn("sqs", Name("QueueName", 80)),
                ("AWS::SQS::Queue", "QueueName") => Name("QueueName", 80),
                ("AWS::Logs::LogGroup", null) => Name("LogGroupName", 512),
                ("AWS::Logs::LogGroup", "Arn") => Arn("logs", $"log-group:{Name("LogGroupName", 512)}:*"),
                ("AWS::DynamoDB::Table", null) => Name("TableName", 255),
                ("AWS::DynamoDB::Table", "Arn") => Arn("dynamodb", "table/" + Name("TableName", 255)),
                ("AWS::DynamoDB::Table", "StreamArn") => Arn("dynamodb", $"table/{Name("TableName", 255)}/stream/{Fill(23)}"),
                ("AWS::RDS::DBCluster", null) => Name("DBClusterIdentifier", 63),
                ("AWS::RDS::DBCluster", "DBClusterArn") => Arn("rds", "cluster:" + Name("DBClusterIdentifier", 63)),
                ("AWS::RDS::DBCluster", "DBClusterResourceId") => Fill(34),
                ("AWS::RDS::DBCluster", "Endpoint.Address" or "ReadEndpoint.Address") =>
                    $"{Name("DBClusterIdentifier", 63)}.cluster-ro-{Fill(12)}.{Region}.rds.{UrlSuffix}",
                ("AWS::EC2::VPC", null) => Fill(21),
                ("AWS::EC2::VPC", "DefaultSecurityGroup") => Fill(20),
                ("AWS::EC2::Subnet", null) => Fill(24),
                ("AWS::EC2::SecurityGroup", null or "GroupId") => Fill(20),
                ("AWS::ApiGateway::RestApi", null or "RootResourceId") => Fill(10),
                ("AWS::Cognito::UserPool", null or "UserPoolId") => Fill(55),
                ("AWS::Cognito::UserPool", "Arn") => Arn("cognito-idp", "userpool/" + Fill(55)),
                ("AWS::CodeBuild::Project", null) => Name("Name", 255),
                ("AWS::CodeBuild::Project", "Arn") => Arn("codebuild", "project/" + Name("Name", 255)),
                ("AWS::CodeDeploy::Application", null) => Name("ApplicationName", 100),
                ("AWS::CodeDeploy::DeploymentGroup", null) => Name("DeploymentGroupName", 100),
                ("AWS::CodePipeline::Pipeline", null) => Name("Name", 100),
                ("AWS::SSM::Parameter", null or "Name") => Name("Name", 2048),
                ("AWS::Backup::BackupVault", null or "BackupVaultName") => Name("BackupVaultName", 50),
                ("AWS::Backup::BackupVault", "BackupVaultArn") => Arn("backup", "backup-vault:" + Name("BackupVaultName", 50)),
                _ => null,
            };
            return text ?? Unknown(where, attribute is null
                ? new JsonObject { ["Ref"] = $"{name} ({type})" }
                : new JsonObject { ["Fn::GetAtt"] = new JsonArray($"{name} ({type})", attribute) });
        }

        private static string Arn(string service, string resource, bool regional = true, bool inAccount = true) =>
            $"arn:{Partition}:{service}:{(regional ? Region : "")}:{(inAccount ? Account : "")}:{resource}";

        /// <summary>
        /// The resource a reference names: a Ref in its own stack, or an import of an export whose value is a Ref. A literal
        /// name (an entity outside these stacks) returns a null stack and the name.
        /// </summary>
        public (StackTemplate? Stack, string Id) TargetOf(JsonNode reference, StackTemplate stack) => reference switch
        {
            JsonObject o when o["Ref"] is JsonValue r => (stack, (string)r!),
            JsonObject o when o["Fn::GetAtt"] is JsonArray a => (stack, (string)a[0]!),
            JsonObject o when o["Fn::ImportValue"] is JsonValue i && exports.TryGetValue((string)i!, out var export) => TargetOf(export.Value, export.Stack),
            JsonValue v => (null, (string)v!),
            _ => (null, reference.ToJsonString()),
        };

        /// <summary>The function a permission's FunctionName names, through an alias or a version to the function itself.</summary>
        public (StackTemplate? Stack, string Id) FunctionOf(JsonNode functionName, StackTemplate stack)
        {
            var (owner, id) = TargetOf(functionName, stack);
            if (owner?.Template["Resources"]?[id] is JsonObject resource
                && (string?)resource["Type"] is "AWS::Lambda::Alias" or "AWS::Lambda::Version"
                && resource.Properties()["FunctionName"] is { } function)
            {
                return FunctionOf(function, owner);
            }

            return (owner, id);
        }

        /// <summary>The ARN a permission's FunctionName stands for: the function's, or the alias's or version's (qualified).</summary>
        private string FunctionArn(JsonNode functionName, StackTemplate stack, string where)
        {
            var (owner, id) = TargetOf(functionName, stack);
            return (string?)owner?.Template["Resources"]?[id]?["Type"] switch
            {
                "AWS::Lambda::Function" => Reference(id, "Arn", owner!, where)!,
                "AWS::Lambda::Alias" or "AWS::Lambda::Version" => Reference(id, null, owner!, where)!,
                _ => Arn("lambda", $"function:{Fill(64)}:{Fill(128)}"),
            };
        }

        /// <summary>The statement Lambda adds to the function's policy for an AWS::Lambda::Permission (AddPermission).</summary>
        public JsonNode PermissionStatement(JsonObject permission, StackTemplate stack, string where)
        {
            var principal = Text(permission["Principal"], stack, where) ?? "";
            var conditions = new JsonObject();
            var equals = new JsonObject();
            foreach (var (property, key) in new[]
                     {
                         ("SourceAccount", "AWS:SourceAccount"), ("PrincipalOrgID", "aws:PrincipalOrgID"),
                         ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType"), ("EventSourceToken", "lambda:EventSourceToken"),
                     })
            {
                if (permission[property] is { } value)
                {
                    equals[key] = Text(value, stack, where);
                }
            }

            if (equals.Count > 0)
            {
                conditions["StringEquals"] = equals;
            }

            if (permission["SourceArn"] is { } sourceArn)
            {
                conditions["ArnLike"] = new JsonObject { ["AWS:SourceArn"] = Text(sourceArn, stack, where) };
            }

            var statement = new JsonObject
            {
                // CloudFormation names the statement after the stack and the resource: at most 100 characters (StatementId).
                ["Sid"] = Fill(100),
                ["Effect"] = "Allow",
                ["Principal"] = principal == "*" ? "*"
                    : principal.All(char.IsDigit) ? new JsonObject { ["AWS"] = $"arn:{Partition}:iam::{principal}:root" }
                    : principal.StartsWith("arn:", StringComparison.Ordinal) ? new JsonObject { ["AWS"] = principal }
                    : new JsonObject { ["Service"] = principal },
                ["Action"] = Text(permission["Action"], stack, where),
                // The function's ARN, qualified by the alias or version it names.
                ["Resource"] = FunctionArn(permission["FunctionName"]!, stack, where),
            };
            if (conditions.Count > 0)
            {
                statement["Condition"] = conditions;
            }

            return statement;
        }
    }
}
