using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StaticAssets.Bench;

/// <summary>
/// What the benchmark counts of the HTTP/1.1 traffic through the <see cref="DelayProxy"/>, from the bytes as they
/// pass: requests (framed by their head and Content-Length), their methods, Expect: 100-continue headers, response
/// status codes ("HTTP/1.1 100 Continue" is interim) and bytes each way. It also notes, per connection, what a client
/// that reads its responses correctly never causes, and what the soak mode must explain:
/// <list type="bullet">
/// <item>a request that got no response before its connection closed (with how much of its body was sent);</item>
/// <item>a request sent before the previous request's final response on the same connection (HTTP/1.1 clients here
/// do not pipeline: such bytes mean the client took some response as the previous request's, or gave up on it and
/// reused the connection);</item>
/// <item>a PUT answered 200 with an ETag that is not the MD5 of the body sent on that request (Ceph RGW's ETag of a
/// whole object or a part): an answer to another request.</item>
/// </list>
/// Each such exchange, and every response of status 400 or more, is kept (up to <see cref="MaxNotable"/>) as one
/// <see cref="NotableExchange"/>.
/// </summary>
internal sealed class HttpTrafficCounters
{
    private const int SampleHeads = 6;
    private const int MaxHead = 16 * 1024;
    private const int MaxNotable = 5_000;

    private readonly ConcurrentDictionary<string, int> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentQueue<string> _heads = new();
    private readonly ConcurrentQueue<NotableExchange> _notable = new();
    private int _requests;
    private int _expectContinue;
    private int _continues;
    private int _unanswered;
    private int _sentBeforeResponse;
    private int _etagsChecked;
    private int _etagMismatches;
    private long _bytesUp;
    private long _bytesDown;

    public ProxyStats Snapshot(int connections, int peakOpenConnections) => new(
        Volatile.Read(ref _requests),
        connections,
        peakOpenConnections,
        Volatile.Read(ref _expectContinue),
        Volatile.Read(ref _continues),
        Interlocked.Read(ref _bytesUp),
        Interlocked.Read(ref _bytesDown),
        new SortedDictionary<string, int>(_methods, StringComparer.Ordinal),
        new SortedDictionary<int, int>(_statuses),
        [.. _heads])
    {
        Unanswered = Volatile.Read(ref _unanswered),
        SentBeforeResponse = Volatile.Read(ref _sentBeforeResponse),
        EtagsChecked = Volatile.Read(ref _etagsChecked),
        EtagMismatches = Volatile.Read(ref _etagMismatches),
        Notable = [.. _notable],
    };

    public void Reset()
    {
        Volatile.Write(ref _requests, 0);
        Volatile.Write(ref _expectContinue, 0);
        Volatile.Write(ref _continues, 0);
        Volatile.Write(ref _unanswered, 0);
        Volatile.Write(ref _sentBeforeResponse, 0);
        Volatile.Write(ref _etagsChecked, 0);
        Volatile.Write(ref _etagMismatches, 0);
        Interlocked.Exchange(ref _bytesUp, 0);
        Interlocked.Exchange(ref _bytesDown, 0);
        _methods.Clear();
        _statuses.Clear();
        _heads.Clear();
        _notable.Clear();
    }

    /// <summary>A new connection: what watches its two directions.</summary>
    public Connection Watch() => new(this);

    private void Note(Request request, string what)
    {
        if (_notable.Count < MaxNotable)
        {
            _notable.Enqueue(new NotableExchange(request.Method, request.Target, what));
        }
    }

    /// <summary>One request on a connection: its head and how much of its body went up.</summary>
    private sealed class Request(string method, string target, long contentLength, bool framed)
    {
        public string Method { get; } = method;
        public string Target { get; } = target;
        public long ContentLength { get; } = contentLength;

        /// <summary>False for a body without Content-Length (chunked): its end is not known, so the next request is
        /// taken to start with the client's first bytes after the final response, as before framing.</summary>
        public bool Framed { get; } = framed;
        public long BodySent { get; set; }
        public IncrementalHash? Md5 { get; set; }
        public string? BodyMd5 { get; set; }
        public bool BodyComplete => Framed && BodySent >= ContentLength;
    }

