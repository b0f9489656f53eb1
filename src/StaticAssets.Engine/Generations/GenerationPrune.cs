using System.Diagnostics;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Publishing;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Generations;

/// <summary>How a prune runs.</summary>
public sealed record PruneOptions
{
    public const int DefaultMaxDeletes = 1000;

    public string ManifestName { get; init; } = AssetManifest.DefaultName;

    /// <summary>Generations kept: the newest this many distinct published manifests (after a publish, the current one is
    /// the newest), and the current manifest whatever its age (after a rollback, an older one).</summary>
    public int KeepGenerations { get; init; } = 3;

    /// <summary>The safety margin: an object goes only if the generation that stopped naming it became current at
    /// least this long ago, and the object itself was last written at least this long ago.</summary>
    public TimeSpan MinAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Above this many objects to delete, nothing is deleted (warning SA2008).</summary>
    public int MaxDeletes { get; init; } = DefaultMaxDeletes;

    /// <summary>Report what would be deleted; delete nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>The project pruning (checked against the manifest's, like a publish).</summary>
    public string? Project { get; init; }

    public bool AdoptManifest { get; init; }

    /// <summary>The clock (tests); UTC now.</summary>
    public Func<DateTimeOffset> Now { get; init; } = () => DateTimeOffset.UtcNow;
}

public sealed record PruneResult(bool Succeeded, IReadOnlyList<StoredObjectInfo> Deleted, IReadOnlyList<string> EntriesDeleted, int Deferred, int UploadsAborted)
{
    public static PruneResult Failed { get; } = new(false, [], [], 0, 0);

    public long BytesFreed => Deleted.Sum(o => o.Size);
}

