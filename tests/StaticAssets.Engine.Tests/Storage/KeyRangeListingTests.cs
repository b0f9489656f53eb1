using System.Collections.Concurrent;

namespace StaticAssets.Engine.Tests.Storage;

/// <summary>
/// A listing in key ranges gives exactly the plain listing, in its order, whatever the known keys (a few, many, some
/// not stored, none), with keys the known ones do not name and keys outside the Basic Multilingual Plane; it asks for
/// the ranges at once, each about one page.
/// </summary>
[TestClass]
public sealed class KeyRangeListingTests
{
    /// <summary>A store listing as S3 does: in UTF-8 byte order, pages of <see cref="PageSize"/> keys, from after any key.</summary>
    private sealed class PagedStore : InMemoryStore, IListsAfterKey
    {
        private int _inFlight;

        public int PageSize { get; init; } = 1000;

        /// <summary>Lists from the first key whatever StartAfter says (an S3-compatible server that does not know it).</summary>
        public bool IgnoresStartAfter { get; init; }

        /// <summary>A listing that begins after this key fails (the server refuses it).</summary>
        public string? FailsAfter { get; init; }

        /// <summary>Listings that ended because they were canceled.</summary>
        public int Canceled;

        /// <summary>Where each page began (null: at the first key).</summary>
        public ConcurrentQueue<string?> PagesAfter { get; } = new();

        /// <summary>Where each listing began.</summary>
        public ConcurrentQueue<string?> Listings { get; } = new();

        public int PeakInFlight { get; private set; }

        /// <summary>Called as each page is served, with how many have been.</summary>
        public Action<int>? OnPage { get; init; }

        private int _pages;

        public override IAsyncEnumerable<StoredObjectInfo> ListAsync(string under, CancellationToken cancellationToken) =>
            ListAfterAsync(under, null, cancellationToken);

        public async IAsyncEnumerable<StoredObjectInfo> ListAfterAsync(
            string under, string? startAfter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var keys = Objects.Keys.Where(k => k.StartsWith(under, StringComparison.Ordinal)).Order(Comparer<string>.Create(CompareUtf8)).ToArray();
            Listings.Enqueue(startAfter);
            var after = IgnoresStartAfter ? null : startAfter;
            while (true)
            {
                PagesAfter.Enqueue(after);
                var inFlight = Interlocked.Increment(ref _inFlight);
                PeakInFlight = Math.Max(PeakInFlight, inFlight);
                try
                {
                    if (FailsAfter is not null && startAfter == FailsAfter)
                    {
                        await Task.Delay(50, cancellationToken);
                        throw new StoreException(Messages.StoreRefused("403 AccessDenied"));
                    }
                    // A round trip, so the ranges overlap; a failing one leaves the others waiting for a slow answer.
                    await Task.Delay(FailsAfter is null ? 5 : 10_000, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref Canceled);
                    throw;
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
                var remaining = keys.Where(k => after is null || CompareUtf8(k, after) > 0).ToArray();
                var page = remaining.Take(PageSize).ToArray();
                OnPage?.Invoke(Interlocked.Increment(ref _pages));
                foreach (var key in page)
                {
                    yield return new StoredObjectInfo(key, Objects[key].LongLength);
                }
                if (remaining.Length <= PageSize)
                {
                    yield break; // not truncated
                }
                after = page[^1];
            }
        }
    }

    /// <summary>The order S3 lists keys in, by their UTF-8 bytes (the reference the comparer is checked against).</summary>
    private static int CompareUtf8(string x, string y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));

    private static PagedStore StoreWith(IEnumerable<string> keys, int pageSize = 1000) =>
        Holding(new PagedStore { PageSize = pageSize, MaxConcurrency = 8 }, keys);

    private static T Holding<T>(T store, IEnumerable<string> keys) where T : InMemoryStore
    {
        foreach (var key in keys)
        {
            store.Objects[key] = [1, 2, 3];
        }
        return store;
    }

    private static string[] Keys(int count, int seed)
    {
        var random = new Random(seed);
        // Folders and names mixing ASCII, Latin-1, CJK, private-use (U+E000-F8FF) and emoji (surrogate pairs): the
        // last two are where UTF-16 and UTF-8 order disagree.
        string[] parts = ["css", "js", "lib", "Ünï", "画像", "\uE000x", "\uF8FFz", "😀", "a😀b", "\uFFFDq", "z"];
        return Enumerable.Range(0, count)
            .Select(i => $"{parts[random.Next(parts.Length)]}/{parts[random.Next(parts.Length)]}{i:x5}.{random.Next(1 << 20):x5}.js")
            .Distinct().ToArray();
    }

