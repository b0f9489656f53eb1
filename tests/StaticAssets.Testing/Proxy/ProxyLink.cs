using System.Diagnostics;
using System.Net.Sockets;

namespace StaticAssets.Testing;

/// <summary>One client connection of a <see cref="LoopbackProxy"/> and the server connection opened for it.</summary>
public sealed class ProxyLink : IDisposable
{
    private readonly CancellationTokenSource _abort;

    internal ProxyLink(Socket client, CancellationToken stop)
    {
        AcceptedAt = Stopwatch.GetTimestamp();
        client.NoDelay = true;
        Client = client;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(stop);
    }

    /// <summary>When the client's connection was accepted (a Stopwatch timestamp).</summary>
    public long AcceptedAt { get; }

    public Socket Client { get; }

    public Socket Server { get; } = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    /// <summary>Canceled when the link is aborted or the proxy stops: every wait of a relay uses it.</summary>
    public CancellationToken Aborted => _abort.Token;

    /// <summary>Ends both connections at once with RST, as a crashed middlebox or peer would.</summary>
    public void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That link just ended on its own.
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
        _abort.Dispose();
    }
}
