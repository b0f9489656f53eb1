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

    protected override async Task<IAssetStore> CreateStoreAsync(string prefix, bool multipart = false)
    {
        var (server, bucket) = await Server.Value;
        return S3Server.Store(bucket, prefix, server.Endpoint, adjust: multipart ? S3Server.SmallParts : null);
    }

    protected override async Task<StoredCopy?> ReadBackAsync(string prefix, string key)
    {
        var (server, bucket) = await Server.Value;
        return await Stored.GetCopyAsync(server, bucket, prefix + key);
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
    public async Task AMissingBucketIsSA3004NamingIt()
    {
        var (server, _) = await Server.Value;
        await using var store = S3Server.Store("sa-no-such-bucket-here", "", server.Endpoint, 4);

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.TryReadAsync("staticassets.manifest.json", CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.BucketNotFound, error.Code);
        StringAssert.Contains(error.Message, "NoSuchBucket");
        StringAssert.Contains(error.Message, "'sa-no-such-bucket-here' does not exist");
    }
}
