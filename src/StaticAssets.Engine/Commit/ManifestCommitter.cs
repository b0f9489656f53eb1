using StaticAssets.Engine.Core;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Commit;

/// <summary>
/// Commit: called only after every object the manifest names is stored. The destination's manifest is written
/// first (readers switch to the new generation in one step), then the copy in the publish output.
/// </summary>
public static class ManifestCommitter
{
    /// <summary>Returns true if the destination's manifest was (re)written.</summary>
    public static async Task<bool> CommitAsync(
        IAssetStore store, string manifestName, byte[] manifest, byte[]? storedManifest, string? localManifestPath,
        CancellationToken cancellationToken)
    {
        var changed = storedManifest is null || !manifest.AsSpan().SequenceEqual(storedManifest);
        if (changed)
        {
            try
            {
                await store.WriteAsync(AssetManifest.ToStoreWrite(manifestName, manifest), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                throw Messages.ManifestNotWritten(StoreFailures.DiagnosticOf(e), manifestName, store.Description).AsException(e);
            }
        }
        if (localManifestPath is not null)
        {
            await WriteLocalCopyAsync(Path.GetFullPath(localManifestPath), manifest, cancellationToken).ConfigureAwait(false);
        }
        return changed;
    }

    private static async Task WriteLocalCopyAsync(string path, byte[] manifest, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && (await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(manifest))
        {
            return; // Unchanged: keep its timestamp so incremental builds stay incremental.
        }
        // No half-written manifest in the publish output, even on kill -9.
        await AtomicFile.WriteAsync(path, manifest, cancellationToken).ConfigureAwait(false);
    }
}
