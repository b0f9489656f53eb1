using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace StaticAssets.Testing;

/// <summary>What the <see cref="CountingProxy"/> did to one request.</summary>
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

    /// <summary>Not injected: relayed untouched, and the client closed the connection before any answer came (it gave
    /// up, e.g. on its request timeout when the server is slow under load). Counted, not decided.</summary>
    Unanswered,
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
/// A <see cref="LoopbackProxy"/> in front of the S3 (or Azure Blob) server that observes what the client really
/// sends (connections open at once, each request's method and path in order) and injects faults deterministically:
/// errors for a seeded share or every Nth PUT, resets in the middle of a body, responses held back past the client's
/// timeout, latency per chunk, and a permanent block of PUTs after the first K. Requests are framed by their
/// Content-Length (the AWS SDK does not pipeline), so an injected error answers exactly one request and the
/// connection stays usable.
/// </summary>
public sealed class CountingProxy(Uri upstream) : LoopbackProxy(new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port))
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<(string Request, long Length)> _bodies = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _transientFaultsByPath = new(StringComparer.Ordinal);
    private readonly Dictionary<ProxyFault, int> _faults = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _putWaiters = [];
    private readonly List<RequestGate> _gates = [];
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

    /// <summary>Requests that asked to wait for "100 Continue" before sending their body (a round trip each).</summary>
    public int ExpectContinueRequests => Volatile.Read(ref _expectContinue);

    /// <summary>
    /// Every request, in the order their heads arrived: "METHOD /path" if relayed untouched, otherwise prefixed by
    /// what was done to it: "503 ", "500 " (a transient error), "RST " (reset mid-body), "STALL " (relayed, answer
    /// held back), "BLOCKED " (500 from a permanent block).
    /// </summary>
    public IReadOnlyList<string> Requests => _requests.ToArray();

    /// <summary>Every request ("METHOD /path") with the length of the body it carried, in the order their heads arrived.</summary>
    public IReadOnlyList<(string Request, long Length)> Bodies => _bodies.ToArray();

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
    public void FailNextPuts(int count) => Locked(() => _slowDownLeft = count);

    /// <summary>A share of the PUT requests, drawn from a Random seeded with <paramref name="seed"/> in the order
    /// the PUTs arrive, get an error; the errors alternate 503 SlowDown and 500 InternalError.</summary>
    public void FailShareOfPuts(double share, int seed) =>
        Locked(() => (_errorShare, _errorRandom) = (share, new Random(seed)));

    /// <summary>Every <paramref name="n"/>th PUT (the nth, 2nth, ...) gets an error, alternately 503 and 500.</summary>
    public void FailEveryNthPut(int n) => Locked(() => _everyNth = n);

    /// <summary>The next <paramref name="count"/> PUTs with a body: half the body reaches the server, then both
    /// connections are reset (RST, no FIN).</summary>
    public void ResetNextPuts(int count) => Locked(() => _resetsLeft = count);

    /// <summary>The next <paramref name="count"/> requests with method <paramref name="method"/> reach the server,
    /// but their response is held back until the client closes the connection, or for at most
    /// <paramref name="hold"/> (then the connection is reset). Make the hold longer than the client's timeout.</summary>
    public void StallNextRequests(int count, string method, TimeSpan hold) =>
        Locked(() => (_stallsLeft, _stallMethod, _stallHold) = (count, method, hold));

    /// <summary>After <paramref name="allowed"/> PUTs went through, every further PUT gets "500 InternalError",
    /// every time, except those whose path <paramref name="exempt"/> accepts.</summary>
    public void BlockPutsAfter(int allowed, Func<string, bool>? exempt = null) =>
        Locked(() => (_putsAllowedBeforeBlock, _putsPassedBeforeBlock, _blockExempt) = (allowed, 0, exempt));

    /// <summary>Holds the next request for which <paramref name="match"/>(method, path) is true before relaying it,
    /// until the returned gate is released: makes an interleaving of two clients deterministic.</summary>
    public RequestGate HoldNext(Func<string, string, bool> match)
    {
        var gate = new RequestGate(match);
        Locked(() => _gates.Add(gate));
        return gate;
    }

    /// <summary>Turns every fault off (latency included); counters and the request log stay.</summary>
    public void ClearFaults()
    {
        Locked(() =>
        {
            _slowDownLeft = _resetsLeft = _stallsLeft = _everyNth = 0;
            _errorRandom = null;
            _putsAllowedBeforeBlock = -1;
            _blockExempt = null;
        });
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

    /// <summary>Clears the request log and zeroes the counters; the fault settings stay.</summary>
    public void Reset()
    {
        _requests.Clear();
        Volatile.Write(ref _expectContinue, 0);
        ResetConnectionCounts();
        Locked(() =>
        {
            _faults.Clear();
            _putsSeen = 0;
            _transientFaultsByPath.Clear();
        });
    }

    /// <summary>Changes fault settings or counters: all are read and changed under one lock.</summary>
    private void Locked(Action change)
    {
        lock (_gate)
        {
            change();
        }
    }

    protected override (Task Up, Task Down) Relay(ProxyLink link)
    {
        var responses = new ResponseControl();
        return (RequestsAsync(link, responses), ResponsesAsync(link, responses));
    }

    /// <summary>Client to server, one request at a time: read its head, decide its fault, then relay, answer or
    /// break it.</summary>
    private async Task RequestsAsync(ProxyLink link, ResponseControl responses)
    {
        try
        {
            await RelayRequestsAsync(link, responses);
        }
        finally
        {
            if (responses.Awaiting is { } unanswered && !responses.Stalling)
            {
                // The client left with a relayed request unanswered: a retry follows that no fault explains.
                Locked(() => _faults[ProxyFault.Unanswered] = _faults.GetValueOrDefault(ProxyFault.Unanswered) + 1);
                _requests.Enqueue("UNANSWERED " + unanswered);
            }
        }
    }

    private async Task RelayRequestsAsync(ProxyLink link, ResponseControl responses)
    {
        var reader = new RequestReader(link.Client, link.Aborted);
        while (await reader.ReadHeadAsync() is { } head)
        {
            if (head.ExpectContinue)
            {
                Interlocked.Increment(ref _expectContinue);
            }
            var fault = Decide(head.Method, head.Path, head.ContentLength);
            Log(fault, $"{head.Method} {head.Path}");
            _bodies.Enqueue(($"{head.Method} {head.Path}", head.ContentLength));
            await WhileHeldAsync(head, link.Aborted);

            if (head.Chunked)
            {
                // Not framed by Content-Length (the SDK never sends this): relay the rest of the connection as is.
                await SendAllAsync(link.Server, reader.Unread, link.Aborted);
                await CopyAsync(link.Client, link.Server, link.Aborted);
                return;
            }
            switch (fault)
            {
                case ProxyFault.None or ProxyFault.Stall:
                    if (fault == ProxyFault.Stall)
                    {
                        responses.StallNext(StallHold);
                    }
                    else
                    {
                        responses.AwaitAnswer($"{head.Method} {head.Path}");
                    }
                    await RelayAsync(link, reader, head.Length + head.ContentLength);
                    break;

                case ProxyFault.Reset:
                    await RelayAsync(link, reader, head.Length + head.ContentLength / 2);
                    // Let the partial body reach the server before the RST discards what is unsent.
                    await Task.Delay(50, link.Aborted);
                    link.Abort();
                    return;

                default:
                    await reader.SkipAsync(head.Length);
                    if (head.ExpectContinue)
                    {
                        // The client waits before sending its body: answer and close, as S3 does.
                        await AnswerAsync(link, responses, fault, close: true);
                        link.Client.Shutdown(SocketShutdown.Send);
                        link.Server.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    await reader.SkipAsync(head.ContentLength);
                    await AnswerAsync(link, responses, fault, close: false);
                    break;
            }
        }
        if (responses.Stalling)
        {
            link.Abort(); // the client gave up waiting for the held-back response
            return;
        }
        link.Server.Shutdown(SocketShutdown.Send);
    }

    private void Log(ProxyFault fault, string request) => _requests.Enqueue(fault switch
    {
        ProxyFault.None => request,
        ProxyFault.SlowDown => "503 " + request,
        ProxyFault.InternalError => "500 " + request,
        ProxyFault.Reset => "RST " + request,
        ProxyFault.Stall => "STALL " + request,
        _ => "BLOCKED " + request,
    });

    /// <summary>Holds the request while a <see cref="HoldNext"/> gate that matches it is closed.</summary>
    private async Task WhileHeldAsync(RequestHead head, CancellationToken cancellationToken)
    {
        RequestGate? held;
        lock (_gate)
        {
            held = _gates.FirstOrDefault(g => g.Match(head.Method, head.Path));
            if (held is not null)
            {
                _gates.Remove(held);
            }
        }
        if (held is not null)
        {
            held.Arrive();
            await held.Released.WaitAsync(cancellationToken);
        }
    }

    private TimeSpan StallHold
    {
        get { lock (_gate) return _stallHold; }
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

    /// <summary>Relays the next <paramref name="count"/> bytes of the client's stream to the server.</summary>
    private Task RelayAsync(ProxyLink link, RequestReader reader, long count) => reader.TakeAsync(count, async chunk =>
    {
        await DelayAsync(link.Aborted);
        await SendAllAsync(link.Server, chunk, link.Aborted);
    });

    private async Task AnswerAsync(ProxyLink link, ResponseControl responses, ProxyFault fault, bool close)
    {
        var (status, code, message) = fault == ProxyFault.SlowDown
            ? ("503 Slow Down", "SlowDown", "Please reduce your request rate.")
            : ("500 Internal Server Error", "InternalError", "We encountered an internal error. Please try again.");
        var body = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>";
        var response = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {body.Length}\r\n" +
            (close ? "Connection: close\r\n" : "") + "\r\n" + body);
        await SendToClientAsync(link, responses, response);
    }

    /// <summary>Server to client, chunk by chunk; a stalled request's response is held back, then the link reset.</summary>
    private async Task ResponsesAsync(ProxyLink link, ResponseControl responses)
    {
        await PumpAsync(link.Server, async chunk =>
        {
            responses.Answered();
            if (responses.TakeStall() is { } hold)
            {
                await Task.Delay(hold, link.Aborted); // canceled when the client gives up first
                link.Abort();
                link.Aborted.ThrowIfCancellationRequested();
            }
            await SendToClientAsync(link, responses, chunk);
        }, link.Aborted);
        link.Client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Both the server's responses and the proxy's own answers go to the client: one at a time.</summary>
    private async ValueTask SendToClientAsync(ProxyLink link, ResponseControl responses, ReadOnlyMemory<byte> data)
    {
        await DelayAsync(link.Aborted);
        await responses.ClientWrites.WaitAsync(link.Aborted);
        try
        {
            await SendAllAsync(link.Client, data, link.Aborted);
        }
        finally
        {
            responses.ClientWrites.Release();
        }
    }

    private Task DelayAsync(CancellationToken cancellationToken)
    {
        var latency = Latency;
        return latency > TimeSpan.Zero ? Task.Delay(latency, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>What the request side of one link tells its response side, and the one writer to the client.</summary>
    private sealed class ResponseControl
    {
        private long _stallNextResponseTicks = -1;
        private int _stalling;
        private string? _awaiting;

        // Nothing to dispose: a SemaphoreSlim holds an OS handle only once its AvailableWaitHandle is asked for.
        public SemaphoreSlim ClientWrites { get; } = new(1, 1);

        /// <summary>Set (to the hold) before a stalled request is relayed: the server's next bytes are its response.</summary>
        public void StallNext(TimeSpan hold) => Interlocked.Exchange(ref _stallNextResponseTicks, hold.Ticks);

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

        /// <summary>The relayed request whose answer has not begun (HTTP/1.1 without pipelining: at most one).</summary>
        public string? Awaiting => Volatile.Read(ref _awaiting);

        public void AwaitAnswer(string request) => Volatile.Write(ref _awaiting, request);

        public void Answered() => Volatile.Write(ref _awaiting, null);
    }
}
