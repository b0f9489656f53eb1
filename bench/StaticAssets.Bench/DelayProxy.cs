using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using StaticAssets.Testing;

namespace StaticAssets.Bench;

/// <summary>
/// The benchmark's <see cref="LoopbackProxy"/>: adds network latency in user space (this kernel has no netem).
/// Every chunk is delivered RTT/2 after it was read, in each direction, in order (one <see cref="DelayLine"/> per
/// direction, its due times kept by <see cref="DueTimeScheduler"/>), and a new connection's first bytes reach the
/// server one extra RTT late, standing in for the TCP handshake. At RTT 0 it is a plain relay. It also counts what passes (<see cref="HttpTrafficCounters"/>).
/// </summary>
internal sealed class DelayProxy(IPEndPoint upstream, TimeSpan rtt) : LoopbackProxy(upstream)
{
    private readonly DueTimeScheduler _timer = new();
    private readonly long _rttTicks = (long)(rtt.TotalSeconds * Stopwatch.Frequency);
    private readonly HttpTrafficCounters _traffic = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ProxyLink, HttpTrafficCounters.Connection> _watches = new();

    public ProxyStats Snapshot() => _traffic.Snapshot(AcceptedConnections, PeakOpenConnections);

    /// <summary>Zeroes the counters (connections still open stay counted as open).</summary>
    public void Reset()
    {
        ResetConnectionCounts();
        _traffic.Reset();
    }

    protected override (Task Up, Task Down) Relay(ProxyLink link)
    {
        var watch = _watches[link] = _traffic.Watch();
        if (_rttTicks == 0)
        {
            return (CopyAsync(link.Client, link.Server, link.Aborted, watch.Up),
                CopyAsync(link.Server, link.Client, link.Aborted, watch.Down));
        }
        // The kernel already completed the client's handshake; charge it one RTT by holding back its first bytes:
        // on a real link they could leave only after the SYN-ACK (1 RTT) and arrive RTT/2 later.
        var firstBytesDue = link.AcceptedAt + _rttTicks + _rttTicks / 2;
        return (new DelayLine(this, link, link.Server, firstBytesDue).RelayAsync(link.Client, watch.Up),
            new DelayLine(this, link, link.Client, 0).RelayAsync(link.Server, watch.Down));
    }

    protected override void OnLinkEnded(ProxyLink link)
    {
        if (_watches.TryRemove(link, out var watch))
        {
            watch.Closed();
        }
    }

    protected override void OnStopped() => _timer.Dispose();

    /// <summary>
    /// One direction of a link, towards <c>to</c>: each chunk goes on no earlier than RTT/2 after it was read (and not
    /// before <c>notBefore</c>), in order, from one FIFO queue drained by one writer that waits for each chunk's due
    /// time; reading goes on meanwhile, as on a real link.
    /// </summary>
    private sealed class DelayLine(DelayProxy proxy, ProxyLink link, Socket to, long notBefore)
    {
        /// <summary>Chunks queued before the reader waits: a crude stand-in for the TCP window.</summary>
        private const int QueuedChunks = 64;

        private readonly Channel<(byte[] Buffer, int Length, long Due)> _queue = Channel.CreateBounded<(byte[], int, long)>(
            new BoundedChannelOptions(QueuedChunks) { SingleReader = true, SingleWriter = true });

        public async Task RelayAsync(Socket from, Action<ReadOnlyMemory<byte>> observe)
        {
            var writing = WriteAsync();
            try
            {
                await PumpAsync(from, chunk =>
                {
                    observe(chunk);
                    var buffer = ArrayPool<byte>.Shared.Rent(chunk.Length);
                    chunk.CopyTo(buffer);
                    var due = Stopwatch.GetTimestamp() + proxy._rttTicks / 2;
                    return _queue.Writer.WriteAsync((buffer, chunk.Length, due), link.Aborted);
                }, link.Aborted);
                _queue.Writer.Complete();
            }
            catch
            {
                link.Abort(); // the writer must not go on for a reader that failed
                throw;
            }
            finally
            {
                await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await writing;
        }

        private async Task WriteAsync()
        {
            try
            {
                await foreach (var (buffer, length, due) in _queue.Reader.ReadAllAsync(link.Aborted))
                {
                    await proxy._timer.WhenDue(Math.Max(due, notBefore)).WaitAsync(link.Aborted);
                    try
                    {
                        await SendAllAsync(to, buffer.AsMemory(0, length), link.Aborted);
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
                link.Abort(); // the reader must not wait for a writer that is gone
                throw;
            }
        }
    }
}