    /// <summary>One connection's state; its two directions call in from two tasks, so it is guarded by one lock.</summary>
    public sealed class Connection(HttpTrafficCounters counters)
    {
        private readonly object _gate = new();
        private readonly MemoryStream _head = new();
        private bool _inHead;

        /// <summary>The request whose head or body is going up now (null between requests).</summary>
        private Request? _sending;

        /// <summary>Requests sent and not answered yet, oldest first (more than one only if the client pipelined).</summary>
        private readonly Queue<Request> _waiting = new();

        public void Up(ReadOnlyMemory<byte> chunk)
        {
            Interlocked.Add(ref counters._bytesUp, chunk.Length);
            lock (_gate)
            {
                var rest = chunk.Span;
                while (!rest.IsEmpty)
                {
                    if (_inHead)
                    {
                        rest = ReadHead(rest);
                    }
                    else if (_sending is { Framed: true, BodyComplete: false } body)
                    {
                        var take = (int)Math.Min(rest.Length, body.ContentLength - body.BodySent);
                        body.Md5?.AppendData(rest[..take]);
                        body.BodySent += take;
                        rest = rest[take..];
                        if (body.BodyComplete)
                        {
                            FinishBody(body);
                        }
                    }
                    else if (_sending is { Framed: false } unframed && _waiting.Contains(unframed))
                    {
                        unframed.BodySent += rest.Length; // still its body: no final response yet
                        rest = [];
                    }
                    else
                    {
                        // A new request. Bytes before the previous request's final response: the client sent it early.
                        if (_waiting.Count > 0)
                        {
                            Interlocked.Increment(ref counters._sentBeforeResponse);
                            counters.Note(_waiting.Peek(), "next request sent before this one's response");
                        }
                        Interlocked.Increment(ref counters._requests);
                        _head.SetLength(0);
                        _inHead = true;
                        _sending = null;
                    }
                }
            }
        }

        public void Down(ReadOnlyMemory<byte> chunk)
        {
            Interlocked.Add(ref counters._bytesDown, chunk.Length);
            lock (_gate)
            {
                ObserveResponse(chunk.Span);
            }
        }

        /// <summary>The connection ended: a request still waiting got no response.</summary>
        public void Closed()
        {
            lock (_gate)
            {
                while (_waiting.TryDequeue(out var request))
                {
                    Interlocked.Increment(ref counters._unanswered);
                    counters.Note(request, request.Framed && !request.BodyComplete
                        ? $"no response (body {request.BodySent} of {request.ContentLength} bytes sent)"
                        : "no response");
                }
            }
        }

        private ReadOnlySpan<byte> ReadHead(ReadOnlySpan<byte> rest)
        {
            var before = (int)_head.Length;
            _head.Write(rest);
            var bytes = _head.GetBuffer().AsSpan(0, (int)_head.Length);
            var end = bytes.IndexOf("\r\n\r\n"u8);
            if (end < 0 && bytes.Length < MaxHead)
            {
                return [];
            }
            _inHead = false;
            var headLength = end >= 0 ? end + 4 : bytes.Length;
            var request = Parse(bytes[..(end >= 0 ? end : bytes.Length)]);
            _sending = request;
            _waiting.Enqueue(request);
            if (request.BodyComplete)
            {
                FinishBody(request);
            }
            return rest[Math.Min(rest.Length, headLength - before)..];
        }

        private Request Parse(ReadOnlySpan<byte> bytes)
        {
            var head = Encoding.ASCII.GetString(bytes);
            var lines = head.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            var method = requestLine.Length > 1 && requestLine[0].Length < 16 ? requestLine[0] : "?";
            counters._methods.AddOrUpdate(method, 1, (_, n) => n + 1);
            if (head.Contains("\r\nExpect: 100-continue", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref counters._expectContinue);
            }
            if (counters._heads.Count < SampleHeads && method != "GET")
            {
                // The signature is not a secret, but it names the access key: keep it out of the output anyway.
                counters._heads.Enqueue(string.Join("\n", lines.Select(line =>
                    line.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase) ? "Authorization: (redacted)" : line)));
            }
            long length = 0;
            var chunked = false;
            foreach (var line in lines.Skip(1))
            {
                if (Header(line, "Content-Length") is { } value)
                {
                    length = long.Parse(value, CultureInfo.InvariantCulture);
                }
                chunked |= Header(line, "Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
            }
            return new Request(method, requestLine.Length > 1 ? requestLine[1] : "", length, framed: !chunked)
            {
                Md5 = method == "PUT" && !chunked ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null,
            };
        }

