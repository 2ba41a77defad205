using System.Text.Json.Nodes;
using Amazon.S3;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// Rule (issue 16, point 9): every log line carries the Lambda request id, the function version, a cold-start flag and
/// the X-Ray trace id, under Powertools' key names, so that a line can be joined to its trace and to the platform's
/// own lines of the same invocation whatever the outcome; cold_start is true only for an instance's first invocation.
/// </summary>
public sealed class LogContextTests
{
    private static readonly string[] Keys = ["function_request_id", "function_version", "cold_start", "xray_trace_id"];

    private readonly StringWriter _log = new();

    private Function Create(FakeStore? store = null) =>
        new(store ?? new FakeStore(), Registry.Default(), Options.For(), _log, new FixedTime(FixedTime.Default));

    private static InvocationContext Context(int n) => new($"aws-req-{n}", "7", $"1-67a0b1c2-00000000000000000000000{n}");

    private List<JsonNode> Lines() =>
        _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

    [Fact]
    public async Task Every_line_has_the_request_id_version_cold_start_and_trace_id_of_its_own_invocation_whatever_the_outcome()
    {
        // One invocation per kind of ending (accepted, invalid body, refused caller, broken event, storage failure):
        // the keys must not depend on which path wrote the line.
        var failing = new FakeStore { FailWith = new AmazonS3Exception("S3 is down") };
        var function = Create();
        var broken = Create(failing);
        var events = new (Function Function, Func<Stream> Event)[]
        {
            (function, () => Requests.Event(Requests.Batch(Requests.Trade()))),
            (function, () => Requests.Event("{\"trades\":[")),
            (function, () => Requests.Event(Requests.Batch(Requests.Trade()), apiKeyId: "unknown-key")),
            (function, () => new MemoryStream("not an event"u8.ToArray())),
            (broken, () => Requests.Event(Requests.Batch(Requests.Trade()))),
        };
        for (var i = 0; i < events.Length; i++)
        {
            await events[i].Function.InvokeAsync(events[i].Event(), Context(i));
        }

        var lines = Lines();
        lines.Count.ShouldBe(events.Length);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].AsObject();
            foreach (var key in Keys)
            {
                line.ContainsKey(key).ShouldBeTrue($"line {i} ({line["outcome"]}) must carry {key}");
            }

            line["function_request_id"]!.GetValue<string>().ShouldBe($"aws-req-{i}", "each line names its own invocation");
            line["function_version"]!.GetValue<string>().ShouldBe("7");
            line["xray_trace_id"]!.GetValue<string>().ShouldBe(Context(i).TraceId);
        }

        lines.Select(l => l["outcome"]!.GetValue<string>()).ShouldBe(["accepted", "invalid_json", "unknown_api_key", "invalid_event", "storage_unavailable"]);
    }

    [Fact]
    public async Task Cold_start_is_true_only_for_the_first_invocation_of_an_instance()
    {
        // Lambda builds one instance per execution environment: its first invocation paid for the init, later ones did not.
        var first = Create();
        await first.InvokeAsync(Requests.Event(Requests.Batch(Requests.Trade())), Context(1));
        await first.InvokeAsync(Requests.Event(Requests.Batch(Requests.Trade(tradeId: "T-2"))), Context(2));
        await first.InvokeAsync(Requests.Event("{}"), Context(3));
        var second = Create();
        await second.InvokeAsync(Requests.Event(Requests.Batch(Requests.Trade())), Context(4));

        Lines().Select(l => l["cold_start"]!.GetValue<bool>()).ShouldBe([true, false, false, true]);
    }

    [Fact]
    public async Task The_Lambda_entry_point_takes_version_and_trace_from_the_Lambda_environment()
    {
        // In Lambda, HandleAsync is called without a context: the trace header (set per invocation) and the version
        // come from the environment. The trace id is the header's Root, what X-Ray is searched by.
        const string root = "1-5759e988-bd862e3fe1be46a994272793";
        var before = (Environment.GetEnvironmentVariable(InvocationContext.TraceHeaderVariable), Environment.GetEnvironmentVariable(InvocationContext.FunctionVersionVariable));
        try
        {
            Environment.SetEnvironmentVariable(InvocationContext.TraceHeaderVariable, $"Root={root};Parent=53995c3f42cd8ad8;Sampled=1");
            Environment.SetEnvironmentVariable(InvocationContext.FunctionVersionVariable, "$LATEST");
            await Create().HandleAsync(Requests.Event(Requests.Batch(Requests.Trade())));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InvocationContext.TraceHeaderVariable, before.Item1);
            Environment.SetEnvironmentVariable(InvocationContext.FunctionVersionVariable, before.Item2);
        }

        var line = Lines().Single();
        line["xray_trace_id"]!.GetValue<string>().ShouldBe(root);
        line["function_version"]!.GetValue<string>().ShouldBe("$LATEST");
        line["cold_start"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Theory]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", "1-5759e988-bd862e3fe1be46a994272793")]
    [InlineData("Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793", "1-5759e988-bd862e3fe1be46a994272793")]
    [InlineData("Sampled=0", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_trace_id_is_the_Root_of_the_trace_header_wherever_it_stands(string? header, string? root)
    {
        // The header's parts are unordered; a header without a Root gives no trace id rather than a wrong one.
        InvocationContext.TraceRoot(header).ShouldBe(root);
    }
}
