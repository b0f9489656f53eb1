namespace StaticAssets.Engine.Tests.Publishing;

/// <summary>
/// Input that is not the user's mistake but must not hurt: files that change or vanish mid-publish, a damaged manifest
/// at the destination, symbolic links, files S3 cannot take. Each gets its code and leaves what was published intact.
/// </summary>
[TestClass]
public sealed class UnusualInputTests
{
    private const string ManifestName = AssetManifest.DefaultName;

    private static async Task<(PublishResult Result, RecordingLog Log)> PublishAsync(IReadOnlyList<AssetSource> sources, IAssetStore store, string? localManifest = null)
    {
        var log = new RecordingLog();
        await using (store)
        {
            var options = new PublishOptions { Plan = Plans.OneObjectPerFile, LocalManifestPath = localManifest };
            return (await StaticAssetPublisher.PublishAsync(sources, store, options, log, CancellationToken.None).Guard(), log);
        }
    }

    private static string PathOf(string root, string key) => Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>A destination that serves a generation of old.css, and the sources of the next publish beside it.</summary>
    private static async Task<(AssetSource Old, Dictionary<string, byte[]> Before)> PublishedOnceAsync(TempDirectory temp, string dest)
    {
        var old = new AssetSource(temp.Write("src/old.css", "old"), "old.css");
        Assert.IsTrue((await PublishAsync([old], new LocalFolderStore(dest))).Result.Succeeded);
        return (old, Snapshot.Of(dest));
    }

    [TestMethod]
    public async Task AFileDeletedAfterPlanningIsSA3007AndThePreviousManifestStays()
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        var (old, before) = await PublishedOnceAsync(temp, dest);
        var doomed = temp.Write("src/doomed.js", "doomed()");
        var sources = new[] { old, new AssetSource(doomed, "doomed.js"), new AssetSource(temp.Write("src/kept.js", "kept()"), "kept.js") };

        var (result, log) = await PublishAsync(sources, new RecordingStore(new LocalFolderStore(dest)) { BeforeWrite = RecordingStore.Once(() => File.Delete(doomed)) });

