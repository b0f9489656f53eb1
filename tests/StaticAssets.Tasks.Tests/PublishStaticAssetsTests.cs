using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace StaticAssets.Tasks.Tests;

[TestClass]
public sealed class PublishStaticAssetsTests
{
    private static string ContentTypeHeaders(string contentType) =>
        $$"""[{"Name":"Accept-Ranges","Value":"bytes"},{"Name":"Content-Type","Value":"{{contentType}}"},{"Name":"ETag","Value":"\"abc\""}]""";

    /// <summary>css/site.css (+gzip, related by full path) and js/app.js (+br, related by logical path, relative item specs).</summary>
    /// <summary>Text larger than the made-up compressed copies the tests give it (a copy is kept only at 95% or less).</summary>
    private static readonly string Padding = new(' ', 400);

    private static ITaskItem[] StandardAssets(TaskProject project)
    {
        var css = project.Write("wwwroot/css/site.css", "body { color: red; }" + Padding);
        var cssGz = project.Write("obj/compressed/site.css.gz", RandomNumberGenerator.GetBytes(120));
        project.Write("wwwroot/js/app.js", "console.log('app');" + Padding);
        project.Write("obj/compressed/app.js.br", RandomNumberGenerator.GetBytes(90));
        return
        [
            TaskProject.Item(css, ("LogicalPath", "css/site.css"), ("Integrity", TestData.Base64Sha256(File.ReadAllBytes(css)))),
            TaskProject.Item(cssGz, ("LogicalPath", "css/site.css.gz"), ("ContentEncoding", "gzip"), ("RelatedAsset", css)),
            TaskProject.Item("wwwroot/js/app.js", ("LogicalPath", "js/app.js")),
            TaskProject.Item("obj/compressed/app.js.br", ("LogicalPath", "js/app.js.br"), ("ContentEncoding", "br"), ("RelatedAsset", "js/app.js")),
        ];
    }

