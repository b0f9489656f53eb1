namespace StaticAssets.Engine.Tests.Plan;

[TestClass]
public sealed class AssetPlannerTests
{
    /// <summary>An asset larger than the made-up compressed copies these tests give it (a copy is kept only at 95% or less).</summary>
    private const string LargerThanItsCopies = "body { margin: 0; padding: 0; color: #333; background: #fff; }";

    private static Task<PublishPlan?> PlanAsync(IReadOnlyList<AssetSource> sources, RecordingLog log, PlanOptions? options = null) =>
        AssetPlanner.PlanAsync(sources, options ?? Plans.OneObjectPerFile, log, CancellationToken.None);

    [TestMethod]
    public async Task PlanAsync_UsesTheGivenIntegrityInsteadOfHashingTheFile()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("site.css", "real content");
        // Valid, but of other bytes: if the planner hashed the file it would not get this digest.
        var integrity = TestData.Base64Sha256("what the SDK says");
        var log = new RecordingLog();

        var plan = await PlanAsync([new AssetSource(path, "css/site.css", integrity)], log);

        Assert.IsNotNull(plan);
        var obj = plan.Assets.Single().Object;
        Assert.AreEqual(TestData.HexSha256("what the SDK says"), obj.Sha256.Hex);
        Assert.AreNotEqual(TestData.HexSha256OfFile(path), obj.Sha256.Hex);
        Assert.AreEqual(FingerprintedKeys.For("css/site.css", obj.Sha256), obj.Key);
        Assert.IsEmpty(log.Diagnostics);
    }

    [TestMethod]
    public async Task PlanAsync_AcceptsTheIntegrityWithSha256Prefix()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("site.css", "real content");

        var plan = await PlanAsync([new AssetSource(path, "css/site.css", "sha256-" + TestData.Base64Sha256("given"))], new RecordingLog());

        Assert.AreEqual(TestData.HexSha256("given"), plan!.Assets.Single().Object.Sha256.Hex);
    }

    [TestMethod]
    public async Task PlanAsync_ComputesTheSha256AndSizeWhenIntegrityIsAbsent()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("js/app.js", "console.log('hi');");
        var log = new RecordingLog();

        var plan = await PlanAsync([new AssetSource(path, "js/app.js")], log);

        var obj = plan!.Assets.Single().Object;
        Assert.AreEqual(TestData.HexSha256OfFile(path), obj.Sha256.Hex);
        Assert.AreEqual(new FileInfo(path).Length, obj.Size);
        Assert.AreEqual(path, obj.SourcePath);
        Assert.IsNull(obj.ContentEncoding);
        Assert.IsEmpty(log.Diagnostics);
    }

    [TestMethod]
    public async Task PlanAsync_ComputesTheSha256WhenIntegrityIsNotAValidDigest()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("js/app.js", "console.log('hi');");

        var plan = await PlanAsync([new AssetSource(path, "js/app.js", "not-a-digest")], new RecordingLog());

        Assert.AreEqual(TestData.HexSha256OfFile(path), plan!.Assets.Single().Object.Sha256.Hex);
    }

    [TestMethod]
    public async Task PlanAsync_DuplicateLogicalPath_FirstWinsWithOneSA2001Warning()
    {
        using var temp = new TempDirectory();
        var first = temp.Write("a/site.css", "first");
        var second = temp.Write("b/site.css", "second");
        var log = new RecordingLog();

        var plan = await PlanAsync([new AssetSource(first, "css/site.css"), new AssetSource(second, "css/site.css")], log);

        Assert.IsNotNull(plan);
        var asset = plan.Assets.Single();
        Assert.AreEqual(first, asset.Object.SourcePath);
        Assert.AreEqual(TestData.HexSha256("first"), asset.Object.Sha256.Hex);
        var warning = log.Diagnostics.Single();
        Assert.AreEqual(DiagnosticCodes.DuplicateLogicalPath, warning.Code);
        Assert.AreEqual(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains(first, warning.Message);
        Assert.Contains(second, warning.Message);
    }

    [TestMethod]
    public async Task PlanAsync_MissingSourceFile_IsSA1004ErrorAndNoPlan()
    {
        using var temp = new TempDirectory();
        var present = temp.Write("ok.css", "ok");
        var missing = temp.Combine("missing.css");
        var log = new RecordingLog();

        var plan = await PlanAsync([new AssetSource(present, "ok.css"), new AssetSource(missing, "missing.css")], log);

        Assert.IsNull(plan);
        var error = log.Diagnostics.Single();
        Assert.AreEqual(DiagnosticCodes.SourceFileMissing, error.Code);
        Assert.AreEqual(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains(missing, error.Message);
    }

    [TestMethod]
    public async Task PlanAsync_MissingVariantFile_IsSA1004ErrorAndNoPlan()
    {
        using var temp = new TempDirectory();
        var primary = temp.Write("site.css", "ok");
        var missing = temp.Combine("site.css.gz");
        var log = new RecordingLog();

        var plan = await PlanAsync([new AssetSource(primary, "site.css", Variants: [new AssetVariantSource(missing, "gzip")])], log);

        Assert.IsNull(plan);
        Assert.AreEqual(DiagnosticCodes.SourceFileMissing, log.Errors.Single().Code);
        Assert.Contains(missing, log.Errors.Single().Message);
    }

    [TestMethod]
    public async Task PlanAsync_InvalidLogicalPath_IsSA1003ErrorAndNoPlan()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("x.css", "x");
        var log = new RecordingLog();

        var plan = await PlanAsync([new AssetSource(path, "../x.css")], log);

        Assert.IsNull(plan);
        var error = log.Diagnostics.Single();
        Assert.AreEqual(DiagnosticCodes.InvalidLogicalPath, error.Code);
        Assert.AreEqual(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains("../x.css", error.Message);
    }

    [TestMethod]
    public async Task PlanAsync_ReportsEveryInvalidInput_NotJustTheFirst()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("x.css", "x");
        var log = new RecordingLog();

        var plan = await PlanAsync(
            [new AssetSource(path, "/abs.css"), new AssetSource(temp.Combine("gone.css"), "gone.css"), new AssetSource(path, "a\\b.css")],
            log);

        Assert.IsNull(plan);
        CollectionAssert.AreEqual(
            new[] { DiagnosticCodes.AbsoluteLogicalPath, DiagnosticCodes.SourceFileMissing, DiagnosticCodes.BackslashInLogicalPath },
            log.Errors.Select(e => e.Code).ToArray());
    }

    [TestMethod]
    public async Task PlanAsync_VariantsGetThePrimaryKeyPlusSuffix_TheirEncodingAndThePrimaryContentType()
    {
        using var temp = new TempDirectory();
        var primary = temp.Write("site.css", LargerThanItsCopies);
        var gz = temp.Write("site.css.gz", "gzip bytes");
        var br = temp.Write("site.css.br", "brotli bytes");
        var log = new RecordingLog();

        var plan = await PlanAsync(
            [new AssetSource(primary, "css/site.css", Variants: [new AssetVariantSource(gz, "gzip"), new AssetVariantSource(br, "br")])], log);

        Assert.IsNotNull(plan);
        Assert.IsEmpty(log.Diagnostics);
        var asset = plan.Assets.Single();
        Assert.AreEqual("text/css", asset.Object.ContentType);
        // Sorted by encoding: br before gzip.
        CollectionAssert.AreEqual(new[] { "br", "gzip" }, asset.Variants.Select(v => v.Encoding).ToArray());
        var brObject = asset.Variants[0].Object;
        var gzObject = asset.Variants[1].Object;
        Assert.AreEqual(asset.Object.Key + ".br", brObject.Key);
        Assert.AreEqual(asset.Object.Key + ".gz", gzObject.Key);
        Assert.AreEqual("br", brObject.ContentEncoding);
        Assert.AreEqual("gzip", gzObject.ContentEncoding);
        Assert.AreEqual("text/css", brObject.ContentType);
        Assert.AreEqual("text/css", gzObject.ContentType);
        Assert.AreEqual(TestData.HexSha256OfFile(gz), gzObject.Sha256.Hex);
        Assert.AreEqual(TestData.HexSha256OfFile(br), brObject.Sha256.Hex);
        Assert.AreEqual(new FileInfo(gz).Length, gzObject.Size);
        Assert.AreEqual(gz, gzObject.SourcePath);
        // The plan's object list holds primary and variants, sorted by key.
        CollectionAssert.AreEqual(
            new[] { asset.Object.Key, brObject.Key, gzObject.Key }.Order(StringComparer.Ordinal).ToArray(),
            plan.Objects.Select(o => o.Key).ToArray());
        Assert.AreEqual(new FileInfo(primary).Length + new FileInfo(gz).Length + new FileInfo(br).Length, plan.TotalBytes);
    }

    [TestMethod]
    public async Task PlanAsync_VariantUsesItsGivenIntegrity()
    {
        using var temp = new TempDirectory();
        var primary = temp.Write("site.css", LargerThanItsCopies);
        var gz = temp.Write("site.css.gz", "gzip bytes");

        var plan = await PlanAsync(
            [new AssetSource(primary, "site.css", Variants: [new AssetVariantSource(gz, "gzip", TestData.Base64Sha256("sdk gz"))])],
            new RecordingLog());

        Assert.AreEqual(TestData.HexSha256("sdk gz"), plan!.Assets.Single().Variants.Single().Object.Sha256.Hex);
    }

    [TestMethod]
    public async Task PlanAsync_EncodingNamesAreNormalizedToLowerCase()
    {
        using var temp = new TempDirectory();
        var primary = temp.Write("app.js", LargerThanItsCopies);
        var gz = temp.Write("app.js.gz", "gz");

        var plan = await PlanAsync([new AssetSource(primary, "app.js", Variants: [new AssetVariantSource(gz, "GZIP")])], new RecordingLog());

        var variant = plan!.Assets.Single().Variants.Single();
        Assert.AreEqual("gzip", variant.Encoding);
        Assert.AreEqual("gzip", variant.Object.ContentEncoding);
        Assert.EndsWith(".gz", variant.Object.Key);
    }

    [TestMethod]
    public async Task PlanAsync_UnknownEncoding_IsSA2003WarningAndTheVariantIsDropped()
    {
        using var temp = new TempDirectory();
        var primary = temp.Write("app.js", LargerThanItsCopies);
        var deflated = temp.Write("app.js.deflate", "d");
        var gz = temp.Write("app.js.gz", "gz");
        var log = new RecordingLog();

        var plan = await PlanAsync(
            [new AssetSource(primary, "app.js", Variants: [new AssetVariantSource(deflated, "deflate"), new AssetVariantSource(gz, "gzip")])], log);

        Assert.IsNotNull(plan);
        var warning = log.Diagnostics.Single();
        Assert.AreEqual(DiagnosticCodes.OrphanVariant, warning.Code);
        Assert.AreEqual(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("deflate", warning.Message);
        Assert.AreEqual("gzip", plan.Assets.Single().Variants.Single().Encoding);
        Assert.IsFalse(plan.Objects.Any(o => o.SourcePath == deflated));
        Assert.HasCount(2, plan.Objects);
    }

    [TestMethod]
    public async Task PlanAsync_TwoVariantsWithTheSameEncoding_FirstWinsWithAWarning()
    {
        using var temp = new TempDirectory();
        var primary = temp.Write("app.js", LargerThanItsCopies);
        var gz1 = temp.Write("one/app.js.gz", "gz1");
        var gz2 = temp.Write("two/app.js.gz", "gz2");
        var log = new RecordingLog();

        var plan = await PlanAsync(
            [new AssetSource(primary, "app.js", Variants: [new AssetVariantSource(gz1, "gzip"), new AssetVariantSource(gz2, "gzip")])], log);

        Assert.AreEqual(gz1, plan!.Assets.Single().Variants.Single().Object.SourcePath);
        Assert.AreEqual(DiagnosticCodes.DuplicateLogicalPath, log.Warnings.Single().Code);
    }

    [TestMethod]
    public async Task PlanAsync_ContentTypeFromTheSourceBeatsTheExtensionTable()
    {
        using var temp = new TempDirectory();
        var css = temp.Write("site.css", "x");
        var bin = temp.Write("data.unknownext", "y");
        var json = temp.Write("data.json", "{}");

        var plan = await PlanAsync(
            [
                new AssetSource(css, "site.css", ContentType: "text/plain; charset=utf-8"),
                new AssetSource(bin, "data.unknownext"),
                new AssetSource(json, "data.json", ContentType: "  "),
            ],
            new RecordingLog());

        var byPath = plan!.Assets.ToDictionary(a => a.LogicalPath, a => a.Object.ContentType);
        Assert.AreEqual("text/plain; charset=utf-8", byPath["site.css"]);
        Assert.AreEqual(ContentTypes.Default, byPath["data.unknownext"]);
        Assert.AreEqual("application/json", byPath["data.json"]);
    }

    [TestMethod]
    public async Task PlanAsync_CacheControlComesFromTheOptions()
    {
        using var temp = new TempDirectory();
        var primary = temp.Write("app.js", LargerThanItsCopies);
        var gz = temp.Write("app.js.gz", "gz");
        var options = Plans.OneObjectPerFile with { CacheControl = "public, max-age=600" };

        var plan = await PlanAsync([new AssetSource(primary, "app.js", Variants: [new AssetVariantSource(gz, "gzip")])], new RecordingLog(), options);

        Assert.HasCount(2, plan!.Objects);
        Assert.IsTrue(plan.Objects.All(o => o.CacheControl == "public, max-age=600"));
    }

    [TestMethod]
    public async Task PlanAsync_DefaultCacheControlIsImmutable()
    {
        using var temp = new TempDirectory();
        var primary = temp.Write("app.js", "x");

        var plan = await PlanAsync([new AssetSource(primary, "app.js")], new RecordingLog());

        Assert.AreEqual(PlanOptions.ImmutableCacheControl, plan!.Objects.Single().CacheControl);
    }

    [TestMethod]
    public async Task PlanAsync_AssetsAreSortedByLogicalPathWhateverTheInputOrder()
    {
        using var temp = new TempDirectory();
        var names = new[] { "z.css", "a/b.js", "B.png", "a.txt", "m/n/o.svg" };
        var sources = names.Select(n => new AssetSource(temp.Write(n, n), n)).Reverse().ToArray();

        var plan = await PlanAsync(sources, new RecordingLog());

        CollectionAssert.AreEqual(names.Order(StringComparer.Ordinal).ToArray(), plan!.Assets.Select(a => a.LogicalPath).ToArray());
    }

    [TestMethod]
    public async Task PlanAsync_CanceledToken_Throws()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("x.css", "x");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(
            () => AssetPlanner.PlanAsync([new AssetSource(path, "x.css")], Plans.OneObjectPerFile, new RecordingLog(), cts.Token));
    }
}
