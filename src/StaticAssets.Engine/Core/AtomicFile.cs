namespace StaticAssets.Engine.Core;

/// <summary>
/// Writes a file so that readers, and a process killed mid-way, see either the old file or the whole new one, never
/// part of it: the bytes go to a temporary file beside it, which is then renamed over it (an atomic replace on one
/// file system). Used for every file the engine writes: the local destination's objects, the manifest's copy in the
/// publish output, and the work folder's rewritten and compressed files.
/// </summary>
public static class AtomicFile
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Writes the file with <paramref name="write"/>, which receives the temporary file's stream.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        // CreateDirectory succeeds when the folder exists or another writer creates it at the same moment.
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var output = new FileStream(
                temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await write(output, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public static Task WriteAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        WriteAsync(path, (output, token) => output.WriteAsync(bytes, token).AsTask(), cancellationToken);

    /// <summary>A write in progress (or one a killed process left): never an object or a finished file.</summary>
    public static bool IsTemporary(string fileName) =>
        fileName.StartsWith('.') && fileName.EndsWith(".tmp", StringComparison.Ordinal);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file is never taken for a finished one (IsTemporary).
        }
    }
}
