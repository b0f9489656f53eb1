namespace StaticAssets.Engine.Tests.Rewriting;

/// <summary>gzip and brotli copies: of compressible types only, only when they pay, always of the published bytes.</summary>
[TestClass]
public sealed class PrecompressionTests
{
    private static readonly string[] Both = ["gzip", "br"];

    private static string Repetitive(string unit, int times = 200) => string.Concat(Enumerable.Repeat(unit, times));

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static AssetTree MixedTree()
    {
        var tree = new AssetTree();
        tree.Add("img/logo.png", [0x89, 0x50, 0x4E, 0x47, .. Expected.Utf8(Repetitive("aaaa"))]);
        tree.Add("fonts/f.woff2", Expected.Utf8("wOF2" + Repetitive("bbbb")));
        tree.Add("img/icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\">" + Repetitive("<path d=\"M0 0h16v16H0z\"/>") + "</svg>");
        tree.Add("data/config.json", "[" + string.Join(',', Enumerable.Repeat("{\"name\":\"value\"}", 200)) + "]");
        tree.Add("js/app.js", Repetitive("console.log('hello world');\n"));
        tree.Add("css/site.css", ".logo { background: url(../img/logo.png); }\n" + Repetitive(".row { display: flex; }\n"));
        return tree;
    }

    /// <summary>Each variant decompresses to the primary's published bytes and is described correctly.</summary>
    /// <summary>A stylesheet with the SDK's compressed copies in <paramref name="encodings"/> (by encoding), and a script.</summary>
    private static (AssetTree Tree, Dictionary<string, string> Copies) WithSdkCopies(params string[] encodings)
    {
        var tree = new AssetTree();
        var css = Expected.Utf8(Repetitive(".a { color: red; }\n"));
        var copies = encodings.ToDictionary(e => e, e => tree.WriteOther("site.css" + ContentEncodings.Suffix(e), Expected.Compress(e, css)));
        tree.Add("css/site.css", css, variants: copies.Select(c => new AssetVariantSource(c.Value, c.Key)).ToArray());
        tree.Add("js/app.js", Repetitive("go();\n"));
        return (tree, copies);
    }

    private static void AssertVariants(PublishPlan? plan, string logicalPath, params string[] encodings)
    {
        var asset = plan.Asset(logicalPath);
        CollectionAssert.AreEqual(encodings.Order(StringComparer.Ordinal).ToArray(), asset.Variants.Select(v => v.Encoding).ToArray(), $"encodings of '{logicalPath}'");
        var primary = File.ReadAllBytes(asset.Object.SourcePath);
        foreach (var variant in asset.Variants)
        {
            var obj = variant.Object;
            obj.AssertDescribesItsFile();
            Assert.AreEqual(asset.Object.Key + (variant.Encoding == "gzip" ? ".gz" : ".br"), obj.Key);
            Assert.AreEqual(variant.Encoding, obj.ContentEncoding);
            Assert.AreEqual(asset.Object.ContentType, obj.ContentType);
            Assert.IsTrue(obj.Immutable);
            CollectionAssert.AreEqual(primary, Expected.Decompress(variant.Encoding, File.ReadAllBytes(obj.SourcePath)), $"{variant.Encoding} copy of '{logicalPath}'");
            Assert.IsLessThanOrEqualTo(primary.Length * 0.95, (double)obj.Size, $"{variant.Encoding} copy of '{logicalPath}' saves less than 5%");
        }
    }

