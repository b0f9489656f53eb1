namespace StaticAssets.Integration.Tests.Remote;

/// <summary>
/// The engine publishing to a real Ceph RGW through a fault-injecting proxy: transient faults (errors, resets in the
/// middle of a body, a response held past the request timeout) are retried until every object is stored intact;
/// a permanent fault stops the publish with one error, keeps the previous generation serving, and the journal makes
/// the next publish send only what the failed one did not store.
/// </summary>
[TestClass]
public sealed class FaultToleranceTests
{
    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task TransientFaultsAreRetriedUntilEveryObjectIsStoredIntactAndTheManifestIsThePlans(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "faults");
        using var site = new GeneratedSite(files: 100, seed: 1);
        await using var proxy = new CountingProxy(target.Endpoint!);
        // About one PUT in five fails (503 SlowDown / 500 InternalError alternately), three are reset halfway through
        // their body, and one reaches the server but gets no answer before the client's 2 s timeout. No path gets
        // more than 2 of these, so the default 5 attempts always suffice whatever the interleaving.
        proxy.MaxTransientFaultsPerPath = 2;
        proxy.StallNextRequests(1, "PUT", hold: TimeSpan.FromSeconds(30));
        proxy.ResetNextPuts(3);
        proxy.FailShareOfPuts(0.2, seed: 20240601);
        var prefix = $"transient-{Guid.NewGuid():N}/";

        var (result, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 8,
            settings => settings with { RequestTimeout = TimeSpan.FromSeconds(2) });

        Assert.IsTrue(result.Succeeded, EnginePublish.Describe(log) + "\n" + string.Join("\n", TestData.WithoutHistory(proxy.Requests)));
        Assert.IsEmpty(log.Diagnostics, EnginePublish.Describe(log));
        Assert.AreEqual(1, proxy.FaultCount(ProxyFault.Stall), "the stall was not injected");
        Assert.AreEqual(3, proxy.FaultCount(ProxyFault.Reset), "the resets were not injected");
        Assert.IsGreaterThanOrEqualTo(5, proxy.FaultCount(ProxyFault.SlowDown), "too few 503s were injected");
        Assert.IsGreaterThanOrEqualTo(5, proxy.FaultCount(ProxyFault.InternalError), "too few 500s were injected");
        // Each fault was retried once, and each retry was reported (detailed verbosity) with what it follows. A request
        // the server was too slow to answer within the 2 s timeout (it happens on a loaded machine) is retried too: the
        // proxy counts those it saw the client give up on, so every retry is accounted for.
        var retries = log.Messages.Where(m => m.Importance == LogImportance.Low && m.Text.StartsWith("Retrying ", StringComparison.Ordinal)).Select(m => m.Text).ToArray();
        var faults = new[] { ProxyFault.Stall, ProxyFault.Reset, ProxyFault.SlowDown, ProxyFault.InternalError, ProxyFault.Unanswered }.Sum(proxy.FaultCount);
        Assert.HasCount(faults, retries, string.Join("\n", retries) + "\n--- proxy:\n" + string.Join("\n", proxy.Requests));
        Assert.HasCount(proxy.FaultCount(ProxyFault.Stall) + proxy.FaultCount(ProxyFault.Unanswered),
            retries.Where(r => r.Contains("after: no answer within the request timeout", StringComparison.Ordinal)), string.Join("\n", retries));
        Assert.IsTrue(retries.All(r => Regex.IsMatch(r, $@"^Retrying PUT {Regex.Escape(target.RequestPath(prefix))}\S+ \(attempt [2-5] of 5\) after: .+")), string.Join("\n", retries));
        foreach (var cause in new[] { "after: 503 ", "after: 500 ", "after: no answer within the request timeout" })
        {
            Assert.Contains(r => r.Contains(cause, StringComparison.Ordinal), retries, cause);
        }

