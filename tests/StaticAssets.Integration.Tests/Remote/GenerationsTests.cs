namespace StaticAssets.Integration.Tests.Remote;

/// <summary>
/// History, rollback and prune on every backend (Ceph RGW, Azurite, a folder), checked with the backend's own client:
/// the issue's scenario (five generations, back to the third, list, prune keeping two), and the races — a prune while
/// a publisher is between its uploads and its switch, and a rollback raced by a publish.
/// </summary>
[TestClass]
public sealed class GenerationsTests
{
    private const string Manifest = AssetManifest.DefaultName;

    private static string Prefix() => $"gen-{Guid.NewGuid():N}/";

    /// <summary>Our store for the prefix, through a proxy (which sees each request) where the backend has an endpoint.</summary>
    private static (IAssetStore Store, CountingProxy? Proxy) Through(StoreTarget target, string prefix)
    {
        var proxy = target.Endpoint is { } endpoint ? new CountingProxy(endpoint) : null;
        return (target.Store(prefix, proxy), proxy);
    }

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [DataRow(StoreTarget.Folder)]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task FiveGenerations_BackToTheThird_Listed_PrunedKeepingTwo_LeavesExactlyWhatThreeFourAndFiveNeed(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "generations");
        var prefix = Prefix();
        using var site = new VersionedSite();
        byte[][] manifests;
        await using (var store = target.Store(prefix))
        {
            manifests = await site.PublishAsync(store, 5);
        }

        // Roll back to the third: the history folder's listing and the prefix's, the reads, one switch (manifest + entry), journal, copies; no content.
        var (rollbackStore, proxy) = Through(target, prefix);
        await using (proxy)
        await using (rollbackStore)
        {
            var log = new RecordingLog();
            var recording = new RecordingStore(rollbackStore);
            var result = await GenerationRollback.RollbackAsync(recording, new RollbackOptions
            {
                Generation = Sha256Digest.Compute(manifests[2]).Hex[..7],
                Source = new GenerationSource(VersionedSite.Project),
            }, log, CancellationToken.None);
            Assert.IsTrue(result.Succeeded, EnginePublish.Describe(log));
            // site.css and app.js differ between 5 and 3; img/v3.svg is not in 5, so the journal does not vouch for it.
            Assert.AreEqual(3, result.Copied);
            var operations = recording.Operations;
            CollectionAssert.AreEqual(new[] { "LIST " + GenerationRecord.FolderFor(Manifest), "LIST " },
                operations.Where(o => o.StartsWith("LIST ", StringComparison.Ordinal)).ToArray(), string.Join("\n", operations));
            Assert.HasCount(3, operations.Where(o => o.StartsWith("GET ", StringComparison.Ordinal)).ToArray(), string.Join("\n", operations));
            Assert.HasCount(3, operations.Where(o => o.StartsWith("COPY ", StringComparison.Ordinal)).ToArray(), string.Join("\n", operations));
            CollectionAssert.AreEquivalent(new[] { Manifest, Stored.Journal, Stored.Journal },
                TestData.WithoutHistory(operations.Where(o => o.StartsWith("PUT ", StringComparison.Ordinal)).Select(o => o[4..])), string.Join("\n", operations));
            if (proxy is not null)
            {
                // On the wire: two listing requests (a page of the history folder, one of the prefix), and no request
                // carries content but the manifest, its entry and the journal (a copy's body is empty, or Azure's
                // small block list).
                var bodies = proxy.Bodies;
                Assert.HasCount(2, bodies.Where(b => b.Request.Contains("list-type=2", StringComparison.Ordinal) || b.Request.Contains("comp=list", StringComparison.Ordinal)).ToArray(),
                    string.Join("\n", bodies));
                var content = bodies.Where(b => b.Length > 0 && !b.Request.Contains(Manifest, StringComparison.Ordinal)
                    && !b.Request.Contains(Stored.Journal, StringComparison.Ordinal) && !TestData.IsHistory(b.Request)
                    && !b.Request.Contains("comp=blocklist", StringComparison.Ordinal)).ToArray();
                Assert.IsEmpty(content, "content was uploaded:\n" + string.Join("\n", bodies));
            }
        }
        Assert.AreEqual(Encoding.UTF8.GetString(manifests[2]), Encoding.UTF8.GetString((await target.GetAsync(prefix + Manifest))!));
        foreach (var asset in site.Sources(3))
        {
            var copy = await target.GetCopyAsync(prefix + asset.LogicalPath) ?? throw new AssertFailedException(asset.LogicalPath + " is missing");
            CollectionAssert.AreEqual(File.ReadAllBytes(asset.SourcePath), copy.Bytes, asset.LogicalPath);
            if (target.Kind != StoreTarget.Folder)
            {
                Assert.AreEqual(PlanOptions.ShortCacheControl, copy.CacheControl, asset.LogicalPath);
            }
        }

