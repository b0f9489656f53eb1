namespace StaticAssets.Integration.Tests.Remote;

/// <summary>
/// Two publishers of different versions of one site writing to the same prefix at the same time (two CI jobs of
/// consecutive commits): both succeed, the destination serves exactly one of the two complete generations, and the
/// objects of both stay intact.
/// </summary>
[TestClass]
public sealed class ConcurrentPublishersTests
{
    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task TwoEnginesPublishingDifferentVersionsAtOnceLeaveOneCompleteGenerationServing(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "concurrent");
        const string prefix = "site/";
        // Version A and B: 100 files each; 60 identical, 40 with the same paths but other bytes, plus 5 files only in B.
        using var siteA = new GeneratedSite(files: 100, seed: 5);
        using var siteB = new GeneratedSite(files: 100, seed: 5);
        var random = new Random(55);
        for (var i = 60; i < 100; i++)
        {
            siteB.Write(GeneratedSite.PathOf(i), GeneratedSite.Bytes(random, 1500 + i * 13));
        }
        for (var i = 0; i < 5; i++)
        {
            siteB.Write($"only-in-b/extra{i}.bin", GeneratedSite.Bytes(random, 700 + i));
        }
        // An older generation is in place, as in a real deployment: both diff against it.
        using var older = new GeneratedSite(files: 30, seed: 6);
        await using var direct = new CountingProxy(target.Endpoint!);
        var (initial, initialLog) = await EnginePublish.RunAsync(older, target, prefix, direct, maxConcurrency: 8);
        Assert.IsTrue(initial.Succeeded, EnginePublish.Describe(initialLog));

        // Each publisher through its own slowed proxy, so that their uploads overlap for the whole publish.
        await using var proxyA = new CountingProxy(target.Endpoint!) { Latency = TimeSpan.FromMilliseconds(10) };
        await using var proxyB = new CountingProxy(target.Endpoint!) { Latency = TimeSpan.FromMilliseconds(10) };
        var publishA = EnginePublish.RunAsync(siteA, target, prefix, proxyA, maxConcurrency: 4);
        var publishB = EnginePublish.RunAsync(siteB, target, prefix, proxyB, maxConcurrency: 4);
        await Task.WhenAll(publishA, publishB);
        var (a, logA) = await publishA;
        var (b, logB) = await publishB;

        Assert.IsTrue(a.Succeeded, EnginePublish.Describe(logA));
        Assert.IsTrue(b.Succeeded, EnginePublish.Describe(logB));
        Assert.IsEmpty(logA.Diagnostics, EnginePublish.Describe(logA));
        Assert.IsEmpty(logB.Diagnostics, EnginePublish.Describe(logB));
        var manifestA = AssetManifest.Serialize(a.Plan!);
        var manifestB = AssetManifest.Serialize(b.Plan!);
        Assert.AreNotEqual(Convert.ToHexString(manifestA), Convert.ToHexString(manifestB), "the two versions must differ");
        // Each committed its own generation (whatever it read first, its manifest differed), so the last one wins.
        Assert.AreEqual(1, proxyA.Requests.Count(r => r == $"PUT {target.RequestPath(prefix)}{Stored.Manifest}"), string.Join("\n", proxyA.Requests));
        Assert.AreEqual(1, proxyB.Requests.Count(r => r == $"PUT {target.RequestPath(prefix)}{Stored.Manifest}"), string.Join("\n", proxyB.Requests));

