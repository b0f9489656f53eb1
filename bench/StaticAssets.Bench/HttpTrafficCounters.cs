using System.Collections.Concurrent;
using System.Text;

namespace StaticAssets.Bench;

/// <summary>
/// What the benchmark counts of the HTTP/1.1 traffic through the <see cref="DelayProxy"/>, from the bytes as they
/// pass (nothing is parsed or framed): requests (the client's first bytes after a final response; "HTTP/1.1 100
/// Continue" is interim), their methods, Expect: 100-continue headers, response status codes and bytes each way.
/// </summary>
internal sealed class HttpTrafficCounters
{
    private const int SampleHeads = 6;

    private readonly ConcurrentDictionary<string, int> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private readonly ConcurrentQueue<string> _heads = new();
    private int _requests;
    private int _expectContinue;
    private int _continues;
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
        [.. _heads]);

    public void Reset()
    {
        Volatile.Write(ref _requests, 0);
        Volatile.Write(ref _expectContinue, 0);
        Volatile.Write(ref _continues, 0);
        Interlocked.Exchange(ref _bytesUp, 0);
        Interlocked.Exchange(ref _bytesDown, 0);
        _methods.Clear();
        _statuses.Clear();
        _heads.Clear();
    }

    /// <summary>A new connection: what watches its two directions.</summary>
    public Connection Watch() => new(this);

    /// <summary>One connection's state: whether the client's next bytes start a request, and the head so far.</summary>
    public sealed class Connection(HttpTrafficCounters counters)
    {
        // Between a final response and the client's next bytes, those bytes start a request (HTTP/1.1 without
        // pipelining, which is what the AWS SDK's HttpClient does).
        private int _expectingRequest = 1;

        // A request's head can span several reads: collect it up to its blank line (or 16 KB).
        private readonly MemoryStream _head = new();
        private bool _inHead;

        public void Up(ReadOnlyMemory<byte> chunk)
        {
            Interlocked.Add(ref counters._bytesUp, chunk.Length);
            if (Interlocked.Exchange(ref _expectingRequest, 0) == 1)
            {
                Interlocked.Increment(ref counters._requests);
                _head.SetLength(0);
                _inHead = true;
            }
            if (_inHead)
            {
                _head.Write(chunk.Span);
                var bytes = _head.GetBuffer().AsSpan(0, (int)_head.Length);
                var end = bytes.IndexOf("\r\n\r\n"u8);
                if (end >= 0 || bytes.Length >= 16 * 1024)
                {
                    _inHead = false;
                    counters.ObserveRequestHead(bytes[..(end >= 0 ? end : bytes.Length)]);
                }
            }
        }

        public void Down(ReadOnlyMemory<byte> chunk)
        {
            Interlocked.Add(ref counters._bytesDown, chunk.Length);
            if (counters.ObserveResponse(chunk.Span))
            {
                Volatile.Write(ref _expectingRequest, 1);
            }
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
