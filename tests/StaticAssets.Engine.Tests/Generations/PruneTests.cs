namespace StaticAssets.Engine.Tests.Generations;

/// <summary>The prune's selection on a fake store: what it may delete, what it must keep, and in which order.</summary>
[TestClass]
public sealed class PruneTests
{
    private const string Name = AssetManifest.DefaultName;

    private static PruneOptions Keep(int n, TimeSpan? minAge = null) => new()
    {
        KeepGenerations = n,
        MinAge = minAge ?? TimeSpan.Zero,
        Project = VersionedSite.Project,
    };

    /// <summary>Five generations, then a rollback to the third: the scenario.</summary>
    private static async Task<(InMemoryStore Store, byte[][] Manifests, VersionedSite Site)> FiveThenBackToThirdAsync()
    {
        var site = new VersionedSite();
        var store = new InMemoryStore();
        var manifests = await site.PublishAsync(store, 5);
        var log = new RecordingLog();
        Assert.IsTrue((await GenerationRollback.RollbackAsync(store, new RollbackOptions
        {
            Generation = Sha256Digest.Compute(manifests[2]).Hex[..12],
            Source = new GenerationSource(VersionedSite.Project),
        }, log, CancellationToken.None)).Succeeded, log.Dump());
        return (store, manifests, site);
    }

    /// <summary>What must be left after keeping 2: generations 3 (current), 4 and 5 with their un-fingerprinted copies,
    /// the manifest, the journal, and the entries of 3, 4 and 5 (3's publish and rollback).</summary>
    private static string[] Needed(InMemoryStore store, byte[][] manifests) =>
        manifests[2..].SelectMany(VersionedSite.KeysOf)
            .Append(Name).Append(PendingJournal.NameFor(Name))
            .Concat(store.Objects.Keys.Where(TestData.IsHistory).Where(k => manifests[2..].Any(m => k.Contains(Sha256Digest.Compute(m).Hex[..12], StringComparison.Ordinal))))
            .Distinct().Order(StringComparer.Ordinal).ToArray();

    [TestMethod]
    public async Task KeepingTwoAfterARollbackToTheThird_LeavesExactlyWhatGenerations345Need()
    {
        var (store, manifests, site) = await FiveThenBackToThirdAsync();
        using var _ = site;
        var needed = Needed(store, manifests);
        var log = new RecordingLog();

        var result = await GenerationPrune.PruneAsync(store, Keep(2), log, CancellationToken.None);

        Assert.IsTrue(result.Succeeded, log.Dump());
        CollectionAssert.AreEqual(needed, store.Objects.Keys.Order(StringComparer.Ordinal).ToArray());
        // 1's and 2's site.css, 1's app.js (shared by 1 and 2), img/v1 and v2: five objects; the un-fingerprinted
        // img/v1.svg and img/v2.svg, which no kept generation has; and 2 entries.
        Assert.HasCount(7, result.Deleted);
        CollectionAssert.IsSubsetOf(new[] { "img/v1.svg", "img/v2.svg" }, result.Deleted.Select(o => o.Key).ToArray());
        Assert.HasCount(2, result.EntriesDeleted);
        var summary = log.Messages.Single(m => m.Text.StartsWith("Pruned ", StringComparison.Ordinal)).Text;
        StringAssert.Contains(summary, $"Pruned 7 objects ({result.BytesFreed / 1048576.0:N1} MB freed) and 2 history entries");
        Assert.IsGreaterThan(0L, result.BytesFreed);

        // A second prune finds nothing more.
        var again = await GenerationPrune.PruneAsync(store, Keep(2), new RecordingLog(), CancellationToken.None);
        Assert.IsEmpty(again.Deleted);
    }

