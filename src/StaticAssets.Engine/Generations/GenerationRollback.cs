using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using StaticAssets.Engine.Commit;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Publishing;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Generations;

/// <summary>How a rollback runs.</summary>
public sealed record RollbackOptions
{
    public string ManifestName { get; init; } = AssetManifest.DefaultName;

    /// <summary><c>previous</c>, the start of an entry's hash (4 hex digits or more), or a UTC time: the newest
    /// generation published at or before it.</summary>
    public string Generation { get; init; } = "previous";

    /// <summary>Cache-Control of the un-fingerprinted copies restored (as a publish writes them).</summary>
    public string OriginalsCacheControl { get; init; } = Plan.PlanOptions.ShortCacheControl;

    /// <summary>Who rolls back (recorded in the rollback's history entry; the project is checked against the manifest's).</summary>
    public GenerationSource Source { get; init; } = new();

    public bool AdoptManifest { get; init; }

    /// <summary>How many missing objects a refusal names before "and N more".</summary>
    public int MissingShown { get; init; } = 10;
}

public sealed record RollbackResult(bool Succeeded, Generation? Target = null, int Verified = 0, int Copied = 0, bool Switched = false)
{
    public static RollbackResult Failed { get; } = new(false);
}

/// <summary>
/// Makes an earlier generation of a manifest current again, in one step, without uploading any content. Four round
/// trips and the copies: the manifest and the journal are read while the history folder and the first page of the
/// whole prefix are listed; the chosen entry is read while the rest of the prefix is listed (in key ranges at once on
/// S3), which proves every object the generation names is still there; one PUT switches the manifest (its history
/// entry, kind rollback, goes at the same time); then each un-fingerprinted copy whose bytes differ is restored from
/// its fingerprinted key by a copy inside the store, and the journal records their bytes.
/// </summary>
public static class GenerationRollback
{
    private static readonly Regex HashPrefix = new("^[0-9a-fA-F]{4,64}$", RegexOptions.CultureInvariant);

