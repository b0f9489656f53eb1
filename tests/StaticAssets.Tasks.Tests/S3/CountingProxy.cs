using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StaticAssets.Tasks.Tests.S3;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the S3 server that observes what the client really sends: connections open
/// at once (with HTTP/1.1, an upper bound of requests in flight) and each request's method and path, in order.
/// </summary>
internal sealed class CountingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _open;
    private int _peakOpen;
    private int _faultsLeft;
    private int _expectContinue;

    public CountingProxy(Uri upstream)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int PeakOpenConnections => Volatile.Read(ref _peakOpen);

    /// <summary>Requests that asked to wait for "100 Continue" before sending their body (a round trip each).</summary>
    public int ExpectContinueRequests => Volatile.Read(ref _expectContinue);

    /// <summary>"METHOD /path" of every request, in the order they started.</summary>
    public IReadOnlyList<string> Requests => _requests.ToArray();

    /// <summary>The next <paramref name="count"/> PUT requests get "503 SlowDown" and a closed connection, as a
    /// throttling S3 endpoint answers; they never reach the server.</summary>
    public void FailNextPuts(int count) => Volatile.Write(ref _faultsLeft, count);

    public void Reset()
    {
        _requests.Clear();
        Volatile.Write(ref _expectContinue, 0);
        Volatile.Write(ref _peakOpen, Volatile.Read(ref _open));
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            lock (_connections)
            {
                _connections.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var open = Interlocked.Increment(ref _open);
        for (var peak = Volatile.Read(ref _peakOpen); open > peak; peak = Volatile.Read(ref _peakOpen))
        {
            if (Interlocked.CompareExchange(ref _peakOpen, open, peak) == peak)
            {
                break;
            }
        }
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_upstream, _stop.Token);
            // Between a response's first bytes and the client's next bytes, the client's next bytes start a request
            // (the SDK does not pipeline). "100 Continue" is not a response that ends a request.
            var expectingRequest = 1;
            var up = Pump(client.GetStream(), server.GetStream(), chunk =>
            {
                if (Interlocked.Exchange(ref expectingRequest, 0) == 1)
                {
                    var head = Encoding.ASCII.GetString(chunk.Span[..Math.Min(chunk.Length, 512)]);
                    var line = head.Split("\r\n")[0].Split(' ');
                    var request = line.Length >= 2 ? $"{line[0]} {line[1]}" : head;
                    if (head.Contains("\r\nExpect: 100-continue", StringComparison.OrdinalIgnoreCase))
                    {
                        Interlocked.Increment(ref _expectContinue);
                    }
                    if (line[0] == "PUT" && Interlocked.Decrement(ref _faultsLeft) >= 0)
                    {
                        _requests.Enqueue("503 " + request);
                        return false;
                    }
                    _requests.Enqueue(request);
                }
                return true;
            });
            var down = Pump(server.GetStream(), client.GetStream(), chunk =>
            {
                if (!Encoding.ASCII.GetString(chunk.Span[..Math.Min(chunk.Length, 12)]).StartsWith("HTTP/1.1 100", StringComparison.Ordinal))
                {
                    Volatile.Write(ref expectingRequest, 1);
                }
                return true;
            });
            if (await Task.WhenAny(up, down) == up && !await up)
            {
                await client.GetStream().WriteAsync(SlowDown, _stop.Token);
            }
        }
        catch (Exception)
        {
            // A relay ends when either side closes or resets; that is the client's business, not the proxy's.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            client.Dispose();
        }
    }

    private static readonly byte[] SlowDown = Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: 95\r\nConnection: close\r\n\r\n" +
        "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".PadRight(95));

    /// <summary>Relays bytes until either side closes; false when <paramref name="observe"/> stopped it.</summary>
    private async Task<bool> Pump(NetworkStream from, NetworkStream to, Func<ReadOnlyMemory<byte>, bool> observe)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await from.ReadAsync(buffer, _stop.Token);
            if (n == 0)
            {
                to.Socket.Shutdown(SocketShutdown.Send);
                return true;
            }
            if (!observe(buffer.AsMemory(0, n)))
            {
                return false;
            }
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}
