using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// A real S3-compatible server on 127.0.0.1 and a free port: moto (<c>python3 -m moto.server</c>), which honours
/// conditional writes (<c>If-None-Match: *</c> on an existing key answers 412), the heart of idempotency under
/// concurrent retries. In memory, no network access, the two buckets created at start; one per test class, killed on
/// dispose. If python3 or moto is missing the tests FAIL with what to install: they are never skipped.
/// </summary>
public sealed class MotoS3Fixture : IAsyncLifetime
{
    public const string IngestionBucket = "ingestion-bucket";
    public const string AnalyticsBucket = "analytics-bucket";

    /// <summary>The interpreter; MOTO_PYTHON overrides it (e.g. a virtualenv's python).</summary>
    public static string Python => Environment.GetEnvironmentVariable("MOTO_PYTHON") is { Length: > 0 } p ? p : "python3";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private LoopbackServer? _server;

    public Uri ServiceUrl => _server?.Url ?? throw new InvalidOperationException("moto is not started");

    public async Task InitializeAsync()
    {
        // A free port can be taken between the probe and the bind: try a few.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync(Python, LoopbackServer.FreePort()).ConfigureAwait(false);
                break;
            }
            catch (MotoStartException ex) when (attempt < 3 && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }

        using var s3 = CreateClient();
        await s3.PutBucketAsync(IngestionBucket).ConfigureAwait(false);
        await s3.PutBucketAsync(AnalyticsBucket).ConfigureAwait(false);
    }

    /// <summary>Starts moto on the port and waits until it answers; throws <see cref="MotoStartException"/> saying what to install.</summary>
    internal async Task StartAsync(string python, int port)
    {
        var start = new ProcessStartInfo(python);
        foreach (var arg in new[] { "-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        // Dummy credentials in the server's environment: nothing it does may reach a real account.
        start.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";

        _server = await LoopbackServer.StartAsync(start, port, StartTimeout, (problem, output, cause) => new MotoStartException(
            $"moto: {problem}. The S3 integration tests need Python 3 with moto 5.x (`pip install 'moto[server]'`; set " +
            $"MOTO_PYTHON to use another interpreter); they are not skipped. Its output:\n{output}", cause)).ConfigureAwait(false);
    }

    /// <summary>
    /// An S3 client for the server: only endpoint, path-style addressing, credentials, retries and timeout differ from
    /// production; checksum settings stay at the AWSSDK.S3 4.x defaults.
    /// </summary>
    public IAmazonS3 CreateClient(Uri? serviceUrl = null) => CreateClient(serviceUrl ?? ServiceUrl, maxErrorRetry: 0);

    public static IAmazonS3 CreateClient(Uri serviceUrl, int maxErrorRetry) => new AmazonS3Client(
        new BasicAWSCredentials("testing", "testing"),
        Config(serviceUrl, maxErrorRetry));

    public static AmazonS3Config Config(Uri serviceUrl, int maxErrorRetry) => new()
    {
        ServiceURL = serviceUrl.ToString(),
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
        MaxErrorRetry = maxErrorRetry,
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>A loopback port with nothing listening (bound, then released).</summary>
    public static Uri ClosedPortUrl() => new($"http://127.0.0.1:{LoopbackServer.FreePort()}");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

public sealed class MotoStartException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
