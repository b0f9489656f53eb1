using Azure.Storage.Blobs.Specialized;

namespace StaticAssets.Integration.Tests.AzureBlob;

/// <summary>The Azure Blob storage writer against Azurite: stored bytes and headers are read back and checked.</summary>
[TestClass]
public sealed class AzureBlobStoreTests
{
    private const string Variable = "STATICASSETS_TEST_AZURE_CONNECTION";
    private static AzuriteServer _server = null!;
    private static string _container = "";
    private static string _scratch = "";

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        _server = await AzuriteServer.GetAsync();
        _container = await _server.CreateContainerAsync("store");
        _scratch = Directory.CreateTempSubdirectory("staticassets-azure-").FullName;
        Environment.SetEnvironmentVariable(Variable, _server.ConnectionString);
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_scratch, recursive: true);

    private static AzureBlobStore Store(string container, AzureBlobSettings? settings = null, string prefix = "site/") =>
        new(new AzureBlobDestination(new Uri(_server.Endpoint + "/"), container, prefix),
            new StoreSettings { MaxConcurrency = 8, Azure = settings ?? new AzureBlobSettings { ConnectionStringVariable = Variable } });

    private static (string Path, StoreWrite Write) SourceFile(string key, byte[] content, string contentType = "text/css", string? encoding = null)
    {
        var path = Path.Combine(_scratch, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, content);
        var planned = new PlannedObject(key, path, content.Length, Sha256Digest.Compute(content), contentType, encoding, PlanOptions.ImmutableCacheControl);
        return (path, ObjectUploader.ToStoreWrite(planned));
    }

    private static async Task<(byte[] Bytes, Azure.Storage.Blobs.Models.BlobProperties Properties)> GetAsync(string container, string name)
    {
        var blob = _server.CreateClient().GetBlobContainerClient(container).GetBlobClient(name);
        var content = await blob.DownloadContentAsync();
        return (content.Value.Content.ToArray(), (await blob.GetPropertiesAsync()).Value);
    }

    [TestMethod]
    public async Task WriteStoresTheBytesWithContentTypeCacheControlEncodingAndDigest()
    {
        var content = RandomNumberGenerator.GetBytes(40_000);
        await using (var store = Store(_container))
        {
            await store.WriteAsync(SourceFile("css/site.0123456789ab.css.br", content, "text/css", "br").Write, CancellationToken.None);
        }

        var (bytes, properties) = await GetAsync(_container, "site/css/site.0123456789ab.css.br");
        CollectionAssert.AreEqual(content, bytes);
        Assert.AreEqual("text/css", properties.ContentType);
        Assert.AreEqual(PlanOptions.ImmutableCacheControl, properties.CacheControl);
        Assert.AreEqual("br", properties.ContentEncoding);
        Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(content)), properties.Metadata["sha256"]);
    }

    [TestMethod]
    public async Task LargeBlobsAreUploadedAsBlocksAndReadBackIdentical()
    {
        var content = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 4321);
        var settings = new AzureBlobSettings { ConnectionStringVariable = Variable, SingleUploadThreshold = 1024 * 1024, BlockSize = 1024 * 1024 };
        await using (var store = Store(_container, settings))
        {
            await store.WriteAsync(SourceFile("big/clip.0123456789ab.mp4", content, "video/mp4").Write, CancellationToken.None);
        }

        var blob = _server.CreateClient().GetBlobContainerClient(_container).GetBlockBlobClient("site/big/clip.0123456789ab.mp4");
        var blocks = (await blob.GetBlockListAsync()).Value.CommittedBlocks.ToArray();
        Assert.HasCount(6, blocks, "a 5 MB blob in 1 MB blocks");
        var (bytes, properties) = await GetAsync(_container, "site/big/clip.0123456789ab.mp4");
        CollectionAssert.AreEqual(SHA256.HashData(content), SHA256.HashData(bytes));
        Assert.AreEqual("video/mp4", properties.ContentType);
    }

    [TestMethod]
    public async Task ABlobWhoseFileChangedDuringABlockUploadIsNeverCommitted()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        var (path, write) = SourceFile("big/changed.0123456789ab.bin", content, "application/octet-stream");
        content[^1] ^= 0xff;
        File.WriteAllBytes(path, content);
        var settings = new AzureBlobSettings { ConnectionStringVariable = Variable, SingleUploadThreshold = 1024 * 1024, BlockSize = 1024 * 1024 };

        await using (var store = Store(_container, settings))
        {
            var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));
            Assert.AreEqual(DiagnosticCodes.SourceChanged, error.Code, error.ToString());
        }

        var exists = await _server.CreateClient().GetBlobContainerClient(_container).GetBlobClient("site/big/changed.0123456789ab.bin").ExistsAsync();
        Assert.IsFalse(exists.Value, "a blob was committed from a file that changed during its upload");
    }

    [TestMethod]
    public async Task ReadListAndDeleteWorkRelativeToThePrefix()
    {
        var prefix = $"list-{Guid.NewGuid():N}/";
        await using var store = Store(_container, prefix: prefix);
        Assert.IsNull(await store.TryReadAsync("staticassets.manifest.json", CancellationToken.None));

        await store.WriteAsync(SourceFile("a/one.0123456789ab.js", [1, 2, 3], "text/javascript").Write, CancellationToken.None);
        await store.WriteAsync(SourceFile("empty.0123456789ab.txt", [], "text/plain").Write, CancellationToken.None);
        var listed = new List<StoredObjectInfo>();
        await foreach (var obj in store.ListAsync(CancellationToken.None))
        {
            listed.Add(obj);
        }
        CollectionAssert.AreEquivalent(
            new[] { new StoredObjectInfo("a/one.0123456789ab.js", 3), new StoredObjectInfo("empty.0123456789ab.txt", 0) }, listed);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, await store.TryReadAsync("a/one.0123456789ab.js", CancellationToken.None));

        await store.DeleteAsync("a/one.0123456789ab.js", CancellationToken.None);
        await store.DeleteAsync("never-existed.txt", CancellationToken.None);
        Assert.IsNull(await store.TryReadAsync("a/one.0123456789ab.js", CancellationToken.None));
    }

    [TestMethod]
    public async Task AMissingContainerIsSA3004NamingIt()
    {
        await using var store = Store("sa-no-such-container");

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
        await using var store = Store(_container, new AzureBlobSettings { ConnectionStringVariable = wrongVariable });

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
        var endpoint = new Uri(proxy.Url, _server.Endpoint.AbsolutePath);
        const string proxiedVariable = "STATICASSETS_TEST_AZURE_PROXIED";
        Environment.SetEnvironmentVariable(proxiedVariable, _server.ConnectionStringFor(endpoint));
        var settings = new StoreSettings
        {
            MaxConcurrency = 2,
            RequestTimeout = TimeSpan.FromSeconds(1),
            MaxAttempts = 2,
            Azure = new AzureBlobSettings { ConnectionStringVariable = proxiedVariable },
        };
        var (_, write) = SourceFile("js/stalled.0123456789ab.js", RandomNumberGenerator.GetBytes(3_000), "text/javascript");

        StoreException error;
        await using (var store = new AzureBlobStore(new AzureBlobDestination(new Uri(endpoint + "/"), _container, "timeout/"), settings))
        {
            error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));
        }

        Assert.AreEqual(DiagnosticCodes.StoreTimedOut, error.Code, error.ToString());
        StringAssert.Contains(error.Message, "did not answer within the network timeout (1 s), 2 tries");
        Assert.DoesNotContain("ClientOptions", error.Message, "Azure.Core's advice names an API, not a setting the user has");
        Assert.AreEqual(2, proxy.FaultCount(ProxyFault.Stall), "one stalled PUT per try");
        // (Azurite may well have stored the blob: only its answer was held back. The key is content-addressed, so a
        // later publish that finds it stored loses nothing.)
    }

    [TestMethod]
    public void AVariableThatIsNotSetIsSA1012()
    {
        var unset = Assert.ThrowsExactly<StaticAssetsException>(() =>
            Store(_container, new AzureBlobSettings { ConnectionStringVariable = "STATICASSETS_TEST_NOT_SET_" + Guid.NewGuid().ToString("N") }));
        Assert.AreEqual(DiagnosticCodes.InvalidAzureSetting, unset.Diagnostic.Code);
    }
}
