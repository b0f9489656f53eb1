namespace StaticAssets.Engine.Tests.Rewriting;

/// <summary>KeepOriginalNames: un-fingerprinted copies with a short cache policy, written after every immutable object.</summary>
[TestClass]
public sealed class OriginalNamesTests
{
    private const string ShortCache = "public, max-age=60";
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 3, 1, 4];

    private static AssetTree Tree()
    {
        var tree = new AssetTree();
        tree.Add("img/a.png", Png);
        tree.Add("css/site.css", ".a { background: url(../img/a.png); }\n" + string.Concat(Enumerable.Repeat(".b { color: red; }\n", 100)));
        tree.Add("js/app.js", string.Concat(Enumerable.Repeat("console.log('x');\n", 100)));
        tree.Add("js/chunk.0123abcdef.js", string.Concat(Enumerable.Repeat("chunk();\n", 100)));
        return tree;
    }

    private static PlanOptions Options(AssetTree tree) => tree.Options with
    {
        Compression = ["gzip", "br"],
        KeepOriginalNames = true,
        OriginalsCacheControl = ShortCache,
        FingerprintedNamePattern = new Regex(PlanOptions.DefaultFingerprintedNamePattern),
    };

    [TestMethod]
    public async Task EachAssetAlsoGetsAMutableCopyUnderItsLogicalPathWithItsCompressedCopies()
    {
        using var tree = Tree();

        var plan = (await tree.PlanAsync(Options(tree), new RecordingLog()))!;

        foreach (var path in new[] { "img/a.png", "css/site.css", "js/app.js" })
        {
            var asset = plan.Asset(path);
            var original = asset.Original;
            Assert.IsNotNull(original, $"'{path}' has no un-fingerprinted copy");
            Assert.AreEqual(path, original.Object.Key);
            Assert.AreEqual(ShortCache, original.Object.CacheControl);
            Assert.IsFalse(original.Object.Immutable);
            Assert.IsNull(original.Object.ContentEncoding);
            Assert.AreEqual(asset.Object.ContentType, original.Object.ContentType);
            Assert.AreEqual(asset.Object.SourcePath, original.Object.SourcePath, "the copy has the published (rewritten) bytes");
            Assert.AreEqual(asset.Object.Sha256, original.Object.Sha256);
            Assert.AreEqual(PlanOptions.ImmutableCacheControl, asset.Object.CacheControl);
            Assert.IsTrue(asset.Object.Immutable);
            CollectionAssert.AreEqual(asset.Variants.Select(v => v.Encoding).ToArray(), original.Variants.Select(v => v.Encoding).ToArray());
            foreach (var (variant, copy) in asset.Variants.Zip(original.Variants))
            {
                Assert.AreEqual(path + (variant.Encoding == "gzip" ? ".gz" : ".br"), copy.Object.Key);
                Assert.AreEqual(variant.Encoding, copy.Object.ContentEncoding);
                Assert.AreEqual(ShortCache, copy.Object.CacheControl);
                Assert.IsFalse(copy.Object.Immutable);
                Assert.AreEqual(variant.Object.SourcePath, copy.Object.SourcePath);
                Assert.AreEqual(PlanOptions.ImmutableCacheControl, variant.Object.CacheControl);
            }
        }
        Assert.HasCount(2, plan.Asset("css/site.css").Original!.Variants);
        Assert.IsEmpty(plan.Asset("img/a.png").Original!.Variants);
    }

    [TestMethod]
    public async Task TheManifestNamesTheOriginalAndAnAlreadyFingerprintedAssetHasNone()
    {
        using var tree = Tree();
        tree.Add("_content/Lib/Lib.bundle.scp.css", ".lib{}", alreadyFingerprinted: true);

        var plan = (await tree.PlanAsync(Options(tree), new RecordingLog()))!;

        using var manifest = JsonDocument.Parse(plan.Manifest());
        var assets = manifest.RootElement.GetProperty("assets");
        foreach (var path in new[] { "img/a.png", "css/site.css", "js/app.js" })
        {
            Assert.AreEqual(path, assets.GetProperty(path).GetProperty("original").GetString());
        }
        foreach (var path in new[] { "js/chunk.0123abcdef.js", "_content/Lib/Lib.bundle.scp.css" })
        {
            Assert.IsNull(plan.Asset(path).Original, $"'{path}' is its own key: a separate original would be the same object");
            Assert.IsFalse(assets.GetProperty(path).TryGetProperty("original", out _));
            Assert.AreEqual(path, plan.KeyOf(path));
        }
        Assert.AreEqual(1, plan.Objects.Count(o => o.Key == "js/chunk.0123abcdef.js"), "the fingerprinted chunk is planned twice");
    }

    [TestMethod]
    public async Task ThePlanWithoutKeepOriginalNamesHasNoOriginals()
    {
        using var tree = Tree();

        var plan = (await tree.PlanAsync(Options(tree) with { KeepOriginalNames = false }, new RecordingLog()))!;

        Assert.IsTrue(plan.Assets.All(a => a.Original is null));
        Assert.IsTrue(plan.Objects.All(o => o.Immutable));
        using var manifest = JsonDocument.Parse(plan.Manifest());
        Assert.IsFalse(manifest.RootElement.GetProperty("assets").EnumerateObject().Any(a => a.Value.TryGetProperty("original", out _)));
    }

    [TestMethod]
    public async Task PublishWritesEveryImmutableObjectThenTheManifestThenTheOriginalsThenTheJournal()
    {
        using var tree = Tree();
        using var destination = new TempDirectory();
        var store = new RecordingStore(new LocalFolderStore(destination.Path)) { Shuffle = true };
        var log = new RecordingLog();

        var result = await StaticAssetPublisher.PublishAsync(
            tree.Sources, store, new PublishOptions { Plan = Options(tree) }, log, CancellationToken.None).Guard();

        Assert.IsTrue(result.Succeeded, log.Dump());
        var plan = result.Plan!;
        var immutable = plan.Objects.Where(o => o.Immutable).Select(o => o.Key).ToHashSet();
        var originals = plan.Objects.Where(o => !o.Immutable).Select(o => o.Key).ToHashSet();
        Assert.HasCount(7, originals, "png, css+gz+br, js+gz+br");
        var events = store.Events;
        var lastImmutableDone = events.Select((e, i) => (e, i)).Where(x => x.e.Done && immutable.Contains(x.e.Key)).Max(x => x.i);
        var firstOriginalStart = events.Select((e, i) => (e, i)).Where(x => !x.e.Done && originals.Contains(x.e.Key)).Min(x => x.i);
        Assert.IsLessThan(firstOriginalStart, lastImmutableDone, "an un-fingerprinted copy was written before every immutable object was stored\n" + string.Join("\n", events));
        // The copies overwrite live keys, so they go only after the switch to the new manifest; the journal that
        // vouches for them is written (again) once they are all stored.
        var manifestDone = events.Select((e, i) => (e, i)).Single(x => x.e.Done && x.e.Key == AssetManifest.DefaultName).i;
        Assert.IsLessThan(firstOriginalStart, manifestDone, "an un-fingerprinted copy was written before the new manifest was in place\n" + string.Join("\n", events));
        var journal = PendingJournal.NameFor(AssetManifest.DefaultName);
        var lastOriginalDone = events.Select((e, i) => (e, i)).Where(x => x.e.Done && originals.Contains(x.e.Key)).Max(x => x.i);
        var lastJournalStart = events.Select((e, i) => (e, i)).Where(x => !x.e.Done && x.e.Key == journal).Max(x => x.i);
        Assert.IsLessThan(lastJournalStart, lastOriginalDone, "the journal vouched for copies before they were stored");
        CollectionAssert.AreEquivalent(
            immutable.Concat(originals).Append(AssetManifest.DefaultName).Append(journal).ToArray(),
            store.Completed.Distinct().ToArray());

        // Headers as stored, and bytes: the copies equal their fingerprinted objects.
        foreach (var key in originals)
        {
            var write = store.Writes[key];
            Assert.AreEqual(ShortCache, write.CacheControl, key);
            Assert.AreEqual(key.EndsWith(".gz", StringComparison.Ordinal) ? "gzip" : key.EndsWith(".br", StringComparison.Ordinal) ? "br" : null, write.ContentEncoding, key);
        }
        foreach (var asset in plan.Assets.Where(a => a.Original is not null))
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(destination.Combine(asset.Object.Key)), File.ReadAllBytes(destination.Combine(asset.LogicalPath)));
            Assert.AreEqual(PlanOptions.ImmutableCacheControl, store.Writes[asset.Object.Key].CacheControl);
        }
        var publishedCss = File.ReadAllText(destination.Combine("css/site.css"));
        StringAssert.Contains(publishedCss, "url(../" + Expected.Key("img/a.png", Png) + ")", "the un-fingerprinted stylesheet names the fingerprinted image");
    }

    [TestMethod]
    public async Task TheJournalVouchesForTheOriginalsNotTheManifestSoARepublishWritesNothing()
    {
        using var tree = Tree();
        using var destination = new TempDirectory();
        var options = new PublishOptions { Plan = Options(tree) };
        var first = await StaticAssetPublisher.PublishAsync(tree.Sources, new LocalFolderStore(destination.Path), options, new RecordingLog(), CancellationToken.None).Guard();
        Assert.IsTrue(first.Succeeded);

        Assert.IsTrue(AssetManifest.TryReadObjects(File.ReadAllBytes(destination.Combine(AssetManifest.DefaultName)), out var vouched, out var problem), problem);
        Assert.IsTrue(PendingJournal.TryRead(File.ReadAllBytes(destination.Combine(PendingJournal.NameFor(AssetManifest.DefaultName))), out var pending, out var originals));
        Assert.IsEmpty(pending, "nothing is pending after a complete publish");
        var copies = originals.ToDictionary(o => o.Key);
        foreach (var obj in first.Plan!.Objects)
        {
            // Content-addressed objects: the manifest vouches. Overwritable copies: only the journal's list does.
            Assert.AreEqual(obj.Immutable, vouched.ContainsKey(obj.Key), $"the manifest's vouching for '{obj.Key}'");
            var entry = obj.Immutable ? vouched[obj.Key] : copies[obj.Key];
            Assert.AreEqual(obj.Sha256, entry.Sha256, obj.Key);
            Assert.AreEqual(obj.Size, entry.Size, obj.Key);
        }

        var store = new RecordingStore(new LocalFolderStore(destination.Path)) { Shuffle = true };
        var second = await StaticAssetPublisher.PublishAsync(tree.Sources, store, options, new RecordingLog(), CancellationToken.None).Guard();

        Assert.IsTrue(second.Succeeded);
        Assert.IsEmpty(second.Written!);
        Assert.IsEmpty(store.Events, "an unchanged re-publish wrote " + string.Join(", ", store.Events.Select(e => e.Key)));
    }

    [TestMethod]
    public async Task AfterAChangeTheOriginalsAreReplacedWithTheNewBytes()
    {
        using var tree = Tree();
        using var destination = new TempDirectory();
        var options = new PublishOptions { Plan = Options(tree) };
        Assert.IsTrue((await StaticAssetPublisher.PublishAsync(tree.Sources, new LocalFolderStore(destination.Path), options, new RecordingLog(), CancellationToken.None).Guard()).Succeeded);

        byte[] newPng = [0x89, 0x50, 0x4E, 0x47, 2, 7, 1];
        tree.Change("img/a.png", newPng);
        var store = new RecordingStore(new LocalFolderStore(destination.Path)) { Shuffle = true };
        var second = await StaticAssetPublisher.PublishAsync(tree.Sources, store, options, new RecordingLog(), CancellationToken.None).Guard();

        Assert.IsTrue(second.Succeeded);
        CollectionAssert.AreEqual(newPng, File.ReadAllBytes(destination.Combine("img/a.png")));
        var css = File.ReadAllText(destination.Combine("css/site.css"));
        StringAssert.Contains(css, "url(../" + Expected.Key("img/a.png", newPng) + ")");
        CollectionAssert.AreEqual(Expected.Decompress("gzip", File.ReadAllBytes(destination.Combine("css/site.css.gz"))), Expected.Utf8(css));
        CollectionAssert.AreEqual(Expected.Decompress("br", File.ReadAllBytes(destination.Combine("css/site.css.br"))), Expected.Utf8(css));
        Assert.DoesNotContain("js/app.js", store.Completed, "an unchanged original was written again");
    }
}
