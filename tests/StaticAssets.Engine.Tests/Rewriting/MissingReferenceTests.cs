namespace StaticAssets.Engine.Tests.Rewriting;

/// <summary>A reference to a file that is not published: a warning by default, an error when strict.</summary>
[TestClass]
public sealed class MissingReferenceTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 7];

    private const string Css = ".a { background: url(missing.png); }\n.b { background: url(../img/a.png); }\n/*# sourceMappingURL=site.css.map */\n";

    private static AssetTree Tree()
    {
        var tree = new AssetTree();
        tree.Add("img/a.png", Png);
        tree.Add("css/site.css", Css);
        return tree;
    }

    [TestMethod]
    public async Task AMissingImageAndAMissingMapAreWarningsAndThePublishGoesOn()
    {
        using var tree = Tree();
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsNotNull(plan, "a missing reference must not abort the plan\n" + log.Dump());
        var warnings = log.WithCode(DiagnosticCodes.MissingReference);
        Assert.HasCount(2, warnings, log.Dump());
        Assert.IsTrue(warnings.All(w => w.Severity == DiagnosticSeverity.Warning));
        Assert.IsTrue(warnings.Any(w => w.Message.Contains("missing.png", StringComparison.Ordinal)), log.Dump());
        Assert.IsTrue(warnings.Any(w => w.Message.Contains("site.css.map", StringComparison.Ordinal)), log.Dump());
        Assert.IsEmpty(log.Errors, log.Dump());
        // The missing ones are left as written; the one that exists is still rewritten.
        var expected = Css.Replace("../img/a.png", "../" + Expected.Key("img/a.png", Png), StringComparison.Ordinal);
        Assert.AreEqual(expected, plan.TextOf("css/site.css"));
        Assert.AreEqual(Expected.Key("css/site.css", expected), plan.KeyOf("css/site.css"));
    }

    [TestMethod]
    public async Task StrictMakesEachMissingReferenceAnSA1013ErrorAndNoPlan()
    {
        using var tree = Tree();
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options with { Strict = true }, log);

        Assert.IsNull(plan);
        var errors = log.WithCode(DiagnosticCodes.MissingReferenceStrict);
        Assert.HasCount(2, errors, log.Dump());
        Assert.IsTrue(errors.All(e => e.Severity == DiagnosticSeverity.Error));
        Assert.IsTrue(errors.Any(e => e.Message.Contains("missing.png", StringComparison.Ordinal)), log.Dump());
        Assert.IsTrue(errors.Any(e => e.Message.Contains("site.css.map", StringComparison.Ordinal)), log.Dump());
        Assert.IsEmpty(log.WithCode(DiagnosticCodes.MissingReference), "strict reports errors instead of warnings");
    }

    [TestMethod]
    public async Task StrictPublishWritesNothing()
    {
        using var tree = Tree();
        var store = new InMemoryStore();
        var log = new RecordingLog();

        var result = await StaticAssetPublisher.PublishAsync(
            tree.Sources, store, new PublishOptions { Plan = tree.Options with { Strict = true } }, log, CancellationToken.None).Guard();

        Assert.IsFalse(result.Succeeded);
        Assert.IsEmpty(store.Objects, "a strict publish with a missing reference wrote objects");
        Assert.IsNotEmpty(log.WithCode(DiagnosticCodes.MissingReferenceStrict), log.Dump());
    }

    [TestMethod]
    public async Task AReferenceClimbingAboveTheWebRootIsReported()
    {
        using var tree = new AssetTree();
        tree.Add("img/a.png", Png);
        const string css = ".a { background: url(../../img/a.png); }\n";
        tree.Add("css/site.css", css);
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        var warning = log.WithCode(DiagnosticCodes.MissingReference).SingleOrDefault();
        Assert.IsNotNull(warning, "a reference above the web root must be reported\n" + log.Dump());
        StringAssert.Contains(warning.Message, "../../img/a.png");
        StringAssert.Contains(warning.Message, "css/site.css");
        Assert.AreEqual(css, plan!.TextOf("css/site.css"), "a reference above the root is not rewritten (it names no asset)");

        var strictLog = new RecordingLog();
        Assert.IsNull(await tree.PlanAsync(tree.Options with { Strict = true }, strictLog));
        Assert.HasCount(1, strictLog.WithCode(DiagnosticCodes.MissingReferenceStrict), strictLog.Dump());
    }

    [TestMethod]
    public async Task MissingRootRelativeAndImportedFilesAreReported()
    {
        using var tree = new AssetTree();
        tree.Add("css/site.css", "@import \"gone.css\";\n.a { background: url(/img/nope.png); }\n");
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsNotNull(plan);
        var warnings = log.WithCode(DiagnosticCodes.MissingReference);
        Assert.HasCount(2, warnings, log.Dump());
        Assert.IsTrue(warnings.Any(w => w.Message.Contains("css/gone.css", StringComparison.Ordinal)), "the warning names the logical path looked for\n" + log.Dump());
        Assert.IsTrue(warnings.Any(w => w.Message.Contains("img/nope.png", StringComparison.Ordinal)), log.Dump());
    }

    [TestMethod]
    public async Task AMissingJavaScriptSourceMapIsAWarningNotAnAbort()
    {
        using var tree = new AssetTree();
        const string js = "console.log(1);\n//# sourceMappingURL=app.js.map\n";
        tree.Add("js/app.js", js);
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsNotNull(plan, log.Dump());
        Assert.AreEqual(js, plan.TextOf("js/app.js"));
        var warning = log.WithCode(DiagnosticCodes.MissingReference).SingleOrDefault();
        Assert.IsNotNull(warning, "a JavaScript file's missing source map must be reported like a stylesheet's\n" + log.Dump());
        StringAssert.Contains(warning.Message, "app.js.map");
    }
}
