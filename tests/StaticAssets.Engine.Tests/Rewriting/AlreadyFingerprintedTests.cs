namespace StaticAssets.Engine.Tests.Rewriting;

/// <summary>Names that already carry a content hash are never hashed twice, and references to them stay as written.</summary>
[TestClass]
public sealed class AlreadyFingerprintedTests
{
    private static readonly Regex Pattern = new(PlanOptions.DefaultFingerprintedNamePattern);

    /// <summary>Names bundlers give their content-hashed output.</summary>
    public static IEnumerable<object[]> BundlerOutputNames => TestData.Rows("js/app.3f9a1c2b.js", "css/chunk-0123abcd.css", "js/vendor.0123456789abcdef.min.js",
        "fonts/icons.DEADBEEF.woff2");

    [TestMethod]
    [DynamicData(nameof(BundlerOutputNames))]
    public async Task ANameMatchingThePatternIsItsOwnKey(string logicalPath)
    {
        using var tree = new AssetTree();
        tree.Add(logicalPath, "/* bundled */\n");
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options with { FingerprintedNamePattern = Pattern }, log);

        Assert.AreEqual(logicalPath, plan!.KeyOf(logicalPath));
        Assert.IsEmpty(log.Diagnostics, log.Dump());
    }

    /// <summary>Names without a content hash, versioned ones included.</summary>
    public static IEnumerable<object[]> PlainNames => TestData.Rows("js/app.js", "js/jquery-3.7.1.min.js", "css/bootstrap.min.css", "img/cafe.png");

    [TestMethod]
    [DynamicData(nameof(PlainNames))]
    public async Task ANameNotMatchingThePatternIsFingerprinted(string logicalPath)
    {
        using var tree = new AssetTree();
        tree.Add(logicalPath, "x");

        var plan = await tree.PlanAsync(tree.Options with { FingerprintedNamePattern = Pattern }, new RecordingLog());

        Assert.AreEqual(Expected.Key(logicalPath, "x"), plan!.KeyOf(logicalPath));
    }

    [TestMethod]
    public async Task WithoutAPatternABundlerNameIsHashedAgain()
    {
        using var tree = new AssetTree();
        tree.Add("js/app.3f9a1c2b.js", "x");

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        Assert.AreEqual(Expected.Key("js/app.3f9a1c2b.js", "x"), plan!.KeyOf("js/app.3f9a1c2b.js"), "PlanOptions without a pattern fingerprints every name");
    }

    [TestMethod]
    public async Task AnAssetMarkedAlreadyFingerprintedKeepsItsName()
    {
        using var tree = new AssetTree();
        tree.Add("_content/Lib/Lib.bundle.scp.css", ".lib { color: red; }\n", alreadyFingerprinted: true);

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        Assert.AreEqual("_content/Lib/Lib.bundle.scp.css", plan!.KeyOf("_content/Lib/Lib.bundle.scp.css"));
    }

    [TestMethod]
    public async Task AStylesheetReferringToAlreadyFingerprintedFilesKeepsThoseUrls()
    {
        using var tree = new AssetTree();
        tree.Add("fonts/icons.0123abcdef.woff2", [1, 2, 3]);
        tree.Add("css/chunk-0123abcd.css", ".chunk { color: red; }\n");
        tree.Add("_content/Lib/Lib.bundle.scp.css", ".lib { color: red; }\n", alreadyFingerprinted: true);
        tree.Add("img/plain.png", [4, 5, 6]);
        const string css = "@import \"chunk-0123abcd.css\";\n@import url(../_content/Lib/Lib.bundle.scp.css);\n"
            + "@font-face { src: url(\"../fonts/icons.0123abcdef.woff2?#iefix\"); }\n.p { background: url(../img/plain.png); }\n";
        tree.Add("css/site.css", css);
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options with { FingerprintedNamePattern = Pattern }, log);

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        var expected = css.Replace("../img/plain.png", "../" + Expected.Key("img/plain.png", [4, 5, 6]), StringComparison.Ordinal);
        Assert.AreEqual(expected, plan!.TextOf("css/site.css"), "only the plain image's URL may change");
        Assert.AreEqual(Expected.Key("css/site.css", expected), plan.KeyOf("css/site.css"));
        Assert.AreEqual("fonts/icons.0123abcdef.woff2", plan.KeyOf("fonts/icons.0123abcdef.woff2"));
        Assert.AreEqual("css/chunk-0123abcd.css", plan.KeyOf("css/chunk-0123abcd.css"));
    }

    [TestMethod]
    public async Task AStylesheetReferringOnlyToFingerprintedFilesIsPublishedFromItsSource()
    {
        using var tree = new AssetTree();
        tree.Add("js/app.3f9a1c2b.js", "console.log(1);\n");
        tree.Add("js/app.3f9a1c2b.js.map", "{}");
        const string css = "@import url(\"chunk-0123abcd.css\");\n";
        tree.Add("css/chunk-0123abcd.css", ".c{}");
        tree.Add("css/site.css", css);

        var plan = await tree.PlanAsync(tree.Options with { FingerprintedNamePattern = Pattern }, new RecordingLog());

        Assert.AreEqual(tree.SourceOf("css/site.css"), plan!.Asset("css/site.css").Object.SourcePath);
        Assert.AreEqual(Expected.Key("css/site.css", css), plan.KeyOf("css/site.css"));
    }
    [TestMethod]
    [DataRow("css/bundle.0123abcdef.css", false)]
    [DataRow("_content/Lib/Lib.bundle.scp.css", true)]
    public async Task AnAlreadyFingerprintedStylesheetNeverGetsOtherBytesUnderTheSameKey(string logicalPath, bool marked)
    {
        // A bundle (hashed by its bundler, or by the SDK) that refers to an image we fingerprint. The image changes;
        // the bundle's source does not. Same key must mean same bytes: an immutable cache never fetches it again.
        using var tree = new AssetTree();
        tree.Add("img/plain.png", [1, 2, 3]);
        tree.Add(logicalPath, ".hero { background: url(/img/plain.png); }\n", alreadyFingerprinted: marked);
        var options = tree.Options with { FingerprintedNamePattern = Pattern };
        var before = (await tree.PlanAsync(options, new RecordingLog())).NotNull();

        tree.Change("img/plain.png", [1, 2, 4]);
        var after = (await tree.PlanAsync(options, new RecordingLog())).NotNull();

        Assert.AreNotEqual(before.KeyOf("img/plain.png"), after.KeyOf("img/plain.png"));
        if (before.KeyOf(logicalPath) == after.KeyOf(logicalPath))
        {
            CollectionAssert.AreEqual(before.ContentOf(logicalPath), after.ContentOf(logicalPath),
                $"'{logicalPath}' kept its key '{after.KeyOf(logicalPath)}' but its bytes changed (now: {after.TextOf(logicalPath).Trim()})");
        }
        // Whatever it is published as, it must not point at a stale image key.
        Assert.DoesNotContain(before.KeyOf("img/plain.png"), after.TextOf(logicalPath));
    }
}
