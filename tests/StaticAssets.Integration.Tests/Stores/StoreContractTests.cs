namespace StaticAssets.Integration.Tests.Stores;

/// <summary>
/// The <see cref="IAssetStore"/> contract, run against every backend (a folder, S3 on Ceph RGW, Azure Blob on
/// Azurite): objects come back byte for byte with their headers; a missing key reads as null; listing is relative to
/// the prefix; a file whose bytes are not the planned ones is never stored under its key, even when every byte was
/// sent (its last byte differs) and on the backend's multi-part path; a vanished file and a cancel keep the contract
/// (a coded <see cref="StoreException"/>, or <see cref="OperationCanceledException"/>) and store nothing.
/// </summary>
public abstract class StoreContractTests
{
    private readonly TempDirectory _scratch = new();

    /// <summary>A store writing under a prefix of its own; <paramref name="multipart"/>: small enough thresholds that
    /// a few MB take the backend's multi-part path; <paramref name="via"/>: a proxy to talk to in place of the server;
    /// <paramref name="log"/>: where a remote store reports its retries.</summary>
    protected abstract Task<IAssetStore> CreateStoreAsync(string prefix, bool multipart = false, Uri? via = null, RecordingLog? log = null);

    /// <summary>The server a remote backend talks to (a proxy can stand in front of it); null for a folder.</summary>
    protected virtual Task<Uri?> ServerAsync() => Task.FromResult<Uri?>(null);

    /// <summary>The object under <paramref name="prefix"/> + <paramref name="key"/>, or null if there is none.</summary>
    protected abstract Task<StoredCopy?> ReadBackAsync(string prefix, string key);

    /// <summary>Whether the backend keeps Content-Type and the other headers (a folder does not).</summary>
    protected virtual bool KeepsHeaders => true;

    /// <summary>A file large enough for the multi-part path of <see cref="CreateStoreAsync"/>'s store.</summary>
    protected virtual int LargeSize => 6 * 1024 * 1024 + 4321;

    [TestCleanup]
    public void RemoveScratch() => _scratch.Dispose();

    private static string NewPrefix() => $"contract-{Guid.NewGuid():N}/";

    /// <summary>A planned object whose file holds <paramref name="content"/>, as the uploader hands it to a store.</summary>
    protected (string Path, StoreWrite Write) Planned(string key, byte[] content, string contentType = "text/css", string? encoding = null)
    {
        var path = _scratch.Write(Guid.NewGuid().ToString("N"), content);
        var planned = new PlannedObject(key, path, content.Length, Sha256Digest.Compute(content), contentType, encoding, PlanOptions.ImmutableCacheControl);
        return (path, ObjectUploader.ToStoreWrite(planned));
    }

    [TestMethod]
    public async Task TheStartOfAnObjectIsItsFirstBytes_AllOfAShorterOne_NullForAMissingKey()
    {
        var prefix = NewPrefix();
        var content = RandomNumberGenerator.GetBytes(50_000);
        await using var store = await CreateStoreAsync(prefix);
        await store.WriteAsync(Planned("history/long.json", content).Write, CancellationToken.None);
        await store.WriteAsync(Planned("history/short.json", content[..100]).Write, CancellationToken.None);
        await store.WriteAsync(Planned("history/empty.json", []).Write, CancellationToken.None);

        CollectionAssert.AreEqual(content[..4096], await store.TryReadStartAsync("history/long.json", 4096, CancellationToken.None));
        CollectionAssert.AreEqual(content[..100], await store.TryReadStartAsync("history/short.json", 4096, CancellationToken.None));
        CollectionAssert.AreEqual(Array.Empty<byte>(), await store.TryReadStartAsync("history/empty.json", 4096, CancellationToken.None));
        Assert.IsNull(await store.TryReadStartAsync("history/missing.json", 4096, CancellationToken.None));
    }