    [TestMethod]
    [DataRow(5000, 3000, 1000, DisplayName = "Most keys known, pages of 1,000")]
    [DataRow(5000, 1200, 1000, DisplayName = "A quarter known: ranges take several pages")]
    [DataRow(3000, 3000, 7, DisplayName = "Tiny pages: every range takes many")]
    public async Task GivesThePlainListingInItsOrder_RangesAtOnce(int stored, int known, int pageSize)
    {
        var keys = Keys(stored, seed: stored + known);
        var store = StoreWith(keys, pageSize);
        var random = new Random(7);
        // Known keys: a random sample of what is stored, plus some that are not (a manifest may name a deleted object).
        var knownKeys = keys.OrderBy(_ => random.Next()).Take(known).Concat(Keys(50, seed: 99).Select(k => "zz-gone/" + k)).ToArray();

        var plain = await store.ListAllAsync("", CancellationToken.None);
        var pagesPlain = store.PagesAfter.Count;
        store.PagesAfter.Clear();
        store.Listings.Clear();
        var ranged = await KeyRangeListing.ListAllAsync(store, "", knownKeys, CancellationToken.None);

        CollectionAssert.AreEqual(keys.Order(Comparer<string>.Create(CompareUtf8)).ToArray(), plain.Select(o => o.Key).ToArray(), "the fake lists in UTF-8 order");
        CollectionAssert.AreEqual(plain.Select(o => o.Key).ToArray(), ranged.Select(o => o.Key).ToArray());
        var ranges = (knownKeys.Length - 1) / KeyRangeListing.KnownKeysPerRange + 1;
        Assert.HasCount(ranges, store.Listings.Distinct().ToArray(), "one listing begins at the start and one after each range's bound");
        Assert.IsTrue(store.Listings.All(l => l is null || knownKeys.Contains(l)), "a range begins after a known key");
        Assert.IsGreaterThan(1, store.PeakInFlight, "the ranges were listed one after another");
        Assert.IsLessThanOrEqualTo(8, store.PeakInFlight, "more ranges at once than the store's concurrency");
        Assert.IsLessThanOrEqualTo(pagesPlain + 2 * ranges, store.PagesAfter.Count, "a range reads at most one page past its end");
    }

    /// <summary>A prefix of mostly keys the known ones do not name (a prune's stale generations): once the later keys
    /// come (the older entries, read meanwhile), the range still paging lists its rest in ranges split by them.</summary>
    [TestMethod]
    public async Task ARangeThatHoldsManyLaterKeys_ListsItsRestInRangesOnceTheyCome()
    {
        var keys = Keys(8000, seed: 23);
        var sorted = keys.Order(Comparer<string>.Create(CompareUtf8)).ToArray();
        var later = new TaskCompletionSource<IEnumerable<string>>();
        // The later keys come with the second page (a round trip after the listing began).
        var store = Holding(new PagedStore { PageSize = 1000, MaxConcurrency = 8, OnPage = page => { if (page == 2) { later.TrySetResult(keys); } } }, keys);

        var ranged = await KeyRangeListing.ListAllAsync(store, "", sorted.Take(10), later.Task, waitForLaterKeys: false, CancellationToken.None);

        CollectionAssert.AreEqual(sorted, ranged.Select(o => o.Key).ToArray());
        var listings = store.Listings.ToArray();
        Assert.IsGreaterThan(5, listings.Length, "the rest was not split: " + listings.Length + " listing(s)");
        Assert.IsTrue(listings.Skip(1).All(l => l is not null && keys.Contains(l)), "a range begins after a known key");
        Assert.IsGreaterThan(1, store.PeakInFlight);
        Assert.IsLessThanOrEqualTo(8, store.PeakInFlight, "more listings at once than the store's concurrency");
        // Page after page would be 8; split, no range pages much: at most the pages before the split, the one it broke off, and one
        // page (plus one past its end) a range.
        Assert.IsLessThanOrEqualTo(3 + 2 * (listings.Length - 1), store.PagesAfter.Count);
    }

