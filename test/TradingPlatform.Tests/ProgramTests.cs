using System.Diagnostics;
using System.Text.Json.Nodes;
using Shouldly;
using Xunit;

namespace TradingPlatform.Tests;

/// <summary>
/// The app as the CDK CLI runs it: a process that reads CDK_CONTEXT_JSON, writes the cloud assembly to
/// CDK_OUTDIR and tells success or failure by its exit code, with the reason on stderr (the CLI shows it).
/// A configuration mistake must stop here, before anything is synthesized, let alone deployed.
/// </summary>
[Collection(SynthesizedAppsCollection.Name)]
public sealed class ProgramTests(SynthesizedApps apps) : IDisposable
{
    private readonly string outdir = Directory.CreateTempSubdirectory("tradingplatform-program-").FullName;

    public void Dispose() => Directory.Delete(outdir, recursive: true);

    [Fact]
    public void Good_configuration_synthesizes_the_five_stacks_of_that_environment_and_exits_0()
    {
        // The synth cache runs `cdk synth -c ...` (the CLI starting this app as a process) for every environment the
        // tests read, and stops on a non-zero exit; here, staging with every optional key given as -c strings.
        var env = apps.StagingWithOverrides;

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(env.Directory, "manifest.json")))!;
        manifest["artifacts"]!.AsObject()
            .Where(a => (string?)a.Value!["type"] == "aws:cloudformation:stack")
            .Select(a => a.Key)
            .ShouldBe(
            [
                "TradingPlatform-staging-Security", "TradingPlatform-staging-Network", "TradingPlatform-staging-Recovery",
                "TradingPlatform-staging-Data", "TradingPlatform-staging-Api",
            ], ignoreOrder: true);
    }

    [Theory]
    [InlineData("""{"environment-suffix": "prod"}""", "unknown context key 'environment-suffix': did you mean 'environmentSuffix'?")]
    [InlineData("""{"environmentSuffix": "prod", "natGateways": [3]}""", "natGateways must be a whole number from 1 to 3")]
    [InlineData("""{"environmentSuffix": "a-suffix-that-is-far-too-long"}""", "is 29 characters long; the limit is 20")]
    [InlineData("""["not", "an", "object"]""", "the CDK context in CDK_CONTEXT_JSON is not a JSON object")]
    [InlineData("""{"delivery": "{\"account\": \"1\"}"}""", "delivery.account '1' is invalid: an AWS account id is exactly 12 digits")]
    public void Bad_configuration_exits_1_with_the_reason_on_stderr_and_synthesizes_nothing(string contextJson, string reason)
    {
        var run = RunApp(contextJson);

        run.ExitCode.ShouldBe(1, $"the CLI must stop on a configuration error; stdout: {run.Stdout}");
        run.Stderr.ShouldContain("Invalid TradingPlatform configuration");
        run.Stderr.ShouldContain(reason);
        File.Exists(Path.Combine(outdir, "manifest.json")).ShouldBeFalse("nothing may be synthesized from a bad configuration");
    }

    [Fact]
    public void Context_the_cli_moved_to_an_overflow_file_is_read_and_checked_too()
    {
        // The CLI moves context that does not fit in the environment to a file (CONTEXT_OVERFLOW_LOCATION_ENV).
        var overflow = Path.Combine(outdir, "context-overflow.json");
        File.WriteAllText(overflow, """{"environment_suffix": "prod"}""");

        var run = RunApp("""{"environmentSuffix": "dev"}""", ("CONTEXT_OVERFLOW_LOCATION_ENV", overflow));

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("unknown context key 'environment_suffix'");
    }

    private (int ExitCode, string Stdout, string Stderr) RunApp(string contextJson, params (string Name, string Value)[] extraEnvironment)
    {
        // The app assembly is copied beside the tests (project reference) with its runtimeconfig.
        var appDll = Path.Combine(AppContext.BaseDirectory, "TradingPlatform.dll");
        var start = new ProcessStartInfo("dotnet", [appDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CDK_CONTEXT_JSON"] = contextJson;
        start.Environment["CDK_OUTDIR"] = Path.Combine(outdir);
        start.Environment.Remove("CDK_DEFAULT_ACCOUNT");
        start.Environment.Remove("CDK_DEFAULT_REGION");
        foreach (var (name, value) in extraEnvironment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(2)).ShouldBeTrue("the app did not finish within 2 minutes");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
