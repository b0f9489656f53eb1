using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace StaticAssets.Bench;

/// <summary>
/// A TCP proxy on 127.0.0.1 that adds network latency in user space (this kernel has no netem): every chunk is
/// delivered RTT/2 after it was read, in each direction, in order (one FIFO queue per direction, drained by one
/// writer that waits for each chunk's due time), and a new connection's first bytes reach the server one extra RTT
/// late, standing in for the TCP handshake. Due times are kept by one timer thread (<see cref="DueTimeScheduler"/>):
/// Task.Delay's millisecond timer was off by 1-4 ms per direction here. It also counts what the client sends: HTTP/1.1 requests (the client's
/// first bytes after a final response; "HTTP/1.1 100 Continue" is interim), Expect: 100-continue headers,
/// connections, bytes and response status codes.
/// </summary>
internal sealed class DelayProxy : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Chunks queued per direction before the reader waits: a crude stand-in for the TCP window.</summary>
    private const int QueuedChunks = 64;

    private const int SampleHeads = 6;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly DueTimeScheduler _timer = new();
    private readonly IPEndPoint _upstream;
    private readonly long _halfRttTicks;
    private readonly long _rttTicks;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly ConcurrentDictionary<CancellationTokenSource, bool> _aborts = new();
    private readonly ConcurrentDictionary<string, int> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentQueue<string> _heads = new();
    private readonly Task _accepting;
    private int _open;
    private int _peakOpen;
    private int _accepted;
    private int _requests;
    private int _expectContinue;
    private int _continues;
    private long _bytesUp;
    private long _bytesDown;

    public DelayProxy(IPEndPoint upstream, TimeSpan rtt)
    {
        _upstream = upstream;
        _rttTicks = (long)(rtt.TotalSeconds * Stopwatch.Frequency);
        _halfRttTicks = _rttTicks / 2;
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ProxyStats Snapshot() => new(
        Volatile.Read(ref _requests),
        Volatile.Read(ref _accepted),
        Volatile.Read(ref _peakOpen),
        Volatile.Read(ref _expectContinue),
        Volatile.Read(ref _continues),
        Interlocked.Read(ref _bytesUp),
        Interlocked.Read(ref _bytesDown),
        new SortedDictionary<string, int>(_methods, StringComparer.Ordinal),
        new SortedDictionary<int, int>(_statuses),
        [.. _heads]);

    /// <summary>Zeroes the counters (connections still open stay counted as open).</summary>
    public void Reset()
    {
        Volatile.Write(ref _requests, 0);
        Volatile.Write(ref _accepted, 0);
        Volatile.Write(ref _peakOpen, Volatile.Read(ref _open));
        Volatile.Write(ref _expectContinue, 0);
        Volatile.Write(ref _continues, 0);
        Interlocked.Exchange(ref _bytesUp, 0);
        Interlocked.Exchange(ref _bytesDown, 0);
        _methods.Clear();
        _statuses.Clear();
        _heads.Clear();
    }

    /// <summary>Closes every open connection, so the next run starts cold as a new process would (the AWS SDK
    /// shares its HttpClient, and so its pooled connections, between clients with equal settings).</summary>
    public void DropConnections()
    {
        foreach (var abort in _aborts.Keys)
        {
            try
            {
                abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That connection just ended on its own.
            }
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
            var relay = RelayAsync(client);
            _connections.TryAdd(relay, true);
            _ = relay.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        // The kernel already completed the client's handshake; charge it one RTT by holding back its first bytes:
        // on a real link they could leave only after the SYN-ACK (1 RTT) and arrive RTT/2 later.
        var notBefore = Stopwatch.GetTimestamp() + _rttTicks + _halfRttTicks;
        Interlocked.Increment(ref _accepted);
        var open = Interlocked.Increment(ref _open);
        for (var peak = Volatile.Read(ref _peakOpen); open > peak; peak = Volatile.Read(ref _peakOpen))
        {
            if (Interlocked.CompareExchange(ref _peakOpen, open, peak) == peak)
            {
                break;
            }
        }
        client.NoDelay = true;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _aborts.TryAdd(abort, true);
        try
        {
            await server.ConnectAsync(_upstream, abort.Token);
            // Between a final response and the client's next bytes, those bytes start a request (HTTP/1.1 without
            // pipelining, which is what the AWS SDK's HttpClient does).
            var expectingRequest = 1;
            // A request's head can span several reads: collect it up to its blank line (or 16 KB).
            var head = new MemoryStream();
            var inHead = false;
            var up = Pump(client, server, notBefore, abort, chunk =>
            {
                Interlocked.Add(ref _bytesUp, chunk.Length);
                if (Interlocked.Exchange(ref expectingRequest, 0) == 1)
                {
                    Interlocked.Increment(ref _requests);
                    head.SetLength(0);
                    inHead = true;
                }
                if (inHead)
                {
                    head.Write(chunk.Span);
                    var bytes = head.GetBuffer().AsSpan(0, (int)head.Length);
                    var end = bytes.IndexOf("\r\n\r\n"u8);
                    if (end >= 0 || bytes.Length >= 16 * 1024)
                    {
                        inHead = false;
                        ObserveRequestHead(bytes[..(end >= 0 ? end : bytes.Length)]);
                    }
                }
            });
            var down = Pump(server, client, 0, abort, chunk =>
            {
                Interlocked.Add(ref _bytesDown, chunk.Length);
                if (ObserveResponse(chunk.Span))
                {
                    Volatile.Write(ref expectingRequest, 1);
                }
            });
            await Task.WhenAll(up, down);
        }
        catch (Exception)
        {
            // A relay ends when either side closes or resets; that is the client's business, not the proxy's.
            abort.Cancel();
        }
        finally
        {
            _aborts.TryRemove(abort, out _);
            Interlocked.Decrement(ref _open);
            client.Dispose();
        }
    }

    private void ObserveRequestHead(ReadOnlySpan<byte> bytes)
    {
        var head = Encoding.ASCII.GetString(bytes);
        var space = head.IndexOf(' ');
        _methods.AddOrUpdate(space > 0 && space < 16 ? head[..space] : "?", 1, (_, n) => n + 1);
        if (head.Contains("\r\nExpect: 100-continue", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _expectContinue);
        }
        if (_heads.Count < SampleHeads && !head.StartsWith("GET ", StringComparison.Ordinal))
        {
            // The signature is not a secret, but it names the access key: keep it out of the output anyway.
            _heads.Enqueue(string.Join("\n", head.Split("\r\n").Select(line =>
                line.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase) ? "Authorization: (redacted)" : line)));
        }
    }

    /// <summary>Counts the status lines that start a chunk; true if the chunk is (or ends) a final response, i.e.
    /// anything but a lone "HTTP/1.1 100 Continue".</summary>
    private bool ObserveResponse(ReadOnlySpan<byte> chunk)
    {
        var final = true;
        var rest = chunk;
        while (rest.StartsWith("HTTP/1.1 "u8) && rest.Length >= 12)
        {
            var status = (rest[9] - '0') * 100 + (rest[10] - '0') * 10 + (rest[11] - '0');
            _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status != 100)
            {
                break;
            }
            Interlocked.Increment(ref _continues);
            var end = rest.IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                break;
            }
            rest = rest[(end + 4)..];
            final = rest.Length > 0; // bytes after the interim response belong to the final one
        }
        return final;
    }

    /// <summary>Copies one direction, each chunk no earlier than RTT/2 after it was read (and not before
    /// <paramref name="notBefore"/>), in order. Reading goes on while earlier chunks wait, as on a real link.</summary>
    private async Task Pump(Socket from, Socket to, long notBefore, CancellationTokenSource abort, Action<ReadOnlyMemory<byte>> observe)
    {
        if (_rttTicks == 0)
        {
            var buffer = new byte[ChunkSize];
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, abort.Token);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                observe(buffer.AsMemory(0, n));
                await SendAllAsync(to, buffer.AsMemory(0, n), abort.Token);
            }
        }

        var queue = Channel.CreateBounded<(byte[] Buffer, int Length, long Due)>(
            new BoundedChannelOptions(QueuedChunks) { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var (buffer, length, due) in queue.Reader.ReadAllAsync(abort.Token))
                {
                    await _timer.WhenDue(Math.Max(due, notBefore)).WaitAsync(abort.Token);
                    try
                    {
                        await SendAllAsync(to, buffer.AsMemory(0, length), abort.Token);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }
                to.Shutdown(SocketShutdown.Send);
            }
            catch
            {
                abort.Cancel();
                throw;
            }
        });
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                int n;
                try
                {
                    n = await from.ReceiveAsync(buffer.AsMemory(0, ChunkSize), SocketFlags.None, abort.Token);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
                if (n == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                observe(buffer.AsMemory(0, n));
                await queue.Writer.WriteAsync((buffer, n, Stopwatch.GetTimestamp() + _halfRttTicks), abort.Token);
            }
            queue.Writer.Complete();
        }
        catch (Exception e)
        {
            queue.Writer.TryComplete(e);
            abort.Cancel();
            throw;
        }
        finally
        {
            await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await writer;
    }

    private static async ValueTask SendAllAsync(Socket to, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await to.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_connections.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _timer.Dispose();
        _stop.Dispose();
    }
}

