using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.S3;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Storage.Http;
using StaticAssets.Engine.Storage.S3;

namespace StaticAssets.Engine.Tests.Storage;

/// <summary>
/// The S3 client's HTTP stack reads the answers the AWS SDK parses (XML, and whatever a PUT, POST or DELETE returns)
/// before it hands them over, so the SDK's synchronous XML reads never wait on a socket; object downloads stream. Over
/// the client the S3 store uses, against a loopback server that sends an answer's headers at once and its body only
/// when the test says (as a store does with a copy's result).
/// </summary>
[TestClass]
public sealed class BufferedXmlAnswersTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [TestMethod]
    public async Task ACopysResultIsReadWhole_BeforeTheClientReturnsTheAnswer()
    {
        const string result = "<CopyObjectResult><ETag>\"abc\"</ETag></CopyObjectResult>";
        await using var server = new HeldBodyServer("application/xml", result);
        using var client = S3Client();

        var sending = client.SendAsync(new HttpRequestMessage(HttpMethod.Put, server.Url), HttpCompletionOption.ResponseHeadersRead);
        await server.HeadersSent.WaitAsync(Wait);
        await Task.Delay(200);
        Assert.IsFalse(sending.IsCompleted, "the answer is handed over only with its body");

        server.ReleaseBody();
        using var response = await sending.WaitAsync(Wait);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.AreEqual(result, reader.ReadToEnd(), "read synchronously from memory, as the SDK reads it");
        Assert.AreEqual("application/xml", response.Content.Headers.ContentType?.MediaType, "the content headers are kept");
        Assert.AreEqual(result.Length, response.Content.Headers.ContentLength);
    }

    [TestMethod]
    public async Task AListingsXml_TheAnswerToAGet_IsReadWholeToo()
    {
        await using var server = new HeldBodyServer("application/xml", "<ListBucketResult></ListBucketResult>");
        using var client = S3Client();

        var sending = client.SendAsync(new HttpRequestMessage(HttpMethod.Get, server.Url + "?list-type=2"), HttpCompletionOption.ResponseHeadersRead);
        await server.HeadersSent.WaitAsync(Wait);
        await Task.Delay(200);

        Assert.IsFalse(sending.IsCompleted);
        server.ReleaseBody();
        using var response = await sending.WaitAsync(Wait);
        Assert.AreEqual("<ListBucketResult></ListBucketResult>", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task AnObjectsDownload_StreamsFromItsHeaders()
    {
        await using var server = new HeldBodyServer("application/json", "{\"manifest\":1}");
        using var client = S3Client();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, server.Url), HttpCompletionOption.ResponseHeadersRead)
            .WaitAsync(Wait);
        server.ReleaseBody();

        Assert.AreEqual("{\"manifest\":1}", await response.Content.ReadAsStringAsync().WaitAsync(Wait));
    }

    [TestMethod]
    public async Task CancelingWhileTheBodyIsHeld_EndsTheRequestAtOnce()
    {
        await using var server = new HeldBodyServer("application/xml", "<CopyObjectResult/>");
        using var client = S3Client();
        using var cancel = new CancellationTokenSource();

        var sending = client.SendAsync(new HttpRequestMessage(HttpMethod.Put, server.Url), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        await server.HeadersSent.WaitAsync(Wait);
        cancel.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(() => sending.WaitAsync(Wait), "canceled while waiting for the body");
    }

    /// <summary>The HTTP client the S3 store's SDK client gets.</summary>
    private static HttpClient S3Client() =>
        new S3HttpClientFactory(4, new StoreSettings(), new ConnectionWarmer()).CreateHttpClient(new AmazonS3Config { ServiceURL = "http://127.0.0.1/" });

    /// <summary>Answers one request: its status line and headers (chunked) at once, its body when released.</summary>
    private sealed class HeldBodyServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource _headersSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _serving;

        public HeldBodyServer(string contentType, string body)
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/bucket/key";
            _serving = ServeAsync(contentType, Encoding.UTF8.GetBytes(body));
        }

        public string Url { get; }

        public Task HeadersSent => _headersSent.Task;

        public void ReleaseBody() => _release.TrySetResult();

        private async Task ServeAsync(string contentType, byte[] body)
        {
            using var socket = await _listener.AcceptSocketAsync();
            var received = new StringBuilder();
            var buffer = new byte[4096];
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && await socket.ReceiveAsync(buffer) is var read and > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n"));
            _headersSent.TrySetResult();
            await _release.Task;
            await socket.SendAsync(Encoding.ASCII.GetBytes($"{body.Length:x}\r\n").Concat(body).Concat(Encoding.ASCII.GetBytes("\r\n0\r\n\r\n")).ToArray());
            await socket.ReceiveAsync(buffer); // until the client closes
        }

        public async ValueTask DisposeAsync()
        {
            _release.TrySetResult();
            _listener.Stop();
            try
            {
                await _serving.WaitAsync(Wait);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or TimeoutException)
            {
                // the client went away first (a canceled request)
            }
        }
    }
}
