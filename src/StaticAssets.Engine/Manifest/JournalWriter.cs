using StaticAssets.Engine.Core;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Manifest;

/// <summary>
/// Keeps the pending journal (see <see cref="PendingJournal"/>) true during a publish. Writes are small and bounded
/// in time even after Ctrl+C; recording what a failed publish stored is best effort (without it the next publish
/// simply sends those objects again).
/// </summary>
internal sealed class JournalWriter(IAssetStore store, string manifestName, byte[]? current,
    IReadOnlyList<ManifestObject> pending, IReadOnlyDictionary<string, ManifestObject> originals, IPublishLog log)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly string _key = PendingJournal.NameFor(manifestName);
    private byte[]? _current = current;

    /// <summary>After a failure or Ctrl+C before the switch: add what this publish stored to what was pending.</summary>
    public async Task RecordStoredAsync(IReadOnlyList<PlannedObject> stored)
    {
        if (stored.Count == 0)
        {
            return;
        }
        try
        {
            await WriteAsync(pending.Concat(stored.Select(PendingJournal.Entry)), originals.Values, CancellationToken.None).ConfigureAwait(false);
            log.Message(LogImportance.Normal, $"Recorded the {stored.Count:N0} object(s) stored before stopping; the next publish will not send them again.");
        }
        catch (Exception e)
        {
            log.Message(LogImportance.Normal, $"Could not record the objects stored before stopping ({e.Message}); the next publish will send them again.");
        }
    }

    /// <summary>After the switch: nothing is pending; <paramref name="current"/> are the copies known to be current.</summary>
    public Task WriteAsync(IEnumerable<ManifestObject> current, CancellationToken cancellationToken) =>
        WriteOrFailAsync([], current, cancellationToken);

    /// <summary>A rollback: the copies known to be current change; what a failed publish stored stays recorded.</summary>
    public Task WriteOriginalsAsync(IEnumerable<ManifestObject> current, CancellationToken cancellationToken) =>
        WriteOrFailAsync(pending, current, cancellationToken);

    private async Task WriteOrFailAsync(IEnumerable<ManifestObject> stored, IEnumerable<ManifestObject> current, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(stored, current, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Also this writer's own time limit (a cancellation the caller did not ask for: a time-out).
            throw Messages.JournalNotWritten(StoreFailures.DiagnosticOf(e), _key, store.Description).AsException(e);
        }
    }

    private async Task WriteAsync(IEnumerable<ManifestObject> stored, IEnumerable<ManifestObject> current, CancellationToken cancellationToken)
    {
        var storedList = stored.ToArray();
        var currentList = current.ToArray();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        if (storedList.Length == 0 && currentList.Length == 0)
        {
            if (_current is not null)
            {
                await store.DeleteAsync(_key, timeout.Token).ConfigureAwait(false);
                _current = null;
            }
            return;
        }
        var bytes = PendingJournal.Serialize(storedList, currentList);
        if (_current is not null && bytes.AsSpan().SequenceEqual(_current))
        {
            return;
        }
        await store.WriteAsync(AssetManifest.ToStoreWrite(_key, bytes), timeout.Token).ConfigureAwait(false);
        _current = bytes;
    }
}
