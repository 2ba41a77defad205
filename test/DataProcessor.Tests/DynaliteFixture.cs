using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// A real DynamoDB-compatible server on 127.0.0.1 and a free port: dynalite (npm, a devDependency of the repo,
/// installed by <c>npm ci</c>), in memory, with the client registry table (partition key <c>apiKeyId</c>) created at
/// start. One per test class, killed on dispose. If node or dynalite is missing the tests FAIL with what to run:
/// they are never skipped.
/// </summary>
public sealed class DynaliteFixture : IAsyncLifetime
{
    public const string Table = "api-keys-test";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _output = new();
    private Process? _process;

    public Uri ServiceUrl { get; private set; } = null!;

    /// <summary>The repository root: the first folder above the test binaries that holds package.json.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "package.json")) && Directory.Exists(Path.Combine(dir.FullName, "test", "DataProcessor.Tests")))
                {
                    return dir.FullName;
                }
            }

            throw new DynaliteStartException($"No repository root (package.json) above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>The repo's pinned Node 22 (node_modules/.bin/node) if installed, else node from PATH.</summary>
    private static string Node(string root) =>
        File.Exists(Path.Combine(root, "node_modules", ".bin", "node")) ? Path.Combine(root, "node_modules", ".bin", "node") : "node";

    public async Task InitializeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                ServiceUrl = await StartAsync(FreePort()).ConfigureAwait(false);
                break;
            }
            catch (DynaliteStartException) when (attempt < 3 && Output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
            }
        }

        using var dynamo = CreateClient();
        await dynamo.CreateTableAsync(new CreateTableRequest
        {
            TableName = Table,
            KeySchema = [new KeySchemaElement("apiKeyId", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("apiKeyId", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        }).ConfigureAwait(false);
    }

    private async Task<Uri> StartAsync(int port)
    {
        var root = RepoRoot;
        var cli = Path.Combine(root, "node_modules", "dynalite", "cli.js");
        if (!File.Exists(cli))
        {
            throw new DynaliteStartException(
                $"dynalite is not installed ({cli} is missing). The registry integration tests need it: run `npm ci` in {root} " +
                "(dynalite is a devDependency in package.json). They are not skipped.");
        }

        var node = Node(root);
        var start = new ProcessStartInfo(node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var arg in new[] { cli, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--createTableMs", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            _process.Start();
        }
        catch (Win32Exception ex)
        {
            _process.Dispose();
            _process = null;
            throw new DynaliteStartException($"Could not run '{node}' ({ex.Message}): install Node and run `npm ci` (README). The tests are not skipped.", ex);
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var url = new Uri($"http://127.0.0.1:{port}");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync().ConfigureAwait(false);
                throw new DynaliteStartException(
                    $"`{node} {cli}` exited with code {_process.ExitCode} before listening (run `npm ci`). Its output:\n{Output}");
            }

            if (await AnswersAsync(url).ConfigureAwait(false))
            {
                return url;
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new DynaliteStartException($"dynalite did not listen on {url} within {StartTimeout.TotalSeconds} s. Its output:\n{Output}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>A DynamoDB client for the server: dummy credentials, no retries, a short timeout.</summary>
    public IAmazonDynamoDB CreateClient() => CreateClient(ServiceUrl);

    public static IAmazonDynamoDB CreateClient(Uri serviceUrl) => new AmazonDynamoDBClient(
        new BasicAWSCredentials("testing", "testing"),
        new AmazonDynamoDBConfig
        {
            ServiceURL = serviceUrl.ToString(),
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(5),
        });

    private static async Task<bool> AnswersAsync(Uri url)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(url.Host, url.Port).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }

            _process.Dispose();
        }
    }
}

public sealed class DynaliteStartException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
