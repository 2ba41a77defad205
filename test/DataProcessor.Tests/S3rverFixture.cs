using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// A real S3-compatible server (s3rver, from the repository's node_modules) on 127.0.0.1, a free port and a fresh
/// temporary folder, with the two buckets created at start. One per test class; killed and removed on dispose.
/// </summary>
public sealed partial class S3rverFixture : IAsyncLifetime
{
    public const string IngestionBucket = "ingestion-bucket";
    public const string AnalyticsBucket = "analytics-bucket";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _dataDirectory;

    public Uri ServiceUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var tools = NodeTools.Locate(AppContext.BaseDirectory);
        _dataDirectory = Directory.CreateTempSubdirectory("s3rver-").FullName;

        var start = new ProcessStartInfo(tools.Node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = tools.RepoRoot,
        };
        foreach (var arg in new[]
                 {
                     tools.S3rverScript, "--directory", _dataDirectory, "--address", "127.0.0.1", "--port", "0", "--silent",
                     "--configure-bucket", IngestionBucket, "--configure-bucket", AnalyticsBucket,
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            if (ListeningLine().Match(e.Data) is { Success: true } m)
            {
                listening.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(e.Data);
                }
            }
        };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"s3rver exited with code {_process.ExitCode} before listening:\n{Output}"));

        if (!_process.Start())
        {
            throw new InvalidOperationException($"Could not start {tools.Node}.");
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var port = await listening.Task.WaitAsync(StartTimeout).ConfigureAwait(false);
        ServiceUrl = new Uri($"http://127.0.0.1:{port}");
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

    /// <summary>
    /// An S3 client for s3rver: only endpoint, path-style addressing, credentials, retries and timeout differ from
    /// production. The checksum settings stay at the AWSSDK.S3 4.x defaults (WHEN_SUPPORTED): the function sends
    /// bodies without aws-chunked encoding, so the CRC32 goes in a plain header that s3rver ignores.
    /// </summary>
    public IAmazonS3 CreateClient(Uri? serviceUrl = null) => CreateClient(serviceUrl ?? ServiceUrl, maxErrorRetry: 0);

    public static IAmazonS3 CreateClient(Uri serviceUrl, int maxErrorRetry) => new AmazonS3Client(
        new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config
        {
            ServiceURL = serviceUrl.ToString(),
            AuthenticationRegion = "us-east-1",
            ForcePathStyle = true,
            MaxErrorRetry = maxErrorRetry,
            Timeout = TimeSpan.FromSeconds(5),
        });

    /// <summary>A loopback port with nothing listening (bound, then released).</summary>
    public static Uri ClosedPortUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
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

        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [GeneratedRegex(@"S3rver listening on [0-9.]+:(\d+)")]
    private static partial Regex ListeningLine();
}
