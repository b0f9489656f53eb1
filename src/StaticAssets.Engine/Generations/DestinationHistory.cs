using StaticAssets.Engine.Core;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Generations;

/// <summary>One history entry, read: its name, its record and the manifest's bytes. (A class, not a record: what it
/// parses on demand is kept in it, and two entries are the same only if they are one.)</summary>
public sealed class Generation(GenerationName name, GenerationRecord record, byte[] manifest)
{
    public GenerationName Name { get; } = name;

    public GenerationRecord Record { get; } = record;

    public byte[] Manifest { get; } = manifest;

    public string Hash => Record.ManifestSha256[..GenerationRecord.NameHashLength];

    /// <summary>The manifest's assets (parsed when first asked for: a rollback parses them itself while it lists).</summary>
    public IReadOnlyList<ManifestAsset> Assets => _assets ??= DestinationHistory.AssetsOf(Manifest);

    /// <summary>The content-addressed objects the manifest names, by key.</summary>
    public IReadOnlyDictionary<string, ManifestObject> Objects => _objects ??= AssetManifest.ObjectsOf(Assets);

    /// <summary>Every key the manifest names: its content-addressed objects' and its un-fingerprinted copies'.</summary>
    public IReadOnlyCollection<string> Keys => _keys ??= AssetManifest.KeysOf(Assets);

    private IReadOnlyList<ManifestAsset>? _assets;
    private IReadOnlyDictionary<string, ManifestObject>? _objects;
    private IReadOnlyCollection<string>? _keys;
}

/// <summary>One history entry as a listing shows it: its name and record, without the manifest it carries.</summary>
public sealed record ListedGeneration(GenerationName Name, GenerationRecord Record)
{
    public string Hash => Record.ManifestSha256[..GenerationRecord.NameHashLength];
}

/// <summary>
/// What rollback, prune and the history listing start from, read in one round trip: the destination's current
/// manifest and pending journal (two GETs) and, at the same time, the listing of the manifest's history folder. A
/// rollback or prune then lists the whole prefix while it reads the entries it needs
/// (<see cref="ReadWithWholeListingAsync"/>, <see cref="WithWholeListingAsync"/>). History is per manifest name:
/// <c>&lt;name&gt;.generations/</c> holds this manifest's entries and nothing of another manifest's at the same prefix.
/// </summary>
public sealed class DestinationHistory
{
    /// <summary>The same history with another listing: what was worked out from the manifest and the journal (digest,
    /// keys, the journal's lists: milliseconds each for a 3 MB manifest) is kept, not worked out again.</summary>
    private DestinationHistory(DestinationHistory history, IReadOnlyList<StoredObjectInfo> listing)
    {
        ManifestName = history.ManifestName;
        Manifest = history.Manifest;
        Journal = history.Journal;
        Entries = history.Entries;
        Listing = listing;
        Listed = listing.ToDictionary(o => o.Key, StringComparer.Ordinal);
        Pending = history.Pending;
        Originals = history.Originals;
        _manifestSha256 = history._manifestSha256;
        _manifestAssets = history._manifestAssets;
        _manifestKeys = history._manifestKeys;
    }

    private DestinationHistory(string manifestName, byte[]? manifest, byte[]? journal, IReadOnlyList<GenerationName> entries, IReadOnlyList<StoredObjectInfo> listing)
    {
        ManifestName = manifestName;
        Manifest = manifest;
        Journal = journal;
        Entries = entries;
        Listing = listing;
        Listed = listing.ToDictionary(o => o.Key, StringComparer.Ordinal);
        if (journal is not null && PendingJournal.TryRead(journal, out var pending, out var originals))
        {
            Pending = pending;
            Originals = originals;
        }
    }

    public string ManifestName { get; }

    /// <summary>The current manifest's bytes; null if there is none.</summary>
    public byte[]? Manifest { get; }

    public string? ManifestSha256 => Manifest is null ? null : _manifestSha256 ??= Sha256Digest.Compute(Manifest).Hex;

    private string? _manifestSha256;

    /// <summary>Every key the current manifest names, its content-addressed objects' and its un-fingerprinted copies'
    /// (none if there is none or it is not readable).</summary>
    public IReadOnlyCollection<string> ManifestKeys => _manifestKeys ??= AssetManifest.KeysOf(ManifestAssets);

    /// <summary>
    /// What the whole listing's key ranges are split by (<see cref="KeyRangeListing.KnownKeysPerRange"/> each): the
    /// manifest's content-addressed objects and a failed publish's, keys that exist and spread like the rest. Not the
    /// un-fingerprinted copies: one beside each asset's objects, they only made the ranges smaller than a page needs
    /// (the 3,000-file tree's 11,098 keys: 21 ranges instead of 15, 0.24-0.29 s against 0.18 s,
    /// `bench/run.sh generations`); nor the compressed ones a bucket publish never writes (30 ranges, 0.33 s). Read
    /// by <see cref="AssetManifest.ObjectKeysOf"/>, not as assets: 7 ms instead of 22 ms for a 3 MB manifest in a
    /// fresh process, between a rollback's first round trip and its listing.
    /// </summary>
    public IEnumerable<string> ListingSplitKeys =>
        (Manifest is null ? [] : AssetManifest.ObjectKeysOf(Manifest)).Concat(Pending.Select(o => o.Key));

