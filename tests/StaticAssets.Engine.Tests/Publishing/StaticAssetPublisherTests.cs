namespace StaticAssets.Engine.Tests.Publishing;

[TestClass]
public sealed class StaticAssetPublisherTests
{
    private const string ManifestName = AssetManifest.DefaultName;

    /// <summary>A small site in a temp folder: sources under src/, destination dest/, local manifest under publish/.</summary>
    private sealed class Site : IDisposable
    {
        private readonly TempDirectory _temp = new();

        public Site()
        {
            Sources =
            [
                new AssetSource(_temp.Write("src/css/site.css", "body { color: red; }"), "css/site.css"),
                new AssetSource(_temp.Write("src/js/app.js", "console.log('app');" + new string(' ', 1000)), "js/app.js", Variants:
                [
                    new AssetVariantSource(_temp.Write("src/js/app.js.gz", RandomNumberGenerator.GetBytes(300)), "gzip"),
                    new AssetVariantSource(_temp.Write("src/js/app.js.br", RandomNumberGenerator.GetBytes(200)), "br"),
                ]),
                new AssetSource(_temp.Write("src/img/logo.png", RandomNumberGenerator.GetBytes(100_000)), "img/logo.png"),
                new AssetSource(_temp.Write("src/fonts/ünï.woff2", RandomNumberGenerator.GetBytes(5_000)), "fonts/ünï.woff2"),
            ];
        }

        public List<AssetSource> Sources { get; }

        public string Dest => _temp.Combine("dest");

        public string LocalManifest => _temp.Combine("publish/out/" + ManifestName);

        public string DestManifest => Path.Combine(Dest, ManifestName);

        public PublishOptions Options => new() { LocalManifestPath = LocalManifest, Plan = Plans.OneObjectPerFile };

        public string Source(string logicalPath) => Sources.Single(s => s.LogicalPath == logicalPath).SourcePath;

        public Task<PublishResult> PublishAsync(RecordingLog log, IAssetStore? store = null, PublishOptions? options = null,
            CancellationToken cancellationToken = default) =>
            StaticAssetPublisher.PublishAsync(Sources, store ?? new LocalFolderStore(Dest), options ?? Options, log, cancellationToken).Guard();

        /// <summary>Publishes once successfully, as the "previous generation".</summary>
        public async Task<PublishResult> PublishBaselineAsync()
        {
            var log = new RecordingLog();
            var result = await PublishAsync(log);
            Assert.IsTrue(result.Succeeded, string.Join("\n", log.Diagnostics));
            return result;
        }

        /// <summary>A published generation, then a change to site.css (and, unless <paramref name="onlyCss"/>, to logo.png) for
        /// the next: what the destination and the publish output held before it.</summary>
        public async Task<(byte[] DestManifest, byte[] LocalManifest)> PublishedThenChangedAsync(bool onlyCss = false)
        {
            await PublishBaselineAsync();
            var before = (File.ReadAllBytes(DestManifest), File.ReadAllBytes(LocalManifest));
            File.WriteAllText(Source("css/site.css"), "new css");
            if (!onlyCss)
            {
                File.WriteAllBytes(Source("img/logo.png"), RandomNumberGenerator.GetBytes(1000));
            }
            return before;
        }

        public Dictionary<string, DateTime> Timestamps() =>
            TestData.FilesUnder(_temp.Path).ToDictionary(f => f, f => File.GetLastWriteTimeUtc(_temp.Combine(f)));

        public void Dispose() => _temp.Dispose();
    }

    private static string KeyOf(PublishResult result, string logicalPath) =>
        result.Plan!.Assets.Single(a => a.LogicalPath == logicalPath).Object.Key;