    [TestMethod]
    [DataRow(false, DisplayName = "Objects come back byte for byte with their headers (one request)")]
    [DataRow(true, DisplayName = "Objects come back byte for byte with their headers (multi-part)")]
    public async Task ObjectsComeBackByteForByteWithTheirHeaders(bool large)
    {
        var prefix = NewPrefix();
        var content = RandomNumberGenerator.GetBytes(large ? LargeSize : 50_000);
        await using (var store = await CreateStoreAsync(prefix, multipart: large))
        {
            await store.WriteAsync(Planned("css/site.0123456789ab.css.gz", content, "text/css", "gzip").Write, CancellationToken.None);
        }

        var stored = await ReadBackAsync(prefix, "css/site.0123456789ab.css.gz") ?? throw new AssertFailedException("nothing was stored");
        CollectionAssert.AreEqual(SHA256.HashData(content), SHA256.HashData(stored.Bytes));
        if (KeepsHeaders)
        {
            Assert.AreEqual("text/css", stored.ContentType);
            Assert.AreEqual(PlanOptions.ImmutableCacheControl, stored.CacheControl);
            Assert.AreEqual("gzip", stored.ContentEncoding);
            Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(content)), stored.Sha256);
        }
    }

    [TestMethod]
    public async Task AMissingKeyReadsAsNull_ListingIsRelativeToThePrefix_DeletingRemoves()
    {
        var prefix = NewPrefix();
        await using var store = await CreateStoreAsync(prefix);
        Assert.IsNull(await store.TryReadAsync("staticassets.manifest.json", CancellationToken.None));

        await store.WriteAsync(Planned("a/one.0123456789ab.js", [1, 2, 3], "text/javascript").Write, CancellationToken.None);
        await store.WriteAsync(Planned("empty.0123456789ab.txt", [], "text/plain").Write, CancellationToken.None);
        var listed = new List<StoredObjectInfo>();
        await foreach (var obj in store.ListAsync(CancellationToken.None))
        {
            listed.Add(obj);
        }
        CollectionAssert.AreEquivalent(new[] { ("a/one.0123456789ab.js", 3L), ("empty.0123456789ab.txt", 0L) }, listed.Select(o => (o.Key, o.Size)).ToArray());
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, await store.TryReadAsync("a/one.0123456789ab.js", CancellationToken.None));

        await store.DeleteAsync("a/one.0123456789ab.js", CancellationToken.None);
        await store.DeleteAsync("never-existed.txt", CancellationToken.None);
        Assert.IsNull(await store.TryReadAsync("a/one.0123456789ab.js", CancellationToken.None));
    }

    [TestMethod]
    public async Task ListingUnderASubPrefixGivesOnlyItsKeys_WithTheirLastModifiedTime()
    {
        var prefix = NewPrefix();
        var before = DateTimeOffset.UtcNow.AddMinutes(-2);
        await using var store = await CreateStoreAsync(prefix);
        await store.WriteAsync(Planned("site.generations/20260101T000000000Z-0123456789ab.json", [1], "application/json").Write, CancellationToken.None);
        await store.WriteAsync(Planned("site.generations/20260102T000000000Z-0123456789ac.json", [1, 2], "application/json").Write, CancellationToken.None);
        await store.WriteAsync(Planned("site.json", [1, 2, 3], "application/json").Write, CancellationToken.None);
        await store.WriteAsync(Planned("other.generations/x.json", [4], "application/json").Write, CancellationToken.None);

        var under = await store.ListAllAsync("site.generations/", CancellationToken.None);
        var all = await store.ListAllAsync("", CancellationToken.None);

        CollectionAssert.AreEquivalent(
            new[] { "site.generations/20260101T000000000Z-0123456789ab.json", "site.generations/20260102T000000000Z-0123456789ac.json" },
            under.Select(o => o.Key).ToArray());
        Assert.HasCount(4, all);
        foreach (var obj in all)
        {
            // Servers keep whole seconds (RFC 1123 dates): allow for that and for clock differences of a minute.
            Assert.IsTrue(obj.LastModified > before && obj.LastModified < DateTimeOffset.UtcNow.AddMinutes(2), $"{obj.Key}: {obj.LastModified:O}");
        }
    }

    [TestMethod]
    public async Task DeletingManyRemovesExactlyThoseKeys_InBatches_MissingOnesIncluded()
    {
        var prefix = NewPrefix();
        await using var store = await CreateStoreAsync(prefix);
        var keys = Enumerable.Range(0, 1205).Select(i => $"d/{i % 3}/f{i}.0123456789ab.txt").ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, token) =>
            await store.WriteAsync(Planned(key, Encoding.UTF8.GetBytes(key), "text/plain").Write, token));

        // More than one S3 batch of 1,000; keys that do not exist are fine.
        var doomed = keys.Where((_, i) => i % 10 != 0).Append("d/never-there.txt").ToArray();
        await store.DeleteManyAsync(doomed, CancellationToken.None);

        var left = (await store.ListAllAsync("", CancellationToken.None)).Select(o => o.Key).ToArray();
        CollectionAssert.AreEquivalent(keys.Where((_, i) => i % 10 == 0).ToArray(), left);
    }

    /// <summary>Logical paths may hold spaces, '+', '%', '#', '?', '&amp;' and any Unicode: each backend escapes them
    /// its own way (S3's XML and copy source, Azure's batch sub-requests and copy source URL, a folder's file names).</summary>
    [TestMethod]
    public async Task KeysWithSpacesPunctuationAndUnicodeAreWrittenCopiedListedAndDeletedAsThemselves()
    {
        var prefix = NewPrefix();
        string[] names = ["fonts/Font Awesome 6.woff2", "img/a+b%20c#d?e&f.png", "img/ümlaut-日本.svg", "css/[x]~'y'.css"];
        await using var store = await CreateStoreAsync(prefix);
        foreach (var name in names)
        {
            var content = Encoding.UTF8.GetBytes(name);
            var fingerprinted = name.Insert(name.LastIndexOf('.'), ".0123456789ab");
            await store.WriteAsync(Planned(fingerprinted, content, "application/octet-stream").Write, CancellationToken.None);
            await store.CopyAsync(new StoreCopy(fingerprinted, name, content.Length, Sha256Digest.Compute(content), "application/octet-stream", null, "public, max-age=300"),
                CancellationToken.None);
            CollectionAssert.AreEqual(content, await store.TryReadAsync(name, CancellationToken.None), name);
        }
        var keys = (await store.ListAllAsync("", CancellationToken.None)).Select(o => o.Key).ToArray();
        CollectionAssert.AreEquivalent(names.Concat(names.Select(n => n.Insert(n.LastIndexOf('.'), ".0123456789ab"))).ToArray(), keys);

        await store.DeleteManyAsync(keys.Where(k => k != names[0]).ToArray(), CancellationToken.None);

        CollectionAssert.AreEqual(new[] { names[0] }, (await store.ListAllAsync("", CancellationToken.None)).Select(o => o.Key).ToArray());
    }

    [TestMethod]
    [DataRow(50_000, DisplayName = "A copy inside the store has the source's bytes and its own headers")]
    [DataRow(0, DisplayName = "A copy inside the store has the source's bytes and its own headers (empty object)")]
    public async Task ACopyInsideTheStoreHasTheSourcesBytesAndItsOwnHeaders(int size)
    {
        var prefix = NewPrefix();
        var content = RandomNumberGenerator.GetBytes(size);
        await using (var store = await CreateStoreAsync(prefix))
        {
            await store.WriteAsync(Planned("css/site.0123456789ab.css.gz", content, "text/css", "gzip").Write, CancellationToken.None);
            await store.WriteAsync(Planned("css/site.css.gz", [9, 9, 9], "text/plain").Write, CancellationToken.None);

            await store.CopyAsync(new StoreCopy("css/site.0123456789ab.css.gz", "css/site.css.gz", size, Sha256Digest.Compute(content), "text/css", "gzip", "public, max-age=300"),
                CancellationToken.None);
        }

        var copy = await ReadBackAsync(prefix, "css/site.css.gz") ?? throw new AssertFailedException("no copy");
        CollectionAssert.AreEqual(content, copy.Bytes);
        if (KeepsHeaders)
        {
            Assert.AreEqual("text/css", copy.ContentType);
            Assert.AreEqual("public, max-age=300", copy.CacheControl);
            Assert.AreEqual("gzip", copy.ContentEncoding);
            Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(content)), copy.Sha256);
            var source = await ReadBackAsync(prefix, "css/site.0123456789ab.css.gz");
            Assert.AreEqual(PlanOptions.ImmutableCacheControl, source!.CacheControl, "the source's headers changed");
        }
    }

    [TestMethod]
    public async Task CopyingAMissingSourceIsACodedFailureAndStoresNothing()
    {
        var prefix = NewPrefix();
        await using (var store = await CreateStoreAsync(prefix))
        {
            var error = await Assert.ThrowsExactlyAsync<StoreException>(() =>
                store.CopyAsync(new StoreCopy("gone.0123456789ab.js", "gone.js", 10, Sha256Digest.Compute([1]), "text/javascript", null, "no-cache"), CancellationToken.None));
            StringAssert.StartsWith(error.Code, "SA3", error.ToString());
        }
        Assert.IsNull(await ReadBackAsync(prefix, "gone.js"));
    }

    [TestMethod]
    public async Task AbortingIncompleteUploadsLeavesFinishedObjects()
    {
        var prefix = NewPrefix();
        await using var store = await CreateStoreAsync(prefix);
        await store.WriteAsync(Planned("kept.0123456789ab.txt", [1, 2], "text/plain").Write, CancellationToken.None);

        var aborted = await store.AbortIncompleteUploadsAsync(DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);

        Assert.AreEqual(0, aborted);
        CollectionAssert.AreEqual(new byte[] { 1, 2 }, await store.TryReadAsync("kept.0123456789ab.txt", CancellationToken.None));
    }

    [TestMethod]
    [DataRow(false, true, 0, DisplayName = "A changed file is never stored under its key (last byte differs, one request)")]
    [DataRow(false, true, 5, DisplayName = "A changed file is never stored under its key (last byte differs, one request, 5 ms per hop)")]
    [DataRow(true, true, 0, DisplayName = "A changed file is never stored under its key (last byte differs, multi-part)")]
    [DataRow(false, false, 0, DisplayName = "A changed file is never stored under its key (longer, one request)")]
    [DataRow(true, false, 0, DisplayName = "A changed file is never stored under its key (longer, multi-part)")]
    public async Task AFileWhoseBytesAreNotThePlannedOnesIsNeverStoredUnderItsKey(bool large, bool sameLength, int latencyMs)
    {
        var prefix = NewPrefix();
        var planned = RandomNumberGenerator.GetBytes(large ? LargeSize : 200_000);
        var (path, write) = Planned("img/photo.0123456789ab.jpg", planned, "image/jpeg");
        // Same length, last byte different: every planned byte could go out before the difference can be seen. With
        // a latency the server holds the whole request before it sees the client give up on it (measured: Azurite
        // committed such a body in 5 of 6 runs through a 5 ms proxy before the stream withheld its last bytes).
        var changed = sameLength ? planned.ToArray() : [.. planned, 42];
        changed[planned.Length - 1] ^= 0xff;
        File.WriteAllBytes(path, changed);
        var server = await ServerAsync();
        await using var proxy = server is not null && latencyMs > 0 ? new CountingProxy(server) { Latency = TimeSpan.FromMilliseconds(latencyMs) } : null;

        var log = new RecordingLog();

        await using (var store = await CreateStoreAsync(prefix, multipart: large, via: proxy is null ? null : new Uri(proxy.Url, server!.AbsolutePath), log))
        {
            var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));
            Assert.AreEqual(DiagnosticCodes.SourceChanged, error.Code, error.ToString());
            Assert.IsNull(await store.TryReadAsync("img/photo.0123456789ab.jpg", CancellationToken.None), "the store reads it back");
        }
        // Sent once: another attempt would read the same changed file and fail the same way (the AWS SDK and Azure.Core
        // both take the verifying stream's exception, an IOException, for a transient fault). Each retry is reported.
        var retries = log.Messages.Where(m => m.Text.StartsWith("Retrying ", StringComparison.Ordinal)).Select(m => m.Text).ToArray();
        Assert.IsEmpty(retries, string.Join("\n", retries));
        Assert.IsNull(await ReadBackAsync(prefix, "img/photo.0123456789ab.jpg"), "an object with bytes other than the planned ones was stored");
    }

    [TestMethod]
    public async Task AFileDeletedAfterPlanningIsSA3007AndNothingIsStored()
    {
        var prefix = NewPrefix();
        var (path, write) = Planned("js/gone.0123456789ab.js", "gone()"u8.ToArray(), "text/javascript");
        File.Delete(path);

        await using (var store = await CreateStoreAsync(prefix))
        {
            var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));
            Assert.AreEqual(DiagnosticCodes.SourceDeleted, error.Code, error.ToString());
        }
        Assert.IsNull(await ReadBackAsync(prefix, "js/gone.0123456789ab.js"));
    }

    [TestMethod]
    public async Task ACanceledWriteIsAnOperationCanceledExceptionAndStoresNothing()
    {
        var prefix = NewPrefix();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await using (var store = await CreateStoreAsync(prefix))
        {
            await Assert.ThrowsAsync<OperationCanceledException>(() => store.WriteAsync(Planned("x.0123456789ab.css", [1, 2, 3]).Write, canceled.Token));
        }
        Assert.IsNull(await ReadBackAsync(prefix, "x.0123456789ab.css"));
    }
}

