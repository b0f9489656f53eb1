using StaticAssets.Engine.Core;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Commit;

/// <summary>
/// Commit: called only after every object the manifest names is stored. The destination's manifest is written
/// first (readers switch to the new generation in one step), together with its history entry, then the copy in the
/// publish output.
/// </summary>
public static class ManifestCommitter
{
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Returns true if the destination's manifest was (re)written.</summary>
    public static async Task<bool> CommitAsync(
        IAssetStore store, string manifestName, byte[] manifest, byte[]? storedManifest, string? localManifestPath,
        GenerationSource source, IPublishLog log, CancellationToken cancellationToken)
    {
        var changed = storedManifest is null || !manifest.AsSpan().SequenceEqual(storedManifest);
        if (changed)
        {
            var record = GenerationRecord.For(GenerationKind.Publish, manifest, storedManifest, DateTimeOffset.UtcNow, source);
            var switched = await SwitchAsync(store, manifestName, manifest, record, log, cancellationToken).ConfigureAwait(false);
            await switched.EntryWritten.ConfigureAwait(false);
        }
        if (localManifestPath is not null)
        {
            await WriteLocalCopyAsync(Path.GetFullPath(localManifestPath), manifest, cancellationToken).ConfigureAwait(false);
        }
        return changed;
    }

    /// <summary>
    /// Makes <paramref name="manifest"/> current: one PUT of the manifest and, at the same time (no extra round trip),
    /// one of its immutable history entry. Returns once the manifest is written; a failed manifest write throws (the
    /// entry, if stored, is removed again: the history lists only generations that became current). The entry's PUT
    /// may still be going then: <see cref="ManifestSwitch.EntryWritten"/>, which the caller awaits before it returns,
    /// never fails (a failed entry is warning SA2007). The manifest's PUT is sent first and the entry is made (megabytes
    /// of JSON) off the caller's flow, which goes on with what it sends beside the switch (a rollback's journal): a
    /// rollback's manifest PUT left 6-7 ms after its listing's end instead of 19 ms (fresh process, 3 MB manifest),
    /// and its copies do not wait for the entry.
    /// </summary>
    /// <param name="record">The record, made by the caller (a rollback knows the manifest's digest and objects: no
    /// parse of megabytes between its listing and its switch).</param>
    public static async Task<ManifestSwitch> SwitchAsync(
        IAssetStore store, string manifestName, byte[] manifest, GenerationRecord record, IPublishLog log, CancellationToken cancellationToken)
    {
        var entryKey = record.KeyIn(manifestName);
        var writingManifest = store.WriteAsync(AssetManifest.ToStoreWrite(manifestName, manifest), cancellationToken);
        var writingEntry = Task.Run(() => store.WriteAsync(AssetManifest.ToStoreWrite(entryKey, record.Serialize(manifest)), cancellationToken), cancellationToken);
        await writingManifest.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!writingManifest.IsCompletedSuccessfully)
        {
            await writingEntry.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (writingEntry.IsCompletedSuccessfully)
            {
                await TryDeleteAsync(store, entryKey).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            throw Messages.ManifestNotWritten(StoreFailures.DiagnosticOf(writingManifest.Exception!.InnerException!), manifestName, store.Description)
                .AsException(writingManifest.Exception);
        }
        return new ManifestSwitch(ReportedAsync(writingEntry, entryKey, store, log, cancellationToken));
    }

    private static async Task ReportedAsync(Task writingEntry, string entryKey, IAssetStore store, IPublishLog log, CancellationToken cancellationToken)
    {
        await writingEntry.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!writingEntry.IsCompletedSuccessfully && !cancellationToken.IsCancellationRequested)
        {
            log.Report(Messages.HistoryEntryNotWritten(StoreFailures.DiagnosticOf(writingEntry.Exception!.InnerException!), entryKey, store.Description));
        }
    }

    private static async Task TryDeleteAsync(IAssetStore store, string key)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            await store.DeleteAsync(key, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // An entry whose manifest never became current names only stored objects: harmless, and a prune never
            // deletes what it names (nothing replaced it).
        }
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

/// <summary>A switch that happened, with its history entry's PUT (never failing: a failed entry was reported as warning
/// SA2007), which its caller awaits before it returns.</summary>
public sealed record ManifestSwitch(Task EntryWritten);
