using StaticAssets.Engine.Core;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Diff;

/// <summary>What the destination already holds, as its manifest (and a failed publish's journal) vouch for it.</summary>
public sealed class DestinationState
{
    private DestinationState(
        byte[]? manifestBytes, IReadOnlyDictionary<string, ManifestObject> objects, byte[]? journalBytes,
        IReadOnlyList<ManifestObject> pending, IReadOnlyList<ManifestObject> originals)
    {
        ManifestBytes = manifestBytes;
        Objects = objects;
        JournalBytes = journalBytes;
        PendingObjects = pending;
        Originals = originals.ToDictionary(o => o.Key, StringComparer.Ordinal);
    }

    /// <summary>The stored manifest as read, or null if there is none (or it was not trusted).</summary>
    public byte[]? ManifestBytes { get; }

    /// <summary>Content-addressed objects known to be stored (the manifest's and the journal's), by key.</summary>
    public IReadOnlyDictionary<string, ManifestObject> Objects { get; }

    /// <summary>The journal as read (null if there is none), to rewrite it only when it changes.</summary>
    public byte[]? JournalBytes { get; }

    /// <summary>Content-addressed objects an unfinished publish stored (the journal's <c>stored</c>).</summary>
    public IReadOnlyList<ManifestObject> PendingObjects { get; }

    /// <summary>Un-fingerprinted copies as last completely written (the journal's <c>originals</c>) that the manifest
    /// names, by key.</summary>
    public IReadOnlyDictionary<string, ManifestObject> Originals { get; }

    /// <summary>
    /// Reads the destination's manifest and the pending journal (two small reads). An unusable manifest counts as
    /// none, with a warning; an unusable journal is ignored. With <paramref name="verifyRemote"/>, the destination
    /// is also listed and only objects both vouched for and present (with the right size) count: this repairs
    /// objects someone deleted behind the manifest's back.
    /// </summary>
    public static async Task<DestinationState> ReadAsync(
        IAssetStore store, string manifestName, bool verifyRemote, IPublishLog log, CancellationToken cancellationToken)
    {
        // Both reads at once: one round trip instead of two, on every publish (a no-change publish is only these).
        var manifestRead = store.ReadOrFailAsync(manifestName, cancellationToken);
        var journalRead = store.ReadOrFailAsync(PendingJournal.NameFor(manifestName), cancellationToken);
        await ((Task)Task.WhenAll(manifestRead, journalRead)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var manifestBytes = await manifestRead.ConfigureAwait(false);
        var journalBytes = await journalRead.ConfigureAwait(false);
        var objects = new Dictionary<string, ManifestObject>(StringComparer.Ordinal);
        var unfingerprinted = new HashSet<string>(StringComparer.Ordinal);
        if (manifestBytes is not null)
        {
            if (AssetManifest.TryReadAssets(manifestBytes, out var assets, out var problem))
            {
                foreach (var (key, obj) in AssetManifest.ObjectsOf(assets))
                {
                    objects[key] = obj;
                }
                unfingerprinted.UnionWith(assets.SelectMany(a => a.UnfingerprintedKeys));
            }
            else
            {
                log.Report(Messages.RemoteManifestUnusable(manifestName, problem));
                manifestBytes = null;
            }
        }

        IReadOnlyList<ManifestObject> pending = [];
        IReadOnlyList<ManifestObject> originals = [];
        if (journalBytes is not null && PendingJournal.TryRead(journalBytes, out pending, out originals) && pending.Count > 0)
        {
            foreach (var obj in pending)
            {
                objects.TryAdd(obj.Key, obj);
            }
            log.Message(LogImportance.Normal, $"An earlier publish that did not finish stored {pending.Count:N0} object(s); they are not sent again.");
        }

        if (verifyRemote && objects.Count > 0)
        {
            objects = await KeepListedAsync(store, objects, log, cancellationToken).ConfigureAwait(false);
        }
        // The journal vouches for an un-fingerprinted copy only while the manifest read names it: the prune may delete
        // one no kept generation names (once that generation was replaced MinAge ago), so an older entry for it is
        // not to be trusted — the copy is written again.
        return new DestinationState(manifestBytes, objects, journalBytes, pending, originals.Where(o => unfingerprinted.Contains(o.Key)).ToArray());
    }

    /// <summary>Diff: the planned objects the destination lacks. Keys are content-addressed, but the digest is
    /// compared as well, so a manifest entry can never vouch for other bytes.</summary>
    public IReadOnlyList<PlannedObject> Missing(PublishPlan plan) =>
        plan.Objects
            .Where(o => !((o.Immutable ? Objects : Originals).TryGetValue(o.Key, out var stored) && stored.Sha256 == o.Sha256 && stored.Size == o.Size))
            .ToArray();

    private static async Task<Dictionary<string, ManifestObject>> KeepListedAsync(
        IAssetStore store, Dictionary<string, ManifestObject> objects, IPublishLog log, CancellationToken cancellationToken)
    {
        var listed = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            foreach (var obj in await KeyRangeListing.ListAllAsync(store, "", objects.Keys, cancellationToken).ConfigureAwait(false))
            {
                listed[obj.Key] = obj.Size;
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Messages.NotListed(log.Spelling, StoreFailures.DiagnosticOf(e), store.Description).AsException(e);
        }
        var present = objects
            .Where(o => listed.TryGetValue(o.Key, out var size) && size == o.Value.Size)
            .ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
        if (present.Count < objects.Count)
        {
            log.Message(LogImportance.High,
                $"{objects.Count - present.Count:N0} object(s) named by the destination's manifest are missing or damaged at {store.Description}; they will be stored again.");
        }
        return present;
    }
}
