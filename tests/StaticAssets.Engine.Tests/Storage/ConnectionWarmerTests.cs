using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StaticAssets.Engine.Storage.Http;

namespace StaticAssets.Engine.Tests.Storage;

/// <summary>Connections opened ahead of the requests that need them, against a loopback HTTP server that counts the
/// connections it accepts and closes.</summary>
[TestClass]
public sealed class ConnectionWarmerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [TestMethod]
    public async Task PreparedConnectionsOpenBeforeAnyRequest_AndRequestsUseThemInsteadOfOpeningNew()
    {
        await using var server = new CountingServer();
        using var warmer = new ConnectionWarmer();

        warmer.Prepare(server.Url, 3);
        await server.WaitForAcceptedAsync(3);
        using var client = ClientOver(warmer, maxConnections: 3);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.GetStringAsync(server.Url)));

        Assert.AreEqual(3, server.Accepted, "the requests took the prepared connections; none opened another");
        Assert.AreEqual(3, server.Answered);
    }

    [TestMethod]
    public async Task PrepareCountsTheConnectionsInUseAndTheOnesReady()
    {
        await using var server = new CountingServer();
        using var warmer = new ConnectionWarmer();
        using var client = ClientOver(warmer, maxConnections: 4);
        await client.GetStringAsync(server.Url); // one connection in the pool, opened on demand

        warmer.Prepare(server.Url, 3);
        warmer.Prepare(server.Url, 3);
        await server.WaitForAcceptedAsync(3);
        await Task.Delay(200);

        Assert.AreEqual(3, server.Accepted, "1 in use + 2 prepared; the second Prepare had nothing to add");
    }

    [TestMethod]
    public async Task AConnectionTheServerClosedMeanwhileIsNotUsed()
    {
        await using var server = new CountingServer { CloseAtOnce = true };
        using var warmer = new ConnectionWarmer();
        warmer.Prepare(server.Url, 1);
        await server.WaitForAcceptedAsync(1);
        await server.WaitForClosedAsync(1);
        await Task.Delay(100); // the FIN reaches our end
        server.CloseAtOnce = false;

        using var client = ClientOver(warmer, maxConnections: 1);
        Assert.AreEqual("ok", await client.GetStringAsync(server.Url));
        Assert.AreEqual(2, server.Accepted, "the closed one was passed over for a new connection");
    }

    [TestMethod]
    public async Task ConnectionsPreparedForAnotherEndpointAreNotUsed_ButClosed()
    {
        await using var prepared = new CountingServer();
        await using var other = new CountingServer();
        using var warmer = new ConnectionWarmer();
        warmer.Prepare(prepared.Url, 2);
        await prepared.WaitForAcceptedAsync(2);

        using var client = ClientOver(warmer, maxConnections: 2);
        Assert.AreEqual("ok", await client.GetStringAsync(other.Url));

        Assert.AreEqual(1, other.Accepted);
        Assert.AreEqual(0, prepared.Answered);
        await prepared.WaitForClosedAsync(2);
    }

    [TestMethod]
    public async Task DisposeClosesTheConnectionsStillReady()
    {
        await using var server = new CountingServer();
        var warmer = new ConnectionWarmer();
        warmer.Prepare(server.Url, 2);
        await server.WaitForAcceptedAsync(2);
        await Task.Delay(100);
        Assert.AreEqual(0, server.Closed);

        warmer.Dispose();
        warmer.Prepare(server.Url, 2);

        await server.WaitForClosedAsync(2);
        await Task.Delay(100);
        Assert.AreEqual(2, server.Accepted, "nothing is prepared after Dispose");
    }

    [TestMethod]
    public async Task AnEndpointThatRefusesCostsOnlyTheAttempt_TheRequestReportsItsOwnFailure()
    {
        var closedPort = FreePort();
        using var warmer = new ConnectionWarmer();
        var url = new Uri($"http://127.0.0.1:{closedPort}/");
        warmer.Prepare(url, 2);
        using var client = ClientOver(warmer, maxConnections: 2);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(url));

        Assert.IsInstanceOfType<SocketException>(failure.InnerException);
    }

    private static HttpClient ClientOver(ConnectionWarmer warmer, int maxConnections) =>
        new(new SocketsHttpHandler { ConnectCallback = warmer.ConnectAsync, MaxConnectionsPerServer = maxConnections, UseProxy = false }) { Timeout = Wait };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers every request on every connection with 200 "ok"; counts connections accepted, closed and
    /// requests answered.</summary>
    private sealed class CountingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<Task> _connections = [];
        private readonly Task _accepting;
        private int _accepted;
        private int _closed;
        private int _answered;

        public CountingServer()
        {
            _listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _accepting = AcceptAsync();
        }

        public Uri Url { get; }

        /// <summary>Close each connection as soon as it is accepted.</summary>
        public volatile bool CloseAtOnce;

        public int Accepted => Volatile.Read(ref _accepted);

        public int Answered => Volatile.Read(ref _answered);

        public int Closed => Volatile.Read(ref _closed);

        public Task WaitForAcceptedAsync(int count) => WaitAsync(() => Accepted >= count, $"{count} connections accepted");

        public Task WaitForClosedAsync(int count) => WaitAsync(() => Closed >= count, $"{count} connections closed");

        private static async Task WaitAsync(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + Wait;
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail("timed out waiting for " + what);
                }
                await Task.Delay(10);
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    Interlocked.Increment(ref _accepted);
                    _connections.Add(ServeAsync(socket));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using (socket)
            {
                try
                {
                    if (!CloseAtOnce)
                    {
                        var buffer = new byte[4096];
                        var received = new StringBuilder();
                        while (await socket.ReceiveAsync(buffer) is var read and > 0)
                        {
                            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                            while (received.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
                            {
                                received.Remove(0, end + 4);
                                Interlocked.Increment(ref _answered);
                                await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
                            }
                        }
                    }
                }
                catch (SocketException)
                {
                    // the client went away
                }
            }
            Interlocked.Increment(ref _closed);
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
            // Connections a test's client keeps open end with the client; do not wait for them here.
        }
    }
}
