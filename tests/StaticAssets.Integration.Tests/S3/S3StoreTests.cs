using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace StaticAssets.Integration.Tests.S3;

/// <summary>The S3 storage writer against a real Ceph RGW: stored bytes and headers are read back and checked.</summary>
[TestClass]
public sealed class S3StoreTests
{
    private static S3Server _server = null!;
    private static string _bucket = "";
    private static string _scratch = "";

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        _server = await S3Server.GetAsync();
        _bucket = await _server.CreateBucketAsync("store");
        _scratch = Directory.CreateTempSubdirectory("staticassets-s3-").FullName;
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_scratch, recursive: true);

    private static S3AssetStore Store(StoreSettings? settings = null, string prefix = "site/") =>
        new(new S3Destination(_bucket, prefix), settings ?? S3Server.Settings(_server.Endpoint));

    private static (string Path, StoreWrite Write) SourceFile(string key, byte[] content, string contentType = "text/css", string? encoding = null)
    {
        var path = Path.Combine(_scratch, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, content);
        var planned = new PlannedObject(key, path, content.Length, Sha256Digest.Compute(content), contentType, encoding, PlanOptions.ImmutableCacheControl);
        return (path, ObjectUploader.ToStoreWrite(planned));
    }

    [TestMethod]
    public async Task WriteStoresTheBytesWithContentTypeCacheControlEncodingAndDigest()
    {
        var content = RandomNumberGenerator.GetBytes(50_000);
        var (_, write) = SourceFile("css/site.0123456789ab.css.gz", content, "text/css", "gzip");
        await using (var store = Store())
        {
            await store.WriteAsync(write, CancellationToken.None);
        }

        using var client = _server.CreateClient();
        using var stored = await client.GetObjectAsync(_bucket, "site/css/site.0123456789ab.css.gz");
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        CollectionAssert.AreEqual(content, bytes.ToArray());
        Assert.AreEqual("text/css", stored.Headers.ContentType);
        Assert.AreEqual(PlanOptions.ImmutableCacheControl, stored.Headers.CacheControl);
        Assert.AreEqual("gzip", stored.Headers.ContentEncoding);
        Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(content)), stored.Metadata["x-amz-meta-sha256"]);
    }

    [TestMethod]
    public async Task LargeFilesAreUploadedInPartsAndReadBackIdentical()
    {
        var content = RandomNumberGenerator.GetBytes(13 * 1024 * 1024 + 12345);
        var (_, write) = SourceFile("big/video.0123456789ab.mp4", content, "video/mp4");
        var settings = S3Server.SmallParts(S3Server.Settings(_server.Endpoint));
        await using (var store = Store(settings))
        {
            await store.WriteAsync(write, CancellationToken.None);
        }

        using var client = _server.CreateClient();
        using var stored = await client.GetObjectAsync(_bucket, "site/big/video.0123456789ab.mp4");
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        Assert.AreEqual(Convert.ToHexStringLower(SHA256.HashData(content)), Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray())));
        Assert.AreEqual("video/mp4", stored.Headers.ContentType);
        Assert.AreEqual(PlanOptions.ImmutableCacheControl, stored.Headers.CacheControl);
        StringAssert.EndsWith(stored.ETag.Trim('"'), "-3", "a 13 MB file in 5 MB parts is a 3-part upload");
    }

    [TestMethod]
    public async Task AFileChangedDuringAMultipartUploadIsNotStored()
    {
        var content = RandomNumberGenerator.GetBytes(11 * 1024 * 1024);
        var (path, write) = SourceFile("big/changed.0123456789ab.bin", content, "application/octet-stream");
        content[^1] ^= 0xff;
        File.WriteAllBytes(path, content);
        var settings = S3Server.SmallParts(S3Server.Settings(_server.Endpoint));

        await using (var store = Store(settings))
        {
            var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));
            Assert.AreEqual(DiagnosticCodes.SourceChanged, error.Code, error.ToString());
        }

        using var client = _server.CreateClient();
        var missing = await Assert.ThrowsExactlyAsync<AmazonS3Exception>(() => client.GetObjectMetadataAsync(_bucket, "site/big/changed.0123456789ab.bin"));
        Assert.AreEqual(HttpStatusCode.NotFound, missing.StatusCode);
        var uploads = await client.ListMultipartUploadsAsync(_bucket);
        Assert.IsFalse((uploads.MultipartUploads ?? []).Any(u => u.Key == "site/big/changed.0123456789ab.bin"), "the aborted multipart upload was left behind");
    }

    [TestMethod]
    public async Task ReadingAMissingKeyGivesNullAndListingShowsStoredKeysRelativeToThePrefix()
    {
        var prefix = $"list-{Guid.NewGuid():N}/";
        await using var store = Store(prefix: prefix);
        Assert.IsNull(await store.TryReadAsync("staticassets.manifest.json", CancellationToken.None));

        await store.WriteAsync(SourceFile("a/one.0123456789ab.js", [1, 2, 3], "text/javascript").Write, CancellationToken.None);
        await store.WriteAsync(SourceFile("two.0123456789ab.txt", [], "text/plain").Write, CancellationToken.None);
        var listed = new List<StoredObjectInfo>();
        await foreach (var obj in store.ListAsync(CancellationToken.None))
        {
            listed.Add(obj);
        }

        CollectionAssert.AreEquivalent(
            new[] { new StoredObjectInfo("a/one.0123456789ab.js", 3), new StoredObjectInfo("two.0123456789ab.txt", 0) },
            listed);
    }

    [TestMethod]
    public async Task AMissingBucketIsNamedInTheError()
    {
        await using var store = S3Server.Store("sa-no-such-bucket-here", "", _server.Endpoint, 4);

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.TryReadAsync("staticassets.manifest.json", CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.BucketNotFound, error.Code);
        StringAssert.Contains(error.Message, "NoSuchBucket");
        StringAssert.Contains(error.Message, "'sa-no-such-bucket-here' does not exist");
    }
}