        var final = await target.GetAsync(prefix + Stored.Manifest);
        Assert.IsNotNull(final);
        Assert.IsTrue(final.AsSpan().SequenceEqual(manifestA) || final.AsSpan().SequenceEqual(manifestB),
            "the stored manifest is neither version's:\n" + System.Text.Encoding.UTF8.GetString(final));
        await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(final), "the serving generation");
        await target.AssertObjectsAsync(prefix, a.Plan!.Objects.Select(PendingJournal.Entry), "version A");
        await target.AssertObjectsAsync(prefix, b.Plan!.Objects.Select(PendingJournal.Entry), "version B");
        await target.AssertObjectsAsync(prefix, initial.Plan!.Objects.Select(PendingJournal.Entry), "the older generation");
        Assert.IsNull(await target.GetAsync(prefix + Stored.Journal), "no publish failed, yet a pending journal exists");
    }

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task WhenThePublisherThatStartedFirstCommitsLastEveryObjectTheServingManifestNamesIsItsOwn(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "overlap");
        const string prefix = "site/";
        // Un-fingerprinted copies (StaticAssetsKeepOriginalNames, on by default in the task) are the only keys two
        // versions share with different bytes.
        var plan = Plans.OneObjectPerFile with { KeepOriginalNames = true };
        using var siteA = new GeneratedSite(files: 20, seed: 13);
        using var siteB = new GeneratedSite(files: 20, seed: 13);
        var random = new Random(131);
        for (var i = 0; i < 10; i++)
        {
            siteB.Write(GeneratedSite.PathOf(i), GeneratedSite.Bytes(random, 4000 + i));
        }
        await using var proxyA = new CountingProxy(target.Endpoint!);
        await using var proxyB = new CountingProxy(target.Endpoint!);
        // A deterministic overlap: A stores everything, then its manifest write is held while B publishes from start
        // to end; then A commits. (Two CI jobs where the first to start is the last to finish.)
        var commitA = proxyA.HoldNext((method, path) => method == "PUT" && path.EndsWith("/" + Stored.Manifest, StringComparison.Ordinal));
        var publishA = EnginePublish.RunAsync(siteA, target, prefix, proxyA, maxConcurrency: 4, plan: plan);
        await commitA.Reached.WaitAsync(TimeSpan.FromSeconds(60));
        var (b, logB) = await EnginePublish.RunAsync(siteB, target, prefix, proxyB, maxConcurrency: 4, plan: plan);
        commitA.Release();
        var (a, logA) = await publishA;

        Assert.IsTrue(a.Succeeded, EnginePublish.Describe(logA));
        Assert.IsTrue(b.Succeeded, EnginePublish.Describe(logB));
        var final = (await target.GetAsync(prefix + Stored.Manifest))!;
        CollectionAssert.AreEqual(AssetManifest.Serialize(a.Plan!), final, "A committed last: its manifest must be serving");
        await target.AssertObjectsAsync(prefix, a.Plan!.Objects.Where(o => o.Immutable).Select(PendingJournal.Entry), "A's fingerprinted objects");
        await target.AssertObjectsAsync(prefix, b.Plan!.Objects.Where(o => o.Immutable).Select(PendingJournal.Entry), "B's fingerprinted objects");
        // Promise 6 (docs/reliability.md): the final manifest is one complete generation, every object it names intact.
        await target.AssertObjectsAsync(prefix, Stored.ObjectsOf(final), "the serving generation (A)");
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task TwoDotnetPublishesOfDifferentVersionsAtOnceLeaveOneCompleteGenerationServing()
    {
        var server = await S3Server.GetAsync();
        var bucket = await server.CreateBucketAsync("concurrent-e2e");
        using var projectA = await SampleProject.CreateAsync();
        using var projectB = await SampleProject.CreateAsync();
        // Same app; 40 shared generated files, 30 that differ between the versions.
        for (var i = 0; i < 70; i++)
        {
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(projectA.WwwRoot, "generated")).FullName, $"file{i:D2}.txt"),
                $"shared {i} " + new string('a', 2000 + i));
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(projectB.WwwRoot, "generated")).FullName, $"file{i:D2}.txt"),
                (i < 40 ? $"shared {i} " : $"version B {i} ") + new string('a', 2000 + i));
        }
        await using var proxyA = new CountingProxy(server.Endpoint) { Latency = TimeSpan.FromMilliseconds(10) };
        await using var proxyB = new CountingProxy(server.Endpoint) { Latency = TimeSpan.FromMilliseconds(10) };
        string[] Properties(CountingProxy proxy) =>
        [
            $"-p:StaticAssetsDestination=s3://{bucket}/site/",
            $"-p:StaticAssetsS3ServiceUrl={proxy.Url}",
            "-p:StaticAssetsS3ForcePathStyle=true",
            "-p:StaticAssetsS3ChecksumMode=WhenRequired",
            "-p:StaticAssetsMaxConcurrency=4",
            // Content-addressed objects only: whether un-fingerprinted copies (same keys, other bytes) survive an
            // overlap depends on the interleaving, which the gated engine test above makes deterministic.
            "-p:StaticAssetsKeepOriginalNames=false",
        ];

        using var publishA = DotnetProcess.Publish(projectA, server.CredentialsEnvironment(), Properties(proxyA));
        using var publishB = DotnetProcess.Publish(projectB, server.CredentialsEnvironment(), Properties(proxyB));
        var exitA = await publishA.WaitForExitAsync(TimeSpan.FromMinutes(3));
        var exitB = await publishB.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.AreEqual(0, exitA, publishA.Output);
        Assert.AreEqual(0, exitB, publishB.Output);
        var manifestA = File.ReadAllBytes(projectA.LocalManifest);
        var manifestB = File.ReadAllBytes(projectB.LocalManifest);
        Assert.IsFalse(manifestA.AsSpan().SequenceEqual(manifestB), "the two versions must differ");
        var final = await Stored.GetAsync(server, bucket, "site/" + Stored.Manifest);
        Assert.IsNotNull(final);
        Assert.IsTrue(final.AsSpan().SequenceEqual(manifestA) || final.AsSpan().SequenceEqual(manifestB),
            "the stored manifest is neither version's:\n" + System.Text.Encoding.UTF8.GetString(final));
        await Stored.AssertObjectsAsync(server, bucket, "site/", Stored.ObjectsOf(final), "the serving generation");
        await Stored.AssertObjectsAsync(server, bucket, "site/", Stored.ObjectsOf(manifestA), "version A");
        await Stored.AssertObjectsAsync(server, bucket, "site/", Stored.ObjectsOf(manifestB), "version B");
    }
}