        private static void FinishBody(Request request)
        {
            if (request.Md5 is { } md5)
            {
                request.BodyMd5 = Convert.ToHexStringLower(md5.GetHashAndReset());
                md5.Dispose();
                request.Md5 = null;
            }
        }

        /// <summary>Counts the status lines that start a chunk; a final one (anything but "100 Continue") answers the
        /// oldest waiting request.</summary>
        private void ObserveResponse(ReadOnlySpan<byte> chunk)
        {
            var rest = chunk;
            while (rest.StartsWith("HTTP/1.1 "u8) && rest.Length >= 12)
            {
                var status = (rest[9] - '0') * 100 + (rest[10] - '0') * 10 + (rest[11] - '0');
                counters._statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                var end = rest.IndexOf("\r\n\r\n"u8);
                if (status != 100)
                {
                    Answer(status, Encoding.ASCII.GetString(end >= 0 ? rest[..end] : rest), end >= 0 ? ErrorCode(rest[(end + 4)..]) : null);
                    return;
                }
                Interlocked.Increment(ref counters._continues);
                if (end < 0)
                {
                    return;
                }
                rest = rest[(end + 4)..]; // bytes after the interim response belong to the final one
            }
        }

        /// <summary>The S3 error code of an error response's body (<c>&lt;Code&gt;NoSuchUpload&lt;/Code&gt;</c>), where this
        /// chunk has it.</summary>
        private static string? ErrorCode(ReadOnlySpan<byte> body)
        {
            var start = body.IndexOf("<Code>"u8);
            if (start < 0)
            {
                return null;
            }
            var code = body[(start + "<Code>".Length)..];
            var end = code.IndexOf((byte)'<');
            return end > 0 && end < 64 ? Encoding.ASCII.GetString(code[..end]) : null;
        }

        private void Answer(int status, string head, string? errorCode)
        {
            if (!_waiting.TryDequeue(out var request))
            {
                return;
            }
            if (status >= 400)
            {
                counters.Note(request, (errorCode is null ? status.ToString(CultureInfo.InvariantCulture) : $"{status} {errorCode}")
                                       + (request.Framed && !request.BodyComplete ? $" (body {request.BodySent} of {request.ContentLength} bytes sent)" : ""));
            }
            if (status == 200 && request.BodyMd5 is { } md5
                && head.Split("\r\n").Select(line => Header(line, "ETag")).FirstOrDefault(v => v is not null) is { } etag
                && etag.Trim('"') is { Length: 32 } hex)
            {
                Interlocked.Increment(ref counters._etagsChecked);
                if (!hex.Equals(md5, StringComparison.OrdinalIgnoreCase))
                {
                    Interlocked.Increment(ref counters._etagMismatches);
                    counters.Note(request, $"200 with ETag {hex}, not the MD5 {md5} of the body sent");
                }
            }
        }

        private static string? Header(string line, string name) =>
            line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.OrdinalIgnoreCase)
                ? line[(name.Length + 1)..].Trim()
                : null;
    }
}

/// <summary>A request the client should explain: its method, request target (path and query) and what happened.</summary>
internal sealed record NotableExchange(string Method, string Target, string What);

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
    IReadOnlyList<string> SampleHeads)
{
    /// <summary>Requests whose connection closed before their final response.</summary>
    public int Unanswered { get; init; }

    /// <summary>Requests sent on a connection while an earlier request on it still waited for its response.</summary>
    public int SentBeforeResponse { get; init; }

    /// <summary>200 responses to PUTs whose ETag was compared with the MD5 of the body sent.</summary>
    public int EtagsChecked { get; init; }

    /// <summary>Of those, ETags that were not that MD5: a response to another request.</summary>
    public int EtagMismatches { get; init; }

    public IReadOnlyList<NotableExchange> Notable { get; init; } = [];
}
