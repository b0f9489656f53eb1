namespace StaticAssets.Engine.Tests.Generations;

/// <summary>Rollback on a fake store: what it chooses, what it checks, what it sends (and never sends).</summary>
[TestClass]
public sealed class RollbackTests
{
    private const string Name = AssetManifest.DefaultName;

    private static async Task<(InMemoryStore Store, byte[][] Manifests, VersionedSite Site)> FiveGenerationsAsync()
    {
        var site = new VersionedSite();
        var store = new InMemoryStore();
        return (store, await site.PublishAsync(store, 5), site);
    }

    private static RollbackOptions To(string generation) => new() { Generation = generation, Source = new GenerationSource(VersionedSite.Project, "1.0.9", "m") };

    [TestMethod]
    public async Task PreviousMakesTheGenerationBeforeTheCurrentOneCurrent_RestoringCopiesByCopyNeverByUpload()
    {
        var (memory, manifests, site) = await FiveGenerationsAsync();
        using var _ = site;
        var store = new RecordingStore(memory);
        var log = new RecordingLog();

        var result = await GenerationRollback.RollbackAsync(store, To("previous"), log, CancellationToken.None);

        Assert.IsTrue(result.Succeeded, log.Dump());
        CollectionAssert.AreEqual(manifests[3], memory.Objects[Name], "generation 4 is current");
        // The manifest and the journal with the history folder's listing; the chosen entry with the whole prefix's
        // listing; then the switch (manifest + entry), the journal written ahead of the copies and after them, and the
        // copies. Nothing else: no content is uploaded.
        var operations = store.Operations;
        CollectionAssert.AreEqual(new[] { "LIST " + GenerationRecord.FolderFor(Name), "LIST " },
            operations.Where(o => o.StartsWith("LIST ", StringComparison.Ordinal)).ToArray(), string.Join("\n", operations));
        Assert.IsTrue(operations.Take(3).All(o => !TestData.IsHistory(o) || o.StartsWith("LIST ", StringComparison.Ordinal)),
            "the entry is read after the history folder is listed:\n" + string.Join("\n", operations));
        var puts = operations.Where(o => o.StartsWith("PUT ", StringComparison.Ordinal)).Select(o => o[4..]).ToArray();
        CollectionAssert.AreEquivalent(new[] { Name, PendingJournal.NameFor(Name), PendingJournal.NameFor(Name) }, TestData.WithoutHistory(puts), string.Join("\n", operations));
        Assert.HasCount(1, puts.Where(TestData.IsHistory).ToArray());
        Assert.HasCount(3, operations.Where(o => o.StartsWith("GET ", StringComparison.Ordinal)).ToArray(), "the manifest, the journal, the chosen entry; nothing per object");
        // Copied: the copies whose bytes differ between 5 and 4 (app.js is version 3's in 5, 2's in 4), and
        // img/v4.svg, which 5 does not have: the journal vouches only for the current generation's copies (a prune
        // may have deleted the others). Not lib/stable.js: the journal vouches that it holds 4's bytes.
        CollectionAssert.AreEquivalent(new[] { "css/site.css", "js/app.js", "img/v4.svg" }, memory.Copies.Keys.ToArray(), string.Join("\n", operations));
        foreach (var asset in site.Sources(4))
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(asset.SourcePath), memory.Objects[asset.LogicalPath], asset.LogicalPath);
        }
        Assert.AreEqual(PlanOptions.ShortCacheControl, memory.Copies["css/site.css"].CacheControl);
        Assert.AreEqual("text/css", memory.Copies["css/site.css"].ContentType);
        // The history says what happened.
        var entry = puts.Single(TestData.IsHistory);
        Assert.IsTrue(GenerationRecord.TryRead(memory.Objects[entry], out var record, out var manifest));
        Assert.AreEqual(GenerationKind.Rollback, record.Kind);
        Assert.AreEqual(Sha256Digest.Compute(manifests[4]).Hex, record.Replaces);
        CollectionAssert.AreEqual(manifests[3], manifest);
        Assert.AreEqual(Stored.ObjectsOf(manifests[3]).Count(), record.Objects, "the objects of the manifest it made current");
        Assert.AreEqual(Stored.ObjectsOf(manifests[3]).Sum(o => o.Size), record.Bytes);
        Assert.AreEqual(record.Objects, result.Verified);
        // The journal vouches for the restored copies, so the next publish of version 5 rewrites them.
        Assert.IsTrue(PendingJournal.TryRead(memory.Objects[PendingJournal.NameFor(Name)], out var __, out var originals));
        Assert.AreEqual(Sha256Digest.Compute(File.ReadAllBytes(site.Sources(4).Single(s => s.LogicalPath == "css/site.css").SourcePath)),
            originals.Single(o => o.Key == "css/site.css").Sha256);
        CollectionAssert.AreEquivalent(site.Sources(4).Select(s => s.LogicalPath).ToArray(), originals.Select(o => o.Key).ToArray(),
            "the journal vouches for generation 4's copies only (not 5's img/v5.svg)");
        var republish = await site.PublishAsync(5, memory);
        Assert.Contains("css/site.css", republish.Written!.Select(o => o.Key).ToArray());
        CollectionAssert.AreEqual(File.ReadAllBytes(site.Sources(5).Single(s => s.LogicalPath == "css/site.css").SourcePath), memory.Objects["css/site.css"]);
    }

    [TestMethod]
    public async Task ARollbackWithNothingToCopyStillLeavesTheJournalVouchingOnlyForItsGenerationsCopies()
    {
        var (memory, manifests, site) = await FiveGenerationsAsync();
        using var _ = site;
        // A journal written before that rule: it also vouches for a copy generation 5 does not have.
        var journal = PendingJournal.NameFor(Name);
        Assert.IsTrue(PendingJournal.TryRead(memory.Objects[journal], out var pending, out var originals));
        memory.Objects[journal] = PendingJournal.Serialize(pending, originals.Append(new ManifestObject("img/v1.svg", 3, Sha256Digest.Compute([1, 2, 3]))).ToArray());
        var log = new RecordingLog();

        var result = await GenerationRollback.RollbackAsync(memory, To(Sha256Digest.Compute(manifests[4]).Hex[..12]), log, CancellationToken.None);

        Assert.IsTrue(result.Succeeded, log.Dump());
        Assert.AreEqual(0, result.Copied, "generation 5 is current and its copies are as the journal says");
        Assert.IsTrue(PendingJournal.TryRead(memory.Objects[journal], out var ___, out originals));
        CollectionAssert.AreEquivalent(site.Sources(5).Select(s => s.LogicalPath).ToArray(), originals.Select(o => o.Key).ToArray());
    }

    [TestMethod]
    public async Task AHashPrefixOrATimeChoosesTheGeneration_PreviousAfterARollbackGoesFurtherBack()
    {
        var (memory, manifests, site) = await FiveGenerationsAsync();
        using var _ = site;
        var hash3 = Sha256Digest.Compute(manifests[2]).Hex;

        Assert.IsTrue((await GenerationRollback.RollbackAsync(memory, To(hash3[..6]), new RecordingLog(), CancellationToken.None)).Succeeded);
        CollectionAssert.AreEqual(manifests[2], memory.Objects[Name]);

        // previous: the generation published before the current one (3), i.e. 2 — not 5, which was current before the
        // rollback: repeating "previous" steps further back, never back to a bad release.
        Assert.IsTrue((await GenerationRollback.RollbackAsync(memory, To("previous"), new RecordingLog(), CancellationToken.None)).Succeeded);
        CollectionAssert.AreEqual(manifests[1], memory.Objects[Name]);

        // A time: the newest generation published at or before it.
        var entry5 = memory.Objects.Keys.Where(TestData.IsHistory).Order(StringComparer.Ordinal)
            .Select(k => GenerationName.TryParse(GenerationRecord.FolderFor(Name), k)!).Single(e => e.HashPrefix == Sha256Digest.Compute(manifests[4]).Hex[..12]);
        var log = new RecordingLog();
        Assert.IsTrue((await GenerationRollback.RollbackAsync(memory, To(entry5.PublishedAt.AddMilliseconds(1).ToString("O")), log, CancellationToken.None)).Succeeded, log.Dump());
        CollectionAssert.AreEqual(manifests[4], memory.Objects[Name]);
    }

    [TestMethod]
    [DataRow("ffffffff", "names no generation")]
    [DataRow("2001-01-01T00:00Z", "names no generation")]
    [DataRow("next week", "names no generation")]
    public async Task AnUnknownGenerationIsSA1016AndChangesNothing(string generation, string says)
    {
        var (memory, _, site) = await FiveGenerationsAsync();
        using var __ = site;
        var before = memory.Objects.ToDictionary(o => o.Key, o => o.Value);
        var log = new RecordingLog();

        var result = await GenerationRollback.RollbackAsync(memory, To(generation), log, CancellationToken.None);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.UnknownGeneration, log.Errors.Single().Code, log.Dump());
        StringAssert.Contains(log.Errors.Single().Message, says);
        CollectionAssert.AreEquivalent(before.Keys.ToArray(), memory.Objects.Keys.ToArray());
    }

    /// <summary>A listing that takes a second before its first key, and counts the listings still going.</summary>
    private sealed class SlowListingStore : InMemoryStore
    {
        public int Listing;
        public int Canceled;

        public override async IAsyncEnumerable<StoredObjectInfo> ListAsync(
            string under, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Listing);
            try
            {
                await Task.Delay(under.Length == 0 ? 1000 : 0, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref Canceled);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref Listing);
            }
            await foreach (var obj in base.ListAsync(under, cancellationToken))
            {
                yield return obj;
            }
        }
    }

    /// <summary>The whole prefix is listed from the first round trip on, before the generation is known: a refusal
    /// stops that listing, and nothing of it goes on after the rollback returns.</summary>
    [TestMethod]
    public async Task ARefusedRollback_StopsTheListingItBegan_BeforeItReturns()
    {
        var site = new VersionedSite();
        using var _ = site;
        var store = new SlowListingStore();
        await site.PublishAsync(store, 2);
        var log = new RecordingLog();

        var result = await GenerationRollback.RollbackAsync(store, To("ffffffff"), log, CancellationToken.None);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.UnknownGeneration, log.Errors.Single().Code, log.Dump());
        Assert.AreEqual(1, store.Canceled, "the whole listing was stopped");
        Assert.AreEqual(0, Volatile.Read(ref store.Listing), "a listing went on after the rollback returned");
    }

    /// <summary>The history entry goes beside the switch and may still be on its way while the copies are made: the
    /// rollback returns only once it is stored, and a failed one is warning SA2007, not a failed rollback.</summary>
    [TestMethod]
    [DataRow(false, DisplayName = "A slow entry: stored before the rollback returns")]
    [DataRow(true, DisplayName = "A failed entry: SA2007, rolled back all the same")]
    public async Task TheHistoryEntry_EndsBeforeTheRollbackReturns_AndItsFailureIsAWarning(bool fails)
    {
        var (memory, manifests, site) = await FiveGenerationsAsync();
        using var _ = site;
        var store = new RecordingStore(memory)
        {
            BeforeWrite = async (write, token) =>
            {
                if (TestData.IsHistory(write.Key))
                {
                    await Task.Delay(300, token);
                    if (fails)
                    {
                        throw new StoreException(Messages.StoreRefused("503 SlowDown"));
                    }
                }
            },
        };
        var entries = memory.Objects.Keys.Count(TestData.IsHistory);
        var log = new RecordingLog();

        var result = await GenerationRollback.RollbackAsync(store, To("previous"), log, CancellationToken.None);

        Assert.IsTrue(result.Succeeded, log.Dump());
        CollectionAssert.AreEqual(manifests[3], memory.Objects[Name], "generation 4 is current");
        Assert.IsNotEmpty(memory.Copies, "the copies were restored");
        Assert.AreEqual(fails ? entries : entries + 1, memory.Objects.Keys.Count(TestData.IsHistory), "the entry's write had not ended when the rollback returned");
        Assert.AreEqual(fails ? DiagnosticCodes.GenerationNotRecorded : null, log.Warnings.SingleOrDefault()?.Code, log.Dump());
    }

    [TestMethod]
    public async Task AGenerationWithMissingObjectsIsRefusedNamingThem_NothingChanges()
    {
        var (memory, manifests, site) = await FiveGenerationsAsync();
        using var _ = site;
        var gone = Stored.ObjectsOf(manifests[1]).Select(o => o.Key).Where(k => !Stored.ObjectsOf(manifests[4]).Any(o => o.Key == k)).ToArray();
        foreach (var key in gone)
        {
            memory.Objects.TryRemove(key, out var __);
        }
        var current = memory.Objects[Name];
        var log = new RecordingLog();

        var result = await GenerationRollback.RollbackAsync(memory, To(Sha256Digest.Compute(manifests[1]).Hex[..8]) with { MissingShown = 1 }, log, CancellationToken.None);

        Assert.IsFalse(result.Succeeded);
        var error = log.Errors.Single();
        Assert.AreEqual(DiagnosticCodes.GenerationIncomplete, error.Code, log.Dump());
        StringAssert.Contains(error.Message, $"{gone.Length} object(s)");
        StringAssert.Contains(error.Message, $"'{gone.Order(StringComparer.Ordinal).First()}' and {gone.Length - 1} more");
        CollectionAssert.AreEqual(current, memory.Objects[Name], "the manifest changed");
        Assert.IsEmpty(memory.Copies);
    }

    [TestMethod]
    public async Task AnotherProjectsManifestIsNotRolledBack()
    {
        var (memory, _, site) = await FiveGenerationsAsync();
        using var _ = site;
        var log = new RecordingLog();

        var result = await GenerationRollback.RollbackAsync(memory, To("previous") with { Source = new GenerationSource("OtherApp") }, log, CancellationToken.None);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.ManifestOfAnotherProject, log.Errors.Single().Code);
        Assert.IsTrue((await GenerationRollback.RollbackAsync(memory, To("previous") with { Source = new GenerationSource("OtherApp"), AdoptManifest = true },
            new RecordingLog(), CancellationToken.None)).Succeeded, "adopting it");
    }

    [TestMethod]
    public async Task TwoProjectsWithTheirOwnManifestNamesKeepTheirOwnHistories()
    {
        using var site = new VersionedSite();
        var memory = new InMemoryStore();
        var log = new RecordingLog();
        for (var version = 1; version <= 2; version++)
        {
            foreach (var (project, name) in new[] { ("App1", "app1.manifest.json"), ("App2", "app2.manifest.json") })
            {
                var result = await StaticAssetPublisher.PublishAsync(site.Sources(version + (project == "App2" ? 10 : 0)), memory,
                    new PublishOptions { Plan = VersionedSite.Plan, ManifestName = name, Source = new GenerationSource(project) }, log, CancellationToken.None);
                Assert.IsTrue(result.Succeeded, log.Dump());
                await Task.Delay(3);
            }
        }
        var app2 = memory.Objects["app2.manifest.json"];

        var rollback = await GenerationRollback.RollbackAsync(memory, new RollbackOptions { ManifestName = "app1.manifest.json", Source = new GenerationSource("App1") },
            log, CancellationToken.None);

        Assert.IsTrue(rollback.Succeeded, log.Dump());
        Assert.AreEqual(2, memory.Objects.Keys.Count(k => k.StartsWith("app2.manifest.generations/", StringComparison.Ordinal)));
        Assert.AreEqual(3, memory.Objects.Keys.Count(k => k.StartsWith("app1.manifest.generations/", StringComparison.Ordinal)));
        CollectionAssert.AreEqual(app2, memory.Objects["app2.manifest.json"], "the other project's manifest");
    }

    [TestMethod]
    public async Task TheHistoryListingReadsTheStartOfEachEntry_NotTheManifestsTheyCarry()
    {
        var (memory, manifests, site) = await FiveGenerationsAsync();
        using var _ = site;
        var store = new RecordingStore(memory);
        var log = new RecordingLog();

        var list = await GenerationListing.ListAsync(store, Name, log, CancellationToken.None);

        Assert.IsNotNull(list, log.Dump());
        CollectionAssert.AreEqual(manifests.Reverse().Select(m => Sha256Digest.Compute(m).Hex[..12]).ToArray(), list.NewestFirst.Select(g => g.Hash).ToArray());
        Assert.IsTrue(list.IsCurrent(list.NewestFirst[0]));
        var entryReads = store.Operations.Where(o => o.StartsWith("GET ", StringComparison.Ordinal) && TestData.IsHistory(o)).ToArray();
        Assert.HasCount(5, entryReads);
        Assert.IsTrue(entryReads.All(o => o.EndsWith($" (first {GenerationRecord.RecordBytes} bytes)", StringComparison.Ordinal)), string.Join("\n", entryReads));
    }

    [TestMethod]
    public async Task AnEntryWhoseManifestHasAnIncompleteAsset_IsSA1016AndChangesNothing()
    {
        var (memory, manifests, site) = await FiveGenerationsAsync();
        using var __ = site;
        // An entry of generation 4 whose manifest (its digest right, so the entry itself reads) lost an asset's size.
        var damaged = Encoding.UTF8.GetBytes(Regex.Replace(Encoding.UTF8.GetString(manifests[3]), "\"size\": \\d+,", "", RegexOptions.None, TimeSpan.FromSeconds(1)));
        Assert.AreNotEqual(manifests[3].Length, damaged.Length);
        var entry = memory.Objects.Keys.Single(k => TestData.IsHistory(k) && k.Contains(Sha256Digest.Compute(manifests[3]).Hex[..12], StringComparison.Ordinal));
        var record = GenerationRecord.For(GenerationKind.Publish, damaged, manifests[2], DateTimeOffset.UtcNow, new(VersionedSite.Project));
        var renamed = record.KeyIn(Name);
        memory.Objects.TryRemove(entry, out _);
        memory.Objects[renamed] = record.Serialize(damaged);
        var before = memory.Objects.ToDictionary(o => o.Key, o => o.Value);
        var log = new RecordingLog();

        var result = await GenerationRollback.RollbackAsync(memory, To(Sha256Digest.Compute(damaged).Hex[..12]), log, CancellationToken.None);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual("SA1016", log.Errors.Single().Code, log.Dump());
        StringAssert.Contains(log.Errors.Single().Message, renamed);
        CollectionAssert.AreEquivalent(before.Keys.ToArray(), memory.Objects.Keys.ToArray());
        CollectionAssert.AreEqual(manifests[4], memory.Objects[Name], "generation 5 stays current");
    }

    [TestMethod]
    public async Task AnEntryCutShort_IsSA1016ForTheListing()
    {
        var (memory, _, site) = await FiveGenerationsAsync();
        using var __ = site;
        var entry = memory.Objects.Keys.Where(TestData.IsHistory).Order(StringComparer.Ordinal).First();
        memory.Objects[entry] = memory.Objects[entry][..40];
        var log = new RecordingLog();

        var list = await GenerationListing.ListAsync(memory, Name, log, CancellationToken.None);

        Assert.IsNull(list);
        StringAssert.Contains(log.Dump(), "SA1016");
        StringAssert.Contains(log.Dump(), entry);
    }
}
