using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace StaticAssets.Testing;

/// <summary>
/// The core of the loopback proxies (this kernel has no netem, so latency and faults come from user space): listens
/// on 127.0.0.1, opens one server connection per client connection, counts connections (accepted, open, peak), and
/// ends them all on <see cref="AbortAll"/> or disposal. What flows through a connection, and when, is the
/// subclass's <see cref="Relay"/>: the tests' HTTP-aware fault injection, the benchmark's delay line.
/// </summary>
public abstract class LoopbackProxy : IAsyncDisposable
{
    /// <summary>The most read from a socket at once: one chunk, which the subclasses delay or hold as a unit.</summary>
    internal const int ChunkSize = 64 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<ProxyLink, Task> _links = new();
    private readonly Task _accepting;
    private int _open;
    private int _peakOpen;
    private int _accepted;

    /// <summary>Starts listening at once; the port is <see cref="Port"/>.</summary>
    protected LoopbackProxy(IPEndPoint upstream)
    {
        _upstream = upstream;
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Client connections accepted since the start or the last <see cref="ResetConnectionCounts"/>.</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>The most client connections open at once since the start or the last
    /// <see cref="ResetConnectionCounts"/>.</summary>
    public int PeakOpenConnections => Volatile.Read(ref _peakOpen);

    /// <summary>Client connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Zeroes the accepted count; the peak starts again from the connections open now.</summary>
    protected void ResetConnectionCounts()
    {
        Volatile.Write(ref _accepted, 0);
        Volatile.Write(ref _peakOpen, Volatile.Read(ref _open));
    }

    /// <summary>Ends every open connection with RST, so the client's next request needs a new one.</summary>
    public void AbortAll()
    {
        foreach (var link in _links.Keys)
        {
            link.Abort();
        }
    }

    /// <summary>Starts relaying one connection: client to server (up) and server to client (down), each ending when
    /// its sender ends its side. The first to fail aborts the link, so the other does not wait forever.</summary>
    protected abstract (Task Up, Task Down) Relay(ProxyLink link);

    /// <summary>Reads <paramref name="from"/> chunk by chunk, handing each to <paramref name="forward"/> as it arrives
    /// (which sends it on, now or later); returns when the sender ends its side.</summary>
    protected static async Task PumpAsync(
        Socket from, Func<ReadOnlyMemory<byte>, ValueTask> forward, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        int n;
        while ((n = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            await forward(buffer.AsMemory(0, n));
        }
    }

    /// <summary>Relays one direction as it comes, showing each chunk to <paramref name="observe"/> on the way, and its
    /// end.</summary>
    protected static async Task CopyAsync(
        Socket from, Socket to, CancellationToken cancellationToken, Action<ReadOnlyMemory<byte>>? observe = null)
    {
        await PumpAsync(from, chunk =>
        {
            observe?.Invoke(chunk);
            return SendAllAsync(to, chunk, cancellationToken);
        }, cancellationToken);
        to.Shutdown(SocketShutdown.Send);
    }

    protected static async ValueTask SendAllAsync(Socket to, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await to.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            var link = new ProxyLink(client, _stop.Token);
            var serving = ServeAsync(link);
            _links.TryAdd(link, serving);
            _ = serving.ContinueWith(done => _links.TryRemove(link, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(ProxyLink link)
    {
        Interlocked.Increment(ref _accepted);
        var open = Interlocked.Increment(ref _open);
        for (var peak = Volatile.Read(ref _peakOpen); open > peak; peak = Volatile.Read(ref _peakOpen))
        {
            if (Interlocked.CompareExchange(ref _peakOpen, open, peak) == peak)
            {
                break;
            }
        }
        try
        {
            await link.Server.ConnectAsync(_upstream, link.Aborted);
            var (up, down) = Relay(link);
            if (!(await Task.WhenAny(up, down)).IsCompletedSuccessfully)
            {
                link.Abort();
            }
            await Task.WhenAll(up, down);
        }
        catch (Exception)
        {
            // A relay ends when either side closes or resets; that is the client's business, not the proxy's.
            link.Abort();
        }
        finally
        {
            OnLinkEnded(link);
            Interlocked.Decrement(ref _open);
            link.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_links.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        OnStopped();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One connection ended, both directions (before <see cref="OpenConnections"/> counts it closed).</summary>
    protected virtual void OnLinkEnded(ProxyLink link)
    {
    }

    /// <summary>After every connection ended: release what the subclass holds.</summary>
    protected virtual void OnStopped()
    {
    }
}