[TestClass]
public sealed class LocalFolderStoreContractTests : StoreContractTests
{
    private readonly TempDirectory _root = new();

    protected override bool KeepsHeaders => false;

    [TestCleanup]
    public void RemoveRoot() => _root.Dispose();

    protected override Task<IAssetStore> CreateStoreAsync(string prefix, bool multipart = false, Uri? via = null, RecordingLog? log = null) =>
        Task.FromResult<IAssetStore>(new LocalFolderStore(_root.Combine(prefix)));

    protected override Task<StoredCopy?> ReadBackAsync(string prefix, string key) =>
        Task.FromResult(File.Exists(_root.Combine(prefix + key)) ? new StoredCopy(File.ReadAllBytes(_root.Combine(prefix + key)), null, null, null, null) : null);

    [TestMethod]
    public async Task AFoldersIncompleteUploadsAreTheTemporaryFilesAKilledPublishLeft()
    {
        await using var store = await CreateStoreAsync("tmp/");
        var leftover = _root.Write("tmp/css/.site.0123456789ab.css.0f0f.tmp", "half");
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddHours(-2));
        var fresh = _root.Write("tmp/css/.site.0123456789ac.css.0f0f.tmp", "in flight");
        var kept = _root.Write("tmp/css/site.0123456789ab.css", "whole");

        Assert.AreEqual(1, await store.AbortIncompleteUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None));

        Assert.IsFalse(File.Exists(leftover));
        Assert.IsTrue(File.Exists(fresh), "a write that may still be in flight was removed");
        Assert.IsTrue(File.Exists(kept));
    }
}