/// <summary>
/// Deletes what no generation worth keeping needs: content-addressed objects, and the un-fingerprinted copies of assets
/// no kept generation has any more. An object is deleted only if all of these hold:
/// <list type="number">
/// <item>some entry of THIS manifest's history names it (this tool wrote it; nothing else under the prefix is touched);</item>
/// <item>no kept generation (the <see cref="PruneOptions.KeepGenerations"/> newest published manifests), nor the current
/// manifest, nor the pending journal names it (its pending objects or its un-fingerprinted copies) — nor the current
/// manifest, journal or any history entry of another manifest at the same prefix;</item>
/// <item>the generation that replaced the newest generation naming it (found by the entries' <c>replaces</c>, not by
/// list order) became current at least <see cref="PruneOptions.MinAge"/> ago: servers of that release may still link it
/// during a rollout, and a publisher that planned against it may still be uploading;</item>
/// <item>it was last written at least <see cref="PruneOptions.MinAge"/> ago (a publisher may just have stored it again).</item>
/// </list>
/// The current manifest and the journal are read again just before deleting, and anything they name then is kept.
/// Objects go first (S3 DeleteObjects of 1,000 keys, Azure Blob Batch of 256), history entries after theirs, so a prune stopped half-way
/// leaves every kept generation complete and the next prune finds what is left.
/// </summary>
public static class GenerationPrune
{
    public static async Task<PruneResult> PruneAsync(IAssetStore store, PruneOptions options, IPublishLog log, CancellationToken cancellationToken)
    {
        var deleted = 0;
        return await Reported.RunAsync(
            () => PruneCoreAsync(store, options, log, count => deleted = count, cancellationToken), PruneResult.Failed,
            () => Messages.PruneCanceled(store.Description, deleted), log, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PruneResult> PruneCoreAsync(
        IAssetStore store, PruneOptions options, IPublishLog log, Action<int> onDeleted, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        StaticAssetPublisher.Validate(new PublishOptions { ManifestName = options.ManifestName }, log.Spelling);
        var now = options.Now();
        var times = new PhaseTimes(["history", "listing and entries", "decide", "re-read", "deletes", "incomplete uploads"]);
        var history = await DestinationHistory.ReadAsync(store, options.ManifestName, cancellationToken).ConfigureAwait(false);
        times.Lap("history");
        StaticAssetPublisher.CheckOwner(history.Manifest, options.ManifestName, options.Project, options.AdoptManifest, store, log.Spelling);

        (history, var generations) = await history.WithWholeListingAsync(store, history.Entries, cancellationToken).ConfigureAwait(false);
        times.Lap("listing and entries");
        var keptGenerations = Kept(generations, history.ManifestSha256, options.KeepGenerations).ToArray();
        // What this manifest's own history still needs: its kept generations and the current manifest.
        var ours = keptGenerations.SelectMany(g => g.Keys)
            .Concat(history.ManifestKeys).ToHashSet(StringComparer.Ordinal);
        var protectedKeys = await ProtectedAsync(store, history, ours, cancellationToken).ConfigureAwait(false);

        // Each object this history names (content-addressed or un-fingerprinted), with the newest generation naming it.
        var newestNaming = new Dictionary<string, Generation>(StringComparer.Ordinal);
        foreach (var generation in generations)
        {
            foreach (var key in generation.Keys)
            {
                newestNaming[key] = generation; // oldest first: the last one wins
            }
        }
        var cutoff = now - options.MinAge;
        var doomed = new List<StoredObjectInfo>();
        var deferred = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, newest) in newestNaming.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (protectedKeys.Contains(key) || !history.Listed.TryGetValue(key, out var listed))
            {
                continue;
            }
            var replacedAt = ReplacedAt(newest, generations);
            if (replacedAt is { } at && at <= cutoff && listed.LastModified <= cutoff)
            {
                doomed.Add(listed);
            }
            else
            {
                deferred.Add(key);
            }
        }
        var doomedKeys = doomed.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var kept = keptGenerations.Select(g => g.Name.Key).ToHashSet(StringComparer.Ordinal);
        // An entry goes when nothing it names stays but for this manifest's own kept generations: an object kept for
        // another reason (the journal, another manifest, the minimum age) keeps its entry, so a later prune can still
        // tell it is ours.
        var entries = generations
            .Where(g => !kept.Contains(g.Name.Key) && g.Record.ManifestSha256 != history.ManifestSha256
                && g.Keys.All(k => doomedKeys.Contains(k) || ours.Contains(k) || !history.Listed.ContainsKey(k)))
            .Select(g => g.Name.Key).ToArray();

        times.Lap("decide");

        if (doomed.Count > options.MaxDeletes)
        {
            log.Report(Messages.PruneCapped(log.Spelling, doomed.Count, options.MaxDeletes, store.Description));
            return new PruneResult(true, [], [], deferred.Count, 0);
        }
        if (options.DryRun)
        {
            foreach (var key in log.Logs(LogImportance.Normal) ? doomedKeys.Concat(entries) : [])
            {
                log.Message(LogImportance.Normal, $"Would delete {key}");
            }
            log.Message(LogImportance.High,
                $"Dry run: the prune would delete {doomed.Count:N0} objects ({Megabytes(doomed.Sum(o => o.Size))}) and {entries.Length:N0} history entries " +
                $"at {store.Description}; {deferred.Count:N0} unneeded objects are younger than the minimum age. Nothing was deleted.");
            return new PruneResult(true, doomed, entries, deferred.Count, 0);
        }

        if (doomed.Count > 0)
        {
            // A publish may have switched since the listing: whatever the manifest and journal name now stays.
            var again = await DestinationHistory.ReadAsync(store, options.ManifestName, cancellationToken).ConfigureAwait(false);
            var named = again.ManifestKeys.Concat(again.JournalKeys).ToHashSet(StringComparer.Ordinal);
            times.Lap("re-read");
            doomed.RemoveAll(o => named.Contains(o.Key));
            if (named.Overlaps(doomedKeys))
            {
                // Its entries are not complete candidates any more; leave them for a later prune.
                entries = [];
            }
            await DeleteAsync(store, doomed.Select(o => o.Key).ToArray(), cancellationToken).ConfigureAwait(false);
            onDeleted(doomed.Count);
        }
        if (entries.Length > 0)
        {
            await DeleteAsync(store, entries, cancellationToken).ConfigureAwait(false);
        }
        times.Lap("deletes");
        var aborted = 0;
        try
        {
            aborted = await store.AbortIncompleteUploadsAsync(cutoff, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Messages.NotDeleted(StoreFailures.DiagnosticOf(e), store.Description).AsException(e);
        }

        times.Lap("incomplete uploads");
        log.Message(LogImportance.Normal, $"Where the time went: {times}; {clock.Elapsed.TotalSeconds:F2} s in all.");
        log.Message(LogImportance.High,
            $"Pruned {doomed.Count:N0} objects ({Megabytes(doomed.Sum(o => o.Size))} freed) and {entries.Length:N0} history entries at {store.Description}" +
            $"{(aborted > 0 ? $", aborted {aborted:N0} incomplete uploads" : "")}; kept the current manifest and {kept.Count:N0} generation(s)" +
            $"{(deferred.Count > 0 ? $", and {deferred.Count:N0} unneeded objects younger than the minimum age" : "")}, in {clock.Elapsed.TotalSeconds:N1} s.");
        return new PruneResult(true, doomed, entries, deferred.Count, aborted);
    }

    /// <summary>The newest <paramref name="keep"/> distinct published manifests' entries (all their entries), and every
    /// entry of the current manifest.</summary>
    public static IEnumerable<Generation> Kept(IReadOnlyList<Generation> generations, string? currentSha256, int keep)
    {
        var keptManifests = generations.Where(g => g.Record.Kind == GenerationKind.Publish)
            .OrderByDescending(g => g.Record.PublishedAt)
            .Select(g => g.Record.ManifestSha256).Distinct().Take(keep)
            .Append(currentSha256).ToHashSet(StringComparer.Ordinal);
        return generations.Where(g => keptManifests.Contains(g.Record.ManifestSha256));
    }

    /// <summary>When <paramref name="generation"/> stopped being current: the first later entry that replaced its
    /// manifest. Null if none did (it is current, or its successor's entry was never written): then it is kept.</summary>
    public static DateTimeOffset? ReplacedAt(Generation generation, IReadOnlyList<Generation> generations) =>
        generations
            .Where(g => g.Record.Replaces == generation.Record.ManifestSha256 && g.Record.PublishedAt >= generation.Record.PublishedAt && g != generation)
            .Select(g => (DateTimeOffset?)g.Record.PublishedAt)
            .Min();

    /// <summary>Every key nothing may delete: <paramref name="ours"/> (named by a kept generation or the current
    /// manifest), named by the journal of this manifest, or by the current manifest, journal or any history entry of
    /// another manifest at the prefix. The other manifests' entries, manifests and journals are all read at once (one
    /// round trip, not three per manifest).</summary>
    private static async Task<HashSet<string>> ProtectedAsync(
        IAssetStore store, DestinationHistory history, IReadOnlySet<string> ours, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(ours, StringComparer.Ordinal);
        keys.UnionWith(history.JournalKeys);
        var others = history.OtherHistoryFolders.Select(folder => NamedByOtherAsync(store, history, folder, cancellationToken)).ToArray();
        await Task.WhenAll(others.Cast<Task>()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var other in others)
        {
            keys.UnionWith(await other.ConfigureAwait(false)); // in folder order: the first failure is the one reported
        }
        return keys;
    }

    /// <summary>What the manifest whose history is <paramref name="folder"/> names: its entries, its current manifest
    /// and its pending journal, read at the same time.</summary>
    private static async Task<IEnumerable<string>> NamedByOtherAsync(IAssetStore store, DestinationHistory history, string folder, CancellationToken cancellationToken)
    {
        var other = GenerationRecord.ManifestNameFor(folder);
        var names = history.Listing.Select(o => GenerationName.TryParse(folder, o.Key)).OfType<GenerationName>();
        var entries = DestinationHistory.ReadEntriesAsync(store, names, cancellationToken);
        var manifest = store.ReadOrFailAsync(other, cancellationToken);
        var journal = store.ReadOrFailAsync(PendingJournal.NameFor(other), cancellationToken);
        await Task.WhenAll(entries, manifest, journal).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var theirs = await entries.ConfigureAwait(false);
        var current = await manifest.ConfigureAwait(false);
        var journaled = await journal.ConfigureAwait(false) is { } bytes && PendingJournal.TryRead(bytes, out var pending, out var originals)
            ? pending.Concat(originals)
            : [];
        return theirs.SelectMany(g => g.Keys).Concat(DestinationHistory.NamedBy(current)).Concat(journaled.Select(o => o.Key));
    }

    private static async Task DeleteAsync(IAssetStore store, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteManyAsync(keys, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Messages.NotDeleted(StoreFailures.DiagnosticOf(e), store.Description).AsException(e);
        }
    }

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:N1} MB";
}
