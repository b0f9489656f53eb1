namespace StaticAssets.Integration.Tests.S3;

/// <summary>
/// The whole engine publishing to a real Ceph RGW through a proxy that sees every connection and request:
/// the concurrency bound, the manifest last, nothing re-sent, and the previous generation kept on failure.
/// </summary>
[TestClass]
public sealed class S3PublishTests
{
    private static S3Server _server = null!;
    private static string _bucket = "";

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        _server = await S3Server.GetAsync();
        _bucket = await _server.CreateBucketAsync("publish");
    }

    private static async Task<(PublishResult Result, RecordingLog Log)> PublishAsync(
        IReadOnlyList<AssetSource> sources, Uri endpoint, string prefix, int maxConcurrency, Func<IAssetStore, IAssetStore>? wrap = null,
        int maxAttempts = 5)
    {
        var log = new RecordingLog();
        IAssetStore store = S3Server.Store(_bucket, prefix, endpoint, maxConcurrency, settings => settings with { MaxAttempts = maxAttempts });
        await using (store = wrap?.Invoke(store) ?? store)
        {
            var result = await StaticAssetPublisher.PublishAsync(
                sources, store, new PublishOptions { Plan = Plans.OneObjectPerFile }, log, CancellationToken.None);
            return (result, log);
        }
    }

    private static Task<byte[]?> GetAsync(string key) => Stored.GetAsync(_server, _bucket, key);

    [TestMethod]
    public async Task RequestsInFlightNeverExceedTheLimitAndTheManifestIsWrittenLastAfterEveryObject()
    {
        using var site = new GeneratedSite(files: 60, seed: 21);
        await using var proxy = new CountingProxy(_server.Endpoint);
        var prefix = $"bound-{Guid.NewGuid():N}/";

        var (result, log) = await PublishAsync(site.Sources(), proxy.Url, prefix, maxConcurrency: 4);

        Assert.IsTrue(result.Succeeded, string.Join("\n", log.Diagnostics));
        Assert.IsLessThanOrEqualTo(4, proxy.PeakOpenConnections, $"{proxy.PeakOpenConnections} connections were open at once with a limit of 4");
        Assert.IsGreaterThanOrEqualTo(2, proxy.PeakOpenConnections, $"only {proxy.PeakOpenConnections} connection(s) were used: the upload was not concurrent");
        Assert.AreEqual(0, proxy.ExpectContinueRequests, "a PUT waited for '100 Continue': two round trips instead of one");
        var requests = proxy.Requests;
        CollectionAssert.AreEquivalent(
            new[] { $"GET /{_bucket}/{prefix}staticassets.manifest.json", $"GET /{_bucket}/{prefix}staticassets.manifest.pending.json" },
            requests.Take(2).ToArray(), "the first requests read the current manifest and the journal");
        Assert.AreEqual(60, requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && !r.Contains("manifest")));
        Assert.AreEqual($"PUT /{_bucket}/{prefix}staticassets.manifest.json", requests[^1], "the manifest must be the last request");
        foreach (var asset in result.Plan!.Assets)
        {
            var stored = await GetAsync(prefix + asset.Object.Key);
            Assert.IsNotNull(stored, asset.Object.Key);
            Assert.AreEqual(asset.Object.Sha256.Hex, Convert.ToHexStringLower(SHA256.HashData(stored)), asset.Object.Key);
        }
    }

    [TestMethod]
    public async Task ARepublishSendsOnlyTheManifestReadAndAChangeSendsExactlyItsObjectAndTheManifest()
    {
        using var site = new GeneratedSite(files: 20, seed: 22);
        await using var proxy = new CountingProxy(_server.Endpoint);
        var prefix = $"diff-{Guid.NewGuid():N}/";
        Assert.IsTrue((await PublishAsync(site.Sources(), proxy.Url, prefix, 8)).Result.Succeeded);

        proxy.Reset();
        Assert.IsTrue((await PublishAsync(site.Sources(), proxy.Url, prefix, 8)).Result.Succeeded);
        string[] reads = [$"GET /{_bucket}/{prefix}staticassets.manifest.json", $"GET /{_bucket}/{prefix}staticassets.manifest.pending.json"];
        CollectionAssert.AreEquivalent(reads, proxy.Requests.ToArray(), "an unchanged re-publish: the two reads, sent together");

        site.Write(GeneratedSite.PathOf(0), RandomNumberGenerator.GetBytes(500));
        proxy.Reset();
        var (changed, _) = await PublishAsync(site.Sources(), proxy.Url, prefix, 8);
        Assert.IsTrue(changed.Succeeded);
        var newKey = changed.Plan!.Assets.Single(a => a.LogicalPath == GeneratedSite.PathOf(0)).Object.Key;
        var requests = proxy.Requests.ToArray();
        CollectionAssert.AreEquivalent(reads, requests.Take(2).ToArray(), "the two reads come first");
        CollectionAssert.AreEqual(
            new[] { $"PUT /{_bucket}/{prefix}{newKey}", $"PUT /{_bucket}/{prefix}staticassets.manifest.json" },
            requests.Skip(2).ToArray());
    }

    [TestMethod]
    public async Task AFailureMidwayReportsOneErrorAndLeavesThePreviousManifestServing()
    {
        using var site = new GeneratedSite(files: 30, seed: 23);
        var prefix = $"fail-{Guid.NewGuid():N}/";
        var (first, _) = await PublishAsync(site.Sources(), _server.Endpoint, prefix, 8);
        Assert.IsTrue(first.Succeeded);
        var previousManifest = await GetAsync(prefix + "staticassets.manifest.json");

        for (var i = 0; i < 30; i++)
        {
            site.Write(GeneratedSite.PathOf(i), RandomNumberGenerator.GetBytes(900 + i));
        }
        var writes = 0;
        // A real store whose 10th write fails, as a store rejecting one object would.
        var (second, log) = await PublishAsync(site.Sources(), _server.Endpoint, prefix, 4, store => new RecordingStore(store)
        {
            BeforeWrite = (_, _) => Interlocked.Increment(ref writes) == 10
                ? Task.FromException(new IOException("the store refused it (simulated)"))
                : Task.CompletedTask,
        });

        Assert.IsFalse(second.Succeeded);
        Assert.HasCount(1, log.Diagnostics, string.Join("\n", log.Diagnostics));
        Assert.AreEqual(DiagnosticCodes.WriteFailed, log.Diagnostics[0].Code);
        CollectionAssert.AreEqual(previousManifest, await GetAsync(prefix + "staticassets.manifest.json"), "the manifest changed after a failed publish");
        foreach (var asset in first.Plan!.Assets)
        {
            Assert.IsNotNull(await GetAsync(prefix + asset.Object.Key), $"{asset.Object.Key} of the previous generation is gone");
        }
    }

    [TestMethod]
    public async Task VerifyRemoteStoresAgainWhatWasDeletedBehindTheManifest()
    {
        using var site = new GeneratedSite(files: 10, seed: 24);
        var prefix = $"verify-{Guid.NewGuid():N}/";
        var (first, _) = await PublishAsync(site.Sources(), _server.Endpoint, prefix, 8);
        var deleted = first.Plan!.Assets[3].Object.Key;
        using (var client = _server.CreateClient())
        {
            await client.DeleteObjectAsync(_bucket, prefix + deleted);
        }

        var log = new RecordingLog();
        await using (var store = S3Server.Store(_bucket, prefix, _server.Endpoint, 8))
        {
            var result = await StaticAssetPublisher.PublishAsync(
                site.Sources(), store, new PublishOptions { VerifyRemote = true, Plan = Plans.OneObjectPerFile }, log, CancellationToken.None);
            Assert.IsTrue(result.Succeeded);
            CollectionAssert.AreEqual(new[] { deleted }, result.Written!.Select(o => o.Key).ToArray());
        }
        Assert.IsNotNull(await GetAsync(prefix + deleted));
    }

    [TestMethod]
    [DataRow(5, DisplayName = "Throttled requests are retried and every object arrives intact")]
    [DataRow(1, DisplayName = "Without retries a throttled request fails the publish once and writes no manifest")]
    public async Task ThrottledRequests(int maxAttempts)
    {
        using var site = new GeneratedSite(files: 20, seed: 25);
        await using var proxy = new CountingProxy(_server.Endpoint);
        var faults = maxAttempts > 1 ? 5 : 1;
        proxy.FailNextPuts(faults);
        var prefix = $"throttled-{Guid.NewGuid():N}/";

        var (result, log) = await PublishAsync(site.Sources(), proxy.Url, prefix, 4, maxAttempts: maxAttempts);

        Assert.AreEqual(faults, proxy.Requests.Count(r => r.StartsWith("503 ", StringComparison.Ordinal)), "the faults were not injected");
        if (maxAttempts == 1)
        {
            Assert.IsFalse(result.Succeeded);
            Assert.HasCount(1, log.Diagnostics, string.Join("\n", log.Diagnostics));
            Assert.AreEqual(DiagnosticCodes.WriteFailed, log.Diagnostics[0].Code);
            StringAssert.Contains(log.Diagnostics[0].Message, "SlowDown");
            Assert.IsNull(await GetAsync(prefix + "staticassets.manifest.json"), "a manifest was written after a failure");
            return;
        }
        Assert.IsTrue(result.Succeeded, string.Join("\n", log.Diagnostics));
        foreach (var obj in result.Plan!.Objects)
        {
            var stored = await GetAsync(prefix + obj.Key);
            Assert.IsNotNull(stored, obj.Key);
            Assert.AreEqual(obj.Sha256.Hex, Convert.ToHexStringLower(SHA256.HashData(stored)), obj.Key);
        }
    }

    [TestMethod]
    public async Task AnUnreachableEndpointIsReportedOnceBeforeAnythingIsWritten()
    {
        using var site = new GeneratedSite(files: 25, seed: 27);
        // A port nothing listens on: every connection is refused.
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var endpoint = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)closed.LocalEndpoint).Port}");
        closed.Stop();
        var log = new RecordingLog();
        await using var store = S3Server.Store(_bucket, "unreachable/", endpoint, 8, settings => settings with { MaxAttempts = 2 });

        var result = await StaticAssetPublisher.PublishAsync(site.Sources(), store, new PublishOptions { Plan = Plans.OneObjectPerFile }, log, CancellationToken.None);

        Assert.IsFalse(result.Succeeded);
        Assert.HasCount(1, log.Diagnostics, string.Join("\n", log.Diagnostics));
        Assert.AreEqual(DiagnosticCodes.EndpointUnreachable, log.Diagnostics[0].Code);
        StringAssert.Contains(log.Diagnostics[0].Message, "Connection refused");
    }
}