    [TestMethod]
    public async Task FirstPublish_WritesEveryObjectThenTheManifest_AndALocalCopyWithIdenticalBytes()
    {
        using var site = new Site();
        var log = new RecordingLog();
        var store = new RecordingStore(new LocalFolderStore(site.Dest));

        var result = await site.PublishAsync(log, store);

        Assert.IsTrue(result.Succeeded);
        Assert.IsEmpty(log.Diagnostics);
        var plan = result.Plan!;
        Assert.HasCount(6, plan.Objects);
        foreach (var obj in plan.Objects)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(obj.SourcePath), File.ReadAllBytes(Path.Combine(site.Dest, obj.Key)), obj.Key);
        }
        CollectionAssert.AreEqual(
            plan.Objects.Select(o => o.Key).Append(ManifestName).Order(StringComparer.Ordinal).ToArray(),
            TestData.FilesUnder(site.Dest));
        var manifest = File.ReadAllBytes(site.DestManifest);
        CollectionAssert.AreEqual(AssetManifest.Serialize(plan), manifest);
        CollectionAssert.AreEqual(manifest, File.ReadAllBytes(site.LocalManifest));
        Assert.AreEqual(site.LocalManifest, result.LocalManifestPath);
        CollectionAssert.AreEquivalent(plan.Objects.ToArray(), result.Written!.ToArray());
        // Commit last: the manifest is the last write, after every object it names completed.
        Assert.AreEqual(ManifestName, store.Attempts[^1]);
        Assert.HasCount(plan.Objects.Count + 1, store.Attempts);
        CollectionAssert.AreEquivalent(plan.Objects.Select(o => o.Key).ToArray(), store.Completed.Take(plan.Objects.Count).ToArray());
        Assert.IsTrue(log.Messages.Any(m => m.Importance == LogImportance.High), "a summary line");
    }

    [TestMethod]
    public async Task SecondPublishWithoutChanges_WritesNothing()
    {
        using var site = new Site();
        await site.PublishBaselineAsync();
        var before = site.Timestamps();
        var manifestBefore = File.ReadAllBytes(site.DestManifest);
        var store = new RecordingStore(new LocalFolderStore(site.Dest));
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, store);

        Assert.IsTrue(result.Succeeded);
        Assert.IsEmpty(log.Diagnostics);
        Assert.IsEmpty(result.Written!);
        Assert.IsEmpty(store.Attempts);
        Assert.AreEqual(2, store.Reads, "two reads: the destination's manifest and the pending journal");
        CollectionAssert.AreEqual(manifestBefore, File.ReadAllBytes(site.DestManifest));
        CollectionAssert.AreEquivalent(before.ToArray(), site.Timestamps().ToArray(), "no file rewritten or added");
    }

    [TestMethod]
    public async Task ChangedFile_WritesExactlyItsObjectAndANewManifest()
    {
        using var site = new Site();
        var baseline = await site.PublishBaselineAsync();
        File.WriteAllText(site.Source("css/site.css"), "body { color: blue; }");
        var store = new RecordingStore(new LocalFolderStore(site.Dest));
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, store);

        Assert.IsTrue(result.Succeeded);
        var newKey = KeyOf(result, "css/site.css");
        Assert.AreNotEqual(KeyOf(baseline, "css/site.css"), newKey);
        CollectionAssert.AreEqual(new[] { newKey }, result.Written!.Select(o => o.Key).ToArray());
        CollectionAssert.AreEqual(new[] { newKey, ManifestName }, store.Attempts.ToArray());
        var manifest = File.ReadAllBytes(site.DestManifest);
        CollectionAssert.AreEqual(AssetManifest.Serialize(result.Plan!), manifest);
        CollectionAssert.AreEqual(manifest, File.ReadAllBytes(site.LocalManifest));
        Assert.AreEqual("body { color: blue; }", File.ReadAllText(Path.Combine(site.Dest, newKey)));
        Assert.IsTrue(File.Exists(Path.Combine(site.Dest, KeyOf(baseline, "css/site.css"))), "old generation's objects are kept");
    }

    [TestMethod]
    public async Task ChangedPrimaryWithVariants_AlsoWritesItsVariantsUnderTheNewKey()
    {
        using var site = new Site();
        await site.PublishBaselineAsync();
        File.WriteAllText(site.Source("js/app.js"), "console.log('v2');" + new string(' ', 1000));
        var store = new RecordingStore(new LocalFolderStore(site.Dest));

        var result = await site.PublishAsync(new RecordingLog(), store);

        var key = KeyOf(result, "js/app.js");
        CollectionAssert.AreEquivalent(new[] { key, key + ".br", key + ".gz" }, result.Written!.Select(o => o.Key).ToArray());
        Assert.AreEqual(ManifestName, store.Attempts[^1]);
    }

    [TestMethod]
    public async Task LocalManifestDeleted_IsRewrittenWithoutRewritingTheDestination()
    {
        using var site = new Site();
        await site.PublishBaselineAsync();
        File.Delete(site.LocalManifest);
        var store = new RecordingStore(new LocalFolderStore(site.Dest));

        var result = await site.PublishAsync(new RecordingLog(), store);

        Assert.IsTrue(result.Succeeded);
        Assert.IsEmpty(store.Attempts);
        CollectionAssert.AreEqual(File.ReadAllBytes(site.DestManifest), File.ReadAllBytes(site.LocalManifest));
    }

    [TestMethod]
    public async Task DryRun_WritesNothingButSucceedsWithThePlan()
    {
        using var site = new Site();
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, options: site.Options with { DryRun = true });

        Assert.IsTrue(result.Succeeded);
        Assert.IsEmpty(log.Diagnostics);
        Assert.IsNotNull(result.Plan);
        Assert.IsEmpty(result.Written!);
        Assert.IsNull(result.LocalManifestPath);
        Assert.IsFalse(Directory.Exists(site.Dest), "destination folder stays absent");
        Assert.IsFalse(File.Exists(site.LocalManifest));
        foreach (var obj in result.Plan.Objects)
        {
            Assert.IsTrue(log.Messages.Any(m => m.Text.Contains(obj.Key, StringComparison.Ordinal)), $"dry run names {obj.Key}");
        }
    }

    [TestMethod]
    public async Task DryRunAfterAChange_WritesNothingAndKeepsTheManifest()
    {
        using var site = new Site();
        await site.PublishBaselineAsync();
        var before = site.Timestamps();
        var manifest = File.ReadAllBytes(site.DestManifest);
        File.WriteAllText(site.Source("css/site.css"), "changed");
        var store = new RecordingStore(new LocalFolderStore(site.Dest));
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, store, site.Options with { DryRun = true });

        Assert.IsTrue(result.Succeeded);
        Assert.IsEmpty(store.Attempts);
        CollectionAssert.AreEqual(manifest, File.ReadAllBytes(site.DestManifest));
        before.Remove("src/css/site.css");
        var after = site.Timestamps();
        after.Remove("src/css/site.css");
        CollectionAssert.AreEquivalent(before.ToArray(), after.ToArray());
        var changedKey = KeyOf(result, "css/site.css");
        Assert.IsTrue(log.Messages.Any(m => m.Importance == LogImportance.Low && m.Text.Contains(changedKey, StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task StoreFailureMidway_KeepsThePreviousManifestByteForByte_AndReportsExactlyOneError()
    {
        using var site = new Site();
        var (destManifest, localManifest) = await site.PublishedThenChangedAsync();
        string? failingKey = null;
        var store = new RecordingStore(new LocalFolderStore(site.Dest))
        {
            BeforeWrite = (write, _) => write.Key.StartsWith("img/logo.", StringComparison.Ordinal)
                ? Task.FromException(new IOException($"simulated failure storing {failingKey = write.Key}"))
                : Task.CompletedTask,
        };
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, store);

        Assert.IsFalse(result.Succeeded);
        Assert.IsNotNull(failingKey);
        var error = log.Errors.Single();
        Assert.AreEqual(DiagnosticCodes.WriteFailed, error.Code);
        Assert.Contains(failingKey, error.Message);
        Assert.IsEmpty(log.Warnings);
        Assert.DoesNotContain(ManifestName, store.Attempts.ToArray());
        CollectionAssert.AreEqual(destManifest, File.ReadAllBytes(site.DestManifest));
        CollectionAssert.AreEqual(localManifest, File.ReadAllBytes(site.LocalManifest));
        Assert.IsFalse(TestData.FilesUnder(site.Dest).Any(f => f.EndsWith(".tmp", StringComparison.Ordinal)));
    }

    [TestMethod]
    public async Task UnreachableDestination_IsReportedOnceNotPerObject()
    {
        using var site = new Site();
        var store = new RecordingStore(new LocalFolderStore(site.Dest, maxConcurrency: 16))
        {
            BeforeWrite = (_, _) => Task.FromException(new IOException("connection refused")),
        };
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, store);

        Assert.IsFalse(result.Succeeded);
        var error = log.Diagnostics.Single();
        Assert.AreEqual(DiagnosticCodes.WriteFailed, error.Code);
        Assert.Contains("connection refused", error.Message);
        Assert.IsFalse(Directory.Exists(site.Dest));
        Assert.IsFalse(File.Exists(site.LocalManifest));
    }

    [TestMethod]
    public async Task ManifestWriteFailure_IsOneSA3001_AndTheLocalCopyIsNotUpdated()
    {
        using var site = new Site();
        var (destManifest, localManifest) = await site.PublishedThenChangedAsync(onlyCss: true);
        var store = new RecordingStore(new LocalFolderStore(site.Dest))
        {
            BeforeWrite = (write, _) => write.Key == ManifestName ? Task.FromException(new IOException("quota")) : Task.CompletedTask,
        };
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, store);

        Assert.IsFalse(result.Succeeded);
        var error = log.Diagnostics.Single();
        Assert.AreEqual(DiagnosticCodes.WriteFailed, error.Code);
        Assert.Contains(ManifestName, error.Message);
        CollectionAssert.AreEqual(destManifest, File.ReadAllBytes(site.DestManifest));
        CollectionAssert.AreEqual(localManifest, File.ReadAllBytes(site.LocalManifest));
    }

    [TestMethod]
    public async Task CanceledToken_IsSA4001AndThePreviousManifestIsUntouched()
    {
        using var site = new Site();
        var (destManifest, _) = await site.PublishedThenChangedAsync(onlyCss: true);
        var store = new RecordingStore(new LocalFolderStore(site.Dest));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, store, cancellationToken: cts.Token);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.Canceled, log.Diagnostics.Single().Code);
        Assert.IsEmpty(store.Attempts);
        CollectionAssert.AreEqual(destManifest, File.ReadAllBytes(site.DestManifest));
    }

    [TestMethod]
    public async Task CanceledDuringUpload_IsSA4001AndThePreviousManifestIsUntouched()
    {
        using var site = new Site();
        var (destManifest, localManifest) = await site.PublishedThenChangedAsync();
        using var cts = new CancellationTokenSource();
        // Ctrl+C arrives as the first object is being written.
        var store = new RecordingStore(new LocalFolderStore(site.Dest, maxConcurrency: 1))
        {
            BeforeWrite = async (_, token) =>
            {
                await cts.CancelAsync();
                token.ThrowIfCancellationRequested();
            },
        };
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, store, cancellationToken: cts.Token);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.Canceled, log.Diagnostics.Single().Code);
        Assert.HasCount(1, store.Attempts, "no write started after the cancellation; started: " + string.Join(", ", store.Attempts));
        Assert.IsEmpty(store.Completed);
        CollectionAssert.AreEqual(destManifest, File.ReadAllBytes(site.DestManifest));
        CollectionAssert.AreEqual(localManifest, File.ReadAllBytes(site.LocalManifest));
    }

    /// <summary>
    /// HTTP clients report their own timeouts as TaskCanceledException although nobody canceled the publish. That is
    /// a destination failure: it must end as one coded error, not escape as an unhandled exception (MSB4018).
    /// </summary>
    [TestMethod]
    public async Task StoreTimeoutWhileReadingTheManifest_IsOneCodedError_NotAnUnhandledException()
    {
        using var site = new Site();
        var store = new TimingOutStore();
        var log = new RecordingLog();

        PublishResult? result = null;
        Exception? escaped = null;
        try
        {
            result = await site.PublishAsync(log, store);
        }
        catch (Exception e)
        {
            escaped = e;
        }

        Assert.IsNull(escaped, $"PublishAsync let {escaped?.GetType().Name} escape: {escaped?.Message}");
        Assert.IsFalse(result!.Succeeded);
        // A client's own time-out is what SA3011 names, even from a store that forgot to translate it.
        Assert.AreEqual(DiagnosticCodes.StoreTimedOut, log.Diagnostics.Single().Code);
    }

    /// <summary>Breaks the store contract on purpose: its client's time-out escapes untranslated.</summary>
    private sealed class TimingOutStore : InMemoryStore
    {
        public override Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) =>
            Task.FromException<byte[]?>(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing."));
    }

    [TestMethod]
    public async Task PlanError_WritesNothing()
    {
        using var site = new Site();
        File.Delete(site.Source("img/logo.png"));
        var log = new RecordingLog();

        var result = await site.PublishAsync(log);

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.SourceFileMissing, log.Diagnostics.Single().Code);
        Assert.IsFalse(Directory.Exists(site.Dest));
        Assert.IsFalse(File.Exists(site.LocalManifest));
    }

    [TestMethod]
    public async Task PlanError_WinsOverTheDestinationReadStartedBesideIt()
    {
        // The destination is read while planning; when both fail, the plan's error (the user's input) is the one
        // reported, and the read's failure neither escapes nor adds a second error.
        using var site = new Site();
        File.Delete(site.Source("img/logo.png"));
        var log = new RecordingLog();

        var result = await site.PublishAsync(log, new TimingOutStore());

        Assert.IsFalse(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.SourceFileMissing, log.Diagnostics.Single().Code);
    }

    [TestMethod]
    public async Task UnusableDestinationManifest_IsAWarning_EverythingIsStoredAgainAndTheManifestReplaced()
    {
        using var site = new Site();
        Directory.CreateDirectory(site.Dest);
        File.WriteAllText(site.DestManifest, "{ \"paths\": ");
        var log = new RecordingLog();

        var result = await site.PublishAsync(log);

        Assert.IsTrue(result.Succeeded);
        Assert.AreEqual(DiagnosticCodes.InvalidRemoteManifest, log.Diagnostics.Single().Code);
        Assert.HasCount(result.Plan!.Objects.Count, result.Written!);
        CollectionAssert.AreEqual(AssetManifest.Serialize(result.Plan), File.ReadAllBytes(site.DestManifest));
    }

    [TestMethod]
    public async Task DestinationManifestWithAWronglyTypedField_IsSA2002Warning_AndThePublishSucceeds()
    {
        using var site = new Site();
        await site.PublishBaselineAsync();
        // Damaged by hand or by another tool: valid JSON, but a size that is a string.
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(site.DestManifest))!;
        root["assets"]!["css/site.css"]!["size"] = "20";
        File.WriteAllText(site.DestManifest, root.ToJsonString());
        var log = new RecordingLog();

        PublishResult? result = null;
        Exception? escaped = null;
        try
        {
            result = await site.PublishAsync(log);
        }
        catch (Exception e)
        {
            escaped = e;
        }

        Assert.IsNull(escaped, $"PublishAsync let {escaped?.GetType().Name} escape: {escaped?.Message}");
        Assert.IsTrue(result!.Succeeded);
        Assert.AreEqual(DiagnosticCodes.InvalidRemoteManifest, log.Diagnostics.Single().Code);
        CollectionAssert.AreEqual(AssetManifest.Serialize(result.Plan!), File.ReadAllBytes(site.DestManifest));
    }

    [TestMethod]
    public async Task CustomManifestName_IsUsedAtTheDestination()
    {
        using var site = new Site();

        var result = await site.PublishAsync(new RecordingLog(), options: site.Options with { ManifestName = "assets.v1.json" });

        Assert.IsTrue(result.Succeeded);
        Assert.IsTrue(File.Exists(Path.Combine(site.Dest, "assets.v1.json")));
        Assert.IsFalse(File.Exists(site.DestManifest));
    }

    [TestMethod]
    [DataRow("sub/manifest.json")]
    [DataRow("../manifest.json")]
    [DataRow("..")]
    [DataRow(".")]
    [DataRow("/manifest.json")]
    [DataRow("sub\\manifest.json")]
    [DataRow("")]
    [DataRow("a/../manifest.json")]
    public void Validate_RejectsManifestNamesThatAreNotPlainFileNames_SA1005(string name)
    {
        var e = Assert.ThrowsExactly<StaticAssetsException>(() => StaticAssetPublisher.Validate(new PublishOptions { ManifestName = name }, OptionSpelling.Plain));

        Assert.AreEqual(DiagnosticCodes.InvalidManifestName, e.Diagnostic.Code);
    }
}
