namespace StaticAssets.Engine.Storage;

/// <summary>
/// Lists a prefix as several key ranges at once when the store can start a listing after a key
/// (<see cref="IListsAfterKey"/>) and the caller already knows most of the keys (a manifest names them): the ranges
/// split the known keys evenly, so each is about one page. The result is the plain listing's, in the same order.
/// Measured on Ceph RGW at 40 ms RTT (`bench/run.sh generations`): 11,098 keys took 0.67-0.71 s page after page,
/// 0.17-0.22 s in 15 ranges (docs/benchmarks.md, "Rollback and prune"). Keys the caller learns while the listing goes
/// on (a prune reads the older generations' entries meanwhile) split what is left of a range that turned out to hold
/// many of them: a prefix of mostly stale objects is not listed page after page (30,003 keys, 10 of them the current
/// manifest's: 1.61 s page after page, 0.53 s split by the older entry's keys as it comes).
/// </summary>
public static class KeyRangeListing
{
    /// <summary>Known keys per range: S3 pages hold 1,000 keys, and a prefix usually holds more than its manifest names
    /// (older generations' objects, history entries), so a range of 500 known keys is most often one page. Measured
    /// (11,098 keys, RTT 40 ms, Ceph RGW, 2 runs each): 250 a range 0.32-0.34 s, 500 0.19-0.20 s, 900 0.24-0.25 s.</summary>
    public const int KnownKeysPerRange = 500;

    /// <summary>Fewer known keys than one S3 page: one listing request is likely enough.</summary>
    private const int KeysPerPage = 1000;

    public static Task<IReadOnlyList<StoredObjectInfo>> ListAllAsync(
        IAssetStore store, string under, IEnumerable<string> knownKeys, CancellationToken cancellationToken) =>
        ListAllAsync(store, under, knownKeys, laterKeys: null, waitForLaterKeys: false, cancellationToken);