    [TestMethod]
    public void Execute_PublishesAssetsAndVariantsGroupedByRelatedAssetFullPathAndLogicalPath()
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));

        Assert.IsTrue(task.Execute(), log.Describe());

        Assert.IsEmpty(log.Errors);
        Assert.IsEmpty(log.Warnings);
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(project.LocalManifest));
        var paths = manifest.RootElement.GetProperty("paths");
        var assets = manifest.RootElement.GetProperty("assets");
        CollectionAssert.AreEqual(new[] { "css/site.css", "js/app.js" }, paths.EnumerateObject().Select(p => p.Name).ToArray());
        var cssKey = paths.GetProperty("css/site.css").GetString()!;
        var jsKey = paths.GetProperty("js/app.js").GetString()!;
        Assert.AreEqual(cssKey + ".gz", assets.GetProperty("css/site.css").GetProperty("encodings").GetProperty("gzip").GetProperty("key").GetString());
        Assert.AreEqual(jsKey + ".br", assets.GetProperty("js/app.js").GetProperty("encodings").GetProperty("br").GetProperty("key").GetString());
        // Each asset: the copy the build gave (its own bytes, below), and the encoding it lacked, made by the publish.
        CollectionAssert.AreEqual(
            new[] { cssKey, cssKey + ".br", cssKey + ".gz", jsKey, jsKey + ".br", jsKey + ".gz", AssetManifest.DefaultName }.Order(StringComparer.Ordinal).ToArray(),
            TestData.FilesUnder(project.Dest));
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(project.Dir, "obj/compressed/site.css.gz")), File.ReadAllBytes(Path.Combine(project.Dest, cssKey + ".gz")));
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(project.Dir, "obj/compressed/app.js.br")), File.ReadAllBytes(Path.Combine(project.Dest, jsKey + ".br")));
        CollectionAssert.AreEqual(File.ReadAllBytes(project.LocalManifest), File.ReadAllBytes(Path.Combine(project.Dest, AssetManifest.DefaultName)));
    }

    [TestMethod]
    public void Execute_SetsManifestFileAndOneWrittenAssetPerObjectWithMetadata()
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));

        Assert.IsTrue(task.Execute(), log.Describe());

        Assert.IsNotNull(task.ManifestFile);
        Assert.AreEqual(project.LocalManifest, task.ManifestFile.ItemSpec);
        Assert.IsTrue(File.Exists(task.ManifestFile.ItemSpec));
        Assert.HasCount(6, task.WrittenAssets, "two assets, the copy the build gave each, and the one the publish made");
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(project.LocalManifest));
        var keysInManifest = AssetManifest.TryReadObjects(File.ReadAllBytes(project.LocalManifest), out var objects, out _)
            ? objects.Keys.ToArray()
            : [];
        CollectionAssert.AreEquivalent(keysInManifest, task.WrittenAssets.Select(i => i.ItemSpec).ToArray());
        foreach (var item in task.WrittenAssets)
        {
            var source = item.GetMetadata("SourcePath");
            Assert.IsTrue(Path.IsPathFullyQualified(source), source);
            Assert.AreEqual(TestData.HexSha256OfFile(source), item.GetMetadata("Sha256"), item.ItemSpec);
            Assert.AreEqual(objects[item.ItemSpec].Sha256.Hex, item.GetMetadata("Sha256"));
            CollectionAssert.AreEqual(File.ReadAllBytes(source), File.ReadAllBytes(Path.Combine(project.Dest, item.ItemSpec)));
            var logicalPath = item.GetMetadata("LogicalPath");
            Assert.AreEqual(item.ItemSpec, manifest.RootElement.GetProperty("paths").GetProperty(logicalPath).GetString() + Suffix(item.GetMetadata("ContentEncoding")));
        }
        var gz = task.WrittenAssets.Single(i => i.ItemSpec.EndsWith(".gz", StringComparison.Ordinal) && i.GetMetadata("LogicalPath") == "css/site.css");
        Assert.AreEqual("gzip", gz.GetMetadata("ContentEncoding"));
        Assert.AreEqual("css/site.css", gz.GetMetadata("LogicalPath"));
        Assert.AreEqual(Path.Combine(project.Dir, "obj", "compressed", "site.css.gz"), gz.GetMetadata("SourcePath"));
        var js = task.WrittenAssets.Single(i => i.GetMetadata("LogicalPath") == "js/app.js" && i.GetMetadata("ContentEncoding") == "");
        Assert.AreEqual(Path.Combine(project.Dir, "wwwroot", "js", "app.js"), js.GetMetadata("SourcePath"));

        static string Suffix(string encoding) => encoding switch { "gzip" => ".gz", "br" => ".br", _ => "" };
    }

    [TestMethod]
    public void Execute_OutputItemsKeepNamesWithMSBuildSpecialCharactersLiterally()
    {
        using var project = new TaskProject();
        // "%41" would read back as "A" if the task forgot that TaskItem takes escaped text.
        var file = project.Write("wwwroot/docs/sale%41; (x).txt", "sale");
        // MSBuild hands a task escaped values; GetMetadata unescapes them.
        var (task, log) = project.Task(TaskProject.Item(file.Replace("%", "%25").Replace(";", "%3B"), ("LogicalPath", "docs/sale%2541%3B (x).txt")));

        Assert.IsTrue(task.Execute(), log.Describe());

        var written = task.WrittenAssets.Single();
        StringAssert.StartsWith(written.ItemSpec, "docs/sale%41; (x).");
        Assert.AreEqual("docs/sale%41; (x).txt", written.GetMetadata("LogicalPath"));
        Assert.AreEqual(file, written.GetMetadata("SourcePath"));
        Assert.IsTrue(File.Exists(Path.Combine(project.Dest, written.ItemSpec)), written.ItemSpec);
    }

    [TestMethod]
    public void Execute_SecondRunWritesNothing_AndStillReportsTheManifest()
    {
        using var project = new TaskProject();
        var assets = StandardAssets(project);
        var (first, log) = project.Task(assets);
        Assert.IsTrue(first.Execute(), log.Describe());
        var manifestTime = File.GetLastWriteTimeUtc(project.LocalManifest);

        (var second, log) = project.Task(assets);
        Assert.IsTrue(second.Execute(), log.Describe());

        Assert.IsEmpty(second.WrittenAssets);
        Assert.AreEqual(project.LocalManifest, second.ManifestFile?.ItemSpec);
        Assert.AreEqual(manifestTime, File.GetLastWriteTimeUtc(project.LocalManifest));
    }

    [TestMethod]
    public void Execute_StaleIntegrityMetadata_FailsWithSA3003AndWritesNoManifest()
    {
        using var project = new TaskProject();
        var css = project.Write("wwwroot/css/site.css", "body{}");
        // The SDK hashed an older version of the file: the planned key promises other bytes than those on disk.
        var (task, log) = project.Task(TaskProject.Item(css, ("LogicalPath", "css/site.css"), ("Integrity", TestData.Base64Sha256("body{color:red}"))));

        Assert.IsFalse(task.Execute());

        Assert.AreEqual("SA3003", log.Errors.Single().Code);
        Assert.IsFalse(File.Exists(project.LocalManifest));
        Assert.IsFalse(File.Exists(Path.Combine(project.Dest, AssetManifest.DefaultName)));
        Assert.IsEmpty(TestData.FilesUnder(project.Dest));
        Assert.IsNull(task.ManifestFile);
    }

    [TestMethod]
    public void Execute_OrphanVariant_IsSA2003WarningAndNotPublished()
    {
        using var project = new TaskProject();
        var css = project.Write("wwwroot/css/site.css", "body{}");
        var orphan = project.Write("obj/compressed/other.css.gz", RandomNumberGenerator.GetBytes(50));
        var (task, log) = project.Task(
            TaskProject.Item(css, ("LogicalPath", "css/site.css")),
            TaskProject.Item(orphan, ("ContentEncoding", "gzip"), ("RelatedAsset", "css/other.css")));

        Assert.IsTrue(task.Execute(), log.Describe());

        var warning = log.Warnings.Single();
        Assert.AreEqual(DiagnosticCodes.OrphanVariant, warning.Code);
        Assert.Contains("css/other.css", warning.Message);
        Assert.IsEmpty(log.Errors);
        Assert.HasCount(1, task.WrittenAssets);
        Assert.IsFalse(TestData.FilesUnder(project.Dest).Any(f => f.EndsWith(".gz", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void Execute_VariantWithoutRelatedAsset_IsSA2003Warning()
    {
        using var project = new TaskProject();
        var css = project.Write("wwwroot/css/site.css", "body{}");
        var gz = project.Write("obj/site.css.gz", RandomNumberGenerator.GetBytes(50));

        var (task, log) = project.Task(TaskProject.Item(css, ("LogicalPath", "css/site.css")), TaskProject.Item(gz, ("ContentEncoding", "gzip")));

        Assert.IsTrue(task.Execute(), log.Describe());
        Assert.AreEqual(DiagnosticCodes.OrphanVariant, log.Warnings.Single().Code);
    }

    [TestMethod]
    public void Execute_MissingLogicalPath_IsSA1006ErrorAndNothingIsWritten()
    {
        using var project = new TaskProject();
        var css = project.Write("wwwroot/css/site.css", "body{}");
        var js = project.Write("wwwroot/js/app.js", "x");
        var (task, log) = project.Task(TaskProject.Item(css, ("LogicalPath", "css/site.css")), TaskProject.Item(js));

        Assert.IsFalse(task.Execute());

        var error = log.Errors.Single();
        Assert.AreEqual(DiagnosticCodes.MissingLogicalPath, error.Code);
        Assert.Contains(js, error.Message);
        Assert.IsFalse(Directory.Exists(project.Dest));
        Assert.IsFalse(File.Exists(project.LocalManifest));
    }

    [TestMethod]
    [DataRow("abc")]
    [DataRow("1.5")]
    [DataRow("0")]
    [DataRow("-3")]
    [DataRow("513")]
    public void Execute_InvalidMaxConcurrency_IsSA1002(string value)
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));
        task.MaxConcurrency = value;

        Assert.IsFalse(task.Execute());

        var error = log.Errors.Single();
        Assert.AreEqual(DiagnosticCodes.InvalidConcurrency, error.Code);
        Assert.Contains(value, error.Message);
        Assert.IsFalse(Directory.Exists(project.Dest));
    }

    [TestMethod]
    [DataRow("ftp://x")]
    [DataRow("s3x://bucket")]
    public void Execute_UnsupportedDestination_IsSA1008(string destination)
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));
        task.Destination = destination;

        Assert.IsFalse(task.Execute());

        var error = log.Errors.Single();
        Assert.AreEqual(DiagnosticCodes.UnsupportedDestinationScheme, error.Code);
        Assert.Contains(destination, error.Message);
        Assert.IsFalse(File.Exists(project.LocalManifest));
    }

    [TestMethod]
    [DataRow("sub/m.json")]
    [DataRow("../m.json")]
    public void Execute_InvalidManifestName_IsSA1005(string name)
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));
        task.ManifestName = name;

        Assert.IsFalse(task.Execute());

        Assert.AreEqual(DiagnosticCodes.InvalidManifestName, log.Errors.Single().Code);
        Assert.IsFalse(Directory.Exists(project.Dest));
    }

    [TestMethod]
    public void Execute_ContentTypeComesFromTheEndpointsResponseHeaders()
    {
        using var project = new TaskProject();
        var data = project.Write("wwwroot/data/file.bin", "binary");
        var css = project.Write("wwwroot/css/site.css", "body{}");
        var txt = project.Write("wwwroot/notes.txt", "notes");
        var (task, log) = project.Task(
            TaskProject.Item(data, ("LogicalPath", "data/file.bin")),
            TaskProject.Item(css, ("LogicalPath", "css/site.css"), ("ContentType", "text/x-from-item-metadata")),
            TaskProject.Item(txt, ("LogicalPath", "notes.txt")));
        task.Endpoints =
        [
            TaskProject.Item("data/file.bin", ("AssetFile", data), ("ResponseHeaders", ContentTypeHeaders("application/x-custom-type"))),
            TaskProject.Item("css/site.css", ("AssetFile", css), ("ResponseHeaders", ContentTypeHeaders("text/css"))),
            // Not the JSON shape we know: ignored, so the extension table applies.
            TaskProject.Item("notes.txt", ("AssetFile", txt), ("ResponseHeaders", "{not json")),
        ];

        Assert.IsTrue(task.Execute(), log.Describe());

        using var manifest = JsonDocument.Parse(File.ReadAllBytes(project.LocalManifest));
        var assets = manifest.RootElement.GetProperty("assets");
        Assert.AreEqual("application/x-custom-type", assets.GetProperty("data/file.bin").GetProperty("contentType").GetString());
        Assert.AreEqual("text/x-from-item-metadata", assets.GetProperty("css/site.css").GetProperty("contentType").GetString());
        Assert.AreEqual("text/plain", assets.GetProperty("notes.txt").GetProperty("contentType").GetString());
    }

    [TestMethod]
    public void Execute_EndpointAssetFileRelativeToTheProject_IsMatched()
    {
        using var project = new TaskProject();
        var data = project.Write("wwwroot/data/file.bin", "binary");
        var (task, log) = project.Task(TaskProject.Item(data, ("LogicalPath", "data/file.bin")));
        task.Endpoints = [TaskProject.Item("data/file.bin", ("AssetFile", "wwwroot/data/file.bin"), ("ResponseHeaders", ContentTypeHeaders("application/x-relative")))];

        Assert.IsTrue(task.Execute(), log.Describe());

        using var manifest = JsonDocument.Parse(File.ReadAllBytes(project.LocalManifest));
        Assert.AreEqual("application/x-relative",
            manifest.RootElement.GetProperty("assets").GetProperty("data/file.bin").GetProperty("contentType").GetString());
    }

    [TestMethod]
    public void Execute_DryRun_WritesNothingAndSetsNoManifestFile()
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));
        task.DryRun = "true";

        Assert.IsTrue(task.Execute(), log.Describe());

        Assert.IsNull(task.ManifestFile);
        Assert.IsEmpty(task.WrittenAssets);
        Assert.IsFalse(Directory.Exists(project.Dest));
        Assert.IsFalse(File.Exists(project.LocalManifest));
        Assert.IsTrue(log.Messages.Any(m => m.Importance == MessageImportance.High && m.Message.Contains("Dry run", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void Cancel_BeforeExecute_ReturnsFalseWithSA4001AndWritesNoManifest()
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));

        task.Cancel();
        var result = task.Execute();

        Assert.IsFalse(result);
        Assert.AreEqual(DiagnosticCodes.Canceled, log.Errors.Single().Code);
        Assert.IsFalse(File.Exists(project.LocalManifest));
        Assert.IsFalse(File.Exists(Path.Combine(project.Dest, AssetManifest.DefaultName)));
        Assert.IsNull(task.ManifestFile);
    }

    [TestMethod]
    public void Cancel_FromAnotherThreadBeforeExecute_IsHonored()
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));

        System.Threading.Tasks.Task.Run(task.Cancel).Wait(TestData.HangGuard);

        Assert.IsFalse(task.Execute());
        Assert.AreEqual(DiagnosticCodes.Canceled, log.Errors.Single().Code);
    }

    [TestMethod]
    public void Execute_FormatItemsInFileNames_AreLoggedLiterally()
    {
        using var project = new TaskProject();
        var css = project.Write("wwwroot/a-{0}-b.css", "body{}" + Padding);
        var gz = project.Write("obj/a-{0}-b.css.gz", RandomNumberGenerator.GetBytes(40));
        var orphan = project.Write("obj/x-{1}-y.js.gz", RandomNumberGenerator.GetBytes(40));
        var (task, log) = project.Task(
            TaskProject.Item(css, ("LogicalPath", "a-{0}-b.css")),
            TaskProject.Item(gz, ("ContentEncoding", "gzip"), ("RelatedAsset", "a-{0}-b.css")),
            TaskProject.Item(orphan, ("ContentEncoding", "gzip"), ("RelatedAsset", "missing-{0}.js")));

        var result = task.Execute();

        Assert.IsTrue(result, log.Describe());
        var warning = log.Warnings.Single();
        Assert.AreEqual(DiagnosticCodes.OrphanVariant, warning.Code);
        Assert.Contains("x-{1}-y.js.gz", warning.Message);
        Assert.Contains("missing-{0}.js", warning.Message);
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(project.LocalManifest));
        var key = manifest.RootElement.GetProperty("paths").GetProperty("a-{0}-b.css").GetString()!;
        Assert.StartsWith("a-{0}-b.", key);
        Assert.IsTrue(File.Exists(Path.Combine(project.Dest, key + ".gz")));
        // The per-object detail lines (low importance) name the keys with their braces intact.
        Assert.IsTrue(log.Messages.Any(m => m.Importance == MessageImportance.Low && m.Message.Contains(key + ".gz", StringComparison.Ordinal)),
            log.Describe());
    }

    [TestMethod]
    public void Execute_FormatItemsInAnErrorMessage_AreLoggedLiterally()
    {
        using var project = new TaskProject();
        var missing = Path.Combine(project.Dir, "wwwroot", "gone-{0}-{1}.css");
        var (task, log) = project.Task(TaskProject.Item(missing, ("LogicalPath", "gone-{0}-{1}.css")));

        Assert.IsFalse(task.Execute());

        var error = log.Errors.Single();
        Assert.AreEqual(DiagnosticCodes.SourceFileMissing, error.Code);
        Assert.Contains("gone-{0}-{1}.css", error.Message);
    }

    [TestMethod]
    public void Execute_CustomManifestName_IsUsedAtTheDestination()
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));
        task.ManifestName = " assets.json ";

        Assert.IsTrue(task.Execute(), log.Describe());

        Assert.IsTrue(File.Exists(Path.Combine(project.Dest, "assets.json")));
        CollectionAssert.AreEqual(File.ReadAllBytes(project.LocalManifest), File.ReadAllBytes(Path.Combine(project.Dest, "assets.json")));
    }

    [TestMethod]
    public void Execute_WithoutLocalManifestPath_SetsNoManifestFileButWritesTheDestinationManifest()
    {
        using var project = new TaskProject();
        var (task, log) = project.Task(StandardAssets(project));
        task.LocalManifestPath = "";

        Assert.IsTrue(task.Execute(), log.Describe());

        Assert.IsNull(task.ManifestFile);
        Assert.IsTrue(File.Exists(Path.Combine(project.Dest, AssetManifest.DefaultName)));
        Assert.IsFalse(File.Exists(project.LocalManifest));
    }
}
