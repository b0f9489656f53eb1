using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace StaticAssets.Bench;

/// <summary>
/// Runs <see cref="DelayProxy"/> in a child process (this program with the "proxy" command), so the bench
/// process's CPU time and memory are the engine's alone. Line protocol on stdin/stdout: the child prints
/// "port N", then answers "stats" with one JSON line, "reset" (close every connection, zero the counters) and "drain"
/// (close every connection and wait until each has ended, counters kept) with "ok"; end of input stops it.
/// </summary>
internal sealed class ProxyProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new();

    private readonly Process _process;

    private ProxyProcess(Process process, int port)
    {
        _process = process;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Url { get; }

    public static async Task<ProxyProcess> StartAsync(Uri upstream, int rttMs)
    {
        var start = ThisProgram.StartInfo(["proxy", "--upstream", upstream.ToString(), "--rtt", rttMs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the proxy process");
        var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the proxy process exited");
        return new ProxyProcess(process, int.Parse(line["port ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The proxy's CPU time so far (it shares the machine's CPUs with the client and the server).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Closes the open connections (so the next run starts cold) and zeroes the counters.</summary>
    public async Task ResetAsync()
    {
        await _process.StandardInput.WriteLineAsync("reset");
        await _process.StandardInput.FlushAsync();
        _ = await _process.StandardOutput.ReadLineAsync();
    }

    /// <summary>Closes the open connections and waits until each has ended, so every request still waiting for its
    /// response is counted as unanswered; the counters stay.</summary>
    public async Task DrainAsync()
    {
        await _process.StandardInput.WriteLineAsync("drain");
        await _process.StandardInput.FlushAsync();
        _ = await _process.StandardOutput.ReadLineAsync();
    }

    public async Task<ChildStats> StatsAsync()
    {
        await _process.StandardInput.WriteLineAsync("stats");
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the proxy process exited");
        return JsonSerializer.Deserialize<ChildStats>(line, Json)!;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        _process.Dispose();
    }

    /// <summary>The child's side: serve until stdin ends.</summary>
    public static async Task<int> RunChildAsync(Uri upstream, int rttMs)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        await using var proxy = new DelayProxy(endpoint, TimeSpan.FromMilliseconds(rttMs));
        Console.Out.WriteLine($"port {proxy.Port}");
        Console.Out.Flush();
        var self = Process.GetCurrentProcess();
        while (await Console.In.ReadLineAsync() is { } command)
        {
            switch (command.Trim())
            {
                case "reset":
                    // Every run starts cold, as a new process would: the AWS SDK shares its HttpClient, and so its
                    // pooled connections, between clients with equal settings.
                    proxy.AbortAll();
                    await Task.Delay(50); // let the relays close before counting starts again
                    proxy.Reset();
                    Console.Out.WriteLine("ok");
                    break;
                case "drain":
                    proxy.AbortAll();
                    for (var waited = 0; proxy.OpenConnections > 0 && waited < 5_000; waited += 10)
                    {
                        await Task.Delay(10);
                    }
                    Console.Out.WriteLine("ok");
                    break;
                case "stats":
                    self.Refresh();
                    Console.Out.WriteLine(JsonSerializer.Serialize(new ChildStats(proxy.Snapshot(), self.TotalProcessorTime.TotalSeconds), Json));
                    break;
                default:
                    Console.Out.WriteLine("unknown");
                    break;
            }
            Console.Out.Flush();
        }
        return 0;
    }
}

/// <summary>The proxy's counters and its process's CPU seconds so far.</summary>
internal sealed record ChildStats(ProxyStats Proxy, double CpuSeconds);
