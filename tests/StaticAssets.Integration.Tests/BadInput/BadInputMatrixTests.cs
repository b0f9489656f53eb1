using static StaticAssets.Testing.TaskProject;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Publishing;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Storage.LocalFolder;
using StaticAssets.Engine.Storage.S3;
using StaticAssets.Tasks;

namespace StaticAssets.Integration.Tests.BadInput;

/// <summary>
/// Bad input, one case per row: each gets its stable code, a message that says what to do, no damage to what was
/// already published, and no secret in anything logged. The MSBuild task runs directly (FakeBuildEngine records
/// every importance); the S3 cases use the real Ceph RGW.
/// </summary>
[TestClass]
public sealed class BadInputMatrixTests
{
    private const string ManifestName = AssetManifest.DefaultName;
    private const int MiB = 1024 * 1024;

    private static readonly Lazy<Task<(S3Server Server, string Bucket)>> S3 = new(async () =>
    {
        var server = await S3Server.GetAsync();
        return (server, await server.CreateBucketAsync("badinput"));
    });

    // ---------------------------------------------------------------- helpers

    /// <summary>The key the manifest must map <paramref name="logicalPath"/> to, computed without the engine.</summary>
    private static string ExpectedKey(string logicalPath, byte[] content)
    {
        var fingerprint = TestData.HexSha256(content)[..12];
        var nameStart = logicalPath.LastIndexOf('/') + 1;
        var dot = logicalPath.LastIndexOf('.');
        return dot <= nameStart ? $"{logicalPath}.{fingerprint}" : $"{logicalPath[..dot]}.{fingerprint}{logicalPath[dot..]}";
    }

    private static string PathOf(string root, string key) => Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The manifest is valid and maps <paramref name="logicalPath"/> to <paramref name="key"/> with the content's size and digest.</summary>
    private static void AssertManifestMaps(byte[] manifest, string logicalPath, string key, byte[] content)
    {
        Assert.IsTrue(AssetManifest.TryReadObjects(manifest, out _, out var problem), problem);
        using var json = JsonDocument.Parse(manifest);
        Assert.AreEqual(key, json.RootElement.GetProperty("paths").GetProperty(logicalPath).GetString());
        var asset = json.RootElement.GetProperty("assets").GetProperty(logicalPath);
        Assert.AreEqual(key, asset.GetProperty("key").GetString());
        Assert.AreEqual(content.LongLength, asset.GetProperty("size").GetInt64());
        Assert.AreEqual(TestData.HexSha256(content), asset.GetProperty("sha256").GetString());
        Assert.AreEqual("sha256-" + TestData.Base64Sha256(content), asset.GetProperty("integrity").GetString());
    }

    /// <summary>Exactly one diagnostic, an error with <paramref name="code"/>, and nothing logged shows a secret.</summary>
    private static string AssertOneError(FakeBuildEngine log, string code, params string?[] secrets)
    {
        var text = log.Describe();
        Assert.HasCount(1, log.Errors, text);
        Assert.AreEqual(code, log.Errors[0].Code, text);
        Assert.IsEmpty(log.Warnings, text);
        Secrets.AssertAbsent(text, secrets);
        return log.Errors[0].Message;
    }

    private static string AssertOneError(RecordingLog log, string code)
    {
        var text = Secrets.TextOf(log);
        Assert.HasCount(1, log.Diagnostics, text);
        Assert.AreEqual(code, log.Diagnostics[0].Code, text);
        Assert.AreEqual(DiagnosticSeverity.Error, log.Diagnostics[0].Severity, text);
        Secrets.AssertAbsent(text);
        return log.Diagnostics[0].Message;
    }

    private static string AssertOneWarning(FakeBuildEngine log, string code)
    {
        var text = log.Describe();
        Assert.IsEmpty(log.Errors, text);
        Assert.HasCount(1, log.Warnings, text);
        Assert.AreEqual(code, log.Warnings[0].Code, text);
        Secrets.AssertAbsent(text);
        return log.Warnings[0].Message;
    }

    private static async Task<(PublishResult Result, RecordingLog Log)> PublishAsync(
        IReadOnlyList<AssetSource> sources, IAssetStore store, PublishOptions? options = null)
    {
        var log = new RecordingLog();
        var result = await StaticAssetPublisher.PublishAsync(sources, store, options ?? new PublishOptions { Plan = Plans.OneObjectPerFile }, log, CancellationToken.None).Guard();
        return (result, log);
    }

