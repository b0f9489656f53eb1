namespace StaticAssets.Integration.Tests.S3;

/// <summary>The S3 storage writer against a real Ceph RGW: the store contract, and what only S3 has.</summary>
[TestClass]
public sealed class S3StoreTests : Stores.StoreContractTests
{
    private static readonly Lazy<Task<(S3Server Server, string Bucket)>> Server = new(async () =>
    {
        var server = await S3Server.GetAsync();
        return (server, await server.CreateBucketAsync("store"));
    });

    protected override async Task<IAssetStore> CreateStoreAsync(string prefix, bool multipart = false, Uri? via = null, RecordingLog? log = null)
    {
        var (server, bucket) = await Server.Value;
        return S3Server.Store(bucket, prefix, via ?? server.Endpoint,
            adjust: settings => (multipart ? S3Server.SmallParts(settings) : settings) with { Log = log ?? settings.Log });
    }

    protected override async Task<Uri?> ServerAsync() => (await Server.Value).Server.Endpoint;

    protected override async Task<StoredCopy?> ReadBackAsync(string prefix, string key)
    {
        var (server, bucket) = await Server.Value;
        return await Stored.GetCopyAsync(server, bucket, prefix + key);
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task ListingInKeyRangesAtOnce_GivesThePlainListingInItsOrder()
    {
        var (server, bucket) = await Server.Value;
        var prefix = $"ranges-{Guid.NewGuid():N}/";
        // 2,600 keys in folders where UTF-16 and UTF-8 order disagree (private use U+E000 against an emoji's surrogates).
        string[] folders = ["css", "js", "lib/\uE000x", "lib/😀", "Ünï", "画像"];
        var keys = Enumerable.Range(0, 2600).Select(i => $"{folders[i % folders.Length]}/f{i:d4}.{i * 7919 % 100_000:x5}.js").ToArray();
        using (var client = server.CreateClient())
        {
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (key, token) =>
                await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = prefix + key, ContentBody = "x" }, token));
        }

        await using var proxy = new CountingProxy(server.Endpoint);
        await using var store = (S3AssetStore)await CreateStoreAsync(prefix, via: proxy.Url);
        var plain = (await store.ListAllAsync("", CancellationToken.None)).Select(o => o.Key).ToArray();
        var plainRequests = proxy.Requests.Count;
        // Known: half the keys, as a manifest names some of what is stored (those of css/, lib/\uE000x/ and Ünï/): the
        // bounds fall after 933 and 1,867 keys, so each of the 3 ranges is one page.
        var known = keys.Where((_, i) => i % 2 == 0).ToArray();
        var ranged = (await KeyRangeListing.ListAllAsync(store, "", known, CancellationToken.None)).Select(o => o.Key).ToArray();
        var rangedRequests = proxy.Requests.Skip(plainRequests).ToArray();
        var after = (await store.ListAfterAsync("lib/", "lib/\uE000x/f0002.04567.js", CancellationToken.None).ToListAsync()).Select(o => o.Key).ToArray();
        // Nothing known at the start, every key known once the listing goes (a prune's older entries): the first range
        // stops after its first key and the rest goes in ranges of 500 of those keys.
        var beforeLater = proxy.Requests.Count;
        var split = (await KeyRangeListing.ListAllAsync(store, "", [], Task.FromResult<IEnumerable<string>>(keys), waitForLaterKeys: false, CancellationToken.None))
            .Select(o => o.Key).ToArray();
        var splitRequests = proxy.Requests.Skip(beforeLater).ToArray();

        CollectionAssert.AreEqual(keys.Order(Utf8KeyOrder.Instance).ToArray(), plain, "RGW lists in UTF-8 byte order");
        CollectionAssert.AreEqual(plain, ranged);
        Assert.AreEqual(3, plainRequests, "2,600 keys are 3 pages");
        Assert.HasCount(3, rangedRequests, "1,300 known keys: 3 ranges, one page each:\n" + string.Join("\n", rangedRequests));
        Assert.AreEqual(2, rangedRequests.Count(r => r.Contains("start-after=", StringComparison.Ordinal)), string.Join("\n", rangedRequests));
        CollectionAssert.AreEqual(plain.Where(k => k.StartsWith("lib/", StringComparison.Ordinal)
            && Utf8KeyOrder.Instance.Compare(k, "lib/\uE000x/f0002.04567.js") > 0).ToArray(), after, "after a key, under a folder");
        Assert.IsTrue(after[^1].StartsWith("lib/😀", StringComparison.Ordinal), "the emoji folder comes after U+E000 in UTF-8 order");
        CollectionAssert.AreEqual(plain, split);
        Assert.HasCount(7, splitRequests, "the first page, then 2,599 keys in 6 ranges, one page each:\n" + string.Join("\n", splitRequests));
        Assert.AreEqual(6, splitRequests.Count(r => r.Contains("start-after=", StringComparison.Ordinal)), string.Join("\n", splitRequests));
    }

    [TestMethod]
    public async Task LargeFilesAreUploadedInParts()
    {
        var (server, bucket) = await Server.Value;
        var content = RandomNumberGenerator.GetBytes(13 * 1024 * 1024 + 12345);
        await using (var store = await CreateStoreAsync("parts/", multipart: true))
        {
            await store.WriteAsync(Planned("big/video.0123456789ab.mp4", content, "video/mp4").Write, CancellationToken.None);
        }

        using var client = server.CreateClient();
        var stored = await client.GetObjectMetadataAsync(bucket, "parts/big/video.0123456789ab.mp4");
        StringAssert.EndsWith(stored.ETag.Trim('"'), "-3", "a 13 MB file in 5 MB parts is a 3-part upload");
        CollectionAssert.AreEqual(SHA256.HashData(content), SHA256.HashData((await ReadBackAsync("parts/", "big/video.0123456789ab.mp4"))!.Bytes));
        var uploads = await client.ListMultipartUploadsAsync(bucket);
        Assert.IsEmpty(uploads.MultipartUploads ?? [], "a multipart upload was left behind");
    }

    [TestMethod]
    public async Task IncompleteMultipartUploadsBegunBeforeTheTimeAreAborted_NewerOnesAndOtherPrefixesStay()
    {
        var (server, bucket) = await Server.Value;
        var prefix = $"abort-{Guid.NewGuid():N}/";
        using var client = server.CreateClient();
        var stale = await client.InitiateMultipartUploadAsync(bucket, prefix + "big.0123456789ab.bin");
        var elsewhere = await client.InitiateMultipartUploadAsync(bucket, $"other-{Guid.NewGuid():N}/big.bin");
        await using var store = await CreateStoreAsync(prefix);

        Assert.AreEqual(0, await store.AbortIncompleteUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None), "a new upload was aborted");
        Assert.AreEqual(1, await store.AbortIncompleteUploadsAsync(DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None));

        var uploads = (await client.ListMultipartUploadsAsync(bucket)).MultipartUploads ?? [];
        Assert.IsFalse(uploads.Any(u => u.UploadId == stale.UploadId), "the stale upload is still there");
        Assert.IsTrue(uploads.Any(u => u.UploadId == elsewhere.UploadId), "an upload under another prefix was aborted");
        await client.AbortMultipartUploadAsync(bucket, elsewhere.Key, elsewhere.UploadId);
    }

    [TestMethod]
    public async Task AMissingBucketIsSA3004NamingIt()
    {
        var (server, _) = await Server.Value;
        await using var store = S3Server.Store("sa-no-such-bucket-here", "", server.Endpoint, 4);

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.TryReadAsync("staticassets.manifest.json", CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.BucketNotFound, error.Code);
        StringAssert.Contains(error.Message, "NoSuchBucket");
        StringAssert.Contains(error.Message, "'sa-no-such-bucket-here' does not exist");
    }

    [TestMethod]
    public async Task TheServerRefusesABodyWhoseBytesAreNotThePlannedOnes()
    {
        // A body stream that does not verify (outside StoreWrite's contract) and delivers other bytes in full: the
        // PUT is signed with the planned SHA-256, so the server itself refuses to store them under the planned key.
        var planned = RandomNumberGenerator.GetBytes(20_000);
        var other = planned.ToArray();
        other[^1] ^= 0xff;
        const string key = "changed/unverified.0123456789ab.bin";
        var write = new StoreWrite(key, planned.Length, Sha256Digest.Compute(planned), "application/octet-stream", null,
            PlanOptions.ImmutableCacheControl, () => new MemoryStream(other, writable: false));
        var prefix = $"unverified-{Guid.NewGuid():N}/";

        await using (var store = await CreateStoreAsync(prefix))
        {
            var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));
            StringAssert.Contains(error.Message, "XAmzContentSHA256Mismatch");
        }
        Assert.IsNull(await ReadBackAsync(prefix, key));
    }

    [TestMethod]
    public async Task AFileChangedAfterPlanningDoesNotBreakTheNextSignedRequestOnTheSameThread()
    {
        // The AWS SDK computes the SHA-256s of SigV4 with one [ThreadStatic] HashAlgorithm. When it hashed a body
        // stream that threw (ours, on a changed file), the bytes it took stayed in that instance and the next hash on
        // the same thread was wrong: the next PUT signed there failed with 400 XAmzContentSHA256Mismatch (or 403
        // SignatureDoesNotMatch), in any client of the process (3 of 3 runs before PUTs were signed with the planned
        // digest). One dedicated thread makes "the same thread" deterministic: everything up to the first network
        // wait runs synchronously on the caller's thread.
        var changed = PlannedThenChanged("changed/next.0123456789ab.bin", 10_000);
        var next = RandomNumberGenerator.GetBytes(3_000);
        var (_, good) = Planned("changed/after.0123456789ab.bin", next, "application/octet-stream");
        await using var store = await CreateStoreAsync($"next-{Guid.NewGuid():N}/");

        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Assert.ThrowsExactly<StoreException>(() => store.WriteAsync(changed, CancellationToken.None).GetAwaiter().GetResult());
                store.WriteAsync(good, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();

        Assert.IsNull(failure, failure?.ToString());
        CollectionAssert.AreEqual(next, await store.TryReadAsync("changed/after.0123456789ab.bin", CancellationToken.None));
    }

    /// <summary>A server whose listing says it is cut short but not where it goes on: the listing fails, saying so (the
    /// SDK's own reader took such a page for the end of the listing, and a prune or rollback would have decided on part
    /// of the prefix).</summary>
    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task AListingCutShortWithoutItsContinuationToken_FailsSayingSo()
    {
        const string page = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>" +
                            "<Contents><Key>site/a.css</Key><Size>1</Size></Contents></ListBucketResult>";
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && await socket.ReceiveAsync(buffer, stop.Token) is var read and > 0)
                {
                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                await socket.SendAsync(Encoding.UTF8.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(page)}\r\nConnection: close\r\n\r\n{page}"), stop.Token);
            }
        });
        try
        {
            await using var store = S3Server.Store("b", "site/", new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}"),
                adjust: settings => settings with { MaxAttempts = 1 });

            var failure = await Assert.ThrowsExactlyAsync<StoreException>(() => store.ListAllAsync("", CancellationToken.None));

            Assert.AreEqual(DiagnosticCodes.WriteFailed, failure.Code);
            StringAssert.Contains(failure.Message, "truncated but gives no <NextContinuationToken>");
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await serving.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>A planned write of random bytes whose file then changes: its last byte flipped.</summary>
    private StoreWrite PlannedThenChanged(string key, int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var (path, write) = Planned(key, content, "application/octet-stream");
        content[^1] ^= 0xff;
        File.WriteAllBytes(path, content);
        return write;
    }
}