    [TestMethod]
    [DataRow("before", DisplayName = "Later keys there before the listing begins: split after its first key")]
    [DataRow("never", DisplayName = "Later keys that never come: page after page")]
    [DataRow("failed", DisplayName = "Later keys that failed: page after page")]
    [DataRow("few", DisplayName = "Fewer later keys ahead than a page: no split")]
    public async Task LaterKeys_WhenEverTheyCome_GiveThePlainListing(string when)
    {
        var keys = Keys(5000, seed: 29);
        var sorted = keys.Order(Comparer<string>.Create(CompareUtf8)).ToArray();
        var store = StoreWith(keys);
        var later = when switch
        {
            "before" => Task.FromResult<IEnumerable<string>>(keys),
            "never" => new TaskCompletionSource<IEnumerable<string>>().Task,
            "failed" => Task.FromException<IEnumerable<string>>(new InvalidDataException("unreadable entry")),
            _ => Task.FromResult<IEnumerable<string>>(sorted[^900..]),
        };

        var ranged = await KeyRangeListing.ListAllAsync(store, "", [], later, waitForLaterKeys: false, CancellationToken.None);

        CollectionAssert.AreEqual(sorted, ranged.Select(o => o.Key).ToArray());
        Assert.HasCount(when == "before" ? (5000 - 2) / KeyRangeListing.KnownKeysPerRange + 2 : 1, store.Listings,
            "one listing, or the first range's first key and then the rest in ranges of 500 later keys");
    }

    /// <summary>A rollback lists from its first round trip on, before it has the manifest that splits the listing: the
    /// first page's end waits for the keys (they come in the same round trip), so the rest goes in ranges at once and
    /// no second page is asked for one round trip after the first.</summary>
    [TestMethod]
    public async Task LaterKeysDueWithTheFirstPage_TheFirstPageWaitsForThem_AndTheRestGoesInRanges()
    {
        var keys = Keys(8000, seed: 31);
        var sorted = keys.Order(Comparer<string>.Create(CompareUtf8)).ToArray();
        var later = new TaskCompletionSource<IEnumerable<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The keys come 100 ms after the first page: twenty times what a page takes here.
        var store = Holding(new PagedStore { PageSize = 1000, MaxConcurrency = 8,
            OnPage = page => { if (page == 1) { _ = Task.Delay(100).ContinueWith(_ => later.TrySetResult(keys), TaskScheduler.Default); } } }, keys);

        var ranged = await KeyRangeListing.ListAllAsync(store, "", [], later.Task, waitForLaterKeys: true, CancellationToken.None);

        CollectionAssert.AreEqual(sorted, ranged.Select(o => o.Key).ToArray());
        var listings = store.Listings.ToArray();
        Assert.IsNull(listings[0], "the first listing begins at the start");
        CollectionAssert.Contains(listings, sorted[999], "the rest begins right after the first page, in ranges");
        Assert.HasCount((8000 - 1000 - 1) / KeyRangeListing.KnownKeysPerRange + 2, listings, "the first page, then ranges of 500 later keys");
        Assert.HasCount(listings.Length, store.PagesAfter, "each listing read one page: none asked for a second one a round trip after its first");
        Assert.IsGreaterThan(1, store.PeakInFlight);
    }

    [TestMethod]
    [DataRow("failed", DisplayName = "Waited-for later keys that fail: page after page")]
    [DataRow("few", DisplayName = "Waited-for later keys, fewer ahead than a page: page after page")]
    public async Task LaterKeysWaitedFor_ThatDoNotSplit_GiveThePlainListing(string outcome)
    {
        var keys = Keys(3000, seed: 37);
        var sorted = keys.Order(Comparer<string>.Create(CompareUtf8)).ToArray();
        var later = new TaskCompletionSource<IEnumerable<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = Holding(new PagedStore { PageSize = 1000, MaxConcurrency = 8, OnPage = page =>
        {
            if (page == 1)
            {
                _ = Task.Delay(50).ContinueWith(_ =>
                {
                    if (outcome == "failed")
                    {
                        later.TrySetException(new InvalidDataException("unreadable manifest"));
                    }
                    else
                    {
                        later.TrySetResult(sorted[..1500]);
                    }
                }, TaskScheduler.Default);
            }
        } }, keys);

        var ranged = await KeyRangeListing.ListAllAsync(store, "", [], later.Task, waitForLaterKeys: true, CancellationToken.None);

        CollectionAssert.AreEqual(sorted, ranged.Select(o => o.Key).ToArray());
        Assert.HasCount(1, store.Listings, "one listing, page after page");
        Assert.HasCount(3, store.PagesAfter);
    }

