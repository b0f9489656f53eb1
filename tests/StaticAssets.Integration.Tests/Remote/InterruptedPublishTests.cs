namespace StaticAssets.Integration.Tests.Remote;

/// <summary>
/// Publishes stopped in the middle of the upload: by the engine's cancellation token, by Ctrl+C to a real
/// `dotnet publish`, and by killing it outright. The destination keeps serving the previous generation, the publish
/// output holds no half-written manifest, and the next publish completes (sending only what is missing when the
/// interrupted one could record what it stored).
/// </summary>
[TestClass]
public sealed class InterruptedPublishTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task CancelingTheEngineMidUploadKeepsThePreviousManifestAndTheRerunSendsOnlyWhatIsMissing(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "cancel");
        using var site = new GeneratedSite(files: 80, seed: 4);
        await using var proxy = new CountingProxy(target.Endpoint!);
        var prefix = "site/";
        var (first, firstLog) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 2);
        Assert.IsTrue(first.Succeeded, EnginePublish.Describe(firstLog));
        var generation1 = (await target.GetAsync(prefix + Stored.Manifest))!;

        var random = new Random(44);
        for (var i = 0; i < 80; i++)
        {
            site.Write(GeneratedSite.PathOf(i), GeneratedSite.Bytes(random, 3000 + i));
        }
        proxy.Reset();
        proxy.Latency = TimeSpan.FromMilliseconds(40);
        using var cancellation = new CancellationTokenSource();
        // At most 2 PUTs are in flight, so when the 10th starts at least 8 have been stored.
        var cancelAfterTenPuts = proxy.WhenPutsSeen(10).ContinueWith(_ => cancellation.Cancel(), TaskScheduler.Default);

        var (canceled, log) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 2, cancellationToken: cancellation.Token);
        await cancelAfterTenPuts;

        Assert.IsFalse(canceled.Succeeded);
        Assert.HasCount(1, log.Diagnostics, EnginePublish.Describe(log));
        Assert.AreEqual(DiagnosticCodes.Canceled, log.Diagnostics[0].Code, log.Diagnostics[0].ToString());
        var putsAttempted = proxy.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal));
        Assert.IsLessThan(80, putsAttempted, "the upload was not stopped:\n" + string.Join("\n", proxy.Requests));
        CollectionAssert.AreEqual(generation1, await target.GetAsync(prefix + Stored.Manifest), "the manifest changed");
        await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(generation1), "generation 1 after the cancel");
        var journalBytes = await target.GetAsync(prefix + Stored.Journal);
        Assert.IsNotNull(journalBytes, "the canceled publish recorded no pending journal");
        var journal = Stored.JournalOf(journalBytes);
        Assert.IsGreaterThanOrEqualTo(8, journal.Count, "the journal misses objects stored before the cancel");
        await target.AssertObjectsAsync(prefix, journal, "objects the journal vouches for");

        proxy.Latency = TimeSpan.Zero;
        proxy.Reset();
        var (rerun, rerunLog) = await EnginePublish.RunAsync(site, target, prefix, proxy, maxConcurrency: 2);

        Assert.IsTrue(rerun.Succeeded, EnginePublish.Describe(rerunLog));
        var vouched = Stored.ObjectsOf(generation1).Concat(journal).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var expected = rerun.Plan!.Objects.Select(o => o.Key).Where(k => !vouched.Contains(k)).ToArray();
        Assert.HasCount(80 - journal.Count, expected);
        CollectionAssert.AreEqual(
            Stored.Sorted(expected), Stored.Sorted(target.Relayed(proxy, "PUT", prefix).Where(k => k != Stored.Manifest)),
            "the re-run must send exactly what the canceled publish did not record:\n" + string.Join("\n", proxy.Requests));
        Assert.AreEqual($"DELETE {target.RequestPath(prefix)}{Stored.Journal}", proxy.Requests[^1]);
        CollectionAssert.AreEqual(AssetManifest.Serialize(rerun.Plan!), await target.GetAsync(prefix + Stored.Manifest));
        await target.AssertObjectsAsync(prefix, rerun.Plan!.Objects.Select(PendingJournal.Entry), "after the re-run");
    }

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task CancelingWhileRequestsHangStopsThePublishWithoutWaitingForTheirTimeout(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "cancel-hang");
        using var site = new GeneratedSite(files: 20, seed: 12);
        await using var proxy = new CountingProxy(target.Endpoint!);
        // Both PUTs in flight reach the server and never get an answer; the client's timeout is the SDK default (100 s).
        proxy.StallNextRequests(2, "PUT", hold: TimeSpan.FromMinutes(5));
        using var cancellation = new CancellationTokenSource();
        var cancelWhenBothHang = proxy.WhenPutsSeen(2).ContinueWith(_ => cancellation.Cancel(), TaskScheduler.Default);

        var publish = EnginePublish.RunAsync(site, target, "site/", proxy, maxConcurrency: 2, cancellationToken: cancellation.Token);
        // A hang guard, far below the 100 s request timeout: the cancel must not wait for it.
        var (result, log) = await publish.WaitAsync(TimeSpan.FromSeconds(45));
        await cancelWhenBothHang;

        Assert.IsFalse(result.Succeeded);
        Assert.HasCount(1, log.Diagnostics, EnginePublish.Describe(log));
        Assert.AreEqual(DiagnosticCodes.Canceled, log.Diagnostics[0].Code);
        Assert.IsNull(await target.GetAsync("site/" + Stored.Manifest));
        Assert.IsNull(await target.GetAsync("site/" + Stored.Journal), "nothing completed, so nothing should be recorded");
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task CtrlCDuringDotnetPublishReportsCanceledKeepsThePreviousGenerationAndTheRepublishSendsOnlyWhatIsMissing()
    {
        await using var run = await InterruptibleRun.StartAsync("ctrlc");
        await run.PublishGeneration1Async();

        using var interrupted = await run.StartGeneration2Async();
        await interrupted.InterruptAsync();
        var exitCode = await interrupted.WaitForExitAsync(Guard);

        var output = interrupted.Output;
        Assert.AreNotEqual(0, exitCode, output);
        StringAssert.Contains(output, "SA4001", "the task did not report the cancel");
        // MSBuild may repeat an error in its summary: count distinct ones.
        var errors = System.Text.RegularExpressions.Regex.Matches(output, @"error (SA\d{4}): [^\r\n\[]*")
            .Select(m => m.Value.Trim()).Distinct().ToArray();
        Assert.HasCount(1, errors, output);
        StringAssert.StartsWith(errors[0], "error SA4001");
        StringAssert.Contains(output, "Attempting to cancel the build...", "MSBuild did not take the SIGINT as Ctrl+C");
        var journal = await run.AssertConsistentAfterInterruptionAsync(output);
        Assert.IsNotNull(journal, "after Ctrl+C the task has time to record what it stored, but no pending journal was written:\n" + output);

        await run.RepublishAsync(journal);
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task KillingDotnetPublishMidUploadKeepsThePreviousGenerationAndARepublishCompletes()
    {
        await using var run = await InterruptibleRun.StartAsync("kill");
        await run.PublishGeneration1Async();

        using var killed = await run.StartGeneration2Async();
        killed.KillTree();
        await killed.WaitForExitAsync(Guard);

        var journal = await run.AssertConsistentAfterInterruptionAsync(killed.Output);
        Assert.IsNull(journal, "a killed process cannot have written a journal");
        await run.RepublishAsync(journal);
    }

    /// <summary>The sample app published to s3://bucket/site/ through a latency proxy, twice: generation 1 as it is,
    /// generation 2 with 150 more files, interrupted mid-upload.</summary>
    private sealed class InterruptibleRun : IAsyncDisposable
    {
        private readonly S3Server _server;
        private readonly string _bucket;
        private readonly SampleProject _project;
        private readonly CountingProxy _proxy;
        private readonly string[] _properties;
        private byte[] _generation1 = [];

        private InterruptibleRun(S3Server server, string bucket, SampleProject project, CountingProxy proxy)
        {
            _server = server;
            _bucket = bucket;
            _project = project;
            _proxy = proxy;
            _properties =
            [
                $"-p:StaticAssetsDestination=s3://{bucket}/site/",
                $"-p:StaticAssetsS3ServiceUrl={proxy.Url}",
                "-p:StaticAssetsS3ForcePathStyle=true",
                "-p:StaticAssetsS3ChecksumMode=WhenRequired",
                "-p:StaticAssetsMaxConcurrency=2",
                // The un-fingerprinted copies (written after the switch, vouched for by the journal's own list) are
                // covered by FaultToleranceTests and Rewriting/OriginalNamesTests; here the journal's "stored" list is.
                "-p:StaticAssetsKeepOriginalNames=false",
            ];
        }

        public static async Task<InterruptibleRun> StartAsync(string purpose)
        {
            var server = await S3Server.GetAsync();
            var bucket = await server.CreateBucketAsync(purpose);
            var project = await SampleProject.CreateAsync();
            return new InterruptibleRun(server, bucket, project, new CountingProxy(server.Endpoint));
        }

        public async Task PublishGeneration1Async()
        {
            (await _project.PublishAsync(_server.CredentialsEnvironment(), _properties)).ShouldSucceed("publish generation 1");
            _generation1 = File.ReadAllBytes(_project.LocalManifest);
            CollectionAssert.AreEqual(_generation1, await Stored.GetAsync(_server, _bucket, "site/" + Stored.Manifest));
        }

        /// <summary>Adds 150 files, starts the publish slowed by latency, and returns once 10 PUTs were seen.</summary>
        public async Task<DotnetProcess> StartGeneration2Async()
        {
            var random = new Random(150);
            for (var i = 0; i < 150; i++)
            {
                var path = Path.Combine(_project.WwwRoot, "generated", $"part{i % 6}", $"file{i:D3}.txt");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var text = new StringBuilder();
                while (text.Length < 4000 + i * 40)
                {
                    text.Append(random.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append(i % 10 == 0 ? '\n' : ' ');
                }
                File.WriteAllText(path, text.ToString());
            }
            _proxy.Reset();
            _proxy.Latency = TimeSpan.FromMilliseconds(100);
            var process = DotnetProcess.Publish(_project, _server.CredentialsEnvironment(), _properties);
            await process.WhileRunningAsync(_proxy.WhenPutsSeen(10), TimeSpan.FromSeconds(120), "10 PUTs");
            return process;
        }

        /// <summary>The destination still serves generation 1, intact; the local manifest is absent or complete; no
        /// temporary file is left. Returns the pending journal, if one was written.</summary>
        public async Task<IReadOnlyList<ManifestObject>?> AssertConsistentAfterInterruptionAsync(string output)
        {
            CollectionAssert.AreEqual(_generation1, await Stored.GetAsync(_server, _bucket, "site/" + Stored.Manifest),
                "the stored manifest changed after an interrupted publish:\n" + output);
            await Stored.AssertObjectsAsync(_server, _bucket, "site/", Stored.ObjectsOf(_generation1), "generation 1 after the interruption");
            if (File.Exists(_project.LocalManifest))
            {
                CollectionAssert.AreEqual(_generation1, File.ReadAllBytes(_project.LocalManifest),
                    "the publish output's manifest is not the last complete one");
            }
            var leftovers = Directory.GetFiles(_project.PublishDirectory, "*.tmp", SearchOption.AllDirectories);
            Assert.IsEmpty(leftovers, "temporary files left in the publish output: " + string.Join(", ", leftovers));
            var journal = await Stored.GetAsync(_server, _bucket, "site/" + Stored.Journal);
            if (journal is null)
            {
                return null;
            }
            var entries = Stored.JournalOf(journal);
            await Stored.AssertObjectsAsync(_server, _bucket, "site/", entries, "objects the pending journal vouches for");
            return entries;
        }

        /// <summary>Publishes again without latency: succeeds, stores generation 2 completely, and sends only the
        /// objects neither generation 1 nor the journal vouches for.</summary>
        public async Task RepublishAsync(IReadOnlyList<ManifestObject>? journal)
        {
            _proxy.ClearFaults();
            _proxy.Reset();
            var result = (await _project.PublishAsync(_server.CredentialsEnvironment(), _properties)).ShouldSucceed("re-publish");
            var generation2 = File.ReadAllBytes(_project.LocalManifest);
            CollectionAssert.AreEqual(generation2, await Stored.GetAsync(_server, _bucket, "site/" + Stored.Manifest),
                "the stored manifest is not the publish output's:\n" + result.Output);
            var objects = Stored.ObjectsOf(generation2);
            Assert.IsGreaterThanOrEqualTo(150 * 2, objects.Count - Stored.ObjectsOf(_generation1).Count, "generation 2 has fewer new objects than expected");
            await Stored.AssertObjectsAsync(_server, _bucket, "site/", objects, "generation 2");
            var paths = PublishedAssets.ReadManifest(_project.LocalManifest).GetProperty("assets");
            foreach (var file in Directory.GetFiles(Path.Combine(_project.WwwRoot, "generated"), "*", SearchOption.AllDirectories))
            {
                var logicalPath = Path.GetRelativePath(_project.WwwRoot, file).Replace('\\', '/');
                Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))),
                    paths.GetProperty(logicalPath).GetProperty("sha256").GetString(), $"the manifest's SHA-256 of '{logicalPath}'");
            }

            var vouched = Stored.ObjectsOf(_generation1).Concat(journal ?? []).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
            var sent = Stored.Relayed(_proxy, "PUT", _bucket, "site/").Where(k => k != Stored.Manifest).ToArray();
            var expected = objects.Select(o => o.Key).Where(k => !vouched.Contains(k)).ToArray();
            CollectionAssert.AreEqual(Stored.Sorted(expected), Stored.Sorted(sent),
                "the re-publish must send exactly the objects nothing vouches for:\n" + string.Join("\n", _proxy.Requests));
            Assert.IsNull(await Stored.GetAsync(_server, _bucket, "site/" + Stored.Journal), "the committed re-publish left the pending journal");
        }

        public async ValueTask DisposeAsync()
        {
            await _proxy.DisposeAsync();
            _project.Dispose();
        }
    }
}