    /// <summary>The current manifest's assets (none if there is none or it is not readable).</summary>
    private IReadOnlyList<ManifestAsset> ManifestAssets => _manifestAssets ??= AssetsOf(Manifest);

    private IReadOnlyList<ManifestAsset>? _manifestAssets;
    private IReadOnlyCollection<string>? _manifestKeys;

    public byte[]? Journal { get; }

    public IReadOnlyList<ManifestObject> Pending { get; } = [];

    public IReadOnlyList<ManifestObject> Originals { get; } = [];

    /// <summary>Every key the journal names: a failed publish's objects and the un-fingerprinted copies it vouches for.</summary>
    public IEnumerable<string> JournalKeys => Pending.Concat(Originals).Select(o => o.Key);

    /// <summary>What was listed: the history folder, or after <see cref="WithWholeListingAsync"/> the whole prefix.</summary>
    public IReadOnlyList<StoredObjectInfo> Listing { get; }

    public IReadOnlyDictionary<string, StoredObjectInfo> Listed { get; }

    /// <summary>This manifest's history entries as listed, oldest first.</summary>
    public IReadOnlyList<GenerationName> Entries { get; }

    /// <summary>This manifest's publish entries (rollbacks left out), oldest first.</summary>
    public IEnumerable<GenerationName> PublishEntries => Entries.Where(e => e.Kind == GenerationKind.Publish);

    /// <summary>The history folders of other manifests at the same prefix (from a whole listing).</summary>
    public IReadOnlyList<string> OtherHistoryFolders => Listing
        .Select(o => o.Key.IndexOf('/') is var slash and > 0 ? o.Key[..(slash + 1)] : null)
        .OfType<string>()
        .Where(f => f.EndsWith(".generations/", StringComparison.Ordinal) && f != GenerationRecord.FolderFor(ManifestName))
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Reads the manifest and the journal while listing this manifest's history folder.</summary>
    public static async Task<DestinationHistory> ReadAsync(IAssetStore store, string manifestName, CancellationToken cancellationToken)
    {
        var folder = GenerationRecord.FolderFor(manifestName);
        // The manifest first: megabytes, the longest of the three (the first request a process sends also waits for
        // its HTTP stack's first-use work).
        var manifest = store.ReadOrFailAsync(manifestName, cancellationToken);
        var listing = ListAsync(store, folder, [], null, waitForLater: false, cancellationToken);
        var journal = store.ReadOrFailAsync(PendingJournal.NameFor(manifestName), cancellationToken);
        await Task.WhenAll(listing, manifest, journal).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var listed = await listing.ConfigureAwait(false);
        var entries = listed.Select(o => GenerationName.TryParse(folder, o.Key)).OfType<GenerationName>()
            .OrderBy(e => e.PublishedAt).ThenBy(e => e.Key, StringComparer.Ordinal).ToArray();
        return new DestinationHistory(manifestName, await manifest.ConfigureAwait(false), await journal.ConfigureAwait(false), entries, listed);
    }

