namespace StaticAssets.Engine.Tests.Gather;

/// <summary>Gather over plain records: the build's files become assets with their compressed copies, without MSBuild.</summary>
[TestClass]
public sealed class AssetGathererTests
{
    [TestMethod]
    public void CompressedCopiesJoinTheirAssetByFullPathRelativePathOrLogicalPath_InInputOrder()
    {
        using var project = new TempDirectory();
        var css = project.Write("wwwroot/css/site.css", "body{}");
        var js = project.Write("wwwroot/js/app.js", "app()");
        var files = new[]
        {
            new BuildFile(project.Write("obj/site.css.gz", "gz"), "css/site.css.gz", "aW50ZWdyaXR5", ContentEncoding: "gzip", RelatedAsset: css),
            new BuildFile(css, "css/site.css", Integrity: "c2l0ZQ==", ContentType: "text/css; charset=utf-8"),
            new BuildFile(js, "js/app.js", AlreadyFingerprinted: true),
            new BuildFile(project.Write("obj/app.js.br", "br"), "js/app.js.br", ContentEncoding: " br ", RelatedAsset: "js/app.js"),
            new BuildFile(project.Write("obj/site.css.br", "br"), null, ContentEncoding: "br", RelatedAsset: "wwwroot/css/site.css"),
        };
        var log = new RecordingLog();

        var assets = AssetGatherer.FromBuildFiles(files, project.Path, log);

        Assert.IsEmpty(log.Diagnostics);
        Assert.IsNotNull(assets);
        CollectionAssert.AreEqual(new[] { "css/site.css", "js/app.js" }, assets.Select(a => a.LogicalPath).ToArray());
        var site = assets[0];
        Assert.AreEqual((css, "c2l0ZQ==", "text/css; charset=utf-8", false), (site.SourcePath, site.Integrity, site.ContentType, site.AlreadyFingerprinted));
        CollectionAssert.AreEqual(
            new[] { new AssetVariantSource(files[0].FullPath, "gzip", "aW50ZWdyaXR5"), new AssetVariantSource(files[4].FullPath, "br") },
            site.Variants!.ToArray());
        Assert.IsTrue(assets[1].AlreadyFingerprinted);
        CollectionAssert.AreEqual(new[] { new AssetVariantSource(files[3].FullPath, "br") }, assets[1].Variants!.ToArray());
    }

    [TestMethod]
    public void AnAssetWithoutALogicalPathIsSA1006AndNothingIsGathered()
    {
        using var project = new TempDirectory();
        var files = new[]
        {
            new BuildFile(project.Write("a.css", "a"), "a.css"),
            new BuildFile(project.Write("b.css", "b"), null),
            new BuildFile(project.Write("c.css", "c"), ""),
        };
        var log = new RecordingLog();

        Assert.IsNull(AssetGatherer.FromBuildFiles(files, project.Path, log));

        CollectionAssert.AreEqual(new[] { DiagnosticCodes.MissingLogicalPath, DiagnosticCodes.MissingLogicalPath }, log.Diagnostics.Select(d => d.Code).ToArray());
        StringAssert.Contains(log.Diagnostics[0].Message, files[1].FullPath);
        StringAssert.Contains(log.Diagnostics[0].Message, "Add LogicalPath=\"path/as/served.ext\"");
    }

    [TestMethod]
    public void ACopyOfNoPublishedAssetIsSA2003_ButTheCopiesOfAnAssetTheProjectRemovedGoQuietly()
    {
        using var project = new TempDirectory();
        var removed = project.Write("wwwroot/removed.css", "gone from the published set");
        var files = new[]
        {
            new BuildFile(project.Write("wwwroot/kept.css", "kept"), "kept.css"),
            new BuildFile(project.Write("obj/other.css.gz", "gz"), "other.css.gz", ContentEncoding: "gzip", RelatedAsset: "other.css"),
            new BuildFile(project.Write("obj/removed.css.gz", "gz"), "removed.css.gz", ContentEncoding: "gzip", RelatedAsset: removed),
            new BuildFile(project.Write("obj/none.css.gz", "gz"), "none.css.gz", ContentEncoding: "gzip"),
        };
        var log = new RecordingLog();

        var assets = AssetGatherer.FromBuildFiles(files, project.Path, log);

        Assert.AreEqual("kept.css", assets!.Single().LogicalPath);
        Assert.IsEmpty(assets![0].Variants!);
        CollectionAssert.AreEqual(new[] { DiagnosticCodes.OrphanVariant, DiagnosticCodes.OrphanVariant }, log.Diagnostics.Select(d => d.Code).ToArray());
        StringAssert.Contains(log.Diagnostics[0].Message, "names RelatedAsset 'other.css'");
        StringAssert.Contains(log.Diagnostics[1].Message, "names RelatedAsset ''");
        Assert.IsTrue(log.Messages.Any(m => m.Importance == LogImportance.Low && m.Text.Contains(removed, StringComparison.Ordinal)));
    }
}
