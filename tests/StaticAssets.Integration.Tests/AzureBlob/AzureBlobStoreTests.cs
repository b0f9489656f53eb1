using Azure.Storage.Blobs.Specialized;

namespace StaticAssets.Integration.Tests.AzureBlob;

/// <summary>The Azure Blob storage writer against Azurite: the store contract, and what only Azure Blob has.</summary>
[TestClass]
public sealed class AzureBlobStoreTests : Stores.StoreContractTests
{
    private static AzuriteServer _server = null!;
    private static string _container = "";

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        _server = await AzuriteServer.GetAsync();
        _container = await _server.CreateContainerAsync("store");
    }

    /// <summary>1 MiB blocks: a few MB take the block path.</summary>
    private static AzureBlobSettings SmallBlocks { get; } = new() { SingleUploadThreshold = 1024 * 1024, BlockSize = 1024 * 1024 };

    protected override Task<IAssetStore> CreateStoreAsync(string prefix, bool multipart = false, Uri? via = null, RecordingLog? log = null) =>
        Task.FromResult<IAssetStore>(_server.Store(_container, prefix,
            new StoreSettings { MaxConcurrency = 8, Azure = multipart ? SmallBlocks : new AzureBlobSettings(), Log = log }, via));

    protected override Task<Uri?> ServerAsync() => Task.FromResult<Uri?>(_server.Endpoint);

    protected override Task<StoredCopy?> ReadBackAsync(string prefix, string key) => _server.GetCopyAsync(_container, prefix + key);

    [TestMethod]
    public async Task LargeBlobsAreUploadedAsBlocksCommittedAtTheEnd()
    {
        var content = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 4321);
        await using (var store = await CreateStoreAsync("blocks/", multipart: true))
        {
            await store.WriteAsync(Planned("big/clip.0123456789ab.mp4", content, "video/mp4").Write, CancellationToken.None);
        }

        var blob = _server.CreateClient().GetBlobContainerClient(_container).GetBlockBlobClient("blocks/big/clip.0123456789ab.mp4");
        Assert.HasCount(6, (await blob.GetBlockListAsync()).Value.CommittedBlocks.ToArray(), "a 5 MB blob in 1 MB blocks");
        CollectionAssert.AreEqual(SHA256.HashData(content), SHA256.HashData((await ReadBackAsync("blocks/", "big/clip.0123456789ab.mp4"))!.Bytes));
    }

    [TestMethod]
    public async Task AMissingContainerIsSA3004NamingIt()
    {
        await using var store = _server.Store("sa-no-such-container", "site/");

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.TryReadAsync("staticassets.manifest.json", CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.BucketNotFound, error.Code);
        Assert.Contains("'sa-no-such-container' does not exist", error.Message);
    }

    [TestMethod]
    public async Task AWrongAccountKeyIsSA3005AndTheKeyIsNotInTheMessage()
    {
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        const string wrongVariable = "STATICASSETS_TEST_AZURE_WRONG";
        Environment.SetEnvironmentVariable(wrongVariable, _server.ConnectionStringFor(_server.Endpoint, wrongKey));
        await using var store = _server.Store(_container, "site/", new AzureBlobSettings { ConnectionStringVariable = wrongVariable });

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.TryReadAsync("staticassets.manifest.json", CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.AccessDenied, error.Code);
        Assert.DoesNotContain(wrongKey, error.ToString());
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task AServiceThatNeverAnswersIsSA3011InTheUsersTerms()
    {
        await using var proxy = new CountingProxy(_server.Endpoint);
        // Every PUT reaches Azurite but its answer is held back: each try ends at the network timeout.
        proxy.StallNextRequests(1000, "PUT", hold: TimeSpan.FromSeconds(30));
        var log = new RecordingLog();
        var settings = new StoreSettings
        {
            Log = log,
            MaxConcurrency = 2,
            RequestTimeout = TimeSpan.FromSeconds(1),
            MaxAttempts = 2,
        };
        var (_, write) = Planned("js/stalled.0123456789ab.js", RandomNumberGenerator.GetBytes(3_000), "text/javascript");

        StoreException error;
        await using (var store = _server.Store(_container, "timeout/", settings, via: new Uri(proxy.Url, _server.Endpoint.AbsolutePath)))
        {
            error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));
        }

        Assert.AreEqual(DiagnosticCodes.StoreTimedOut, error.Code, error.ToString());
        StringAssert.Contains(error.Message, "did not answer within the network timeout (1 s), 2 tries");
        Assert.DoesNotContain("ClientOptions", error.Message, "Azure.Core's advice names an API, not a setting the user has");
        Assert.AreEqual(2, proxy.FaultCount(ProxyFault.Stall), "one stalled PUT per try");
        var retry = log.Messages.Single(m => m.Text.StartsWith("Retrying ", StringComparison.Ordinal));
        Assert.AreEqual(LogImportance.Low, retry.Importance);
        StringAssert.Matches(retry.Text, new Regex(@"^Retrying PUT \S+/timeout/js/stalled\.0123456789ab\.js \(attempt 2 of 2\) after: no answer within the request timeout$"));
        // (Azurite may well have stored the blob: only its answer was held back. The key is content-addressed, so a
        // later publish that finds it stored loses nothing.)
    }

    [TestMethod]
    public void AVariableThatIsNotSetIsSA1012()
    {
        var unset = Assert.ThrowsExactly<StaticAssetsException>(() =>
            _server.Store(_container, "site/", new AzureBlobSettings { ConnectionStringVariable = "STATICASSETS_TEST_NOT_SET_" + Guid.NewGuid().ToString("N") }));
        Assert.AreEqual(DiagnosticCodes.InvalidAzureSetting, unset.Diagnostic.Code);
    }

    [TestMethod]
    public async Task ASasTokenInTheNamedVariableAuthenticatesWritesReadsAndCopies_AWrongOneIsSA3005()
    {
        var container = _server.CreateClient().GetBlobContainerClient(_container);
        var sas = container.GenerateSasUri(Azure.Storage.Sas.BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1)).Query.TrimStart('?');
        Environment.SetEnvironmentVariable("STATICASSETS_TEST_AZURE_SAS", sas);
        Environment.SetEnvironmentVariable("STATICASSETS_TEST_AZURE_BAD_SAS", sas.Replace("sig=", "sig=AAAA", StringComparison.Ordinal));
        var content = RandomNumberGenerator.GetBytes(2_000);

        await using (var store = _server.Store(_container, "sas/", new AzureBlobSettings { SasTokenVariable = "STATICASSETS_TEST_AZURE_SAS" }))
        {
            await store.WriteAsync(Planned("js/app.0123456789ab.js", content, "text/javascript").Write, CancellationToken.None);
            CollectionAssert.AreEqual(content, await store.TryReadAsync("js/app.0123456789ab.js", CancellationToken.None));
            // A copy inside the store: the service reads the source with the same token (there is no key to sign one with).
            await store.CopyAsync(new StoreCopy("js/app.0123456789ab.js", "js/app.js", content.Length, Sha256Digest.Compute(content), "text/javascript", null, "public, max-age=300"),
                CancellationToken.None);
        }
        var copy = await _server.GetCopyAsync(_container, "sas/js/app.js") ?? throw new AssertFailedException("the copy is not there");
        CollectionAssert.AreEqual(content, copy.Bytes);
        Assert.AreEqual("public, max-age=300", copy.CacheControl);
        await using (var store = _server.Store(_container, "sas/", new AzureBlobSettings { SasTokenVariable = "STATICASSETS_TEST_AZURE_BAD_SAS" }))
        {
            var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.TryReadAsync("js/app.0123456789ab.js", CancellationToken.None));
            Assert.AreEqual(DiagnosticCodes.AccessDenied, error.Code, error.ToString());
            Assert.DoesNotContain("sig=", error.Message, "the token appeared in the message");
        }
    }

    [TestMethod]
    public async Task DeletingManyIsOneBlobBatchPer256Keys_SentThroughTheSameEndpoint()
    {
        var prefix = $"batch-{Guid.NewGuid():N}/";
        var keys = await StoreSmallObjectsAsync(prefix, 600);
        await using var proxy = new CountingProxy(_server.Endpoint);

        await using (var store = _server.Store(_container, prefix, via: new Uri(proxy.Url, _server.Endpoint.AbsolutePath)))
        {
            await store.DeleteManyAsync(keys.Skip(50).Append("d/never-there.txt").ToArray(), CancellationToken.None);
        }

        var requests = proxy.Requests;
        Assert.HasCount(3, requests, string.Join("\n", requests)); // 551 deletes: 256 + 256 + 39
        Assert.IsTrue(requests.All(r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("comp=batch", StringComparison.Ordinal)), string.Join("\n", requests));
        await using (var store = await CreateStoreAsync(prefix))
        {
            CollectionAssert.AreEquivalent(keys.Take(50).ToArray(), (await store.ListAllAsync("", CancellationToken.None)).Select(o => o.Key).ToArray());
        }
    }

    [TestMethod]
    public async Task ABatchAuthorizedByASasTokenDeletes_ATokenWithoutDeleteIsSA3005AndDeletesNothing()
    {
        var prefix = $"batch-sas-{Guid.NewGuid():N}/";
        var keys = await StoreSmallObjectsAsync(prefix, 300);
        var container = _server.CreateClient().GetBlobContainerClient(_container);
        var noDelete = container.GenerateSasUri(Azure.Storage.Sas.BlobContainerSasPermissions.Read | Azure.Storage.Sas.BlobContainerSasPermissions.Write
            | Azure.Storage.Sas.BlobContainerSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1)).Query.TrimStart('?');
        var all = container.GenerateSasUri(Azure.Storage.Sas.BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1)).Query.TrimStart('?');
        Environment.SetEnvironmentVariable("STATICASSETS_TEST_AZURE_SAS_NO_DELETE", noDelete);
        Environment.SetEnvironmentVariable("STATICASSETS_TEST_AZURE_SAS_ALL", all);

        await using (var store = _server.Store(_container, prefix, new AzureBlobSettings { SasTokenVariable = "STATICASSETS_TEST_AZURE_SAS_NO_DELETE" }))
        {
            var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.DeleteManyAsync(keys, CancellationToken.None));
            Assert.AreEqual(DiagnosticCodes.AccessDenied, error.Code, error.ToString());
            Assert.DoesNotContain("sig=", error.ToString(), "the token appeared in the message");
            Assert.HasCount(300, await store.ListAllAsync("", CancellationToken.None));
        }
        await using (var store = _server.Store(_container, prefix, new AzureBlobSettings { SasTokenVariable = "STATICASSETS_TEST_AZURE_SAS_ALL" }))
        {
            await store.DeleteManyAsync(keys.Skip(1).ToArray(), CancellationToken.None);
            CollectionAssert.AreEqual(new[] { keys[0] }, (await store.ListAllAsync("", CancellationToken.None)).Select(o => o.Key).ToArray());
        }
    }

    [TestMethod]
    public async Task ABlobTheBatchCannotDeleteIsNamed_TheOthersAreDeleted()
    {
        var prefix = $"batch-lease-{Guid.NewGuid():N}/";
        var keys = await StoreSmallObjectsAsync(prefix, 20);
        await using var store = await CreateStoreAsync(prefix);
        // A leased blob cannot be deleted without its lease id: that one sub-request fails.
        var leased = _server.CreateClient().GetBlobContainerClient(_container).GetBlobClient(prefix + keys[7]);
        await leased.GetBlobLeaseClient().AcquireAsync(TimeSpan.FromSeconds(60));

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.DeleteManyAsync(keys, CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.WriteFailed, error.Code, error.ToString());
        StringAssert.Contains(error.Message, $"1 of 20 blobs were not deleted, '{prefix}{keys[7]}' among them");
        StringAssert.Contains(error.Message, "LeaseIdMissing");
        CollectionAssert.AreEqual(new[] { keys[7] }, (await store.ListAllAsync("", CancellationToken.None)).Select(o => o.Key).ToArray());
        await leased.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
    }

    /// <summary>Stores <paramref name="count"/> one-byte objects under <paramref name="prefix"/> and returns their keys.</summary>
    private async Task<string[]> StoreSmallObjectsAsync(string prefix, int count)
    {
        var keys = Enumerable.Range(0, count).Select(i => $"d/f{i}.0123456789ab.txt").ToArray();
        await using var store = await CreateStoreAsync(prefix);
        await Parallel.ForEachAsync(keys, async (key, token) => await store.WriteAsync(Planned(key, [1], "text/plain").Write, token));
        return keys;
    }

    [TestMethod]
    public async Task AnEndpointNobodyListensOnIsSA3006NamingIt()
    {
        var closed = new Uri($"http://127.0.0.1:{Ports.Closed()}/devstoreaccount1");
        await using var store = _server.Store(_container, "site/", via: closed, maxAttempts: 2);

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.TryReadAsync(AssetManifest.DefaultName, CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.EndpointUnreachable, error.Code, error.ToString());
        StringAssert.Contains(error.Message, $"could not reach {closed}/");
    }
}
