using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace StaticAssets.Testing;

/// <summary>What the proxy did to one request.</summary>
public enum ProxyFault
{
    /// <summary>Relayed untouched.</summary>
    None,

    /// <summary>Answered "503 SlowDown" by the proxy; the server never saw it.</summary>
    SlowDown,

    /// <summary>Answered "500 InternalError" by the proxy; the server never saw it.</summary>
    InternalError,

    /// <summary>Part of the body was relayed, then both connections were reset (RST).</summary>
    Reset,

    /// <summary>Relayed to the server, whose response was held back until the client gave up (or the hold ended,
    /// then the connection was reset): the object may be stored although the client saw no answer.</summary>
    Stall,

    /// <summary>Answered "500 InternalError" because PUTs are blocked (<see cref="CountingProxy.BlockPutsAfter"/>).</summary>
    Blocked,
}

/// <summary>A request held by the proxy before it is relayed, until the test releases it.</summary>
public sealed class RequestGate(Func<string, string, bool> match)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<string, string, bool> Match { get; } = match;

    /// <summary>Completes when a matching request arrived (and is being held).</summary>
    public Task Reached => _reached.Task;

    internal Task Released => _released.Task;

    internal void Arrive() => _reached.TrySetResult();

    /// <summary>Lets the held request go on to the server.</summary>
    public void Release() => _released.TrySetResult();
}

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the S3 server that observes what the client really sends (connections open
/// at once, each request's method and path in order) and injects faults deterministically: errors for a seeded
/// share or every Nth PUT, resets in the middle of a body, responses held back past the client's timeout, latency
/// per chunk, and a permanent block of PUTs after the first K. Requests are framed by their Content-Length (the AWS
/// SDK does not pipeline), so an injected error answers exactly one request and the connection stays usable.
/// </summary>
public sealed class CountingProxy : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;
    private const int MaxHead = 64 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly Task _accepting;
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _transientFaultsByPath = new(StringComparer.Ordinal);
    private readonly Dictionary<ProxyFault, int> _faults = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _putWaiters = [];
    private readonly List<RequestGate> _gates = [];
    private int _open;
    private int _peakOpen;
    private int _expectContinue;
    private long _latencyTicks;

    // Fault settings and counters; all read and changed under _gate.
    private int _slowDownLeft;
    private int _resetsLeft;
    private int _stallsLeft;
    private string? _stallMethod;
    private TimeSpan _stallHold;
    private Random? _errorRandom;
    private double _errorShare;
    private int _everyNth;
    private int _putsSeen;
    private int _transientErrors;
    private int _putsAllowedBeforeBlock = -1;
    private Func<string, bool>? _blockExempt;
    private int _putsPassedBeforeBlock;
    private int _maxTransientFaultsPerPath = int.MaxValue;

    public CountingProxy(Uri upstream)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int PeakOpenConnections => Volatile.Read(ref _peakOpen);

    /// <summary>Requests that asked to wait for "100 Continue" before sending their body (a round trip each).</summary>
    public int ExpectContinueRequests => Volatile.Read(ref _expectContinue);

    /// <summary>
    /// Every request, in the order their heads arrived: "METHOD /path" if relayed untouched, otherwise prefixed by
    /// what was done to it: "503 ", "500 " (a transient error), "RST " (reset mid-body), "STALL " (relayed, answer
    /// held back), "BLOCKED " (500 from a permanent block).
    /// </summary>
    public IReadOnlyList<string> Requests => _requests.ToArray();

    /// <summary>Added before relaying each chunk, in each direction (so about twice this per round trip).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>Caps the transient faults (errors, resets, stalls) one path receives, so that a client with enough
    /// attempts always gets through whatever the interleaving; permanent blocks ignore it.</summary>
    public int MaxTransientFaultsPerPath
    {
        get { lock (_gate) return _maxTransientFaultsPerPath; }
        set { lock (_gate) _maxTransientFaultsPerPath = value; }
    }

    /// <summary>How many requests received each kind of fault since the last <see cref="Reset"/>.</summary>
    public int FaultCount(ProxyFault fault)
    {
        lock (_gate)
        {
            return _faults.GetValueOrDefault(fault);
        }
    }

    /// <summary>The next <paramref name="count"/> PUT requests get "503 SlowDown", as a throttling S3 endpoint
    /// answers; they never reach the server.</summary>
    public void FailNextPuts(int count)
    {
        lock (_gate)
        {
            _slowDownLeft = count;
        }
    }

    /// <summary>A share of the PUT requests, drawn from a Random seeded with <paramref name="seed"/> in the order
    /// the PUTs arrive, get an error; the errors alternate 503 SlowDown and 500 InternalError.</summary>
    public void FailShareOfPuts(double share, int seed)
    {
        lock (_gate)
        {
            _errorShare = share;
            _errorRandom = new Random(seed);
        }
    }

    /// <summary>Every <paramref name="n"/>th PUT (the nth, 2nth, ...) gets an error, alternately 503 and 500.</summary>
    public void FailEveryNthPut(int n)
    {
        lock (_gate)
        {
            _everyNth = n;
        }
    }

    /// <summary>The next <paramref name="count"/> PUTs with a body: half the body reaches the server, then both
    /// connections are reset (RST, no FIN).</summary>
    public void ResetNextPuts(int count)
    {
        lock (_gate)
        {
            _resetsLeft = count;
        }
    }

    /// <summary>The next <paramref name="count"/> requests with method <paramref name="method"/> reach the server,
    /// but their response is held back until the client closes the connection, or for at most
    /// <paramref name="hold"/> (then the connection is reset). Make the hold longer than the client's timeout.</summary>
    public void StallNextRequests(int count, string method, TimeSpan hold)
    {
        lock (_gate)
        {
            _stallsLeft = count;
            _stallMethod = method;
            _stallHold = hold;
        }
    }

    /// <summary>After <paramref name="allowed"/> PUTs went through, every further PUT gets "500 InternalError",
    /// every time, except those whose path <paramref name="exempt"/> accepts.</summary>
    public void BlockPutsAfter(int allowed, Func<string, bool>? exempt = null)
    {
        lock (_gate)
        {
            _putsAllowedBeforeBlock = allowed;
            _putsPassedBeforeBlock = 0;
            _blockExempt = exempt;
        }
    }

    /// <summary>Holds the next request for which <paramref name="match"/>(method, path) is true before relaying it,
    /// until the returned gate is released: makes an interleaving of two clients deterministic.</summary>
    public RequestGate HoldNext(Func<string, string, bool> match)
    {
        var gate = new RequestGate(match);
        lock (_gate)
        {
            _gates.Add(gate);
        }
        return gate;
    }

    /// <summary>Turns every fault off (latency included); counters and the request log stay.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _slowDownLeft = _resetsLeft = _stallsLeft = _everyNth = 0;
            _errorRandom = null;
            _putsAllowedBeforeBlock = -1;
            _blockExempt = null;
        }
        Latency = TimeSpan.Zero;
    }

    /// <summary>Completes once the proxy has seen <paramref name="count"/> PUT requests (faulted ones included)
    /// since it started or since the last <see cref="Reset"/>.</summary>
    public Task WhenPutsSeen(int count)
    {
        lock (_gate)
        {
            if (_putsSeen >= count)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _putWaiters.Add((count, done));
            return done.Task;
        }
    }

    public void Reset()
    {
        _requests.Clear();
        Volatile.Write(ref _expectContinue, 0);
        Volatile.Write(ref _peakOpen, Volatile.Read(ref _open));
        lock (_gate)
        {
            _faults.Clear();
            _putsSeen = 0;
            _transientFaultsByPath.Clear();
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

    /// <summary>One client connection and its server connection.</summary>
    private sealed class Link(Socket client, Socket server, CancellationToken stop) : IDisposable
    {
        private readonly CancellationTokenSource _abort = CancellationTokenSource.CreateLinkedTokenSource(stop);

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        public CancellationToken Aborted => _abort.Token;

        public SemaphoreSlim ClientWrites { get; } = new(1, 1);

        private long _stallNextResponseTicks = -1;
        private int _stalling;

        /// <summary>Set (to the hold) before a stalled request is relayed: the server's next bytes are its response.</summary>
        public void StallNextResponse(TimeSpan hold) => Interlocked.Exchange(ref _stallNextResponseTicks, hold.Ticks);

        /// <summary>The hold if the response now arriving must be held back (once), or null.</summary>
        public TimeSpan? TakeStall()
        {
            var ticks = Interlocked.Exchange(ref _stallNextResponseTicks, -1);
            if (ticks < 0)
            {
                return null;
            }
            Volatile.Write(ref _stalling, 1);
            return TimeSpan.FromTicks(ticks);
        }

        /// <summary>A response is being held back: the client closing its side means it gave up on it.</summary>
        public bool Stalling => Volatile.Read(ref _stalling) == 1;

        /// <summary>Ends both connections at once with RST, as a crashed middlebox or peer would.</summary>
        public void Abort()
        {
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            foreach (var socket in new[] { Client, Server })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (Exception)
                {
                    // Already closed.
                }
            }
        }

        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
            ClientWrites.Dispose();
            _abort.Dispose();
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var open = Interlocked.Increment(ref _open);
        for (var peak = Volatile.Read(ref _peakOpen); open > peak; peak = Volatile.Read(ref _peakOpen))
        {
            if (Interlocked.CompareExchange(ref _peakOpen, open, peak) == peak)
            {
                break;
            }
        }
        client.NoDelay = true;
        using var link = new Link(client, new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, _stop.Token);
        try
        {
            await link.Server.ConnectAsync(_upstream, link.Aborted);
            var up = RequestsAsync(link);
            var down = ResponsesAsync(link);
            var first = await Task.WhenAny(up, down);
            if (first.IsFaulted || first.IsCanceled)
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
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>Bytes read from the client and not yet handled.</summary>
    private sealed class Pending
    {
        public byte[] Buffer { get; } = new byte[MaxHead + ChunkSize];

        public int Start;

        public int End;

        public int Count => End - Start;

        public void Compact()
        {
            if (Start > 0)
            {
                Array.Copy(Buffer, Start, Buffer, 0, Count);
                End -= Start;
                Start = 0;
            }
        }
    }

    /// <summary>Client to server, one request at a time: read its head, decide its fault, then relay, answer or
    /// break it.</summary>
    private async Task RequestsAsync(Link link)
    {
        var pending = new Pending();
        while (true)
        {
            var headLength = await ReadHeadAsync(link, pending);
            if (headLength < 0)
            {
                if (link.Stalling)
                {
                    link.Abort(); // the client gave up waiting for the held-back response
                    return;
                }
                link.Server.Shutdown(SocketShutdown.Send);
                return;
            }
            var head = Encoding.ASCII.GetString(pending.Buffer, pending.Start, headLength);
            var (method, path, contentLength, chunked, expectContinue) = ParseHead(head);
            if (expectContinue)
            {
                Interlocked.Increment(ref _expectContinue);
            }
            var fault = Decide(method, path, contentLength);
            var request = $"{method} {path}";
            _requests.Enqueue(fault switch
            {
                ProxyFault.None => request,
                ProxyFault.SlowDown => "503 " + request,
                ProxyFault.InternalError => "500 " + request,
                ProxyFault.Reset => "RST " + request,
                ProxyFault.Stall => "STALL " + request,
                _ => "BLOCKED " + request,
            });

            RequestGate? held;
            lock (_gate)
            {
                held = _gates.FirstOrDefault(g => g.Match(method, path));
                if (held is not null)
                {
                    _gates.Remove(held);
                }
            }
            if (held is not null)
            {
                held.Arrive();
                await held.Released.WaitAsync(link.Aborted);
            }

            if (chunked)
            {
                // Not framed by Content-Length (the SDK never sends this): relay the rest of the connection as is.
                await RelayRawAsync(link.Client, link.Server, pending, link.Aborted);
                return;
            }

            switch (fault)
            {
                case ProxyFault.None or ProxyFault.Stall:
                    if (fault == ProxyFault.Stall)
                    {
                        TimeSpan hold;
                        lock (_gate)
                        {
                            hold = _stallHold;
                        }
                        link.StallNextResponse(hold);
                    }
                    await RelayAsync(link, pending, headLength + contentLength);
                    break;

                case ProxyFault.Reset:
                    await RelayAsync(link, pending, headLength + contentLength / 2);
                    // Let the partial body reach the server before the RST discards what is unsent.
                    await Task.Delay(50, link.Aborted);
                    link.Abort();
                    return;

                default:
                    pending.Start += headLength;
                    if (expectContinue)
                    {
                        // The client waits before sending its body: answer and close, as S3 does.
                        await AnswerAsync(link, fault, close: true);
                        link.Client.Shutdown(SocketShutdown.Send);
                        link.Server.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    await DiscardAsync(link, pending, contentLength);
                    await AnswerAsync(link, fault, close: false);
                    break;
            }
        }
    }

    /// <summary>Reads until the buffer holds a whole request head; its length including the blank line, or -1 at
    /// the end of the client's stream.</summary>
    private static async Task<int> ReadHeadAsync(Link link, Pending pending)
    {
        while (true)
        {
            var end = pending.Buffer.AsSpan(pending.Start, pending.Count).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return end + 4;
            }
            if (pending.Count >= MaxHead)
            {
                throw new InvalidDataException("A request head larger than 64 KB.");
            }
            pending.Compact();
            var n = await link.Client.ReceiveAsync(pending.Buffer.AsMemory(pending.End), SocketFlags.None, link.Aborted);
            if (n == 0)
            {
                return -1;
            }
            pending.End += n;
        }
    }

    private static (string Method, string Path, long ContentLength, bool Chunked, bool ExpectContinue) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        long contentLength = 0;
        var chunked = false;
        var expectContinue = false;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
            else if (name.Equals("Expect", StringComparison.OrdinalIgnoreCase) && value.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
            {
                expectContinue = true;
            }
        }
        return (requestLine[0], requestLine.Length >= 2 ? requestLine[1] : "", contentLength, chunked, expectContinue);
    }

    private ProxyFault Decide(string method, string path, long contentLength)
    {
        lock (_gate)
        {
            var fault = DecideLocked(method, path, contentLength);
            _faults[fault] = _faults.GetValueOrDefault(fault) + 1;
            if (fault is not (ProxyFault.None or ProxyFault.Blocked))
            {
                _transientFaultsByPath[path] = _transientFaultsByPath.GetValueOrDefault(path) + 1;
            }
            if (method == "PUT")
            {
                _putsSeen++;
                for (var i = _putWaiters.Count - 1; i >= 0; i--)
                {
                    if (_putsSeen >= _putWaiters[i].Count)
                    {
                        _putWaiters[i].Done.TrySetResult();
                        _putWaiters.RemoveAt(i);
                    }
                }
            }
            return fault;
        }
    }

    private ProxyFault DecideLocked(string method, string path, long contentLength)
    {
        if (method == "PUT" && _putsAllowedBeforeBlock >= 0 && !(_blockExempt?.Invoke(path) ?? false))
        {
            if (_putsPassedBeforeBlock >= _putsAllowedBeforeBlock)
            {
                return ProxyFault.Blocked;
            }
            _putsPassedBeforeBlock++;
        }
        var mayFault = _transientFaultsByPath.GetValueOrDefault(path) < _maxTransientFaultsPerPath;
        if (mayFault && _stallsLeft > 0 && method == _stallMethod)
        {
            _stallsLeft--;
            return ProxyFault.Stall;
        }
        if (method != "PUT")
        {
            return ProxyFault.None;
        }
        // Drawn for every PUT, faulted or not, so the sequence of decisions depends only on the order of PUTs.
        var drawn = _errorRandom is { } random && random.NextDouble() < _errorShare;
        var nth = _everyNth > 0 && (_putsSeen + 1) % _everyNth == 0;
        if (!mayFault)
        {
            return ProxyFault.None;
        }
        if (_slowDownLeft > 0)
        {
            _slowDownLeft--;
            return ProxyFault.SlowDown;
        }
        if (_resetsLeft > 0 && contentLength >= 2)
        {
            _resetsLeft--;
            return ProxyFault.Reset;
        }
        if (drawn || nth)
        {
            return _transientErrors++ % 2 == 0 ? ProxyFault.SlowDown : ProxyFault.InternalError;
        }
        return ProxyFault.None;
    }

    /// <summary>Relays <paramref name="count"/> bytes of the client's stream (buffered first) to the server.</summary>
    private async Task RelayAsync(Link link, Pending pending, long count)
    {
        while (count > 0)
        {
            if (pending.Count == 0)
            {
                pending.Start = pending.End = 0;
                var n = await link.Client.ReceiveAsync(pending.Buffer.AsMemory(0, ChunkSize), SocketFlags.None, link.Aborted);
                if (n == 0)
                {
                    throw new IOException("The client closed its connection in the middle of a request.");
                }
                pending.End = n;
            }
            var take = (int)Math.Min(count, pending.Count);
            await DelayAsync(link.Aborted);
            await SendAllAsync(link.Server, pending.Buffer.AsMemory(pending.Start, take), link.Aborted);
            pending.Start += take;
            count -= take;
        }
    }

    private static async Task DiscardAsync(Link link, Pending pending, long count)
    {
        while (count > 0)
        {
            if (pending.Count == 0)
            {
                pending.Start = pending.End = 0;
                var n = await link.Client.ReceiveAsync(pending.Buffer.AsMemory(0, ChunkSize), SocketFlags.None, link.Aborted);
                if (n == 0)
                {
                    throw new IOException("The client closed its connection in the middle of a request.");
                }
                pending.End = n;
            }
            var take = (int)Math.Min(count, pending.Count);
            pending.Start += take;
            count -= take;
        }
    }

    private async Task AnswerAsync(Link link, ProxyFault fault, bool close)
    {
        var (status, code, message) = fault == ProxyFault.SlowDown
            ? ("503 Slow Down", "SlowDown", "Please reduce your request rate.")
            : ("500 Internal Server Error", "InternalError", "We encountered an internal error. Please try again.");
        var body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>";
        var response = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {body.Length}\r\n" +
            (close ? "Connection: close\r\n" : "") + "\r\n" + body);
        await DelayAsync(link.Aborted);
        await link.ClientWrites.WaitAsync(link.Aborted);
        try
        {
            await SendAllAsync(link.Client, response, link.Aborted);
        }
        finally
        {
            link.ClientWrites.Release();
        }
    }

    /// <summary>Server to client, chunk by chunk; a stalled request's response is held back.</summary>
    private async Task ResponsesAsync(Link link)
    {
        var buffer = new byte[ChunkSize];
        while (true)
        {
            var n = await link.Server.ReceiveAsync(buffer, SocketFlags.None, link.Aborted);
            if (n == 0)
            {
                link.Client.Shutdown(SocketShutdown.Send);
                return;
            }
            if (link.TakeStall() is { } hold)
            {
                try
                {
                    await Task.Delay(hold, link.Aborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the client gave up first
                }
                link.Abort();
                return;
            }
            await DelayAsync(link.Aborted);
            await link.ClientWrites.WaitAsync(link.Aborted);
            try
            {
                await SendAllAsync(link.Client, buffer.AsMemory(0, n), link.Aborted);
            }
            finally
            {
                link.ClientWrites.Release();
            }
        }
    }

    private static async Task RelayRawAsync(Socket from, Socket to, Pending pending, CancellationToken cancellationToken)
    {
        if (pending.Count > 0)
        {
            await SendAllAsync(to, pending.Buffer.AsMemory(pending.Start, pending.Count), cancellationToken);
        }
        var buffer = new byte[ChunkSize];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }
            await SendAllAsync(to, buffer.AsMemory(0, n), cancellationToken);
        }
    }

    private Task DelayAsync(CancellationToken cancellationToken)
    {
        var latency = Latency;
        return latency > TimeSpan.Zero ? Task.Delay(latency, cancellationToken) : Task.CompletedTask;
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
        _stop.Dispose();
    }
}