    [TestMethod]
    public async Task NothingGoesBeforeTheMinimumAgeSinceItWasReplaced_NorWhatWasWrittenAgainSince()
    {
        var (store, manifests, site) = await FiveThenBackToThirdAsync();
        using var _ = site;
        var log = new RecordingLog();

        var young = await GenerationPrune.PruneAsync(store, Keep(2, TimeSpan.FromHours(1)), log, CancellationToken.None);

        Assert.IsTrue(young.Succeeded, log.Dump());
        Assert.IsEmpty(young.Deleted, "generations replaced seconds ago");
        Assert.AreEqual(7, young.Deferred, "five content-addressed objects and two un-fingerprinted copies");

        // Two hours later, but 1's site.css and the un-fingerprinted img/v1.svg were stored again (a publisher wrote
        // them) half an hour ago.
        var later = DateTimeOffset.UtcNow.AddHours(2);
        var rewritten = Stored.ObjectsOf(manifests[0]).Select(o => o.Key).First(k => k.StartsWith("css/", StringComparison.Ordinal));
        store.Modified[rewritten] = later.AddMinutes(-30);
        store.Modified["img/v1.svg"] = later.AddMinutes(-30);
        var old = await GenerationPrune.PruneAsync(store, Keep(2, TimeSpan.FromHours(1)) with { Now = () => later }, new RecordingLog(), CancellationToken.None);

        Assert.HasCount(5, old.Deleted, "all but the two written again");
        Assert.IsTrue(store.Objects.ContainsKey(rewritten), "an object written again within the minimum age was deleted");
        Assert.IsTrue(store.Objects.ContainsKey("img/v1.svg"), "an un-fingerprinted copy written again within the minimum age was deleted");
        Assert.IsFalse(store.Objects.ContainsKey("img/v2.svg"));
        Assert.IsTrue(store.Objects.Keys.Any(k => k.Contains(Sha256Digest.Compute(manifests[0]).Hex[..12], StringComparison.Ordinal)),
            "generation 1's entry must stay while an object only it names stays");
    }

    [TestMethod]
    public async Task ObjectsThisToolDidNotWrite_AndThoseOtherManifestsOrTheJournalName_AreNeverDeleted()
    {
        var (store, manifests, site) = await FiveThenBackToThirdAsync();
        using var _ = site;
        var only1 = Stored.ObjectsOf(manifests[0]).Select(o => o.Key).Where(k => k.StartsWith("img/", StringComparison.Ordinal)).Single();
        var css1 = Stored.ObjectsOf(manifests[0]).Select(o => o.Key).Single(k => k.StartsWith("css/", StringComparison.Ordinal));
        // Foreign objects under the prefix.
        store.Objects["robots.txt"] = [1];
        store.Objects["img/logo.0123456789ab.png"] = [2];
        // Another project at the same prefix: its current manifest is generation 1's, its history has generation 2.
        store.Objects["app2.manifest.json"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(manifests[0]).Replace("\"hash\":", "\"project\": \"App2\",\n  \"hash\":"));
        store.Objects["app2.manifest.generations/20200101T000000000Z-0123456789ab.json"] =
            GenerationRecord.For(GenerationKind.Publish, manifests[1], null, DateTimeOffset.UnixEpoch, new()).Serialize(manifests[1]);
        // This manifest's journal records 1's stylesheet as stored by a failed publish.
        var journal = PendingJournal.NameFor(Name);
        Assert.IsTrue(PendingJournal.TryRead(store.Objects[journal], out var ___, out var originals));
        store.Objects[journal] = PendingJournal.Serialize([Stored.ObjectsOf(manifests[0]).Single(o => o.Key == css1)], originals);
        var everything = store.Objects.Keys.ToArray();
        var log = new RecordingLog();

        var result = await GenerationPrune.PruneAsync(store, Keep(2), log, CancellationToken.None);

        Assert.IsTrue(result.Succeeded, log.Dump());
        Assert.IsEmpty(result.Deleted, "generations 1 and 2 are the other project's");
        CollectionAssert.AreEquivalent(everything, store.Objects.Keys.ToArray());

        // Without the other project's current manifest, but with its journal recording 1's image as stored by a
        // failed publish of its own: the image stays; only 1's un-fingerprinted img/v1.svg goes (no journal, manifest
        // or kept generation names it, and a failed publish writes no un-fingerprinted copies).
        store.Objects.TryRemove("app2.manifest.json", out var ____);
        store.Objects[PendingJournal.NameFor("app2.manifest.json")] = PendingJournal.Serialize([Stored.ObjectsOf(manifests[0]).Single(o => o.Key == only1)], []);
        CollectionAssert.AreEqual(new[] { "img/v1.svg" }, (await GenerationPrune.PruneAsync(store, Keep(2), log, CancellationToken.None)).Deleted.Select(o => o.Key).ToArray(),
            "the other project's journal names 1's image");
        Assert.IsTrue(store.Objects.ContainsKey(only1), "the other project's journal names 1's image");

        // Without its journal either, only 1's image may go: 2's objects are in its history, 1's stylesheet in this
        // journal, and the rest was never ours.
        store.Objects.TryRemove(PendingJournal.NameFor("app2.manifest.json"), out var _____);
        var second = await GenerationPrune.PruneAsync(store, Keep(2), log, CancellationToken.None);
        CollectionAssert.AreEqual(new[] { only1 }, second.Deleted.Select(o => o.Key).ToArray(), log.Dump());
        foreach (var key in new[] { "robots.txt", "img/logo.0123456789ab.png", css1 })
        {
            Assert.IsTrue(store.Objects.ContainsKey(key), $"{key} was deleted");
        }
    }