        Assert.IsFalse(result.Succeeded);
        var message = ManifestAssert.OneError(log, DiagnosticCodes.SourceDeleted);
        Assert.Contains(doomed, message);
        Assert.Contains("publish again", message, StringComparison.OrdinalIgnoreCase);
        Assert.IsFalse(File.Exists(PathOf(dest, Expected.Key("doomed.js", "doomed()"))));
        CollectionAssert.AreEqual(before[ManifestName], File.ReadAllBytes(Path.Combine(dest, ManifestName)), "the previous manifest changed");
        Assert.IsFalse(TestData.FilesUnder(dest).Any(f => f.EndsWith(".tmp", StringComparison.Ordinal)), "a temporary file was left");
    }

    [TestMethod]
    [DataRow(false, DisplayName = "A file changed after planning is SA3003 (different length)")]
    [DataRow(true, DisplayName = "A file changed after planning is SA3003 (same length)")]
    public async Task AFileChangedAfterPlanningIsSA3003AndNotStored(bool sameLength)
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        var (old, before) = await PublishedOnceAsync(temp, dest);
        var original = RandomNumberGenerator.GetBytes(200_000);
        var changing = temp.Write("src/img/photo.jpg", original);
        var changed = sameLength ? original.ToArray() : [.. original, 1, 2, 3];
        changed[100_000] ^= 0x5a;

        var (result, log) = await PublishAsync([old, new AssetSource(changing, "img/photo.jpg")],
            new RecordingStore(new LocalFolderStore(dest)) { BeforeWrite = RecordingStore.Once(() => File.WriteAllBytes(changing, changed)) });

        Assert.IsFalse(result.Succeeded);
        var message = ManifestAssert.OneError(log, DiagnosticCodes.SourceChanged);
        Assert.Contains(changing, message);
        Assert.Contains("changed after it was planned", message);
        var key = Expected.Key("img/photo.jpg", original);
        Assert.IsFalse(File.Exists(PathOf(dest, key)), $"'{key}' was stored with bytes that are not the planned ones");
        Snapshot.AssertUnchanged(before, dest, "a file changed mid-publish"); // Also: no temporary file left.
    }

    /// <summary>Ways a manifest at the destination can be damaged.</summary>
    public static IEnumerable<object[]> Damages => TestData.Rows("garbage", "truncated JSON", "paths without assets", "size as a string", "not UTF-8");

    [TestMethod]
    [DynamicData(nameof(Damages))]
    public async Task ADamagedManifestAtTheDestinationIsSA2002AndReplaced(string damage)
    {
        using var temp = new TempDirectory();
        var dest = temp.Combine("dest");
        var sources = new[]
        {
            new AssetSource(temp.Write("src/css/site.css", "body{}"), "css/site.css"),
            new AssetSource(temp.Write("src/js/app.js", "app()"), "js/app.js"),
        };
        Assert.IsTrue((await PublishAsync(sources, new LocalFolderStore(dest))).Result.Succeeded);
        var manifestPath = Path.Combine(dest, ManifestName);
        var valid = File.ReadAllBytes(manifestPath);
        byte[] bad = damage switch
        {
            "garbage" => Encoding.UTF8.GetBytes("<html><body>502 Bad Gateway</body></html>"),
            "truncated JSON" => valid[..(valid.Length / 2)],
            "paths without assets" => Encoding.UTF8.GetBytes("""{"paths":{}}"""),
            "size as a string" => Encoding.UTF8.GetBytes(Regex.Replace(Encoding.UTF8.GetString(valid), "\"size\": (\\d+)", "\"size\": \"$1\"")),
            "not UTF-8" => [.. Encoding.UTF8.GetBytes("{\"paths\":{\"a"), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\":\"b\"}}")],
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        File.WriteAllBytes(manifestPath, bad);

        var (result, log) = await PublishAsync(sources, new LocalFolderStore(dest), temp.Combine("out/" + ManifestName));

        Assert.IsTrue(result.Succeeded, Secrets.TextOf(log));
        Assert.AreEqual(DiagnosticCodes.InvalidRemoteManifest, log.Diagnostics.Single().Code);
        Assert.Contains($"'{ManifestName}'", log.Warnings[0].Message);
        Assert.Contains("The new manifest will replace it", log.Warnings[0].Message);
        CollectionAssert.AreEqual(valid, File.ReadAllBytes(manifestPath), "the replacement is not the plan's manifest");
        CollectionAssert.AreEqual(valid, File.ReadAllBytes(temp.Combine("out/" + ManifestName)));
    }

    [TestMethod]
    public async Task ASymbolicLinkIsPublishedWithItsTargetsBytes()
    {
        using var temp = new TempDirectory();
        var content = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray();
        var target = temp.Write("shared/logo.svg", content);
        var link = temp.Combine("wwwroot/img/logo.svg");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, target);
        var dest = temp.Combine("dest");

        var (result, log) = await PublishAsync([new AssetSource(link, "img/logo.svg")], new LocalFolderStore(dest));

        Assert.IsTrue(result.Succeeded, Secrets.TextOf(log));
        Assert.IsEmpty(log.Diagnostics, Secrets.TextOf(log));
        var stored = PathOf(dest, Expected.Key("img/logo.svg", content));
        CollectionAssert.AreEqual(content, File.ReadAllBytes(stored));
        Assert.IsNull(new FileInfo(stored).LinkTarget, "the destination holds a symlink, not the bytes");
        ManifestAssert.Maps(File.ReadAllBytes(Path.Combine(dest, ManifestName)), "img/logo.svg", Expected.Key("img/logo.svg", content), content);
    }

    [TestMethod]
    [DataRow(5L * 1024 * 1024 * 1024 + 1, DisplayName = "Part sizes keep large files within S3's limits (5 GiB + 1)")]
    [DataRow(100L * 1024 * 1024 * 1024, DisplayName = "Part sizes keep large files within S3's limits (100 GiB)")]
    [DataRow(5L * 1024 * 1024 * 1024 * 1024, DisplayName = "Part sizes keep large files within S3's limits (exactly 5 TiB)")]
    public void PartSizesKeepLargeFilesWithinS3sLimits(long length)
    {
        const int MiB = 1024 * 1024;
        var part = MultipartLimits.PartSizeFor(length, 8 * MiB) ?? throw new AssertFailedException($"{length} bytes were refused");

        Assert.IsGreaterThanOrEqualTo(5 * MiB, part);
        Assert.IsLessThanOrEqualTo(5L * 1024 * MiB, part);
        Assert.AreEqual(0, part % MiB, $"{part} is not a whole number of MiB");
        Assert.IsLessThanOrEqualTo(10_000L, (length + part - 1) / part);
    }

    [TestMethod]
    public async Task AFileOverFiveTiBIsSA3010BeforeAnyRequest()
    {
        // The S3 store refuses it from the planned length alone: nothing is read, nothing is sent (no server needed).
        await using var store = new S3AssetStore(new S3Destination("any-bucket", ""), new StoreSettings
        {
            S3 = new S3Settings { ServiceUrl = new Uri("http://127.0.0.1:" + Ports.Closed()), ForcePathStyle = true },
        });
        var write = new StoreWrite("media/huge.bin", 5L * 1024 * 1024 * 1024 * 1024 + 1, Sha256Digest.Compute([]), "application/octet-stream",
            null, "no-cache", () => throw new AssertFailedException("the content was opened"));

        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.ObjectTooLarge, error.Code);
        Assert.Contains("'media/huge.bin'", error.Message);
        Assert.Contains("at most 5 TiB", error.Message);
        Assert.Contains("Remove it from the StaticAsset items", error.Message);
    }
}