        // The listing: six entries, newest first, the rollback marked current.
        await using (var store = target.Store(prefix))
        {
            var log = new RecordingLog();
            var list = await GenerationListing.ListAsync(store, Manifest, log, CancellationToken.None) ?? throw new AssertFailedException(EnginePublish.Describe(log));
            Assert.HasCount(6, list.NewestFirst);
            Assert.AreEqual(GenerationKind.Rollback, list.NewestFirst[0].Record.Kind);
            Assert.IsTrue(list.IsCurrent(list.NewestFirst[0]));
            var lines = log.Messages.Select(m => m.Text).ToArray();
            Assert.HasCount(1, lines.Where(l => l.EndsWith("<- current", StringComparison.Ordinal)).ToArray(), string.Join("\n", lines));
            StringAssert.Contains(lines.Single(l => l.EndsWith("<- current", StringComparison.Ordinal)), Sha256Digest.Compute(manifests[2]).Hex[..12]);

            // Prune keeping two, no minimum age.
            var pruned = await GenerationPrune.PruneAsync(store, new PruneOptions { KeepGenerations = 2, MinAge = TimeSpan.Zero, Project = VersionedSite.Project },
                log, CancellationToken.None);
            Assert.IsTrue(pruned.Succeeded, EnginePublish.Describe(log));
        }

