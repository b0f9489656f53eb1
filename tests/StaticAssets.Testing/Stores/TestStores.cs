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

    /// <summary>When each object was last written (a test may age one by setting it).</summary>
    public ConcurrentDictionary<string, DateTimeOffset> Modified { get; } = new(StringComparer.Ordinal);

    /// <summary>The headers each copy made carried.</summary>
    public ConcurrentDictionary<string, StoreCopy> Copies { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys in the order their writes completed.</summary>
    public IReadOnlyList<string> Writes => _writes.ToArray();

    public virtual string Description => "memory";

    public int MaxConcurrency { get; init; } = 16;

    public virtual Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(Objects.TryGetValue(key, out var bytes) ? bytes : null);

    public virtual IAsyncEnumerable<StoredObjectInfo> ListAsync(string under, CancellationToken cancellationToken) =>
        Objects.Where(o => o.Key.StartsWith(under, StringComparison.Ordinal))
            .Select(o => new StoredObjectInfo(o.Key, o.Value.LongLength, Modified.GetValueOrDefault(o.Key)))
            .OrderBy(o => o.Key, StringComparer.Ordinal).ToArray().ToAsyncEnumerable();

    public virtual Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Objects.TryRemove(key, out _);
        Modified.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public virtual async Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await DeleteAsync(key, cancellationToken);
        }
    }

    public virtual Task CopyAsync(StoreCopy copy, CancellationToken cancellationToken)
    {
        if (!Objects.TryGetValue(copy.SourceKey, out var bytes))
        {
            throw new StoreException(Messages.StoreRefused($"404 NoSuchKey: '{copy.SourceKey}'"));
        }
        Objects[copy.Key] = bytes;
        Modified[copy.Key] = DateTimeOffset.UtcNow;
        Copies[copy.Key] = copy;
        return Task.CompletedTask;
    }

    public virtual Task<int> AbortIncompleteUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken) => Task.FromResult(0);

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
        Modified[write.Key] = DateTimeOffset.UtcNow;
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
    private readonly ConcurrentQueue<string> _operations = new();
    private int _reads;

    /// <summary>Every request-like operation in order: "GET key", "PUT key", "LIST under", "DELETE key",
    /// "DELETE-MANY n", "COPY source -> key", "ABORT".</summary>
    public IReadOnlyList<string> Operations => _operations.ToArray();

    /// <summary>Called before each batch of deletes is passed on (may hold or fail it).</summary>
    public Func<IReadOnlyList<string>, CancellationToken, Task>? BeforeDeletes { get; init; }

    /// <summary>Called before each write is passed on; may throw to fail it.</summary>
    public Func<StoreWrite, CancellationToken, Task>? BeforeWrite { get; init; }

    /// <summary>Let other writes overtake each one, so an ordering bug shows instead of hiding behind sequential timing.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Starts and completions in the order they happened, history entries (written with the manifest, see
    /// <see cref="HistoryEvents"/>) left out.</summary>
    public IReadOnlyList<(bool Done, string Key)> Events => _events.Where(e => !TestData.IsHistory(e.Key)).ToArray();

    /// <summary>Starts and completions of every write, history entries included.</summary>
    public IReadOnlyList<(bool Done, string Key)> AllEvents => _events.ToArray();

    /// <summary>Keys of the history entries written, in the order they started.</summary>
    public IReadOnlyList<string> HistoryEvents => _events.Where(e => !e.Done && TestData.IsHistory(e.Key)).Select(e => e.Key).ToArray();

    /// <summary>Keys in the order their writes started.</summary>
    public IReadOnlyList<string> Attempts => Events.Where(e => !e.Done).Select(e => e.Key).ToArray();

    /// <summary>Keys in the order their writes completed.</summary>
    public IReadOnlyList<string> Completed => Events.Where(e => e.Done).Select(e => e.Key).ToArray();

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
        _operations.Enqueue("GET " + key);
        return inner.TryReadAsync(key, cancellationToken);
    }

    public Task<byte[]?> TryReadStartAsync(string key, int length, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        _operations.Enqueue($"GET {key} (first {length} bytes)");
        return inner.TryReadStartAsync(key, length, cancellationToken);
    }

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string under, CancellationToken cancellationToken)
    {
        _operations.Enqueue("LIST " + under);
        return inner.ListAsync(under, cancellationToken);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        _operations.Enqueue("DELETE " + key);
        return inner.DeleteAsync(key, cancellationToken);
    }

    public async Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        _operations.Enqueue("DELETE-MANY " + keys.Count);
        if (BeforeDeletes is { } before)
        {
            await before(keys, cancellationToken);
        }
        await inner.DeleteManyAsync(keys, cancellationToken);
    }

    public Task CopyAsync(StoreCopy copy, CancellationToken cancellationToken)
    {
        _operations.Enqueue($"COPY {copy.SourceKey} -> {copy.Key}");
        return inner.CopyAsync(copy, cancellationToken);
    }

    public Task<int> AbortIncompleteUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken)
    {
        _operations.Enqueue("ABORT");
        return inner.AbortIncompleteUploadsAsync(startedBefore, cancellationToken);
    }

    public async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        _operations.Enqueue("PUT " + write.Key);
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
