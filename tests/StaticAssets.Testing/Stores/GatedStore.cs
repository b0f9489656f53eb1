using System.Collections.Concurrent;
using System.Threading.Channels;

namespace StaticAssets.Testing;

/// <summary>One write held by a <see cref="GatedStore"/> until the test completes or fails it.</summary>
public sealed class GatedWrite
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _canceled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GatedWrite(string key, CancellationToken token)
    {
        Key = key;
        Token = token;
        token.Register(() => _canceled.TrySetResult());
    }

    public string Key { get; }

    public CancellationToken Token { get; }

    public Task Gate => _gate.Task;

    /// <summary>Completes when the token the store was given is canceled.</summary>
    public Task CancellationObserved => _canceled.Task;

    public void Complete() => _gate.TrySetResult();

    public void Fail(Exception error) => _gate.TrySetException(error);
}

/// <summary>
/// A store whose every write blocks on its own gate, so a test decides exactly when each write ends. It counts
/// writes in flight (incremented when WriteAsync is entered, decremented before it returns) and their peak.
/// With <c>honorCancellation: false</c> a write in progress ignores its token until the test ends it.
/// </summary>
public sealed class GatedStore(bool honorCancellation = true) : IAssetStore
{
    private readonly Channel<GatedWrite> _started = Channel.CreateUnbounded<GatedWrite>();
    private readonly ConcurrentQueue<string> _startedKeys = new();
    private int _inFlight;
    private int _peak;

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Peak => Volatile.Read(ref _peak);

    public IReadOnlyList<string> StartedKeys => _startedKeys.ToArray();

    public string Description => "gated store";

    public int MaxConcurrency { get; init; } = 16;

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The next write to start (waits for it, with a hang guard).</summary>
    public Task<GatedWrite> NextStartedAsync() => _started.Reader.ReadAsync().AsTask().Guard();

    public bool TryTakeStarted(out GatedWrite? write) => _started.Reader.TryRead(out write);

    public Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) => Task.FromResult<byte[]?>(null);

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(CancellationToken cancellationToken) =>
        Array.Empty<StoredObjectInfo>().ToAsyncEnumerable();

    public async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
        try
        {
            var gated = new GatedWrite(write.Key, cancellationToken);
            _startedKeys.Enqueue(write.Key);
            // Like any real store, a write begun with an already-canceled token ends at once (it is still recorded as
            // started, so a test can tell that it was launched); the test never has to open its gate.
            cancellationToken.ThrowIfCancellationRequested();
            _started.Writer.TryWrite(gated);
            await (honorCancellation ? gated.Gate.WaitAsync(cancellationToken) : gated.Gate);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
