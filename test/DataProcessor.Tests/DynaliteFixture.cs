using System.Diagnostics;
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

    private LoopbackServer? _server;

    public Uri ServiceUrl => _server?.Url ?? throw new InvalidOperationException("dynalite is not started");

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
                await StartAsync(LoopbackServer.FreePort()).ConfigureAwait(false);
                break;
            }
            catch (DynaliteStartException ex) when (attempt < 3 && ex.Message.Contains("EADDRINUSE", StringComparison.Ordinal))
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

    private async Task StartAsync(int port)
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
        var start = new ProcessStartInfo(node) { WorkingDirectory = root };
        foreach (var arg in new[] { cli, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--createTableMs", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        _server = await LoopbackServer.StartAsync(start, port, StartTimeout, (problem, output, cause) => new DynaliteStartException(
            $"dynalite: {problem}. Install Node and run `npm ci` (README); the tests are not skipped. Its output:\n{output}", cause))
            .ConfigureAwait(false);
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

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

public sealed class DynaliteStartException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