internal sealed record ProxyStats(
    int Requests,
    int Connections,
    int PeakOpenConnections,
    int ExpectContinueRequests,
    int ContinueResponses,
    long BytesUp,
    long BytesDown,
    IReadOnlyDictionary<string, int> Methods,
    IReadOnlyDictionary<int, int> Statuses,
    IReadOnlyList<string> SampleHeads);

/// <summary>
/// Completes tasks at Stopwatch timestamps, from one dedicated thread that sleeps until the earliest one (Monitor.Wait
/// with the remaining time rounded up to whole milliseconds: late by under a millisecond, never early, no spinning).
/// </summary>
internal sealed class DueTimeScheduler : IDisposable
{
    private readonly PriorityQueue<TaskCompletionSource, long> _queue = new();
    private readonly object _gate = new();
    private bool _stopped;

    public DueTimeScheduler() => new Thread(Run) { IsBackground = true, Name = "DelayProxy timer" }.Start();

    public Task WhenDue(long timestamp)
    {
        if (timestamp <= Stopwatch.GetTimestamp())
        {
            return Task.CompletedTask;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _queue.Enqueue(done, timestamp);
            if (_queue.TryPeek(out var first, out _) && first == done)
            {
                Monitor.Pulse(_gate); // earlier than what the thread sleeps for
            }
        }
        return done.Task;
    }

    private void Run()
    {
        lock (_gate)
        {
            while (!_stopped)
            {
                if (!_queue.TryPeek(out var next, out var due))
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                var remaining = due - Stopwatch.GetTimestamp();
                if (remaining > 0)
                {
                    Monitor.Wait(_gate, (int)Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency));
                    continue;
                }
                _queue.Dequeue();
                next.TrySetResult();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.Pulse(_gate);
        }
    }
}
