using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StaticAssets.Engine.Storage.Http;

/// <summary>
/// Opens TCP connections before the requests that will need them. A new connection costs a round trip (its
/// handshake) before its first request can leave; an operation that is about to have many requests in flight at once
/// (a rollback's listing in key ranges, then its copies) asks for them at its start, so the handshakes happen while
/// its first round trip is on the wire. The connection pool takes them through its <c>ConnectCallback</c>
/// (<see cref="ConnectAsync"/>), and opens its own when none is ready. A warmed connection not taken within
/// <see cref="MaxIdle"/>, or closed by the server meanwhile, is closed, never used. TLS, where the endpoint has it,
/// still shakes hands on first use. Measured (`bench/run.sh generations`: Ceph RGW at 40 ms RTT, a rollback of the
/// 3,000-file tree in a fresh process, 8 runs each interleaved): 1.18 s → 1.12 s at the median.
/// </summary>
internal sealed class ConnectionWarmer : IDisposable
{
    /// <summary>Servers close idle connections after some seconds (RGW, S3 and Azure after 20 s or more).</summary>
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(5);

    private readonly ConcurrentQueue<Warmed> _ready = new();
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>Connections handed to the pool and not closed yet.</summary>
    private int _inUse;

    private sealed record Warmed(DnsEndPoint Endpoint, Task<Socket> Connecting, long OpenedAt);

    /// <summary>
    /// Opens connections to <paramref name="endpoint"/> in the background until <paramref name="connections"/> are in
    /// use or ready (the pool's cap still bounds how many requests go at once). Nothing when the requests go through
    /// an HTTP proxy: the pool would connect to the proxy, not to these.
    /// </summary>
    public void Prepare(Uri endpoint, int connections)
    {
        if (_disposed.IsCancellationRequested || HttpClient.DefaultProxy.GetProxy(endpoint) is { } proxy && proxy != endpoint)
        {
            return;
        }
        var target = new DnsEndPoint(endpoint.IdnHost, endpoint.Port);
        for (var wanted = connections - Volatile.Read(ref _inUse) - _ready.Count; wanted > 0; wanted--)
        {
            // Opened from the thread pool, not here: a socket's creation and connect call are ~0.2 ms, 25-40 ms for a
            // rollback's 128 on the benchmark's machine, which the caller's first request would wait for.
            _ready.Enqueue(new Warmed(target, Task.Run(() => OpenAsync(target, _disposed.Token)), Stopwatch.GetTimestamp()));
        }
        if (_disposed.IsCancellationRequested)
        {
            DiscardReady(); // disposed meanwhile: nothing stays open
        }
    }

    /// <summary>The pool's ConnectCallback: a warmed connection to the same endpoint if one is ready, else a new one
    /// (what the handler does without a callback).</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        while (_ready.TryDequeue(out var warmed))
        {
            if (!SameEndpoint(warmed.Endpoint, context.DnsEndPoint) || Stopwatch.GetElapsedTime(warmed.OpenedAt) > MaxIdle)
            {
                Discard(warmed.Connecting);
                continue;
            }
            Socket socket;
            try
            {
                // Still connecting: it started earlier than a new one would.
                socket = await warmed.Connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                continue; // it failed: the next one, or a new connection that reports its own failure
            }
            catch (OperationCanceledException)
            {
                Discard(warmed.Connecting);
                throw;
            }
            // Readable with nothing to read: the server has closed it.
            if (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0)
            {
                socket.Dispose();
                continue;
            }
            return InUse(socket);
        }
        return InUse(await OpenAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false));
    }

    public void Dispose()
    {
        _disposed.Cancel();
        DiscardReady();
    }

    private void DiscardReady()
    {
        while (_ready.TryDequeue(out var warmed))
        {
            Discard(warmed.Connecting);
        }
    }

    private static async Task<Socket> OpenAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool SameEndpoint(DnsEndPoint a, DnsEndPoint b) =>
        a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    private static void Discard(Task<Socket> connecting) =>
        connecting.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private CountedStream InUse(Socket socket)
    {
        Interlocked.Increment(ref _inUse);
        return new CountedStream(socket, this);
    }

    /// <summary>The connection's stream, which counts it out of <see cref="_inUse"/> when the pool closes it.</summary>
    private sealed class CountedStream(Socket socket, ConnectionWarmer owner) : NetworkStream(socket, ownsSocket: true)
    {
        private int _closed;

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._inUse);
            }
            base.Dispose(disposing);
        }
    }
}
