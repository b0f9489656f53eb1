using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace StaticAssets.Bench;

/// <summary>
/// "selftest": checks the delay proxy against a local echo server: the first exchange on a new connection takes
/// about 2 RTT (handshake + request/response), later ones about 1 RTT, and a large transfer arrives intact and in
/// order in both directions.
/// </summary>
internal static class ProxySelfTest
{
    public static async Task<int> RunAsync(int rttMs)
    {
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        using var stop = new CancellationTokenSource();
        var echoing = EchoAsync(echo, stop.Token);
        await using var proxy = new DelayProxy((IPEndPoint)echo.LocalEndpoint, TimeSpan.FromMilliseconds(rttMs));

        using var client = new TcpClient();
        var clock = Stopwatch.StartNew();
        await client.ConnectAsync(IPAddress.Loopback, proxy.Port);
        var stream = client.GetStream();
        var one = new byte[1];
        var times = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            if (i > 0)
            {
                clock.Restart();
            }
            await stream.WriteAsync(one);
            await stream.ReadExactlyAsync(one);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        // 8 MB each way, concurrently: must come back byte for byte.
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var back = new byte[data.Length];
        clock.Restart();
        var send = stream.WriteAsync(data).AsTask();
        await stream.ReadExactlyAsync(back);
        await send;
        var intact = data.AsSpan().SequenceEqual(back);
        Console.WriteLine($"RTT {rttMs} ms: first exchange (with handshake) {times[0]:F1} ms (expect ~{2 * rttMs}), " +
                          $"next {string.Join(", ", times.Skip(1).Select(t => t.ToString("F1")))} ms (expect ~{rttMs}); " +
                          $"8 MB echoed {(intact ? "intact, in order" : "CORRUPTED")} in {clock.Elapsed.TotalMilliseconds:F0} ms");
        client.Close();
        stop.Cancel();
        echo.Stop();
        await echoing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return intact ? 0 : 1;
    }

    private static async Task EchoAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        using var socket = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = socket.GetStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }
    }
}