    /// <summary>
    /// Reads the history (<see cref="ReadAsync"/>) while the whole prefix is listed: the listing's first page goes with
    /// the first round trip, and the rest is listed in key ranges at once, split by the keys the manifest and the
    /// journal name (<see cref="ListingSplitKeys"/>) as soon as they are read — the first page's end waits for them,
    /// as they come in the same round trip. <paramref name="read"/> is given the history as soon as it is read and
    /// runs while the listing goes on; if it fails, the listing is canceled. A rollback's listing no longer waits for
    /// the history's parse and its own first page (fresh process, RTT 40 ms, 11,098 keys: the listing done 0.28-0.29 s
    /// into the rollback instead of 0.31-0.32 s).
    /// </summary>
    public static async Task<(DestinationHistory History, T Read)> ReadWithWholeListingAsync<T>(
        IAssetStore store, string manifestName, Func<DestinationHistory, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = ReadAsync(store, manifestName, stop.Token);
        // Worked out off the flow that goes on with the history; a failed read leaves it canceled (page after page, until stopped below).
        var splitKeys = reading.ContinueWith(t => (IEnumerable<string>)t.Result.ListingSplitKeys.ToArray(), stop.Token,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        var listing = ListAsync(store, "", [], splitKeys, waitForLater: true, stop.Token);
        try
        {
            var history = await reading.ConfigureAwait(false);
            var result = await read(history, stop.Token).ConfigureAwait(false);
            return (new DestinationHistory(history, await listing.ConfigureAwait(false)), result);
        }
        catch
        {
            // Nothing goes on after this returns: a listing that has not failed itself is stopped and waited for.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(listing, splitKeys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    /// <summary>The same history with the whole prefix listed, and the entries <paramref name="names"/> read at the same
    /// time. The listing goes in key ranges at once where the store allows, split by the keys the manifest and the
    /// journal name (<see cref="KeyRangeListing"/>), and the entries' objects split what is left of a range that turns
    /// out to hold many of them (a prefix of mostly stale objects, which the current manifest does not name).</summary>
    public async Task<(DestinationHistory History, IReadOnlyList<Generation> Entries)> WithWholeListingAsync(
        IAssetStore store, IEnumerable<GenerationName> names, CancellationToken cancellationToken)
    {
        var reading = ReadEntriesAsync(store, names, cancellationToken);
        // Worked out here, once (the entries' assets parsed), and awaited below: nothing works on what was read after this returns.
        var later = reading.ContinueWith(t => t.Result.SelectMany(e => e.Objects.Keys).ToArray().AsEnumerable(), cancellationToken,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        var listing = ListAsync(store, "", ListingSplitKeys, later, waitForLater: false, cancellationToken);
        await Task.WhenAll(listing, reading, later).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return (new DestinationHistory(this, await listing.ConfigureAwait(false)), await reading.ConfigureAwait(false));
    }

    /// <summary>Every key a manifest names: its content-addressed objects' and its un-fingerprinted copies' (none if it
    /// is not readable).</summary>
    public static IEnumerable<string> NamedBy(byte[]? manifest) => AssetManifest.KeysOf(AssetsOf(manifest));

    /// <summary>A manifest's assets; none if there is no manifest or it is not readable.</summary>
    internal static IReadOnlyList<ManifestAsset> AssetsOf(byte[]? manifest) =>
        manifest is not null && AssetManifest.TryReadAssets(manifest, out var assets, out _) ? assets : [];

    /// <summary>Reads entries (at most the store's concurrency at once). An entry that is not a complete record is SA1016.</summary>
    public static Task<IReadOnlyList<Generation>> ReadEntriesAsync(IAssetStore store, IEnumerable<GenerationName> names, CancellationToken cancellationToken) =>
        ReadEachAsync(store, names, async (name, token) =>
            await store.ReadOrFailAsync(name.Key, token).ConfigureAwait(false) is { } entry && GenerationRecord.TryRead(entry, out var record, out var manifest)
                ? new Generation(name, record, manifest)
                : null, cancellationToken);

    /// <summary>Reads the records of entries from the start of each (<see cref="GenerationRecord.RecordBytes"/>: the
    /// record comes before the manifest, which can be megabytes), at most the store's concurrency at once; an entry
    /// whose record runs longer is read whole. An entry that is not a complete record is SA1016.</summary>
    public static Task<IReadOnlyList<ListedGeneration>> ReadRecordsAsync(IAssetStore store, IEnumerable<GenerationName> names, CancellationToken cancellationToken) =>
        ReadEachAsync(store, names, async (name, token) =>
        {
            if (await store.ReadStartOrFailAsync(name.Key, GenerationRecord.RecordBytes, token).ConfigureAwait(false) is not { } start)
            {
                return null;
            }
            var whole = start.Length < GenerationRecord.RecordBytes;
            if (GenerationRecord.TryReadStart(start, whole, out var record)
                || (!whole && await store.ReadOrFailAsync(name.Key, token).ConfigureAwait(false) is { } entry && GenerationRecord.TryRead(entry, out record, out _)))
            {
                return new ListedGeneration(name, record);
            }
            return null;
        }, cancellationToken);

    /// <summary>Reads each of <paramref name="names"/> with <paramref name="read"/>, in their order, at most the store's
    /// concurrency at once; an entry <paramref name="read"/> finds missing or unreadable (null) is SA1016.</summary>
    private static async Task<IReadOnlyList<T>> ReadEachAsync<T>(
        IAssetStore store, IEnumerable<GenerationName> names, Func<GenerationName, CancellationToken, Task<T?>> read, CancellationToken cancellationToken)
        where T : class
    {
        var list = names.ToArray();
        var found = new T[list.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, list.Length), new ParallelOptions { MaxDegreeOfParallelism = store.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, token) => found[i] = await read(list[i], token).ConfigureAwait(false)
                ?? throw Messages.GenerationUnreadable(list[i].Key, store.Description).AsException()).ConfigureAwait(false);
        return found;
    }

    private static async Task<IReadOnlyList<StoredObjectInfo>> ListAsync(
        IAssetStore store, string under, IEnumerable<string> known, Task<IEnumerable<string>>? later, bool waitForLater, CancellationToken cancellationToken)
    {
        try
        {
            return await KeyRangeListing.ListAllAsync(store, under, known, later, waitForLater, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Messages.HistoryNotListed(StoreFailures.DiagnosticOf(e), store.Description).AsException(e);
        }
    }
}