        // Checked by listing with the backend's own client: exactly what 3 (current), 4 and 5 need — their objects
        // and un-fingerprinted copies (img/v1.svg and img/v2.svg went with 1 and 2) — their entries, the manifest and
        // the journal.
        var listed = (await target.ListAsync(prefix)).Keys.Order(StringComparer.Ordinal).ToArray();
        var hashes = manifests[2..].Select(m => Sha256Digest.Compute(m).Hex[..12]).ToArray();
        var expected = manifests[2..].SelectMany(VersionedSite.KeysOf)
            .Concat(Enumerable.Range(3, 3).SelectMany(v => site.Sources(v)).Select(s => s.LogicalPath))
            .Append(Manifest).Append(Stored.Journal)
            .Concat(listed.Where(k => TestData.IsHistory(k) && hashes.Any(h => k.Contains(h, StringComparison.Ordinal))))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(expected, listed, $"{backend}: left after the prune:\n{string.Join("\n", listed)}");
        Assert.HasCount(4, listed.Where(TestData.IsHistory).ToArray(), "3's publish and rollback, 4, 5");
        foreach (var manifest in manifests[2..])
        {
            await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(manifest), "a kept generation");
        }
    }

    /// <summary>A rollback opens its store's connections at its start (their handshakes while its first round trip is
    /// on the wire), never more than the store's limit, and closes with the store the ones no request took.</summary>
    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task ARollbackOpensItsConnectionsAhead_NoMoreThanItsLimit_AndClosesTheOnesNoRequestTook(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "warm");
        var prefix = Prefix();
        using var site = new VersionedSite();
        byte[][] manifests;
        await using (var store = target.Store(prefix))
        {
            manifests = await site.PublishAsync(store, 2);
        }

        await using var proxy = new CountingProxy(target.Endpoint!);
        var log = new RecordingLog();
        await using (var store = target.Store(prefix, proxy, maxConcurrency: 6))
        {
            // Back to the current generation: nothing to switch or copy; five reads, at most three at once.
            var result = await GenerationRollback.RollbackAsync(store, new RollbackOptions
            {
                Generation = Sha256Digest.Compute(manifests[1]).Hex[..12],
                Source = new GenerationSource(VersionedSite.Project),
            }, log, CancellationToken.None);
            Assert.IsTrue(result.Succeeded, EnginePublish.Describe(log));
            Assert.IsFalse(result.Switched);
            Assert.HasCount(5, proxy.Requests, string.Join("\n", proxy.Requests));
            Assert.AreEqual(6, proxy.AcceptedConnections, "the store's six connections, opened at the start");
            Assert.IsLessThanOrEqualTo(6, proxy.PeakOpenConnections);
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (proxy.OpenConnections > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.AreEqual(0, proxy.OpenConnections, "connections left open after the store was disposed");
    }

    /// <summary>
    /// A publisher of version 1 again (its objects long unneeded, so it uploads them anew) is held between its uploads
    /// and its switch while a prune with a minimum age runs: the prune deletes generation 2's objects, never the ones
    /// the publisher just stored, and the publisher's manifest is complete once it switches.
    /// </summary>
    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [DataRow(StoreTarget.Folder)]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task APruneWhileAPublisherIsBetweenItsUploadsAndItsSwitch_NeverDeletesWhatItsManifestNames(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "prunerace");
        var prefix = Prefix();
        using var site = new VersionedSite();
        var minAge = TimeSpan.FromSeconds(3);
        byte[][] manifests;
        await using (var store = target.Store(prefix))
        {
            manifests = await site.PublishAsync(store, 3);
        }
        // Generations 1 and 2 were replaced, and their objects written, longer ago than the minimum age (whole seconds:
        // servers keep times to the second).
        await Task.Delay(minAge + TimeSpan.FromSeconds(1.5));

        var publisherSwitch = new SwitchGate(write => write.Key == Manifest || TestData.IsHistory(write.Key));
        await using var publisherStore = publisherSwitch.Hold(target.Store(prefix));
        var publishing = site.PublishAsync(1, publisherStore);
        await publisherSwitch.Reached;
        var reuploaded = publisherStore.Completed.ToArray();
        Assert.IsNotEmpty(reuploaded, "the publisher stored version 1's objects again");

        await using (var store = target.Store(prefix))
        {
            var log = new RecordingLog();
            var pruned = await GenerationPrune.PruneAsync(store, new PruneOptions { KeepGenerations = 1, MinAge = minAge, Project = VersionedSite.Project },
                log, CancellationToken.None);
            Assert.IsTrue(pruned.Succeeded, EnginePublish.Describe(log));
            Assert.IsNotEmpty(pruned.Deleted, "the prune deleted nothing: the race was not exercised\n" + EnginePublish.Describe(log));
            CollectionAssert.AreEquivalent(Array.Empty<string>(), pruned.Deleted.Select(o => o.Key).Intersect(reuploaded).ToArray(),
                "the prune deleted objects the publisher had just stored");
        }
        publisherSwitch.Release();
        await publishing;

        var current = (await target.GetAsync(prefix + Manifest))!;
        Assert.AreEqual(Encoding.UTF8.GetString(manifests[0]), Encoding.UTF8.GetString(current), "version 1 is current");
        await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(current), "the new current generation");
    }

    /// <summary>A rollback to 1 while a publisher of 4 is between its uploads and its switch: whichever switches last,
    /// one complete generation is current.</summary>
    [TestMethod]
    [DataRow(StoreTarget.S3, true)]
    [DataRow(StoreTarget.S3, false)]
    [DataRow(StoreTarget.AzureBlob, true)]
    [DataRow(StoreTarget.Folder, true)]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task ARollbackRacedByAPublishLeavesOneCompleteGenerationCurrent(string backend, bool publishSwitchesLast)
    {
        var target = await StoreTarget.CreateAsync(backend, "rollbackrace");
        var prefix = Prefix();
        using var site = new VersionedSite();
        byte[][] manifests;
        await using (var store = target.Store(prefix))
        {
            manifests = await site.PublishAsync(store, 3);
        }
        var publisherSwitch = new SwitchGate(write => write.Key == Manifest || TestData.IsHistory(write.Key));
        await using var publisherStore = publisherSwitch.Hold(target.Store(prefix));
        var publishing = site.PublishAsync(4, publisherStore);
        await publisherSwitch.Reached;

        var rollbackSwitch = new SwitchGate(write => write.Key == Manifest && !publishSwitchesLast);
        await using var rollbackStore = rollbackSwitch.Hold(target.Store(prefix));
        var log = new RecordingLog();
        var rollingBack = GenerationRollback.RollbackAsync(rollbackStore, new RollbackOptions
        {
            Generation = Sha256Digest.Compute(manifests[0]).Hex[..12],
            Source = new GenerationSource(VersionedSite.Project),
        }, log, CancellationToken.None);
        if (publishSwitchesLast)
        {
            Assert.IsTrue((await rollingBack).Succeeded, EnginePublish.Describe(log));
            publisherSwitch.Release();
            await publishing;
        }
        else
        {
            await rollbackSwitch.Reached;
            publisherSwitch.Release();
            await publishing;
            rollbackSwitch.Release();
            Assert.IsTrue((await rollingBack).Succeeded, EnginePublish.Describe(log));
        }

        var current = (await target.GetAsync(prefix + Manifest))!;
        var expected = publishSwitchesLast ? AssetManifest.Serialize((await publishing).Plan!, VersionedSite.Project) : manifests[0];
        Assert.AreEqual(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(current));
        await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(current), "the current generation");
    }

    /// <summary>Holds a writer at its switch: every write <paramref name="match"/> picks waits until released.</summary>
    private sealed class SwitchGate(Func<StoreWrite, bool> match)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when a held write arrived (fails the test after a minute).</summary>
        public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

        public void Release() => _released.TrySetResult();

        public RecordingStore Hold(IAssetStore inner) => new(inner)
        {
            BeforeWrite = async (write, _) =>
            {
                if (match(write))
                {
                    _reached.TrySetResult();
                    await _released.Task;
                }
            },
        };
    }
}