    [TestMethod]
    public async Task AboveTheCapNothingIsDeletedAndAWarningSaysWhy_ADryRunDeletesNothing()
    {
        var (store, _, site) = await FiveThenBackToThirdAsync();
        using var __ = site;
        var before = store.Objects.Keys.ToArray();
        var log = new RecordingLog();

        var capped = await GenerationPrune.PruneAsync(store, Keep(2) with { MaxDeletes = 4 }, log, CancellationToken.None);

        Assert.IsTrue(capped.Succeeded);
        Assert.AreEqual(DiagnosticCodes.TooManyDeletes, log.Warnings.Single().Code);
        StringAssert.Contains(log.Warnings.Single().Message, "would delete 7 objects");
        CollectionAssert.AreEquivalent(before, store.Objects.Keys.ToArray());

        var dryLog = new RecordingLog();
        var dry = await GenerationPrune.PruneAsync(store, Keep(2) with { DryRun = true }, dryLog, CancellationToken.None);
        Assert.HasCount(7, dry.Deleted);
        CollectionAssert.AreEquivalent(before, store.Objects.Keys.ToArray());
        Assert.HasCount(9, dryLog.Messages.Where(m => m.Text.StartsWith("Would delete ", StringComparison.Ordinal)).ToArray());
    }

    [TestMethod]
    public async Task APruneCanceledHalfWayLeavesEveryKeptGenerationComplete_AndTheNextOneFinishes()
    {
        var (memory, manifests, site) = await FiveThenBackToThirdAsync();
        using var _ = site;
        var needed = Needed(memory, manifests);
        using var cancel = new CancellationTokenSource();
        var store = new HalfThenCancel(memory, cancel);
        var log = new RecordingLog();

        var result = await GenerationPrune.PruneAsync(store, Keep(2), log, cancel.Token);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.Canceled, log.Errors.Single().Code, log.Dump());
        foreach (var key in needed)
        {
            Assert.IsTrue(memory.Objects.ContainsKey(key), $"{key} is gone after a canceled prune");
        }
        Assert.AreEqual(manifests.Length + 1, memory.Objects.Keys.Count(TestData.IsHistory), "entries are deleted only after their objects");

