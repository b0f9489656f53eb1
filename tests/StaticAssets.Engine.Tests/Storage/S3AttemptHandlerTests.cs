using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.S3;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Storage.Http;
using StaticAssets.Engine.Storage.S3;

namespace StaticAssets.Engine.Tests.Storage;

/// <summary>
/// The HTTP client the S3 store's SDK client gets, against a loopback server scripted per test: an attempt is abandoned
/// when nothing moves for the request timeout (and only then), and the answers the SDK parses are read whole before
/// they are handed over, so the SDK's synchronous XML reads never wait on a socket.
/// </summary>
[TestClass]
public sealed class S3AttemptHandlerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    // Where the test needs the timeout to fire, 1 s (a late timer only makes it slower). Where it must not fire, a
    // margin of 3 s over steps of 250 ms: the other test classes running beside this one keep the machine's two
    // pool threads busy with compression, and a timer then waits for a free thread (a 1 s timeout over 300 ms steps
    // failed once that way in the full suite).
    private static readonly TimeSpan Fires = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    [TestMethod]
    public async Task ACopysResultIsReadWhole_BeforeTheClientReturnsTheAnswer()
    {
        const string result = "<CopyObjectResult><ETag>\"abc\"</ETag></CopyObjectResult>";
        await using var server = new ScriptedServer(HeldBodyAsync("application/xml", result));
        using var client = S3Client(Margin);

        var sending = client.SendAsync(new HttpRequestMessage(HttpMethod.Put, server.Url), HttpCompletionOption.ResponseHeadersRead);
        await server.HeadersSent.WaitAsync(Wait);
        await Task.Delay(200);
        Assert.IsFalse(sending.IsCompleted, "the answer is handed over only with its body");

        server.Release();
        using var response = await sending.WaitAsync(Wait);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.AreEqual(result, reader.ReadToEnd(), "read synchronously from memory, as the SDK reads it");
        Assert.AreEqual("application/xml", response.Content.Headers.ContentType?.MediaType, "the content headers are kept");
        Assert.AreEqual(result.Length, response.Content.Headers.ContentLength);
    }

    [TestMethod]
    public async Task AListingsXml_TheAnswerToAGet_IsReadWholeToo()
    {
        await using var server = new ScriptedServer(HeldBodyAsync("application/xml", "<ListBucketResult></ListBucketResult>"));
        using var client = S3Client(Margin);

        var sending = client.SendAsync(new HttpRequestMessage(HttpMethod.Get, server.Url + "?list-type=2"), HttpCompletionOption.ResponseHeadersRead);
        await server.HeadersSent.WaitAsync(Wait);
        await Task.Delay(200);

        Assert.IsFalse(sending.IsCompleted);
        server.Release();
        using var response = await sending.WaitAsync(Wait);
        Assert.AreEqual("<ListBucketResult></ListBucketResult>", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task AnObjectsDownload_StreamsFromItsHeaders()
    {
        await using var server = new ScriptedServer(HeldBodyAsync("application/json", "{\"manifest\":1}"));
        using var client = S3Client(Margin);

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, server.Url), HttpCompletionOption.ResponseHeadersRead)
            .WaitAsync(Wait);
        server.Release();

        Assert.AreEqual("{\"manifest\":1}", await response.Content.ReadAsStringAsync().WaitAsync(Wait));
    }

    [TestMethod]
    public async Task CancelingWhileTheBodyIsHeld_EndsTheRequestAtOnce_AsACancelNotATimeout()
    {
        await using var server = new ScriptedServer(HeldBodyAsync("application/xml", "<CopyObjectResult/>"));
        using var client = S3Client(Margin);
        using var cancel = new CancellationTokenSource();

        var sending = client.SendAsync(new HttpRequestMessage(HttpMethod.Put, server.Url), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        await server.HeadersSent.WaitAsync(Wait);
        cancel.Cancel();

        var canceled = await Assert.ThrowsAsync<OperationCanceledException>(() => sending.WaitAsync(Wait));
        Assert.IsNotInstanceOfType<TimeoutException>(canceled.InnerException);
    }

    [TestMethod]
    public async Task AStoreThatTakesTheRequestAndNeverAnswers_IsAbandonedAfterTheTimeout_AsATimeout()
    {
        await using var server = new ScriptedServer(static (_, _) => Task.Delay(Timeout.Infinite));
        using var client = S3Client(Fires);

        var sending = client.SendAsync(new HttpRequestMessage(HttpMethod.Put, server.Url) { Content = new StringContent("body") });

        var stalled = await Assert.ThrowsAsync<TaskCanceledException>(() => sending.WaitAsync(Wait));
        Assert.IsInstanceOfType<TimeoutException>(stalled.InnerException, "what HttpClient's own timeout throws, which the SDK retries");
        StringAssert.Contains(stalled.Message, "Nothing moved for 1 s");
    }

    [TestMethod]
    public async Task AnAnswerThatTricklesInForLongerThanTheTimeout_IsNotAbandoned()
    {
        var body = string.Concat(Enumerable.Range(0, 14).Select(i => $"<Part{i}/>"));
        await using var server = new ScriptedServer(async (socket, _) =>
        {
            await SendAsync(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n");
            foreach (var part in Enumerable.Range(0, 14).Select(i => $"<Part{i}/>"))
            {
                await Task.Delay(Step); // 3.5 s in all, each part well within the timeout of the one before
                await SendAsync(socket, $"{part.Length:x}\r\n{part}\r\n");
            }
            await SendAsync(socket, "0\r\n\r\n");
        });
        using var client = S3Client(Margin);

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, server.Url), HttpCompletionOption.ResponseHeadersRead)
            .WaitAsync(Wait);

        Assert.AreEqual(body, await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task AnUploadThatMovesSlowlyButSteadily_IsNotAbandoned()
    {
        await using var server = new ScriptedServer(async (socket, request) =>
        {
            await request.WaitForAsync("0\r\n\r\n"); // the whole chunked body
            await SendAsync(socket, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        });
        using var client = S3Client(Margin);
        var upload = new StreamContent(new SlowStream(chunks: 14, every: Step, stallAfter: null));

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, server.Url) { Content = upload }).WaitAsync(Wait);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, "3.5 s of upload, each write well within the timeout of the one before");
    }

    [TestMethod]
    public async Task AnUploadThatStops_IsAbandonedAfterTheTimeout()
    {
        await using var server = new ScriptedServer(static (_, _) => Task.Delay(Timeout.Infinite));
        using var client = S3Client(Fires);
        var upload = new StreamContent(new SlowStream(chunks: 8, every: TimeSpan.FromMilliseconds(100), stallAfter: 2));

        var stalled = await Assert.ThrowsAsync<TaskCanceledException>(
            () => client.SendAsync(new HttpRequestMessage(HttpMethod.Put, server.Url) { Content = upload }).WaitAsync(Wait));

        Assert.IsInstanceOfType<TimeoutException>(stalled.InnerException);
    }

    /// <summary>The HTTP client the S3 store's SDK client gets, with this request timeout.</summary>
    private static HttpClient S3Client(TimeSpan requestTimeout) =>
        new S3HttpClientFactory(4, new StoreSettings { RequestTimeout = requestTimeout }, new ConnectionWarmer())
            .CreateHttpClient(new AmazonS3Config { ServiceURL = "http://127.0.0.1/" });

    /// <summary>Status line and headers (chunked) at once, the body when the test releases it.</summary>
    private static Func<Socket, ReceivedRequest, Task> HeldBodyAsync(string contentType, string body) => async (socket, request) =>
    {
        await SendAsync(socket, $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n");
        request.Server.HeadersWereSent();
        await request.Server.Released;
        await SendAsync(socket, $"{Encoding.UTF8.GetByteCount(body):x}\r\n{body}\r\n0\r\n\r\n");
    };

    private static async Task SendAsync(Socket socket, string text) => await socket.SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>A request body written a chunk at a time, <paramref name="every"/> apart; after <paramref name="stallAfter"/>
    /// chunks it waits forever.</summary>
    private sealed class SlowStream(int chunks, TimeSpan every, int? stallAfter) : Stream
    {
        private int _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent == chunks)
            {
                return 0;
            }
            await Task.Delay(_sent == stallAfter ? Timeout.InfiniteTimeSpan : every, cancellationToken);
            _sent++;
            buffer.Span[..16].Fill((byte)'x');
            return 16;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous only");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>What has arrived of the one request (read on in the background).</summary>
    private sealed class ReceivedRequest(ScriptedServer server)
    {
        private readonly StringBuilder _text = new();

        public ScriptedServer Server { get; } = server;

        public void Append(string text)
        {
            lock (_text)
            {
                _text.Append(text);
            }
        }

        public bool Contains(string text)
        {
            lock (_text)
            {
                return _text.ToString().Contains(text, StringComparison.Ordinal);
            }
        }

        public async Task WaitForAsync(string text)
        {
            while (!Contains(text))
            {
                await Task.Delay(10, Server.Stopping);
            }
        }
    }

    /// <summary>Accepts one connection, reads its request's headers, then answers as the test's script says (while the
    /// rest of what the client sends is read on).</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource _headersSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;

        public ScriptedServer(Func<Socket, ReceivedRequest, Task> answer)
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/bucket/key";
            _serving = ServeAsync(answer);
        }

        public string Url { get; }

        public Task HeadersSent => _headersSent.Task;

        public Task Released => _released.Task;

        public CancellationToken Stopping => _stop.Token;

        public void HeadersWereSent() => _headersSent.TrySetResult();

        public void Release() => _released.TrySetResult();

        private async Task ServeAsync(Func<Socket, ReceivedRequest, Task> answer)
        {
            using var socket = await _listener.AcceptSocketAsync();
            var request = new ReceivedRequest(this);
            var reading = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                while (await socket.ReceiveAsync(buffer, _stop.Token) is var read and > 0)
                {
                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
            });
            await request.WaitForAsync("\r\n\r\n");
            await answer(socket, request).WaitAsync(_stop.Token);
            await reading; // until the client closes
        }

        public async ValueTask DisposeAsync()
        {
            _released.TrySetResult();
            _stop.Cancel();
            _listener.Stop();
            try
            {
                await _serving.WaitAsync(Wait);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // stopped, or the client went away first
            }
            _stop.Dispose();
        }
    }
}
