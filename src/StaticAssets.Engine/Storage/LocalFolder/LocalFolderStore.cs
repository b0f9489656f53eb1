using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Storage.LocalFolder;

/// <summary>
/// The default destination: a folder. Each object is written with <see cref="AtomicFile"/> (a temporary file beside
/// its final name, renamed over it), so a reader, or a publish killed mid-way, never sees a half-written object.
/// </summary>
public sealed class LocalFolderStore : IAssetStore
{
    private readonly string _root;

    public LocalFolderStore(string root, int maxConcurrency = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        MaxConcurrency = maxConcurrency;
    }

    public string Description => _root;

    public int MaxConcurrency { get; }

    public Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) => ReadAsync(key, null, cancellationToken);

    public Task<byte[]?> TryReadStartAsync(string key, int length, CancellationToken cancellationToken) => ReadAsync(key, length, cancellationToken);

    private async Task<byte[]?> ReadAsync(string key, int? length, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            if (length is not { } first)
            {
                return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, useAsync: true);
            var buffer = new byte[(int)Math.Min(first, file.Length)];
            await file.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string under, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Start at the deepest folder the key prefix names, so listing a sub-folder does not walk the whole tree.
        var folder = under.LastIndexOf('/') is var slash and >= 0 ? PathFor(under[..slash]) : _root;
        if (!Directory.Exists(folder))
        {
            yield break;
        }
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!AtomicFile.IsTemporary(Path.GetFileName(file)) && key.StartsWith(under, StringComparison.Ordinal))
            {
                var info = new FileInfo(file);
                yield return new StoredObjectInfo(key, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
            }
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            File.Delete(path);
            return Task.CompletedTask;
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken) is { } failure)
        {
            return Task.FromException(failure);
        }
    }

    public Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled(cancellationToken);
            }
            if (DeleteAsync(key, cancellationToken) is { IsFaulted: true } failed)
            {
                return failed;
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A copy through a temporary file renamed into place (a folder keeps no headers).</summary>
    public async Task CopyAsync(StoreCopy copy, CancellationToken cancellationToken)
    {
        var source = PathFor(copy.SourceKey);
        var path = PathFor(copy.Key);
        try
        {
            await AtomicFile.WriteAsync(path, async (output, token) =>
            {
                await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
                await input.CopyToAsync(output, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>A folder's incomplete writes are the temporary files a killed publish left: removes those begun before the time.</summary>
    public Task<int> AbortIncompleteUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken)
    {
        var removed = 0;
        if (Directory.Exists(_root))
        {
            foreach (var file in Directory.EnumerateFiles(_root, ".*.tmp", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (AtomicFile.IsTemporary(Path.GetFileName(file)) && File.GetLastWriteTimeUtc(file) < startedBefore.UtcDateTime)
                {
                    File.Delete(file);
                    removed++;
                }
            }
        }
        return Task.FromResult(removed);
    }

    public async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        var path = PathFor(write.Key);
        try
        {
            await AtomicFile.WriteAsync(path, async (output, token) =>
            {
                await using var input = write.OpenContent();
                await input.CopyToAsync(output, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Throws ArgumentException (a bug, not a store failure) for a key that could leave the folder.</summary>
    private string PathFor(string key)
    {
        // Keys come from validated logical paths; check again here so that no key can leave the root folder.
        if (LogicalPaths.Validate(key) is { } problem)
        {
            throw new ArgumentException($"'{key}' is not a valid object key: {problem}.", nameof(key));
        }
        var path = Path.GetFullPath(Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar)));
        if (!path.StartsWith(_root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{key}' resolves outside the destination folder.", nameof(key));
        }
        return path;
    }
}
