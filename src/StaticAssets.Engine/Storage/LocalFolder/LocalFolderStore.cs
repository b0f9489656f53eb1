using StaticAssets.Engine.Plan;

namespace StaticAssets.Engine.Storage.LocalFolder;

/// <summary>
/// The default destination: a folder. Each object is streamed into a temporary file beside its final name and
/// renamed over it, so a reader (or a publish killed mid-way) never sees a half-written object.
/// </summary>
public sealed class LocalFolderStore : IAssetStore
{
    private const int BufferSize = 64 * 1024;
    private readonly string _root;

    public LocalFolderStore(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
    }

    public string Description => _root;

    public async Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathFor(key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
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
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            // Temporary files of writes in progress (or killed) are not objects.
            if (!Path.GetFileName(file).EndsWith(".tmp", StringComparison.Ordinal) || !Path.GetFileName(file).StartsWith('.'))
            {
                yield return new StoredObjectInfo(key, new FileInfo(file).Length);
            }
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathFor(key));
        return Task.CompletedTask;
    }

    public async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        var path = PathFor(write.Key);
        var directory = Path.GetDirectoryName(path)!;
        // CreateDirectory succeeds when the folder exists or another writer creates it at the same moment.
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var output = new FileStream(
                temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            await using (var input = write.OpenContent())
            {
                await input.CopyToAsync(output, BufferSize, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

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

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover .tmp file is never referenced by a manifest.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