    [TestMethod]
    [Timeout(5_000, CooperativeCancellation = true)]
    public async Task ARangeWaitingForLaterKeys_StopsWhenCanceled()
    {
        var keys = Keys(3000, seed: 41);
        var store = StoreWith(keys);
        using var stop = new CancellationTokenSource();
        var never = new TaskCompletionSource<IEnumerable<string>>();

        var listing = KeyRangeListing.ListAllAsync(store, "", [], never.Task, waitForLaterKeys: true, stop.Token);
        await Task.Delay(100);
        Assert.IsFalse(listing.IsCompleted, "the range waits at its first page's end for the later keys");
        Assert.HasCount(1, store.PagesAfter, "no second page while waiting");
        await stop.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => listing);
    }

    [TestMethod]
    public async Task AServerThatIgnoresStartAfter_StillGivesEachKeyOnce()
    {
        var keys = Keys(3000, seed: 13);
        var store = Holding(new PagedStore { IgnoresStartAfter = true }, keys);

        var ranged = await KeyRangeListing.ListAllAsync(store, "", keys, CancellationToken.None);

        CollectionAssert.AreEqual(keys.Order(Comparer<string>.Create(CompareUtf8)).ToArray(), ranged.Select(o => o.Key).ToArray());
    }

    [TestMethod]
    [Timeout(5_000, CooperativeCancellation = true)]
    public async Task ARangeThatFails_FailsTheListingWithItsCodedError_AndCancelsTheOthers()
    {
        var keys = Keys(3000, seed: 17);
        var bound = keys.Order(Utf8KeyOrder.Instance).ElementAt(KeyRangeListing.KnownKeysPerRange - 1);
        var store = Holding(new PagedStore { FailsAfter = bound, MaxConcurrency = 8 }, keys);

        var failure = await Assert.ThrowsExactlyAsync<StoreException>(() => KeyRangeListing.ListAllAsync(store, "", keys, CancellationToken.None));

        StringAssert.Contains(failure.Diagnostic.Message, "403 AccessDenied");
        // Each other range that began (up to 5) was waiting 10 s for its page: canceled, not awaited (the 5 s timeout).
        Assert.IsGreaterThan(1, store.Listings.Count);
        Assert.AreEqual(store.Listings.Count - 1, store.Canceled, "every other range was canceled");
    }

    [TestMethod]
    public async Task UnderAFolder_OnlyItsKeys()
    {
        var keys = Keys(4000, seed: 3);
        var store = StoreWith(keys);
        var under = keys[0][..(keys[0].IndexOf('/') + 1)];

        var ranged = await KeyRangeListing.ListAllAsync(store, under, keys, CancellationToken.None);

        CollectionAssert.AreEqual(keys.Where(k => k.StartsWith(under, StringComparison.Ordinal)).Order(Comparer<string>.Create(CompareUtf8)).ToArray(),
            ranged.Select(o => o.Key).ToArray());
    }

    [TestMethod]
    public async Task FewKnownKeys_OrAStoreThatCannotStartAfterAKey_ListOnce()
    {
        var keys = Keys(3000, seed: 5);
        var store = StoreWith(keys);
        var few = await KeyRangeListing.ListAllAsync(store, "", keys.Take(900), CancellationToken.None);
        Assert.HasCount(1, store.Listings, "900 known keys: one listing");
        Assert.HasCount(3, store.PagesAfter, "3,000 keys: 3 pages one after another");
        Assert.HasCount(keys.Length, few);

        var plain = Holding(new InMemoryStore(), keys);
        var listed = await KeyRangeListing.ListAllAsync(plain, "", keys, CancellationToken.None);
        CollectionAssert.AreEquivalent(keys, listed.Select(o => o.Key).ToArray());
    }

    [TestMethod]
    public void Utf8KeyOrder_IsTheOrderOfTheUtf8Bytes()
    {
        var keys = Keys(3000, seed: 11).Concat(["", "a", "ab", "\uD7FF", "\uE000", "\uFFFF", "\U00010000", "\U0010FFFF"]).ToArray();
        CollectionAssert.AreEqual(keys.Order(Comparer<string>.Create(CompareUtf8)).ToArray(), keys.Order(Utf8KeyOrder.Instance).ToArray());
        Assert.IsLessThan(0, string.CompareOrdinal("😀", "\uE000"), "ordinal order puts the emoji first (the case this comparer exists for)");
        Assert.IsGreaterThan(0, Utf8KeyOrder.Instance.Compare("😀", "\uE000"));
    }
}