    public static async Task<RollbackResult> RollbackAsync(IAssetStore store, RollbackOptions options, IPublishLog log, CancellationToken cancellationToken)
    {
        var switched = false;
        return await Reported.RunAsync(
            () => RollbackCoreAsync(store, options, log, () => switched = true, cancellationToken), RollbackResult.Failed,
            () => Messages.RollbackCanceled(store.Description, switched), log, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<RollbackResult> RollbackCoreAsync(
        IAssetStore store, RollbackOptions options, IPublishLog log, Action onSwitched, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        StaticAssetPublisher.Validate(new PublishOptions { ManifestName = options.ManifestName }, log.Spelling);
        var times = new PhaseTimes(["history", "listing and entry", "switch", "copies", "journal"]);
        // Its listing goes in ranges at once and its copies as many at once as the store allows: their connections'
        // handshakes happen while the first round trip is on the wire (with no copies to make, they close unused).
        (store as IPreparesConnections)?.PrepareConnections();
        // The whole prefix is listed from the first round trip on; the chosen entry is read, and what the switch needs
        // of it worked out, while the listing goes on.
        var (history, (target, assets, objects)) = await DestinationHistory.ReadWithWholeListingAsync(store, options.ManifestName, async (history, token) =>
        {
            times.Lap("history");
            StaticAssetPublisher.CheckOwner(history.Manifest, options.ManifestName, options.Source.Project, options.AdoptManifest, store, log.Spelling);
            var chosen = Choose(history, options.Generation, store, log.Spelling);
            var entry = (await DestinationHistory.ReadEntriesAsync(store, [chosen], token).ConfigureAwait(false))[0];
            if (!AssetManifest.TryReadAssets(entry.Manifest, out var assets, out _))
            {
                throw Messages.GenerationUnreadable(entry.Name.Key, store.Description).AsException();
            }
            _ = history.ManifestSha256; // the record's "replaces"
            return (entry, assets, assets.SelectMany(a => a.Objects).DistinctBy(o => o.Key, StringComparer.Ordinal).ToArray());
        }, cancellationToken).ConfigureAwait(false);
        times.Lap("listing and entry");

        var missing = objects
            .Where(o => !(history.Listed.TryGetValue(o.Key, out var listed) && listed.Size == o.Size))
            .Select(o => o.Key).Order(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            throw Messages.GenerationObjectsMissing(target.Hash, store.Description, missing, options.MissingShown).AsException();
        }

        // The copies whose bytes are not already the generation's: as the journal vouches for them, and still there
        // (a prune deletes the copies of assets no kept generation has).
        var known = history.Originals
            .Where(o => history.Listed.TryGetValue(o.Key, out var listed) && listed.Size == o.Size)
            .DistinctBy(o => o.Key, StringComparer.Ordinal)
            .ToDictionary(o => o.Key, StringComparer.Ordinal);
        var copies = assets.SelectMany(a => CopiesOf(a, history.Listed, options.OriginalsCacheControl))
            .Where(c => !(known.TryGetValue(c.Key, out var current) && current.Sha256 == c.Sha256 && current.Size == c.Size))
            .ToArray();
        // The journal goes on vouching for the target's copies only (as after a publish of it).
        var overwritten = copies.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var targetCopies = assets.SelectMany(a => a.UnfingerprintedKeys).ToHashSet(StringComparer.Ordinal);
        var stillCurrent = known.Values.Where(o => !overwritten.Contains(o.Key) && targetCopies.Contains(o.Key)).ToArray();

        // The switch, its history entry and (write-ahead) forgetting the copies about to change, at once; the switch
        // first: the manifest's PUT (megabytes) is the longest, and the journal is serialized while it is on its way.
        var alreadyCurrent = history.Manifest is not null && history.Manifest.AsSpan().SequenceEqual(target.Manifest);
        var switching = alreadyCurrent
            ? null
            : ManifestCommitter.SwitchAsync(store, options.ManifestName, target.Manifest,
                GenerationRecord.For(GenerationKind.Rollback, target.Record.ManifestSha256, objects, history.ManifestSha256, DateTimeOffset.UtcNow, options.Source),
                log, cancellationToken);
        try
        {
            var journal = new JournalWriter(store, options.ManifestName, history.Journal, history.Pending, known, log);
            var forgetting = copies.Length > 0 || stillCurrent.Length < history.Originals.Count
                ? journal.WriteOriginalsAsync(stillCurrent, cancellationToken)
                : Task.CompletedTask;
            await Task.WhenAll(switching ?? Task.CompletedTask, forgetting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (switching is not null)
            {
                await switching.ConfigureAwait(false);
            }
            onSwitched(); // the manifest is the target's: a stop from here on leaves copies to finish
            await forgetting.ConfigureAwait(false);
            times.Lap("switch");

            await Parallel.ForEachAsync(copies, new ParallelOptions { MaxDegreeOfParallelism = store.MaxConcurrency, CancellationToken = cancellationToken },
                async (copy, token) =>
                {
                    try
                    {
                        await store.CopyAsync(copy, token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!token.IsCancellationRequested)
                    {
                        throw Messages.CopyNotRestored(StoreFailures.DiagnosticOf(e), copy.Key, store.Description).AsException(e);
                    }
                }).ConfigureAwait(false);
            times.Lap("copies");
            if (copies.Length > 0)
            {
                await journal.WriteOriginalsAsync(stillCurrent.Concat(copies.Select(c => new ManifestObject(c.Key, c.Size, c.Sha256))), cancellationToken).ConfigureAwait(false);
            }
            times.Lap("journal");
        }
        finally
        {
            // Nothing goes on after this returns: the switch and its history entry's PUT end first.
            if (switching is not null)
            {
                await ((Task)switching).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (switching.IsCompletedSuccessfully)
                {
                    await switching.Result.EntryWritten.ConfigureAwait(false);
                }
            }
        }
        log.Message(LogImportance.Normal, $"Where the time went: {times}; {clock.Elapsed.TotalSeconds:F2} s in all.");

        var source = target.Record.Source;
        log.Message(LogImportance.High,
            (alreadyCurrent ? $"Generation {target.Hash} of '{options.ManifestName}' was already current" : $"Rolled '{options.ManifestName}' back to generation {target.Hash}") +
            $" (published {target.Record.PublishedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z{Describe(source)}): {objects.Length:N0} objects verified, " +
            $"{copies.Length:N0} un-fingerprinted copies restored by copy, in {clock.Elapsed.TotalSeconds:N1} s -> {store.Description}");
        return new RollbackResult(true, target, objects.Length, copies.Length, !alreadyCurrent);
    }

    /// <summary>" by Project 1.2.0 on machine (CI build id)", as much as is known.</summary>
    public static string Describe(GenerationSource source)
    {
        var parts = new List<string>();
        if (source.Project is { } project)
        {
            parts.Add("by " + project + (source.Version is { } version ? " " + version : ""));
        }
        if (source.Machine is { } machine)
        {
            parts.Add("on " + machine);
        }
        if (source.Ci is { } ci)
        {
            parts.Add($"({ci.Provider} build {ci.BuildId})");
        }
        return parts.Count == 0 ? "" : " " + string.Join(" ", parts);
    }

    /// <summary>The history entry <paramref name="value"/> names (SA1016 if none, or several).</summary>
    public static GenerationName Choose(DestinationHistory history, string value, IAssetStore store, OptionSpelling spelling)
    {
        var entries = history.Entries;
        var text = value.Trim();
        GenerationName? NotFound() => throw Messages.GenerationNotFound(spelling, text, history.ManifestName, store.Description, entries.Count).AsException();
        if (text.Equals("previous", StringComparison.OrdinalIgnoreCase))
        {
            // Step back in publish order: the newest generation published before the current one was (rollback
            // entries do not count, so repeating "previous" goes further back and never returns to a bad release). A
            // current manifest without an entry counts as newer than every entry.
            var current = history.ManifestSha256?[..GenerationRecord.NameHashLength];
            var published = history.PublishEntries.Reverse().ToArray();
            var at = Array.FindIndex(published, e => e.HashPrefix == current);
            return published.Skip(at + 1).FirstOrDefault(e => e.HashPrefix != current) ?? NotFound()!;
        }
        if (HashPrefix.IsMatch(text))
        {
            var prefix = text.ToLowerInvariant();
            var matching = entries.Where(e => prefix.Length <= GenerationRecord.NameHashLength
                ? e.HashPrefix.StartsWith(prefix, StringComparison.Ordinal)
                : prefix.StartsWith(e.HashPrefix, StringComparison.Ordinal)).ToArray();
            var hashes = matching.Select(e => e.HashPrefix).Distinct().ToArray();
            if (hashes.Length > 1)
            {
                throw Messages.GenerationAmbiguous(spelling, text, hashes).AsException();
            }
            return matching.LastOrDefault() ?? NotFound()!;
        }
        if (TryParseTime(text, out var time))
        {
            return entries.LastOrDefault(e => e.PublishedAt <= time) ?? NotFound()!;
        }
        return NotFound()!;
    }

    private static bool TryParseTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, GenerationRecord.TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time)
        || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);

    /// <summary>The un-fingerprinted copy of an asset, and of each compressed copy that the destination holds
    /// beside it (a publish with compressed originals wrote those).</summary>
    private static IEnumerable<StoreCopy> CopiesOf(ManifestAsset asset, IReadOnlyDictionary<string, StoredObjectInfo> listed, string cacheControl)
    {
        if (asset.Original is not { } original)
        {
            yield break;
        }
        yield return new StoreCopy(asset.Object.Key, original, asset.Object.Size, asset.Object.Sha256, asset.ContentType, null, cacheControl);
        foreach (var (encoding, obj) in asset.Encodings)
        {
            if (ContentEncodings.Suffix(encoding) is { } suffix && listed.ContainsKey(original + suffix))
            {
                yield return new StoreCopy(obj.Key, original + suffix, obj.Size, obj.Sha256, asset.ContentType, encoding, cacheControl);
            }
        }
    }
}