        var plan = result.Plan!;
        Assert.HasCount(100, plan.Objects);
        await target.AssertObjectsAsync(prefix, plan.Objects.Select(PendingJournal.Entry), "after transient faults");
        CollectionAssert.AreEqual(AssetManifest.Serialize(plan), await target.GetAsync(prefix + Stored.Manifest),
            "the stored manifest is not the plan's");
        Assert.AreEqual($"PUT {target.RequestPath(prefix)}{Stored.Manifest}", TestData.WithoutHistory(proxy.Requests)[^1], "the manifest must be the last request");
        Assert.IsNull(await target.GetAsync(prefix + Stored.Journal), "a successful publish left a pending journal");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task LargeFilesUploadedInPartsSurviveErrorsAndResetsOnTheirParts()
    {
        var target = await StoreTarget.CreateAsync(StoreTarget.S3, "faults");
        using var site = new GeneratedSite(files: 0, seed: 7);
        var random = new Random(77);
        for (var i = 0; i < 3; i++)
        {
            site.Write($"media/video{i}.bin", GeneratedSite.Bytes(random, 12 * 1024 * 1024 + i * 4099));
        }
        await using var proxy = new CountingProxy(target.Endpoint!);
        // Only parts are PUT before the manifest: the first is reset halfway, every 3rd PUT gets 503/500.
        proxy.MaxTransientFaultsPerPath = 2;
        proxy.ResetNextPuts(1);
        proxy.FailEveryNthPut(3);
        var prefix = $"parts-{Guid.NewGuid():N}/";

        var (result, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4,
            S3Server.SmallParts);

        Assert.IsTrue(result.Succeeded, EnginePublish.Describe(log) + "\n" + string.Join("\n", TestData.WithoutHistory(proxy.Requests)));
        var faultedParts = TestData.WithoutHistory(proxy.Requests).Where(r => !r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)).ToArray();
        Assert.IsGreaterThanOrEqualTo(3, faultedParts.Length, "faults were not injected into parts:\n" + string.Join("\n", TestData.WithoutHistory(proxy.Requests)));
        Assert.Contains(r => r.StartsWith("RST PUT ", StringComparison.Ordinal), faultedParts);
        await target.AssertObjectsAsync(prefix, result.Plan!.Objects.Select(PendingJournal.Entry), "objects uploaded in parts");
        CollectionAssert.AreEqual(AssetManifest.Serialize(result.Plan!), await target.GetAsync(prefix + Stored.Manifest));
        using var client = (await S3Server.GetAsync()).CreateClient();
        var unfinished = await client.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = target.Name, Prefix = prefix });
        Assert.IsEmpty(unfinished.MultipartUploads ?? [], "multipart uploads were left unfinished");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task APermanentFaultOnAPartLeavesNoHalfObjectAndNoUnfinishedUpload()
    {
        var target = await StoreTarget.CreateAsync(StoreTarget.S3, "faults");
        using var site = new GeneratedSite(files: 0, seed: 8);
        var random = new Random(88);
        for (var i = 0; i < 2; i++)
        {
            site.Write($"media/video{i}.bin", GeneratedSite.Bytes(random, 16 * 1024 * 1024 + i));
        }
        await using var proxy = new CountingProxy(target.Endpoint!);
        proxy.BlockPutsAfter(3);
        var prefix = $"parts-blocked-{Guid.NewGuid():N}/";

        var (result, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4,
            settings => S3Server.SmallParts(settings) with { MaxAttempts = 2 });

        Assert.IsFalse(result.Succeeded);
        Assert.HasCount(1, log.Diagnostics, EnginePublish.Describe(log));
        Assert.AreEqual(DiagnosticCodes.WriteFailed, log.Diagnostics[0].Code, log.Diagnostics[0].ToString());
        Assert.IsGreaterThan(0, proxy.FaultCount(ProxyFault.Blocked));
        Assert.IsNull(await target.GetAsync(prefix + Stored.Manifest));
        using var client = (await S3Server.GetAsync()).CreateClient();
        var listed = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = target.Name, Prefix = prefix });
        Assert.IsEmpty(listed.S3Objects ?? [], "a half-uploaded object became visible: " + string.Join(", ", (listed.S3Objects ?? []).Select(o => o.Key)));
        var unfinished = await client.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = target.Name, Prefix = prefix });
        Assert.IsEmpty(unfinished.MultipartUploads ?? [], "the failed multipart uploads were not aborted");
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task ARequestThatTimesOutOnEveryAttemptIsReportedOnceAsATimeout()
    {
        var target = await StoreTarget.CreateAsync(StoreTarget.S3, "faults");
        using var site = new GeneratedSite(files: 6, seed: 9);
        await using var proxy = new CountingProxy(target.Endpoint!);
        // Every PUT reaches the server but gets no answer: the client gives up after RequestTimeout, each attempt.
        proxy.StallNextRequests(1000, "PUT", hold: TimeSpan.FromSeconds(30));
        var prefix = $"timeout-{Guid.NewGuid():N}/";

        var (result, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 2,
            settings => settings with { RequestTimeout = TimeSpan.FromSeconds(2), MaxAttempts = 2 });

        Assert.IsFalse(result.Succeeded);
        Assert.HasCount(1, log.Diagnostics, EnginePublish.Describe(log));
        var error = log.Diagnostics[0];
        // Nobody canceled anything: the store did not answer in time, on every attempt, and the message says so.
        Assert.AreEqual(DiagnosticCodes.StoreTimedOut, error.Code, error.ToString());
        Assert.IsFalse(error.Message.Contains("canceled", StringComparison.OrdinalIgnoreCase), "a timeout reads as a cancel: " + error);
        StringAssert.Contains(error.Message, "the S3 endpoint did not answer within the request timeout (2 s), 2 attempt(s)");
        Assert.IsNull(await target.GetAsync(prefix + Stored.Manifest));
    }

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task TwoFailedPublishesInARowAccumulateTheJournalAndTheRerunSendsOnlyTheRest(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "faults");
        using var site = new GeneratedSite(files: 40, seed: 10);
        await using var proxy = new CountingProxy(target.Endpoint!);
        var prefix = $"twice-{Guid.NewGuid():N}/";
        bool IsJournal(string path) => path.EndsWith("/" + Stored.Journal, StringComparison.Ordinal);
        var storedByFailedRuns = new List<string>();
        foreach (var allowed in new[] { 8, 12 })
        {
            proxy.Reset();
            proxy.BlockPutsAfter(allowed, IsJournal);
            // One write at a time: every write before the blocked one completed, so the journal must list exactly them.
            var (failed, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 1, settings => settings with { MaxAttempts = 2 });
            Assert.IsFalse(failed.Succeeded);
            Assert.HasCount(1, log.Diagnostics, EnginePublish.Describe(log));
            var stored = target.Relayed(proxy, "PUT", prefix).Where(k => k != Stored.Journal).ToArray();
            Assert.HasCount(allowed, stored);
            Assert.IsEmpty(stored.Intersect(storedByFailedRuns), "an object the journal vouched for was sent again");
            storedByFailedRuns.AddRange(stored);
            var journal = Stored.JournalOf((await target.GetAsync(prefix + Stored.Journal))!);
            CollectionAssert.AreEqual(Stored.Sorted(storedByFailedRuns), journal.Select(o => o.Key).ToArray(),
                "the journal must list what every failed publish since the last commit stored");
        }

        proxy.ClearFaults();
        proxy.Reset();
        var (rerun, rerunLog) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4);

        Assert.IsTrue(rerun.Succeeded, EnginePublish.Describe(rerunLog));
        var expected = rerun.Plan!.Objects.Select(o => o.Key).Except(storedByFailedRuns).ToArray();
        Assert.HasCount(20, expected);
        CollectionAssert.AreEqual(Stored.Sorted(expected),
            Stored.Sorted(target.Relayed(proxy, "PUT", prefix).Where(k => k != Stored.Manifest)));
        await target.AssertObjectsAsync(prefix, rerun.Plan!.Objects.Select(PendingJournal.Entry), "after the re-run");
        Assert.IsNull(await target.GetAsync(prefix + Stored.Journal));
    }

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task APermanentFaultFailsOnceKeepsThePreviousGenerationAndTheRerunSendsOnlyWhatIsMissing(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "faults");
        using var site = new GeneratedSite(files: 60, seed: 2);
        await using var proxy = new CountingProxy(target.Endpoint!);
        var prefix = $"permanent-{Guid.NewGuid():N}/";
        var (first, firstLog) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4);
        Assert.IsTrue(first.Succeeded, EnginePublish.Describe(firstLog));
        var generation1 = await target.GetAsync(prefix + Stored.Manifest);
        Assert.IsNotNull(generation1);

        // Generation 2 changes 40 of the 60 files: 40 new objects.
        var random = new Random(22);
        for (var i = 0; i < 40; i++)
        {
            site.Write(GeneratedSite.PathOf(i), GeneratedSite.Bytes(random, 2000 + i * 101));
        }
        // After 10 asset PUTs every further one gets 500 InternalError, every attempt: a store that broke for good.
        // The journal's PUT is let through so that what the failed publish stored can be recorded.
        proxy.Reset();
        proxy.BlockPutsAfter(10, exempt: path => path.EndsWith("/" + Stored.Journal, StringComparison.Ordinal));

        var (failed, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4);

        Assert.IsFalse(failed.Succeeded);
        Assert.HasCount(1, log.Diagnostics, "one error, not one per file:\n" + EnginePublish.Describe(log));
        Assert.AreEqual(DiagnosticCodes.WriteFailed, log.Diagnostics[0].Code, log.Diagnostics[0].ToString());
        StringAssert.Contains(log.Diagnostics[0].Message, "InternalError");
        Assert.IsGreaterThan(0, proxy.FaultCount(ProxyFault.Blocked));
        CollectionAssert.AreEqual(generation1, await target.GetAsync(prefix + Stored.Manifest),
            "the stored manifest changed after a failed publish");
        await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(generation1!), "generation 1 after the failed publish");

        // Relayed untouched = reached the server and stored. The journal may lack only writes that were in flight
        // when the failure stopped the upload (at most 3 of the 4 slots): the engine canceled them, so it cannot know.
        var relayed = target.Relayed(proxy, "PUT", prefix).Where(k => k != Stored.Journal).ToArray();
        Assert.HasCount(10, relayed, string.Join("\n", TestData.WithoutHistory(proxy.Requests)));
        var journalBytes = await target.GetAsync(prefix + Stored.Journal);
        Assert.IsNotNull(journalBytes, "the failed publish recorded no pending journal");
        var journal = Stored.JournalOf(journalBytes).Select(o => o.Key).ToArray();
        Assert.IsEmpty(journal.Except(relayed), "the journal vouches for objects that were never stored");
        Assert.IsGreaterThanOrEqualTo(7, journal.Length, "the journal lacks objects whose write had completed");
        await target.AssertObjectsAsync(prefix, Stored.JournalOf(journalBytes), "objects the journal vouches for");

        // The re-run, with the store healthy again.
        proxy.ClearFaults();
        proxy.Reset();
        var (rerun, rerunLog) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4);

        Assert.IsTrue(rerun.Succeeded, EnginePublish.Describe(rerunLog));
        var plan = rerun.Plan!;
        var generation1Keys = Stored.ObjectsOf(generation1!).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var expectedPuts = plan.Objects.Select(o => o.Key)
            .Where(k => !generation1Keys.Contains(k) && !journal.Contains(k))
            .ToArray();
        Assert.HasCount(40 - journal.Length, expectedPuts);
        var requests = TestData.WithoutHistory(proxy.Requests);
        var puts = target.Relayed(proxy, "PUT", prefix);
        CollectionAssert.AreEqual(Stored.Sorted(expectedPuts), Stored.Sorted(puts.Where(k => k != Stored.Manifest)),
            "the re-run must send exactly the objects neither generation 1 nor the journal vouches for:\n" + string.Join("\n", requests));
        Assert.AreEqual($"PUT {target.RequestPath(prefix)}{Stored.Manifest}", requests[^2], string.Join("\n", requests));
        Assert.AreEqual($"DELETE {target.RequestPath(prefix)}{Stored.Journal}", requests[^1], string.Join("\n", requests));
        Assert.HasCount(expectedPuts.Length + 1, puts, "each object once, then the manifest");

        CollectionAssert.AreEqual(AssetManifest.Serialize(plan), await target.GetAsync(prefix + Stored.Manifest));
        await target.AssertObjectsAsync(prefix, plan.Objects.Select(PendingJournal.Entry), "generation 2 after the re-run");
        Assert.IsNull(await target.GetAsync(prefix + Stored.Journal), "the committed re-run left the pending journal");
    }

    /// <summary>Generation 1 published (by default with un-fingerprinted copies: StaticAssetsKeepOriginalNames is on
    /// by default in the task), then generation 2, whose every object is stored but whose manifest write fails.</summary>
    private static async Task<(GeneratedSite Site, CountingProxy Proxy, string Prefix, byte[] Generation1, Dictionary<string, byte[]> Generation1Files)>
        FailTheCommitOfASecondGenerationAsync(StoreTarget target, string purpose, PlanOptions? plan = null)
    {
        plan ??= WithOriginals;
        var site = new GeneratedSite(files: 20, seed: 14);
        var proxy = new CountingProxy(target.Endpoint!);
        try
        {
            var prefix = $"{purpose}-{Guid.NewGuid():N}/";
            var (first, firstLog) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4, plan: plan);
            Assert.IsTrue(first.Succeeded, EnginePublish.Describe(firstLog));
            Assert.AreEqual(plan.KeepOriginalNames, first.Plan!.Assets[0].Original is not null, "un-fingerprinted copies");
            var generation1 = (await target.GetAsync(prefix + Stored.Manifest))!;
            var generation1Files = Enumerable.Range(0, 10).Select(GeneratedSite.PathOf)
                .ToDictionary(p => p, p => File.ReadAllBytes(Path.Combine(site.Root, p)));

            var random = new Random(141);
            foreach (var path in generation1Files.Keys)
            {
                site.Write(path, GeneratedSite.Bytes(random, 5000));
            }
            proxy.BlockPutsAfter(0, exempt: path => !path.EndsWith("/" + Stored.Manifest, StringComparison.Ordinal));
            var (failed, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4, plan: plan);

            Assert.IsFalse(failed.Succeeded);
            Assert.HasCount(1, log.Diagnostics, EnginePublish.Describe(log));
            Assert.AreEqual(DiagnosticCodes.WriteFailed, log.Diagnostics[0].Code, log.Diagnostics[0].ToString());
            CollectionAssert.AreEqual(generation1, await target.GetAsync(prefix + Stored.Manifest), "the manifest changed");
            proxy.ClearFaults();
            return (site, proxy, prefix, generation1, generation1Files);
        }
        catch
        {
            await proxy.DisposeAsync();
            site.Dispose();
            throw;
        }
    }

    private static readonly PlanOptions WithOriginals = Plans.OneObjectPerFile with { KeepOriginalNames = true };

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task AfterAFailedCommitTheRerunSendsOnlyTheManifest(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "faults");
        var (site, proxy, prefix, _, _) = await FailTheCommitOfASecondGenerationAsync(target, "rerun-commit", Plans.OneObjectPerFile);
        using (site)
        await using (proxy)
        {
            // Promise 5 (docs/reliability.md): after a failure the objects that were stored are recorded, and the next
            // publish sends only what is missing. Here every object was stored; only the manifest is missing.
            proxy.Reset();
            var (rerun, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4);

            Assert.IsTrue(rerun.Succeeded, EnginePublish.Describe(log));
            CollectionAssert.AreEqual(new[] { Stored.Manifest }, target.Relayed(proxy, "PUT", prefix),
                "every object was stored by the failed publish; the re-run sent:\n" + string.Join("\n", TestData.WithoutHistory(proxy.Requests)));
            CollectionAssert.AreEqual(AssetManifest.Serialize(rerun.Plan!), await target.GetAsync(prefix + Stored.Manifest));
        }
    }

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task AFailedCommitLeavesEveryObjectTheServingManifestNamesUnchangedIncludingUnfingerprintedCopies(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "faults");
        var (site, proxy, prefix, generation1, _) = await FailTheCommitOfASecondGenerationAsync(target, "failed-commit");
        using (site)
        await using (proxy)
        {
            // Promise 1 (docs/reliability.md): until a new manifest is written, every object the serving one names
            // keeps its bytes. The un-fingerprinted copies are named by it ("original") with generation 1's SHA-256.
            await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(generation1), "generation 1, still serving, after the failed commit");
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task RepublishingTheServingVersionAfterAFailedCommitLeavesEveryObjectItsManifestNamesCorrect()
    {
        var target = await StoreTarget.CreateAsync(StoreTarget.S3, "faults");
        var (site, proxy, prefix, generation1, generation1Files) = await FailTheCommitOfASecondGenerationAsync(target, "rollback");
        using (site)
        await using (proxy)
        {
            // Roll back: publish generation 1's files again (the failed version is abandoned).
            foreach (var (path, bytes) in generation1Files)
            {
                site.Write(path, bytes);
            }
            proxy.Reset();
            var (rollback, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4, plan: WithOriginals);

            Assert.IsTrue(rollback.Succeeded, EnginePublish.Describe(log));
            var serving = (await target.GetAsync(prefix + Stored.Manifest))!;
            CollectionAssert.AreEqual(generation1, serving, "the same files must give the same manifest");
            await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(serving),
                "generation 1 after it was published again:\n" + string.Join("\n", TestData.WithoutHistory(proxy.Requests)) + "\n");
        }
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task WhenEvenTheJournalCannotBeWrittenTheFailureIsStillReportedOnceAndTheRerunSendsTheRest()
    {
        var target = await StoreTarget.CreateAsync(StoreTarget.S3, "faults");
        using var site = new GeneratedSite(files: 30, seed: 3);
        await using var proxy = new CountingProxy(target.Endpoint!);
        var prefix = $"nojournal-{Guid.NewGuid():N}/";
        // The store accepts 5 PUTs, then none at all (the journal's included): the journal is best effort.
        proxy.BlockPutsAfter(5);

        var (failed, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4,
            settings => settings with { MaxAttempts = 2 });

        Assert.IsFalse(failed.Succeeded);
        Assert.HasCount(1, log.Diagnostics, EnginePublish.Describe(log));
        Assert.AreEqual(DiagnosticCodes.WriteFailed, log.Diagnostics[0].Code);
        Assert.IsNull(await target.GetAsync(prefix + Stored.Manifest), "a manifest was written after a failure");
        Assert.IsNull(await target.GetAsync(prefix + Stored.Journal));
        Assert.Contains(r => r == $"BLOCKED PUT {target.RequestPath(prefix)}{Stored.Journal}", TestData.WithoutHistory(proxy.Requests), "the journal was not attempted");

        proxy.ClearFaults();
        proxy.Reset();
        var (rerun, rerunLog) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 4);

        Assert.IsTrue(rerun.Succeeded, EnginePublish.Describe(rerunLog));
        // Without a journal nothing vouches for the 5 objects stored: all 30 are sent again (same keys, same bytes).
        Assert.HasCount(31, target.Relayed(proxy, "PUT", prefix));
        CollectionAssert.AreEqual(AssetManifest.Serialize(rerun.Plan!), await target.GetAsync(prefix + Stored.Manifest));
        await target.AssertObjectsAsync(prefix, rerun.Plan!.Objects.Select(PendingJournal.Entry), "after the re-run");
    }
}
