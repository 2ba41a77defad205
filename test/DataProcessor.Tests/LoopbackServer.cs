using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TradingPlatform.Functions.DataProcessor.Tests;

/// <summary>
/// A real server process for integration tests, listening on 127.0.0.1: started, waited for until it accepts TCP
/// connections, its output kept for error messages, killed (with its children) on dispose. The fixtures that use it
/// (moto for S3, dynalite for DynamoDB) say what to install when it cannot start: the tests fail, never skip.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private LoopbackServer(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public Uri Url { get; private set; } = null!;

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

    /// <param name="start">The command; output redirection is set here.</param>
    /// <param name="port">The port the command was told to listen on.</param>
    /// <param name="failure">Builds the fixture's own exception: (what went wrong, the server's output, the cause).</param>
    public static async Task<LoopbackServer> StartAsync(
        ProcessStartInfo start, int port, TimeSpan timeout, Func<string, string, Exception?, Exception> failure)
    {
        var server = new LoopbackServer(start);
        try
        {
            server._process.Start();
        }
        catch (Win32Exception ex)
        {
            server._process.Dispose();
            throw failure($"could not run '{start.FileName}' ({ex.Message})", "", ex);
        }

        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        server.Url = new Uri($"http://127.0.0.1:{port}");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (server._process.HasExited)
            {
                await server._process.WaitForExitAsync().ConfigureAwait(false);
                var exitCode = server._process.ExitCode;
                await server.DisposeAsync().ConfigureAwait(false);
                throw failure($"'{start.FileName}' exited with code {exitCode} before listening", server.Output, null);
            }

            if (await AnswersAsync(server.Url).ConfigureAwait(false))
            {
                return server;
            }

            if (deadline.Elapsed > timeout)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw failure($"nothing listened on {server.Url} within {timeout.TotalSeconds} s", server.Output, null);
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>A loopback port with nothing listening (bound, then released; another process may take it first).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

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
}