        var rerun = await GenerationPrune.PruneAsync(memory, Keep(2), new RecordingLog(), CancellationToken.None);
        Assert.IsTrue(rerun.Succeeded);
        CollectionAssert.AreEqual(needed, memory.Objects.Keys.Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// 1 published long ago, 2 long ago, back to 1 long ago, 3 just now. 1's objects stopped being needed when 3
    /// replaced the rollback (just now), not when 2 replaced 1's first publish: the replaces chain says so, list order
    /// would not.
    /// </summary>
    [TestMethod]
    public async Task WhenAGenerationWasReplacedComesFromTheReplacesChain_NotFromListOrder()
    {
        using var site = new VersionedSite();
        var store = new InMemoryStore();
        var manifests = await site.PublishAsync(store, 3);
        foreach (var key in store.Objects.Keys.Where(TestData.IsHistory).ToArray())
        {
            store.Objects.TryRemove(key, out var __);
        }
        var now = DateTimeOffset.UtcNow;
        void Entry(GenerationKind kind, int generation, int? replaced, TimeSpan ago)
        {
            var record = GenerationRecord.For(kind, manifests[generation - 1], replaced is { } r ? manifests[r - 1] : null, now - ago, new());
            store.Objects[record.KeyIn(Name)] = record.Serialize(manifests[generation - 1]);
        }
        Entry(GenerationKind.Publish, 1, null, TimeSpan.FromDays(10));
        Entry(GenerationKind.Publish, 2, 1, TimeSpan.FromDays(9));
        Entry(GenerationKind.Rollback, 1, 2, TimeSpan.FromDays(8));
        Entry(GenerationKind.Publish, 3, 1, TimeSpan.FromMinutes(5));
        foreach (var key in store.Objects.Keys)
        {
            store.Modified[key] = now.AddDays(-10);
        }

        var result = await GenerationPrune.PruneAsync(store, Keep(1, TimeSpan.FromHours(1)), new RecordingLog(), CancellationToken.None);

        // (With the un-fingerprinted copies: img/v2.svg goes, img/v1.svg stays.)
        var only1 = VersionedSite.KeysOf(manifests[0]).Except(VersionedSite.KeysOf(manifests[2])).ToArray();
        var only2 = VersionedSite.KeysOf(manifests[1]).Except(VersionedSite.KeysOf(manifests[2])).Except(only1).ToArray();
        CollectionAssert.AreEquivalent(only2, result.Deleted.Select(o => o.Key).ToArray(), "2 was replaced 8 days ago; 1 only 5 minutes ago");
        foreach (var key in only1)
        {
            Assert.IsTrue(store.Objects.ContainsKey(key), key);
        }
    }

    [TestMethod]
    public async Task AfterAPublishTheJournalVouchesOnlyForItsManifestsUnfingerprintedCopies()
    {
        using var site = new VersionedSite();
        var store = new InMemoryStore();
        await site.PublishAsync(store, 3); // 2 and 3 each write css/site.css again (a publish with copies)

        Assert.IsTrue(PendingJournal.TryRead(store.Objects[PendingJournal.NameFor(Name)], out _, out var originals));
        CollectionAssert.AreEquivalent(site.Sources(3).Select(s => s.LogicalPath).ToArray(), originals.Select(o => o.Key).ToArray(),
            "img/v1.svg and img/v2.svg are still stored, but the journal no longer vouches for them");

        // A publish that writes no copy at all (3 again) keeps the same rule.
        await site.PublishAsync(3, store);
        Assert.IsTrue(PendingJournal.TryRead(store.Objects[PendingJournal.NameFor(Name)], out _, out originals));
        CollectionAssert.AreEquivalent(site.Sources(3).Select(s => s.LogicalPath).ToArray(), originals.Select(o => o.Key).ToArray());
    }

    /// <summary>
    /// A journal written before the rule above (or by a publisher that started before the current manifest replaced
    /// its own) may still vouch for the copy of an asset the current manifest does not have, which a prune may have
    /// deleted since. A publish that brings the asset back writes its copy again rather than trust that entry.
    /// </summary>
    [TestMethod]
    public async Task AnUnfingerprintedCopyTheManifestDoesNotName_IsWrittenAgainWhateverTheJournalSays()
    {
        using var site = new VersionedSite();
        var store = new InMemoryStore();
        await site.PublishAsync(store, 2);
        var journal = PendingJournal.NameFor(Name);
        Assert.IsTrue(PendingJournal.TryRead(store.Objects[journal], out _, out var originals));
        var v1Image = File.ReadAllBytes(site.Sources(1).Single(s => s.LogicalPath == "img/v1.svg").SourcePath);
        store.Objects[journal] = PendingJournal.Serialize([], originals.Append(new ManifestObject("img/v1.svg", v1Image.Length, Sha256Digest.Compute(v1Image))).ToArray());
        Assert.IsTrue(store.Objects.TryRemove("img/v1.svg", out _)); // pruned

        var republished = await site.PublishAsync(1, store);

        Assert.Contains("img/v1.svg", republished.Written!.Select(o => o.Key).ToArray());
        CollectionAssert.AreEqual(v1Image, store.Objects["img/v1.svg"]);
    }

    /// <summary>Deletes the first half of a batch, then Ctrl+C.</summary>
    private sealed class HalfThenCancel(InMemoryStore inner, CancellationTokenSource cancel) : IAssetStore
    {
        public string Description => inner.Description;

        public int MaxConcurrency => inner.MaxConcurrency;

        public Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) => inner.TryReadAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredObjectInfo> ListAsync(string under, CancellationToken cancellationToken) => inner.ListAsync(under, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public async Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            await inner.DeleteManyAsync(keys.Take(keys.Count / 2).ToArray(), cancellationToken);
            await cancel.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }

        public Task CopyAsync(StoreCopy copy, CancellationToken cancellationToken) => inner.CopyAsync(copy, cancellationToken);

        public Task<int> AbortIncompleteUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task WriteAsync(StoreWrite write, CancellationToken cancellationToken) => inner.WriteAsync(write, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
