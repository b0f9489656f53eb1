using Amazon.S3.Model;
using StaticAssets.Tasks;
using static StaticAssets.Testing.TaskProject;

namespace StaticAssets.Integration.Tests.BadInput;

/// <summary>
/// What a user's input meets at a real store (Ceph RGW): a missing bucket, wrong credentials, an endpoint that is not
/// there, each one coded error with no secret in anything logged; names with every awkward character and empty files
/// stored under their exact keys, locally and on S3 alike. (Bad settings and items: the task tests' matrix.)
/// </summary>
[TestClass]
public sealed class StoreInputTests
{
    private const string ManifestName = AssetManifest.DefaultName;

    private static readonly Lazy<Task<(S3Server Server, string Bucket)>> S3 = new(async () =>
    {
        var server = await S3Server.GetAsync();
        return (server, await server.CreateBucketAsync("badinput"));
    });

    private static string PathOf(string root, string key) => Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar));

    private static async Task<(PublishResult Result, RecordingLog Log)> PublishAsync(IReadOnlyList<AssetSource> sources, IAssetStore store)
    {
        var log = new RecordingLog();
        var result = await StaticAssetPublisher.PublishAsync(sources, store, new PublishOptions { Plan = Plans.OneObjectPerFile }, log, CancellationToken.None).Guard();
        return (result, log);
    }

    private static async Task<(PublishResult Result, RecordingLog Log)> PublishToFolderAsync(IReadOnlyList<AssetSource> sources, string folder)
    {
        await using var store = new LocalFolderStore(folder);
        return await PublishAsync(sources, store);
    }

    private static async Task<byte[]> GetS3Async(S3Server server, string bucket, string key) =>
        await Stored.GetAsync(server, bucket, key) ?? throw new AssertFailedException($"'{key}' is not stored");

    private static async Task<string[]> ListS3Async(S3Server server, string bucket, string prefix)
    {
        using var client = server.CreateClient();
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
        return (response.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal).ToArray();
    }

    private static void UseS3(PublishStaticAssets task, string destination, Uri endpoint, string? maxAttempts = null)
    {
        task.Destination = destination;
        task.S3ServiceUrl = endpoint.ToString();
        task.S3ForcePathStyle = "true";
        task.S3ChecksumMode = "WhenRequired";
        task.MaxAttempts = maxAttempts ?? "";
    }

    [TestMethod]
    public async Task MissingBucket_SA3004_NamesTheBucket()
    {
        var (server, _) = await S3.Value;
        using var project = new TaskProject();
        var css = project.Write("wwwroot/site.css", "body{}");
        var bucket = $"sa-missing-{Guid.NewGuid():N}"[..30];
        var (task, log) = project.Task(Item(css, ("LogicalPath", "site.css")));
        UseS3(task, $"s3://{bucket}/site/", server.Endpoint, maxAttempts: "2");

        Assert.IsFalse(task.Execute());

        var message = ManifestAssert.OneError(log, DiagnosticCodes.BucketNotFound, server.SecretKey);
        Assert.Contains($"'{bucket}'", message);
        Assert.Contains("create it or fix StaticAssetsDestination", message);
        Assert.IsFalse(File.Exists(project.LocalManifest), "a local manifest was written for a failed publish");
    }

    [TestMethod]
    [DoNotParallelize] // Changes the process's AWS credentials: no other test may create an S3 client meanwhile.
    public async Task WrongCredentials_SA3005_AndTheWrongSecretAppearsInNoMessageAtAnyVerbosity()
    {
        var (server, bucket) = await S3.Value;
        using var project = new TaskProject();
        var css = project.Write("wwwroot/site.css", "body{}");
        var js = project.Write("wwwroot/app.js", "go()");
        var wrongSecret = "wrongSecret" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var prefix = $"denied-{Guid.NewGuid():N}";
        var (task, log) = project.Task(Item(css, ("LogicalPath", "site.css")), Item(js, ("LogicalPath", "app.js")));
        UseS3(task, $"s3://{bucket}/{prefix}/", server.Endpoint, maxAttempts: "1");

        var saved = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        bool succeeded;
        try
        {
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", wrongSecret);
            succeeded = task.Execute();
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", saved);
        }

        Assert.IsFalse(succeeded, log.Describe());
        var message = ManifestAssert.OneError(log, DiagnosticCodes.AccessDenied, wrongSecret, server.SecretKey);
        Assert.Contains("access was denied", message);
        Assert.Contains("AWS_SECRET_ACCESS_KEY", message);
        Assert.DoesNotContain(wrongSecret, log.Describe());
        Assert.IsEmpty(await ListS3Async(server, bucket, prefix + "/"), "something was stored with wrong credentials");
    }

    [TestMethod]
    public async Task UnreachableEndpoint_ExactlyOneSA3006_ForAThirtyFileSite()
    {
        var (server, _) = await S3.Value; // The credentials must be in the environment, as in a real build.
        using var project = new TaskProject();
        var items = Enumerable.Range(0, 30)
            .Select(i => Item(project.Write($"wwwroot/js/file{i}.js", $"f({i})"), ("LogicalPath", $"js/file{i}.js")))
            .ToArray();
        var port = Ports.Closed();
        var (task, log) = project.Task(items);
        UseS3(task, "s3://sa-unreachable/site/", new Uri($"http://127.0.0.1:{port}"));

        Assert.IsFalse(task.Execute());

        var message = ManifestAssert.OneError(log, DiagnosticCodes.EndpointUnreachable, server.SecretKey);
        Assert.Contains($"127.0.0.1:{port}", message);
        Assert.Contains("StaticAssetsS3ServiceUrl", message);
        Assert.IsFalse(File.Exists(project.LocalManifest), "a local manifest was written for a failed publish");
    }

    /// <summary>Names with every character that URLs, MSBuild or file systems treat specially.</summary>
    public static IEnumerable<object[]> AwkwardNames => TestData.Rows("fonts/Ünïcödé 字.woff2", "docs/with space.txt", "css/a#b.css", "js/q?x.js", "css/100%.css",
        "css/a+b.css", "css/semi;colon.css", "css/it's.css");

    [TestMethod]
    [DynamicData(nameof(AwkwardNames))]
    public async Task AwkwardNames_StoredUnderTheirExactKey_LocallyAndOnS3(string logicalPath)
    {
        using var temp = new TempDirectory();
        var content = Encoding.UTF8.GetBytes("content of " + logicalPath);
        var sources = new[]
        {
            new AssetSource(temp.Write("src/" + logicalPath, content), logicalPath),
            new AssetSource(temp.Write("src/plain.txt", "plain"), "plain.txt"),
        };
        var key = Expected.Key(logicalPath, content);
        var plainKey = Expected.Key("plain.txt", Encoding.UTF8.GetBytes("plain"));

        var dest = temp.Combine("dest");
        var (local, localLog) = await PublishToFolderAsync(sources, dest);
        Assert.IsTrue(local.Succeeded, Secrets.TextOf(localLog));
        Assert.IsEmpty(localLog.Diagnostics, Secrets.TextOf(localLog));
        CollectionAssert.AreEqual(content, File.ReadAllBytes(PathOf(dest, key)));
        CollectionAssert.AreEqual(new[] { key, ManifestName, plainKey }.Order(StringComparer.Ordinal).ToArray(), TestData.FilesUnder(dest));
        ManifestAssert.Maps(File.ReadAllBytes(Path.Combine(dest, ManifestName)), logicalPath, key, content);

        var (server, bucket) = await S3.Value;
        var prefix = $"names-{Guid.NewGuid():N}/";
        PublishResult remote;
        RecordingLog remoteLog;
        await using (var store = Destination.Parse($"s3://{bucket}/{prefix}", temp.Path).CreateStore(S3Server.Settings(server.Endpoint)))
        {
            (remote, remoteLog) = await PublishAsync(sources, store);
        }
        Assert.IsTrue(remote.Succeeded, Secrets.TextOf(remoteLog));
        Assert.IsEmpty(remoteLog.Diagnostics, Secrets.TextOf(remoteLog));
        Secrets.AssertAbsent(Secrets.TextOf(remoteLog), server.SecretKey);
        CollectionAssert.AreEqual(new[] { prefix + key, prefix + ManifestName, prefix + plainKey }.Order(StringComparer.Ordinal).ToArray(),
            await ListS3Async(server, bucket, prefix), "the keys stored on S3 are not exactly the manifest's");
        CollectionAssert.AreEqual(content, await GetS3Async(server, bucket, prefix + key));
        var remoteManifest = await GetS3Async(server, bucket, prefix + ManifestName);
        ManifestAssert.Maps(remoteManifest, logicalPath, key, content);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dest, ManifestName)), remoteManifest, "local and S3 manifests differ");
    }

    [TestMethod]
    [DataRow(false, DisplayName = "ZeroByteFile (local folder)")]
    [DataRow(true, DisplayName = "ZeroByteFile (S3)")]
    public async Task ZeroByteFile_StoredWithSizeZeroAndTheEmptyContentIntegrity(bool s3)
    {
        using var temp = new TempDirectory();
        var sources = new[] { new AssetSource(temp.Write("src/empty.css", []), "css/empty.css") };
        var key = Expected.Key("css/empty.css", []);
        byte[] stored, manifest;
        if (s3)
        {
            var (server, bucket) = await S3.Value;
            var prefix = $"empty-{Guid.NewGuid():N}/";
            await using (var store = S3Server.Store(bucket, prefix, server.Endpoint, 4))
            {
                var (result, log) = await PublishAsync(sources, store);
                Assert.IsTrue(result.Succeeded, Secrets.TextOf(log));
                Assert.IsEmpty(log.Diagnostics, Secrets.TextOf(log));
            }
            stored = await GetS3Async(server, bucket, prefix + key);
            manifest = await GetS3Async(server, bucket, prefix + ManifestName);
        }
        else
        {
            var dest = temp.Combine("dest");
            var (result, log) = await PublishToFolderAsync(sources, dest);
            Assert.IsTrue(result.Succeeded, Secrets.TextOf(log));
            Assert.IsEmpty(log.Diagnostics, Secrets.TextOf(log));
            stored = File.ReadAllBytes(PathOf(dest, key));
            manifest = File.ReadAllBytes(Path.Combine(dest, ManifestName));
        }

        Assert.IsEmpty(stored);
        ManifestAssert.Maps(manifest, "css/empty.css", key, []);
        using var json = JsonDocument.Parse(manifest);
        var asset = json.RootElement.GetProperty("assets").GetProperty("css/empty.css");
        Assert.AreEqual(0, asset.GetProperty("size").GetInt64());
        Assert.AreEqual("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", asset.GetProperty("integrity").GetString());
        Assert.AreEqual("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", asset.GetProperty("sha256").GetString());
    }
}
