using System.Diagnostics;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// CodeDeploy's pre-traffic check (src/Functions/PreTrafficHook/index.js) invokes every new version once with its probe
/// event and fails the deployment unless the answer is 401 "unauthorized". This runs the real handler on that very event
/// (read from the check's own module): the refusal the check expects is what the function gives, and the probe neither
/// reads the client registry nor stores anything, so a check run in prod leaves no trace but a log line.
/// </summary>
public sealed class PreTrafficProbeTests
{
    private readonly FakeStore _store = new();

    [Fact]
    public async Task The_pre_traffic_probe_is_refused_with_401_before_anything_is_read_or_stored()
    {
        var registry = Registry.Default();
        var function = new Function(_store, registry, Options.For(), TextWriter.Null, new FixedTime(FixedTime.Default));

        var answer = await Answer.ReadAsync(await function.HandleAsync(new MemoryStream(ProbeEvent())));

        answer.StatusCode.ShouldBe(401, answer.Body.ToJsonString());
        answer.Error.ShouldBe("unauthorized", "the check accepts this error code only");
        (registry.Calls, _store.Calls).ShouldBe((0, 0), "the probe must not reach the registry or storage");
    }

    /// <summary>The check's <c>probeEvent</c>, serialized by node exactly as the check sends it.</summary>
    private static byte[] ProbeEvent()
    {
        var module = Path.Combine(RepositoryRoot(), "src", "Functions", "PreTrafficHook", "index.js");
        var start = new ProcessStartInfo("node", ["-e", "process.stdout.write(JSON.stringify(require(process.argv[1]).probeEvent))", module])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start (run the tests with `npm test`)");
        var output = node.StandardOutput.ReadToEnd();
        var errors = node.StandardError.ReadToEnd();
        node.WaitForExit();
        node.ExitCode.ShouldBe(0, errors);
        return System.Text.Encoding.UTF8.GetBytes(output);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "cdk.json")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cdk.json not found above the test assembly");
    }
}
