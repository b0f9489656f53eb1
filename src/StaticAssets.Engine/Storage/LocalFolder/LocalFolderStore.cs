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

    public async Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
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

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_root))
        {
            yield break;
        }
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!AtomicFile.IsTemporary(Path.GetFileName(file)))
            {
                yield return new StoredObjectInfo(Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(file).Length);
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