    private static async Task<(PublishResult Result, RecordingLog Log)> PublishToFolderAsync(
        IReadOnlyList<AssetSource> sources, string folder, string? localManifest = null)
    {
        await using var store = new LocalFolderStore(folder);
        return await PublishAsync(sources, store, new PublishOptions { Plan = Plans.OneObjectPerFile, LocalManifestPath = localManifest });
    }

    private static async Task<byte[]> GetS3Async(S3Server server, string bucket, string key)
    {
        using var client = server.CreateClient();
        using var response = await client.GetObjectAsync(bucket, key);
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

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

    // ---------------------------------------------------------------- 1, 2: destination

    [TestMethod]
    [DataRow("s3://", "s3://bucket-name/")]
    [DataRow("s3://UPPER_bad/x", "s3://bucket-name/")]
    [DataRow("s3://ab", "s3://bucket-name/")]
    [DataRow("s3://my-bucket/a//b", "empty segment")]
    [DataRow("file://?x", "file:///absolute/folder")]
    [DataRow("   ", "folder path")]
    [DataRow("\t", "folder path")]
    public void MalformedDestination_SA1001(string destination, string advice)
    {
        using var project = new TaskProject();
        var css = project.Write("wwwroot/site.css", "body{}");
        var (task, log) = project.Task(Item(css, ("LogicalPath", "site.css")));
        task.Destination = destination;

        Assert.IsFalse(task.Execute());

        var message = AssertOneError(log, DiagnosticCodes.InvalidDestination);
        Assert.Contains("StaticAssetsDestination", message);
        Assert.Contains(advice, message);
        Assert.IsFalse(Directory.Exists(Path.Combine(project.Dir, "bin")), "something was written");
    }

    [TestMethod]
    [DataRow("ftp://x", "ftp://")]
    [DataRow("gs://b", "gs://")]
    public void UnknownScheme_SA1008(string destination, string scheme)
    {
        using var project = new TaskProject();
        var css = project.Write("wwwroot/site.css", "body{}");
        var (task, log) = project.Task(Item(css, ("LogicalPath", "site.css")));
        task.Destination = destination;

        Assert.IsFalse(task.Execute());

        var message = AssertOneError(log, DiagnosticCodes.UnsupportedDestinationScheme);
        Assert.Contains("StaticAssetsDestination", message);
        Assert.Contains($"'{scheme}'", message);
        Assert.Contains("which is not supported. Use a folder path, a file:// URI", message);
        Assert.Contains("s3://bucket/prefix/", message);
        Assert.IsFalse(Directory.Exists(Path.Combine(project.Dir, "bin")), "something was written");
    }

    // ---------------------------------------------------------------- 3, 4, 5: S3 failures (real RGW)

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

        var message = AssertOneError(log, DiagnosticCodes.BucketNotFound, server.SecretKey);
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
        var message = AssertOneError(log, DiagnosticCodes.AccessDenied, wrongSecret, server.SecretKey);
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

        var message = AssertOneError(log, DiagnosticCodes.EndpointUnreachable, server.SecretKey);
        Assert.Contains($"127.0.0.1:{port}", message);
        Assert.Contains("StaticAssetsS3ServiceUrl", message);
        Assert.IsFalse(File.Exists(project.LocalManifest), "a local manifest was written for a failed publish");
    }

    // ---------------------------------------------------------------- 6, 7: sources changing after planning

    [TestMethod]
    public async Task SourceDeletedAfterPlanning_SA3007_PreviousManifestKept()
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        var old = new AssetSource(temp.Write("src/old.css", "old"), "old.css");
        Assert.IsTrue((await PublishToFolderAsync([old], dest)).Result.Succeeded);
        var before = Snapshot.Of(dest);
        var doomed = temp.Write("src/doomed.js", "doomed()");
        var sources = new[] { old, new AssetSource(doomed, "doomed.js"), new AssetSource(temp.Write("src/kept.js", "kept()"), "kept.js") };

        var (result, log) = await PublishAsync(sources, new RecordingStore(new LocalFolderStore(dest)) { BeforeWrite = RecordingStore.Once(() => File.Delete(doomed)) });