    [TestMethod]
    public async Task CompressibleTypesGetBothVariantsOfTheirPublishedBytesAndImagesAndFontsGetNone()
    {
        using var tree = MixedTree();
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options with { Compression = Both }, log);

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        foreach (var path in new[] { "img/icon.svg", "data/config.json", "js/app.js", "css/site.css" })
        {
            AssertVariants(plan!, path, Both);
        }
        AssertVariants(plan!, "img/logo.png");
        AssertVariants(plan!, "fonts/f.woff2");
        // The stylesheet was rewritten: its copies are of the rewritten bytes.
        var expectedCss = File.ReadAllText(tree.SourceOf("css/site.css"))
            .Replace("../img/logo.png", "../" + Expected.Key("img/logo.png", tree.Read("img/logo.png")), StringComparison.Ordinal);
        foreach (var variant in plan!.Asset("css/site.css").Variants)
        {
            CollectionAssert.AreEqual(Expected.Utf8(expectedCss), Expected.Decompress(variant.Encoding, File.ReadAllBytes(variant.Object.SourcePath)));
        }
    }

    [TestMethod]
    public async Task BrotliCopiesAreMadeAtTheQualityAskedForAndAChangedQualityMakesNewOnes()
    {
        using var tree = new AssetTree();
        // Text like a stylesheet's, varied enough that quality matters (repeated text compresses alike at any quality),
        // and large enough (1.1 MB, many read blocks) that the encoder holds output back until the final flush.
        var random = new Random(7);
        var words = new[] { "display", "flex", "margin", "padding", "color", "border", "grid", "auto", "none", "solid" };
        tree.Add("css/big.css", string.Concat(Enumerable.Range(0, 25000).Select(i =>
            $".c{random.Next(100000)} {{ {words[random.Next(10)]}: {random.Next(1000)}px {words[random.Next(10)]}; }}\n")));
        var log = new RecordingLog();

        var fastest = (await tree.PlanAsync(tree.Options with { Compression = ["br"], BrotliQuality = 0 }, log)).Asset("css/big.css").Variants.Single();
        var smallest = (await tree.PlanAsync(tree.Options with { Compression = ["br"], BrotliQuality = 11 }, log)).Asset("css/big.css").Variants.Single();

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        var original = tree.Read("css/big.css");
        CollectionAssert.AreEqual(original, Expected.Decompress("br", File.ReadAllBytes(fastest.Object.SourcePath)));
        CollectionAssert.AreEqual(original, Expected.Decompress("br", File.ReadAllBytes(smallest.Object.SourcePath)));
        // Same work folder: quality 11 did not reuse quality 0's cached copy.
        Assert.AreNotEqual(fastest.Object.SourcePath, smallest.Object.SourcePath);
        Assert.IsLessThan(fastest.Object.Size * 0.9, (double)smallest.Object.Size, $"quality 11 ({smallest.Object.Size} bytes) vs 0 ({fastest.Object.Size})");
    }

    [TestMethod]
    public async Task AVariantThatSavesLessThanFivePercentIsNotKept()
    {
        using var tree = new AssetTree();
        tree.Add("js/random.js", RandomBytes(8192, seed: 42));
        tree.Add("js/tiny.js", "x();");
        tree.Add("css/site.css", Repetitive(".a{}"));

        var plan = await tree.PlanAsync(tree.Options with { Compression = Both }, new RecordingLog());

        AssertVariants(plan!, "js/random.js");
        AssertVariants(plan!, "js/tiny.js");
        AssertVariants(plan!, "css/site.css", Both);
    }

    [TestMethod]
    [DataRow("gzip", "br", DisplayName = "Only gzip makes only gzip and drops the SDK's brotli copy")]
    [DataRow(null, "gzip", DisplayName = "With compression unset the given copies of an unchanged file are kept and none are made")]
    public async Task OnlyTheChosenFormatsArePublished(string? compression, string given)
    {
        var (tree, copies) = WithSdkCopies(given);
        using var _ = tree;
        var copy = copies[given];

        var plan = await tree.PlanAsync(compression is null ? tree.Options : tree.Options with { Compression = [compression] }, new RecordingLog());

        if (compression is null)
        {
            Assert.AreEqual(copy, plan!.Asset("css/site.css").Variants.Single().Object.SourcePath);
            Assert.IsEmpty(plan.Asset("js/app.js").Variants);
            return;
        }
        AssertVariants(plan!, "css/site.css", compression);
        AssertVariants(plan!, "js/app.js", compression);
        Assert.IsFalse(plan!.Objects.Any(o => o.Key.EndsWith(".br", StringComparison.Ordinal)), "a brotli object is planned although only gzip is enabled");
    }

    [TestMethod]
    public async Task NoFormatsMeansNoVariantsEvenWhenTheSdkBroughtSome()
    {
        var (tree, _) = WithSdkCopies("gzip", "br");
        using var _ = tree;

        var plan = await tree.PlanAsync(tree.Options with { Compression = [] }, new RecordingLog());

        Assert.IsTrue(plan!.Assets.All(a => a.Variants.Count == 0), "a variant was planned with compression off");
        Assert.HasCount(2, plan.Objects);
    }

    [TestMethod]
    public async Task TheSdksCopiesOfAnUnchangedFileAreReused()
    {
        var (tree, copies) = WithSdkCopies("gzip", "br");
        using var _ = tree;
        var (gz, br) = (copies["gzip"], copies["br"]);

        var plan = await tree.PlanAsync(tree.Options with { Compression = Both }, new RecordingLog());

        var variants = plan!.Asset("css/site.css").Variants.ToDictionary(v => v.Encoding, v => v.Object.SourcePath);
        Assert.AreEqual(gz, variants["gzip"], "the SDK's gzip copy was not reused");
        Assert.AreEqual(br, variants["br"], "the SDK's brotli copy was not reused");
        AssertVariants(plan, "css/site.css", Both);
    }

    [TestMethod]
    public async Task TheSdksCopiesOfARewrittenFileAreReplacedByCopiesOfTheRewrittenBytes()
    {
        using var tree = new AssetTree();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1];
        tree.Add("img/a.png", png);
        var source = Expected.Utf8(".a { background: url(../img/a.png); }\n" + Repetitive(".b { color: red; }\n"));
        var gz = tree.WriteOther("site.css.gz", Expected.Compress("gzip", source));
        var br = tree.WriteOther("site.css.br", Expected.Compress("br", source));
        tree.Add("css/site.css", source, variants: [new AssetVariantSource(gz, "gzip"), new AssetVariantSource(br, "br")]);

        var plan = await tree.PlanAsync(tree.Options with { Compression = Both }, new RecordingLog());

        var rewritten = Expected.Utf8(System.Text.Encoding.UTF8.GetString(source)
            .Replace("../img/a.png", "../" + Expected.Key("img/a.png", png), StringComparison.Ordinal));
        CollectionAssert.AreEqual(rewritten, plan!.ContentOf("css/site.css"));
        AssertVariants(plan, "css/site.css", Both);
        foreach (var variant in plan.Asset("css/site.css").Variants)
        {
            Assert.AreNotEqual(gz, variant.Object.SourcePath);
            Assert.AreNotEqual(br, variant.Object.SourcePath);
            CollectionAssert.AreEqual(rewritten, Expected.Decompress(variant.Encoding, File.ReadAllBytes(variant.Object.SourcePath)),
                $"the {variant.Encoding} copy is of the source, not of the rewritten stylesheet");
        }
    }

    [TestMethod]
    public async Task ASecondPlanReusesTheRewrittenAndCompressedFilesOfTheWorkFolder()
    {
        using var tree = MixedTree();
        var options = tree.Options with { Compression = Both };
        var first = (await tree.PlanAsync(options, new RecordingLog()))!;
        var work = TestData.FilesUnder(tree.WorkDirectory);
        Assert.IsNotEmpty(work);
        // An old timestamp on every work file: a file written again would get a new one.
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var file in work)
        {
            File.SetLastWriteTimeUtc(Path.Combine(tree.WorkDirectory, file), old);
        }

        var second = (await tree.PlanAsync(options, new RecordingLog()))!;

        CollectionAssert.AreEqual(work, TestData.FilesUnder(tree.WorkDirectory), "the second plan added or removed work files");
        foreach (var file in work)
        {
            Assert.AreEqual(old, File.GetLastWriteTimeUtc(Path.Combine(tree.WorkDirectory, file)), $"'{file}' was written again");
        }
        CollectionAssert.AreEqual(
            first.Objects.Select(o => (o.Key, o.SourcePath)).ToArray(),
            second.Objects.Select(o => (o.Key, o.SourcePath)).ToArray(),
            "the second plan reads other files");
        CollectionAssert.AreEqual(first.Manifest(), second.Manifest());
    }
    [TestMethod]
    [DataRow("assets/index-0123abcd.js")]
    [DataRow("js/app.js")]
    public async Task AFileShippedWithItsOwnGzipCopyDoesNotGiveTwoObjectsTheSameKey(string logicalPath)
    {
        // A front-end build that writes .gz files next to its output (vite-plugin-compression, compression-webpack-plugin):
        // with no SDK static web assets, every file under wwwroot is an asset, the .gz ones included.
        using var tree = new AssetTree();
        var js = Expected.Utf8(Repetitive("render();\n"));
        tree.Add(logicalPath, js);
        tree.Add(logicalPath + ".gz", Expected.Compress("gzip", js));
        var options = tree.Options with
        {
            Compression = Both,
            KeepOriginalNames = true,
            FingerprintedNamePattern = new System.Text.RegularExpressions.Regex(PlanOptions.DefaultFingerprintedNamePattern),
        };

        var plan = (await tree.PlanAsync(options, new RecordingLog())).NotNull();

        var duplicates = plan.Objects.GroupBy(o => o.Key, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} ({string.Join(" / ", g.Select(o => $"{o.ContentType}, encoding {o.ContentEncoding ?? "none"}, {o.Sha256.Hex[..12]}"))})")
            .ToArray();
        Assert.IsEmpty(duplicates, "two planned objects share a key, so two different writes race for it: " + string.Join("; ", duplicates));
    }
}
