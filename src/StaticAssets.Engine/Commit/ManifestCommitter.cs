using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Storage.LocalFolder;

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
                await store.WriteAsync(ForManifest(manifestName, manifest), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new StaticAssetsException(Diagnostic.Error(StoreFailures.CodeOf(e, DiagnosticCodes.WriteFailed),
                    $"Every object was stored, but writing the manifest '{manifestName}' to {store.Description} failed: {StoreFailures.MessageOf(e)} " +
                    "The destination still serves its previous manifest; publish again."), e);
            }
        }
        if (localManifestPath is not null)
        {
            await WriteLocalCopyAsync(localManifestPath, manifest, cancellationToken).ConfigureAwait(false);
        }
        return changed;
    }

    private static async Task WriteLocalCopyAsync(string path, byte[] manifest, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full) && (await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(manifest))
        {
            return; // Unchanged: keep its timestamp so incremental builds stay incremental.
        }
        // The same atomic temp-file-and-rename as the local destination: no half-written manifest, even on kill -9.
        await using var folder = new LocalFolderStore(Path.GetDirectoryName(full)!);
        await folder.WriteAsync(ForManifest(Path.GetFileName(full), manifest), cancellationToken).ConfigureAwait(false);
    }

    private static StoreWrite ForManifest(string key, byte[] manifest) => new(
        key,
        manifest.Length,
        Sha256Digest.Compute(manifest),
        AssetManifest.ContentType,
        null,
        AssetManifest.CacheControl,
        () => new MemoryStream(manifest, writable: false));
}
