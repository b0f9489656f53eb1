using System.Collections.Concurrent;

namespace StaticAssets.Testing;

/// <summary>
/// An in-memory store: reads each write's content stream to its end (so verification runs) and keeps the bytes.
/// Keeps the store contract: failures come out as <see cref="StoreException"/>. A test's own fake overrides the one
/// operation it changes.
/// </summary>
public class InMemoryStore : IAssetStore
{
    private readonly ConcurrentQueue<string> _writes = new();

    public ConcurrentDictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys in the order their writes completed.</summary>
    public IReadOnlyList<string> Writes => _writes.ToArray();

    public virtual string Description => "memory";

    public int MaxConcurrency { get; init; } = 16;

    public virtual Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(Objects.TryGetValue(key, out var bytes) ? bytes : null);

    public virtual IAsyncEnumerable<StoredObjectInfo> ListAsync(CancellationToken cancellationToken) =>
        Objects.Select(o => new StoredObjectInfo(o.Key, o.Value.LongLength)).ToArray().ToAsyncEnumerable();

    public virtual Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public virtual async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        try
        {
            await using var content = write.OpenContent();
            await content.CopyToAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
        Objects[write.Key] = buffer.ToArray();
        _writes.Enqueue(write.Key);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Wraps a real store and records what the publish asks of it: every write's start and completion in one sequence
/// (with the headers it carried), and the reads. <see cref="BeforeWrite"/> may fail or hold a write, or act once
/// before the first (<see cref="Once"/>): after planning, before any object is stored.
/// </summary>
public sealed class RecordingStore(IAssetStore inner) : IAssetStore
{
    private readonly ConcurrentQueue<(bool Done, string Key)> _events = new();
    private readonly ConcurrentDictionary<string, StoreWrite> _writes = new(StringComparer.Ordinal);
    private int _reads;

    /// <summary>Called before each write is passed on; may throw to fail it.</summary>
    public Func<StoreWrite, CancellationToken, Task>? BeforeWrite { get; init; }

    /// <summary>Let other writes overtake each one, so an ordering bug shows instead of hiding behind sequential timing.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Starts and completions in the order they happened.</summary>
    public IReadOnlyList<(bool Done, string Key)> Events => _events.ToArray();

    /// <summary>Keys in the order their writes started.</summary>
    public IReadOnlyList<string> Attempts => _events.Where(e => !e.Done).Select(e => e.Key).ToArray();

    /// <summary>Keys in the order their writes completed.</summary>
    public IReadOnlyList<string> Completed => _events.Where(e => e.Done).Select(e => e.Key).ToArray();

    /// <summary>The last write of each key, with its headers.</summary>
    public IReadOnlyDictionary<string, StoreWrite> Writes => _writes;

    public int Reads => Volatile.Read(ref _reads);

    public string Description => inner.Description;

    public int MaxConcurrency => inner.MaxConcurrency;

    /// <summary>A <see cref="BeforeWrite"/> that runs <paramref name="action"/> once; every write waits until it has run.</summary>
    public static Func<StoreWrite, CancellationToken, Task> Once(Action action)
    {
        var once = new Lazy<bool>(() => { action(); return true; });
        return (_, _) => Task.FromResult(once.Value);
    }

    public Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return inner.TryReadAsync(key, cancellationToken);
    }

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        _events.Enqueue((false, write.Key));
        _writes[write.Key] = write;
        if (Shuffle)
        {
            await Task.Yield();
        }
        if (BeforeWrite is { } before)
        {
            await before(write, cancellationToken);
        }
        await inner.WriteAsync(write, cancellationToken);
        _events.Enqueue((true, write.Key));
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
