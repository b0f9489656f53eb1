using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace StaticAssets.Testing;

/// <summary>
/// The client's side of one <see cref="CountingProxy"/> link, read one HTTP/1.1 request at a time: the head whole,
/// then the body in chunks framed by its Content-Length.
/// </summary>
internal sealed class RequestReader(Socket client, CancellationToken cancellationToken)
{
    private const int MaxHead = 64 * 1024;

    private readonly byte[] _buffer = new byte[MaxHead + LoopbackProxy.ChunkSize];
    private int _start;
    private int _end;

    /// <summary>What was read from the client and not yet handled.</summary>
    public ReadOnlyMemory<byte> Unread => _buffer.AsMemory(_start, _end - _start);

    /// <summary>Reads until a whole request head is buffered and parses it; null at the end of the client's
    /// stream. The head stays unread: it is relayed with the body.</summary>
    public async Task<RequestHead?> ReadHeadAsync()
    {
        while (true)
        {
            var end = Unread.Span.IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return RequestHead.Parse(Encoding.ASCII.GetString(_buffer, _start, end + 4));
            }
            if (Unread.Length >= MaxHead)
            {
                throw new InvalidDataException("A request head larger than 64 KB.");
            }
            if (await ReceiveAsync(_buffer.Length) == 0)
            {
                return null;
            }
        }
    }

    /// <summary>Hands the next <paramref name="count"/> bytes of the client's stream to <paramref name="use"/>, the
    /// buffered ones first, then as they arrive.</summary>
    public async Task TakeAsync(long count, Func<ReadOnlyMemory<byte>, ValueTask> use)
    {
        while (count > 0)
        {
            if (_start == _end && await ReceiveAsync(LoopbackProxy.ChunkSize) == 0)
            {
                throw new IOException("The client closed its connection in the middle of a request.");
            }
            var take = (int)Math.Min(count, _end - _start);
            await use(_buffer.AsMemory(_start, take));
            _start += take;
            count -= take;
        }
    }

    /// <summary>Drops the next <paramref name="count"/> bytes (a body the server must not see).</summary>
    public Task SkipAsync(long count) => TakeAsync(count, _ => ValueTask.CompletedTask);

    private async Task<int> ReceiveAsync(int most)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        var free = _buffer.AsMemory(_end, Math.Min(most, _buffer.Length - _end));
        var n = await client.ReceiveAsync(free, SocketFlags.None, cancellationToken);
        _end += n;
        return n;
    }
}

/// <summary>What the proxy needs of a request head.</summary>
internal sealed record RequestHead(int Length, string Method, string Path, long ContentLength, bool Chunked, bool ExpectContinue)
{
    public static RequestHead Parse(string head)
    {
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(line => line.Split(':', 2)).Where(field => field.Length == 2 && field[0].Length > 0)
            .ToLookup(field => field[0].Trim(), field => field[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return new RequestHead(
            head.Length,
            requestLine[0],
            requestLine.Length >= 2 ? requestLine[1] : "",
            headers["Content-Length"].Select(value => long.Parse(value, CultureInfo.InvariantCulture)).LastOrDefault(),
            headers["Transfer-Encoding"].Any(value => value.Contains("chunked", StringComparison.OrdinalIgnoreCase)),
            headers["Expect"].Any(value => value.Equals("100-continue", StringComparison.OrdinalIgnoreCase)));
    }
}