    /// <param name="laterKeys">Keys the caller will know while the listing goes on: once they are there, a range with
    /// more than a page of them still ahead lists the rest of itself in ranges split by them (once; the ranges it
    /// starts do not split again).</param>
    /// <param name="waitForLaterKeys">The later keys come about when a first page does (they are read in the same round
    /// trip as it): a range that ends a page (<see cref="KeysPerPage"/> keys) before they come waits for them rather
    /// than asking for its next page, one round trip after another. The caller must see that they come or fail.</param>
    public static async Task<IReadOnlyList<StoredObjectInfo>> ListAllAsync(
        IAssetStore store, string under, IEnumerable<string> knownKeys, Task<IEnumerable<string>>? laterKeys, bool waitForLaterKeys,
        CancellationToken cancellationToken)
    {
        if (store is not IListsAfterKey ranged)
        {
            return await store.ListAllAsync(under, cancellationToken).ConfigureAwait(false);
        }
        var bounds = Bounds(Sorted(knownKeys, under), null, null);
        if (bounds.Length == 0 && laterKeys is null)
        {
            return await store.ListAllAsync(under, cancellationToken).ConfigureAwait(false);
        }
        var later = laterKeys is null ? null
            : laterKeys.IsCompletedSuccessfully ? Task.FromResult(Sorted(laterKeys.Result, under))
            : laterKeys.ContinueWith(t => Sorted(t.Result, under), cancellationToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        // Each range lists while it holds one of these (a range that splits gives its slot back first), so no more
        // listings than the store's concurrency go at once however many ranges there are.
        using var slots = new SemaphoreSlim(store.MaxConcurrency, store.MaxConcurrency);
        return await ListRangesAsync(ranged, under, null, bounds, null, later, waitForLaterKeys, slots, store.MaxConcurrency, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The keys after <paramref name="first"/> up to and including <paramref name="last"/> (null: from the
    /// start, to the end), in ranges split at <paramref name="bounds"/>, at once: range i holds the keys after
    /// bounds[i - 1] up to and including bounds[i], so the ranges cover every key whether it was known or not.</summary>
    private static async Task<List<StoredObjectInfo>> ListRangesAsync(
        IListsAfterKey ranged, string under, string? first, string[] bounds, string? last, Task<string[]>? later, bool waitForLater,
        SemaphoreSlim slots, int concurrency, CancellationToken cancellationToken)
    {
        var ranges = new List<StoredObjectInfo>[bounds.Length + 1];
        await Parallel.ForEachAsync(Enumerable.Range(0, ranges.Length),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) => ranges[i] = await ListRangeAsync(ranged, under, i == 0 ? first : bounds[i - 1], i < bounds.Length ? bounds[i] : last,
                later, waitForLater, slots, concurrency, token).ConfigureAwait(false)).ConfigureAwait(false);
        return ranges.SelectMany(r => r).ToList();
    }

    private static async Task<List<StoredObjectInfo>> ListRangeAsync(
        IListsAfterKey ranged, string under, string? first, string? last, Task<string[]>? later, bool waitForLater,
        SemaphoreSlim slots, int concurrency, CancellationToken cancellationToken)
    {
        var found = new List<StoredObjectInfo>();
        string[]? rest = null;
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var obj in ranged.ListAfterAsync(under, first, cancellationToken).ConfigureAwait(false))
            {
                if (first is not null && Utf8KeyOrder.Instance.Compare(obj.Key, first) <= 0)
                {
                    continue; // an S3-compatible server that ignores StartAfter: slower, never a key twice
                }
                if (last is not null && Utf8KeyOrder.Instance.Compare(obj.Key, last) > 0)
                {
                    break; // the next range's (leaving the loop stops asking for pages)
                }
                found.Add(obj);
                if (waitForLater && later is { IsCompleted: false } && found.Count % KeysPerPage == 0)
                {
                    // The end of a page (on S3): the later keys, due about now, may split the rest into ranges at once.
                    await ((Task)later).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    cancellationToken.ThrowIfCancellationRequested();
                }
                if (later is { IsCompletedSuccessfully: true })
                {
                    // Decided once, at the first key listed after the later keys came.
                    rest = Bounds(later.Result, obj.Key, last);
                    later = null;
                    if (rest.Length > 0)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            slots.Release();
        }
        if (rest is { Length: > 0 })
        {
            found.AddRange(await ListRangesAsync(ranged, under, found[^1].Key, rest, last, null, false, slots, concurrency, cancellationToken).ConfigureAwait(false));
        }
        return found;
    }

    private static string[] Sorted(IEnumerable<string> keys, string under) =>
        keys.Where(k => k.StartsWith(under, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Order(Utf8KeyOrder.Instance).ToArray();

    /// <summary>Every <see cref="KnownKeysPerRange"/>-th of the sorted <paramref name="known"/> keys after
    /// <paramref name="after"/> and before <paramref name="last"/>; none if those are no more than a page.</summary>
    private static string[] Bounds(string[] known, string? after, string? last)
    {
        var from = after is null ? 0 : Following(known, after);
        var to = last is null ? known.Length : Preceding(known, last); // last itself ends the range already
        var count = to - from;
        return count <= KeysPerPage
            ? []
            : Enumerable.Range(1, (count - 1) / KnownKeysPerRange).Select(i => known[from + i * KnownKeysPerRange - 1]).ToArray();
    }

    /// <summary>The index of the first of the sorted keys after <paramref name="key"/>.</summary>
    private static int Following(string[] sorted, string key)
    {
        var at = Array.BinarySearch(sorted, key, Utf8KeyOrder.Instance);
        return at >= 0 ? at + 1 : ~at;
    }

    /// <summary>The index of the first of the sorted keys not before <paramref name="key"/>.</summary>
    private static int Preceding(string[] sorted, string key)
    {
        var at = Array.BinarySearch(sorted, key, Utf8KeyOrder.Instance);
        return at >= 0 ? at : ~at;
    }
}

/// <summary>
/// Keys in the order S3 lists them: by their UTF-8 bytes, which is code point order. Ordinal string comparison is
/// UTF-16 order, which differs for characters above U+FFFF (surrogates, U+D800-DFFF) against U+E000-FFFF.
/// </summary>
public sealed class Utf8KeyOrder : IComparer<string>
{
    public static Utf8KeyOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return CodePointRank(x[i]) - CodePointRank(y[i]);
            }
        }
        return x.Length - y.Length;
    }

    // Moves the surrogates above U+E000-FFFF: a surrogate pair is a code point above U+FFFF.
    private static int CodePointRank(char c) => c < 0xD800 ? c : c < 0xE000 ? c + 0x2000 : c - 0x800;
}