        Assert.IsFalse(result.Succeeded);
        var message = AssertOneError(log, DiagnosticCodes.SourceDeleted);
        Assert.Contains(doomed, message);
        Assert.Contains("publish again", message, StringComparison.OrdinalIgnoreCase);
        Assert.IsFalse(File.Exists(PathOf(dest, ExpectedKey("doomed.js", Encoding.UTF8.GetBytes("doomed()")))));
        CollectionAssert.AreEqual(before[ManifestName], File.ReadAllBytes(Path.Combine(dest, ManifestName)), "the previous manifest changed");
        Assert.IsFalse(TestData.FilesUnder(dest).Any(f => f.EndsWith(".tmp", StringComparison.Ordinal)), "a temporary file was left");
    }

    [TestMethod]
    [DataRow(false, DisplayName = "SourceChangedDuringUpload_SA3003 (different length)")]
    [DataRow(true, DisplayName = "SourceChangedDuringUpload_SA3003 (same length)")]
    public async Task SourceChangedDuringUpload_SA3003_ObjectNotStored(bool sameLength)
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        var old = new AssetSource(temp.Write("src/old.css", "old"), "old.css");
        Assert.IsTrue((await PublishToFolderAsync([old], dest)).Result.Succeeded);
        var before = Snapshot.Of(dest);
        var original = RandomNumberGenerator.GetBytes(200_000);
        var changing = temp.Write("src/img/photo.jpg", original);
        var sources = new[] { old, new AssetSource(changing, "img/photo.jpg") };
        var changed = original.ToArray();
        if (sameLength)
        {
            changed[100_000] ^= 0x5a;
        }
        else
        {
            changed = [.. changed, 1, 2, 3];
        }

        var (result, log) = await PublishAsync(sources, new RecordingStore(new LocalFolderStore(dest)) { BeforeWrite = RecordingStore.Once(() => File.WriteAllBytes(changing, changed)) });

        Assert.IsFalse(result.Succeeded);
        var message = AssertOneError(log, DiagnosticCodes.SourceChanged);
        Assert.Contains(changing, message);
        Assert.Contains("changed after it was planned", message);
        Assert.Contains("publish again", message, StringComparison.OrdinalIgnoreCase);
        var key = ExpectedKey("img/photo.jpg", original);
        Assert.IsFalse(File.Exists(PathOf(dest, key)), $"'{key}' was stored with bytes that are not the planned ones");
        Assert.IsFalse(TestData.FilesUnder(dest).Any(f => f.EndsWith(".tmp", StringComparison.Ordinal)),
            "a temporary file was left: " + string.Join(", ", TestData.FilesUnder(dest)));
        CollectionAssert.AreEqual(before[ManifestName], File.ReadAllBytes(Path.Combine(dest, ManifestName)), "the previous manifest changed");
    }

    // ---------------------------------------------------------------- 8: logical paths

    [TestMethod]
    [DataRow("../x.css", DiagnosticCodes.InvalidLogicalPath)]
    [DataRow("a/../../x.css", DiagnosticCodes.InvalidLogicalPath)]
    [DataRow("./a.css", DiagnosticCodes.InvalidLogicalPath)]
    [DataRow("css//a.css", DiagnosticCodes.InvalidLogicalPath)]
    [DataRow("/abs.css", DiagnosticCodes.AbsoluteLogicalPath)]
    [DataRow("C:/x.css", DiagnosticCodes.AbsoluteLogicalPath)]
    [DataRow("css\\site.css", DiagnosticCodes.BackslashInLogicalPath)]
    public void InvalidLogicalPath_NothingWritten(string logicalPath, string code)
    {
        using var project = new TaskProject();
        var good = Item(project.Write("wwwroot/good.css", "good"), ("LogicalPath", "good.css"));
        project.PublishBaseline(good);
        var before = Snapshot.Of(project.Dest);
        var localBefore = File.ReadAllBytes(project.LocalManifest);
        var bad = project.Write("wwwroot/bad.css", "bad");
        var (task, log) = project.Task(good, Item(bad, ("LogicalPath", logicalPath)));

        Assert.IsFalse(task.Execute());

        var message = AssertOneError(log, code);
        Assert.Contains($"'{logicalPath}'", message);
        Assert.Contains("Set its LogicalPath metadata to a relative URL path", message);
        Snapshot.AssertUnchanged(before, project.Dest, "an invalid logical path");
        CollectionAssert.AreEqual(localBefore, File.ReadAllBytes(project.LocalManifest), "the local manifest changed");
        Assert.IsFalse(File.Exists(Path.Combine(project.Dir, "x.css")) || File.Exists(Path.Combine(project.Dir, "bin", "x.css")), "a key escaped the destination");
    }

    // ---------------------------------------------------------------- 9, 10: awkward names and empty files, locally and on S3

    [TestMethod]
    [DataRow("fonts/Ünïcödé 字.woff2")]
    [DataRow("docs/with space.txt")]
    [DataRow("css/a#b.css")]
    [DataRow("js/q?x.js")]
    [DataRow("css/100%.css")]
    [DataRow("css/a+b.css")]
    [DataRow("css/semi;colon.css")]
    [DataRow("css/it's.css")]
    public async Task AwkwardNames_StoredUnderTheirExactKey_LocallyAndOnS3(string logicalPath)
    {
        using var temp = new TempDirectory();
        var content = Encoding.UTF8.GetBytes("content of " + logicalPath);
        var sources = new[]
        {
            new AssetSource(temp.Write("src/" + logicalPath, content), logicalPath),
            new AssetSource(temp.Write("src/plain.txt", "plain"), "plain.txt"),
        };
        var key = ExpectedKey(logicalPath, content);
        var plainKey = ExpectedKey("plain.txt", Encoding.UTF8.GetBytes("plain"));

        var dest = temp.Combine("dest");
        var (local, localLog) = await PublishToFolderAsync(sources, dest);
        Assert.IsTrue(local.Succeeded, Secrets.TextOf(localLog));
        Assert.IsEmpty(localLog.Diagnostics, Secrets.TextOf(localLog));
        CollectionAssert.AreEqual(content, File.ReadAllBytes(PathOf(dest, key)));
        CollectionAssert.AreEqual(new[] { key, ManifestName, plainKey }.Order(StringComparer.Ordinal).ToArray(), TestData.FilesUnder(dest));
        AssertManifestMaps(File.ReadAllBytes(Path.Combine(dest, ManifestName)), logicalPath, key, content);

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
        AssertManifestMaps(remoteManifest, logicalPath, key, content);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dest, ManifestName)), remoteManifest, "local and S3 manifests differ");
    }

    [TestMethod]
    [DataRow(false, DisplayName = "ZeroByteFile (local folder)")]
    [DataRow(true, DisplayName = "ZeroByteFile (S3)")]
    public async Task ZeroByteFile_StoredWithSizeZeroAndTheEmptyContentIntegrity(bool s3)
    {
        using var temp = new TempDirectory();
        var sources = new[] { new AssetSource(temp.Write("src/empty.css", []), "css/empty.css") };
        var key = ExpectedKey("css/empty.css", []);
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
        AssertManifestMaps(manifest, "css/empty.css", key, []);
        using var json = JsonDocument.Parse(manifest);
        var asset = json.RootElement.GetProperty("assets").GetProperty("css/empty.css");
        Assert.AreEqual(0, asset.GetProperty("size").GetInt64());
        Assert.AreEqual("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", asset.GetProperty("integrity").GetString());
        Assert.AreEqual("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", asset.GetProperty("sha256").GetString());
    }

    // ---------------------------------------------------------------- 11, 12: duplicates and case

    [TestMethod]
    public void DuplicateLogicalPath_SA2001_FirstWins()
    {
        using var project = new TaskProject();
        var first = project.Write("wwwroot/a/site.css", "first");
        var second = project.Write("wwwroot/b/site.css", "second, longer");
        var (task, log) = project.Task(Item(first, ("LogicalPath", "css/site.css")), Item(second, ("LogicalPath", "css/site.css")));

        Assert.IsTrue(task.Execute(), log.Describe());

        var message = AssertOneWarning(log, DiagnosticCodes.DuplicateLogicalPath);
        Assert.Contains(first, message);
        Assert.Contains(second, message);
        Assert.Contains("Remove one of the StaticAsset items", message);
        var firstKey = ExpectedKey("css/site.css", Encoding.UTF8.GetBytes("first"));
        CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("first"), File.ReadAllBytes(PathOf(project.Dest, firstKey)));
        CollectionAssert.AreEqual(new[] { firstKey, ManifestName }.Order(StringComparer.Ordinal).ToArray(), TestData.FilesUnder(project.Dest));
        AssertManifestMaps(File.ReadAllBytes(project.DestManifest), "css/site.css", firstKey, Encoding.UTF8.GetBytes("first"));
    }

    [TestMethod]
    public void CaseOnlyDifference_SA2004_BothStored()
    {
        using var project = new TaskProject();
        var upper = RandomNumberGenerator.GetBytes(300);
        var lower = RandomNumberGenerator.GetBytes(400);
        var (task, log) = project.Task(
            Item(project.Write("wwwroot/img/Logo.png", upper), ("LogicalPath", "img/Logo.png")),
            Item(project.Write("wwwroot/img/logo.png", lower), ("LogicalPath", "img/logo.png")));

        Assert.IsTrue(task.Execute(), log.Describe());

        var message = AssertOneWarning(log, DiagnosticCodes.CaseOnlyDifference);
        Assert.Contains("'img/Logo.png'", message);
        Assert.Contains("'img/logo.png'", message);
        Assert.Contains("Rename one of them", message);
        var manifest = File.ReadAllBytes(project.DestManifest);
        foreach (var (path, content) in new[] { ("img/Logo.png", upper), ("img/logo.png", lower) })
        {
            var key = ExpectedKey(path, content);
            CollectionAssert.AreEqual(content, File.ReadAllBytes(PathOf(project.Dest, key)), key);
            AssertManifestMaps(manifest, path, key, content);
        }
    }

    // ---------------------------------------------------------------- 13, 23: symlinks and missing sources

    [TestMethod]
    public void SymlinkToAFile_IsPublishedWithTheTargetsBytes()
    {
        using var project = new TaskProject();
        var content = Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        var target = project.Write("shared/logo.svg", content);
        var link = Path.Combine(project.Dir, "wwwroot", "img", "logo.svg");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, target);
        var (task, log) = project.Task(Item(link, ("LogicalPath", "img/logo.svg")));

        Assert.IsTrue(task.Execute(), log.Describe());

        Assert.IsEmpty(log.Errors, log.Describe());
        Assert.IsEmpty(log.Warnings, log.Describe());
        var key = ExpectedKey("img/logo.svg", content);
        var stored = PathOf(project.Dest, key);
        CollectionAssert.AreEqual(content, File.ReadAllBytes(stored));
        Assert.IsNull(new FileInfo(stored).LinkTarget, "the destination holds a symlink, not the bytes");
        AssertManifestMaps(File.ReadAllBytes(project.DestManifest), "img/logo.svg", key, content);
    }

    [TestMethod]
    public void DanglingSymlink_SA1004()
    {
        using var project = new TaskProject();
        var good = Item(project.Write("wwwroot/good.css", "good"), ("LogicalPath", "good.css"));
        project.PublishBaseline(good);
        var before = Snapshot.Of(project.Dest);
        var link = Path.Combine(project.Dir, "wwwroot", "img", "gone.svg");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, Path.Combine(project.Dir, "nowhere", "gone.svg"));
        var (task, log) = project.Task(good, Item(link, ("LogicalPath", "img/gone.svg")));

        bool succeeded;
        try
        {
            succeeded = task.Execute();
        }
        catch (IOException e)
        {
            // MSBuild would show this as MSB4018 "task failed unexpectedly" with a stack trace, not as a coded error.
            Assert.Fail($"Execute threw {e.GetType().Name} instead of reporting SA1004: {e.Message}");
            return;
        }
        Assert.IsFalse(succeeded);

        var message = AssertOneError(log, DiagnosticCodes.SourceFileMissing);
        Assert.Contains(link, message);
        Assert.Contains("Build the project before publishing", message);
        Snapshot.AssertUnchanged(before, project.Dest, "a dangling symlink");
    }

    [TestMethod]
    public void SourceMissingAtPlanning_SA1004()
    {
        using var project = new TaskProject();
        var good = Item(project.Write("wwwroot/good.css", "good"), ("LogicalPath", "good.css"));
        project.PublishBaseline(good);
        var before = Snapshot.Of(project.Dest);
        var (task, log) = project.Task(good, Item("wwwroot/missing.js", ("LogicalPath", "missing.js")));

        Assert.IsFalse(task.Execute());

        var message = AssertOneError(log, DiagnosticCodes.SourceFileMissing);
        Assert.Contains(Path.Combine(project.Dir, "wwwroot", "missing.js"), message);
        Assert.Contains("'missing.js'", message);
        Assert.Contains("Build the project before publishing", message);
        Snapshot.AssertUnchanged(before, project.Dest, "a missing source");
    }

    // ---------------------------------------------------------------- 14: read-only and full local destinations (tmpfs)

    [TestMethod]
    public async Task ReadOnlyDestination_SA3008_PreviousGenerationIntact()
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        using var tmpfs = Tmpfs.Mount(dest, "size=1m");
        var old = new AssetSource(temp.Write("src/old.css", "old"), "old.css");
        Assert.IsTrue((await PublishToFolderAsync([old], dest)).Result.Succeeded);
        var before = Snapshot.Of(dest);
        tmpfs.Remount("ro");
        var sources = new[] { old, new AssetSource(temp.Write("src/new.css", "new"), "new.css"), new AssetSource(temp.Write("src/js/app.js", "app()"), "js/app.js") };

        var (result, log) = await PublishToFolderAsync(sources, dest, temp.Combine("out/" + ManifestName));

        Assert.IsFalse(result.Succeeded);
        var message = AssertOneError(log, DiagnosticCodes.DestinationNotWritable);
        Assert.Contains("Read-only file system", message);
        Assert.Contains("publish again", message, StringComparison.OrdinalIgnoreCase);
        Snapshot.AssertUnchanged(before, dest, "a read-only destination");
        Assert.IsFalse(File.Exists(temp.Combine("out/" + ManifestName)), "a local manifest was written for a failed publish");
    }

    [TestMethod]
    public async Task FullDestination_SA3009_NoPartialObjectAndPreviousManifestByteIdentical()
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        using var tmpfs = Tmpfs.Mount(dest, "size=1m");
        var old = new AssetSource(temp.Write("src/old.css", "old"), "old.css");
        Assert.IsTrue((await PublishToFolderAsync([old], dest)).Result.Succeeded);
        var before = Snapshot.Of(dest);
        var sources = new[] { old, new AssetSource(temp.Write("src/video.mp4", RandomNumberGenerator.GetBytes(3 * MiB)), "media/video.mp4") };

        var (result, log) = await PublishToFolderAsync(sources, dest, temp.Combine("out/" + ManifestName));

        Assert.IsFalse(result.Succeeded);
        var message = AssertOneError(log, DiagnosticCodes.DestinationFull);
        Assert.Contains("No space left on device", message);
        Assert.Contains("publish again", message, StringComparison.OrdinalIgnoreCase);
        Snapshot.AssertUnchanged(before, dest, "a full destination"); // Also: no partial object, no .tmp file left.
        CollectionAssert.AreEqual(before[ManifestName], File.ReadAllBytes(Path.Combine(dest, ManifestName)));
    }

    // ---------------------------------------------------------------- 15: invalid remote manifest

    [TestMethod]
    [DataRow("garbage")]
    [DataRow("truncated JSON")]
    [DataRow("paths without assets")]
    [DataRow("size as a string")]
    [DataRow("not UTF-8")]
    public async Task InvalidRemoteManifest_SA2002_PublishSucceedsAndReplacesIt(string damage)
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        var sources = new[]
        {
            new AssetSource(temp.Write("src/css/site.css", "body{}"), "css/site.css"),
            new AssetSource(temp.Write("src/js/app.js", "app()"), "js/app.js"),
        };
        Assert.IsTrue((await PublishToFolderAsync(sources, dest)).Result.Succeeded);
        var manifestPath = Path.Combine(dest, ManifestName);
        var valid = File.ReadAllBytes(manifestPath);
        var text = Encoding.UTF8.GetString(valid);
        byte[] bad = damage switch
        {
            "garbage" => Encoding.UTF8.GetBytes("<html><body>502 Bad Gateway</body></html>"),
            "truncated JSON" => valid[..(valid.Length / 2)],
            "paths without assets" => Encoding.UTF8.GetBytes("""{"paths":{}}"""),
            "size as a string" => Encoding.UTF8.GetBytes(Regex.Replace(text, "\"size\": (\\d+)", "\"size\": \"$1\"")),
            "not UTF-8" => [.. Encoding.UTF8.GetBytes("{\"paths\":{\"a"), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\":\"b\"}}")],
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        CollectionAssert.AreNotEqual(valid, bad);
        File.WriteAllBytes(manifestPath, bad);

        var (result, log) = await PublishToFolderAsync(sources, dest, temp.Combine("out/" + ManifestName));

        Assert.IsTrue(result.Succeeded, Secrets.TextOf(log));
        Assert.HasCount(1, log.Diagnostics, Secrets.TextOf(log));
        Assert.AreEqual(DiagnosticCodes.InvalidRemoteManifest, log.Warnings.Single().Code);
        Assert.Contains($"'{ManifestName}'", log.Warnings[0].Message);
        Assert.Contains("The new manifest will replace it", log.Warnings[0].Message);
        var replaced = File.ReadAllBytes(manifestPath);
        Assert.IsTrue(AssetManifest.TryReadObjects(replaced, out var objects, out var problem), problem);
        Assert.HasCount(2, objects);
        CollectionAssert.AreEqual(valid, replaced, "the replacement is not the plan's manifest");
        CollectionAssert.AreEqual(replaced, File.ReadAllBytes(temp.Combine("out/" + ManifestName)));
    }

    // ---------------------------------------------------------------- 16, 18, 19, 20: settings and items

    [TestMethod]
    [DataRow("0")]
    [DataRow("-1")]
    [DataRow("abc")]
    [DataRow("513")]
    public void InvalidMaxConcurrency_SA1002(string value)
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(Item(project.Write("wwwroot/site.css", "body{}"), ("LogicalPath", "site.css")));
        task.MaxConcurrency = value;

        Assert.IsFalse(task.Execute());

        var message = AssertOneError(log, DiagnosticCodes.InvalidConcurrency);
        Assert.Contains("StaticAssetsMaxConcurrency", message);
        Assert.Contains(value, message);
        Assert.Contains("whole number from 1 to 512", message);
        Assert.IsFalse(Directory.Exists(Path.Combine(project.Dir, "bin")), "something was written");
    }

    [TestMethod]
    [DataRow("a/b.json")]
    [DataRow("..")]
    [DataRow("")]
    public async Task InvalidManifestName_SA1005(string name)
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        var sources = new[] { new AssetSource(temp.Write("src/site.css", "body{}"), "site.css") };

        await using (var store = new LocalFolderStore(dest))
        {
            var (result, log) = await PublishAsync(sources, store, new PublishOptions { Plan = Plans.OneObjectPerFile, ManifestName = name, LocalManifestPath = temp.Combine("out/m.json") });
            Assert.IsFalse(result.Succeeded);
            var message = AssertOneError(log, DiagnosticCodes.InvalidManifestName);
            Assert.Contains($"ManifestName '{name}'", message);
            Assert.Contains($"Use a plain name such as '{ManifestName}'", message);
        }
        Assert.IsEmpty(TestData.FilesUnder(temp.Combine("dest")), "something was written");
        Assert.IsFalse(Directory.Exists(temp.Combine("out")), "something was written");

        if (name.Length > 0)
        {
            // The same through the task (which takes an empty ManifestName as "use the default").
            using var project = new TaskProject();
            var (task, taskLog) = project.Task(Item(project.Write("wwwroot/site.css", "body{}"), ("LogicalPath", "site.css")));
            task.ManifestName = name;
            Assert.IsFalse(task.Execute());
            Assert.Contains("StaticAssetsManifestName", AssertOneError(taskLog, DiagnosticCodes.InvalidManifestName));
            Assert.IsFalse(Directory.Exists(Path.Combine(project.Dir, "bin")), "something was written");
        }
    }

    [TestMethod]
    public void ItemWithoutLogicalPath_SA1006()
    {
        using var project = new TaskProject();
        var good = Item(project.Write("wwwroot/good.css", "good"), ("LogicalPath", "good.css"));
        project.PublishBaseline(good);
        var before = Snapshot.Of(project.Dest);
        var (task, log) = project.Task(good, Item(project.Write("wwwroot/orphan.js", "x")));

        Assert.IsFalse(task.Execute());

        var message = AssertOneError(log, DiagnosticCodes.MissingLogicalPath);
        Assert.Contains("orphan.js", message);
        Assert.Contains("Add LogicalPath=", message);
        Snapshot.AssertUnchanged(before, project.Dest, "an item without LogicalPath");
    }

    [TestMethod]
    [DataRow("StaticAssetsS3ServiceUrl", "not a url", null)]
    [DataRow("StaticAssetsS3ServiceUrl", "ftp://x", null)]
    [DataRow("StaticAssetsS3ServiceUrl", "http://deploy:Pa55w0rd-9f3c7e@s3.example.com", "Pa55w0rd-9f3c7e")]
    [DataRow("StaticAssetsS3Region", "EU WEST", null)]
    [DataRow("StaticAssetsS3ForcePathStyle", "yes", null)]
    [DataRow("StaticAssetsS3ChecksumMode", "sometimes", null)]
    [DataRow("StaticAssetsMaxAttempts", "0", null)]
    [DataRow("StaticAssetsMaxAttempts", "21", null)]
    public void InvalidS3Setting_SA1007_NamesTheProperty(string property, string value, string? secret)
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(Item(project.Write("wwwroot/site.css", "body{}"), ("LogicalPath", "site.css")));
        task.Destination = "s3://my-bucket/site/";
        switch (property)
        {
            case "StaticAssetsS3ServiceUrl": task.S3ServiceUrl = value; break;
            case "StaticAssetsS3Region": task.S3Region = value; break;
            case "StaticAssetsS3ForcePathStyle": task.S3ForcePathStyle = value; break;
            case "StaticAssetsS3ChecksumMode": task.S3ChecksumMode = value; break;
            case "StaticAssetsMaxAttempts": task.MaxAttempts = value; break;
            default: Assert.Fail(property); break;
        }

        Assert.IsFalse(task.Execute());

        var message = AssertOneError(log, DiagnosticCodes.InvalidS3Setting, secret);
        Assert.Contains(property, message);
        Assert.Contains("it must be", message);
        Assert.IsFalse(Directory.Exists(Path.Combine(project.Dir, "bin")), "something was written");
    }

    // ---------------------------------------------------------------- 21, 22: orphan variant, cancel

    [TestMethod]
    public void CompressedCopyWithUnknownRelatedAsset_SA2003_NotPublished()
    {
        using var project = new TaskProject();
        var css = project.Write("wwwroot/css/site.css", "body{}");
        var gz = project.Write("obj/compressed/other.css.gz", RandomNumberGenerator.GetBytes(64));
        var (task, log) = project.Task(
            Item(css, ("LogicalPath", "css/site.css")),
            Item(gz, ("LogicalPath", "css/other.css.gz"), ("ContentEncoding", "gzip"), ("RelatedAsset", "css/other.css")));

        Assert.IsTrue(task.Execute(), log.Describe());

        var message = AssertOneWarning(log, DiagnosticCodes.OrphanVariant);
        Assert.Contains("'css/other.css'", message);
        Assert.Contains("Set RelatedAsset to the full path or the LogicalPath", message);
        var key = ExpectedKey("css/site.css", Encoding.UTF8.GetBytes("body{}"));
        CollectionAssert.AreEqual(new[] { key, ManifestName }.Order(StringComparer.Ordinal).ToArray(), TestData.FilesUnder(project.Dest));
    }

    [TestMethod]
    public void CanceledBeforeExecute_SA4001_PreviousGenerationIntact()
    {
        using var project = new TaskProject();
        var good = Item(project.Write("wwwroot/good.css", "good"), ("LogicalPath", "good.css"));
        project.PublishBaseline(good);
        var before = Snapshot.Of(project.Dest);
        var localBefore = File.ReadAllBytes(project.LocalManifest);
        var (task, log) = project.Task(good, Item(project.Write("wwwroot/new.js", "new()"), ("LogicalPath", "new.js")));

        task.Cancel();
        Assert.IsFalse(task.Execute());

        var message = AssertOneError(log, DiagnosticCodes.Canceled);
        Assert.Contains("canceled", message);
        Assert.Contains("still serves its previous manifest", message);
        Snapshot.AssertUnchanged(before, project.Dest, "a canceled publish");
        CollectionAssert.AreEqual(localBefore, File.ReadAllBytes(project.LocalManifest));
    }

    // ---------------------------------------------------------------- 17: files too large for S3

    [TestMethod]
    [DataRow(5L * 1024 * 1024 * 1024 + 1, DisplayName = "LargeFiles_PartSize (5 GiB + 1)")]
    [DataRow(100L * 1024 * 1024 * 1024, DisplayName = "LargeFiles_PartSize (100 GiB)")]
    [DataRow(5L * 1024 * 1024 * 1024 * 1024, DisplayName = "LargeFiles_PartSize (exactly 5 TiB)")]
    public void LargeFiles_PartSizeKeepsWithinS3Limits(long length)
    {
        var part = MultipartLimits.PartSizeFor(length, 8 * MiB) ?? throw new AssertFailedException($"{length} bytes were refused");

        Assert.IsGreaterThanOrEqualTo(5 * MiB, part);
        Assert.IsLessThanOrEqualTo(5L * 1024 * MiB, part);
        Assert.AreEqual(0, part % MiB, $"{part} is not a whole number of MiB");
        Assert.IsLessThanOrEqualTo(10_000L, (length + part - 1) / part);
    }

    [TestMethod]
    public async Task FileOverFiveTiB_SA3010_BeforeAnyRequest()
    {
        // The store refuses it from the planned length alone: nothing is read, nothing is sent (no server is needed).
        await using var store = S3Server.Store("any-bucket", "", new Uri("http://127.0.0.1:" + Ports.Closed()), 4);
        var write = new StoreWrite("media/huge.bin", 5L * 1024 * 1024 * 1024 * 1024 + 1, Sha256Digest.Compute([]), "application/octet-stream",
            null, "no-cache", () => throw new AssertFailedException("the content was opened"));

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.ObjectTooLarge, error.Code);
        Assert.Contains("'media/huge.bin'", error.Message);
        Assert.Contains("at most 5 TiB", error.Message);
        Assert.Contains("Remove it from the StaticAsset items", error.Message);
    }
}
