using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace StaticAssets.Tasks.Tests;

/// <summary>The MSBuild task turns the rewriting and compression properties into the engine's options.</summary>
[TestClass]
public sealed class TaskSettingsTests
{
    private static readonly string Css = ".a { background: url(../img/a.png); }\n" + string.Concat(Enumerable.Repeat(".b { color: red; }\n", 60));
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 9, 9];

    /// <summary>A stylesheet referring to an image, with the SDK's compressed copies, and a Razor class library bundle
    /// already fingerprinted, published by the task with rewriting on.</summary>
    private sealed class Project : IDisposable
    {
        private readonly TaskProject _project = new();
        private readonly ITaskItem[] _items;

        public Project()
        {
            var css = _project.Write("wwwroot/css/site.css", Css);
            var gz = _project.Write("obj/compressed/site.css.gz", Expected.Compress("gzip", Expected.Utf8(Css)));
            var br = _project.Write("obj/compressed/site.css.br", Expected.Compress("br", Expected.Utf8(Css)));
            var png = _project.Write("wwwroot/img/a.png", Png);
            var lib = _project.Write("obj/scopedcss/Lib.abcdef1234.bundle.scp.css", ".lib { color: blue; }\n");
            _items =
            [
                TaskProject.Item(css, ("LogicalPath", "css/site.css"), ("RelativePath", "css/site.css")),
                TaskProject.Item(gz, ("LogicalPath", "css/site.css.gz"), ("ContentEncoding", "gzip"), ("RelatedAsset", css)),
                TaskProject.Item(br, ("LogicalPath", "css/site.css.br"), ("ContentEncoding", "br"), ("RelatedAsset", css)),
                TaskProject.Item(png, ("LogicalPath", "img/a.png")),
                // The SDK's marker of a fingerprint already in the target path.
                TaskProject.Item(lib, ("LogicalPath", "_content/Lib/Lib.abcdef1234.bundle.scp.css"), ("RelativePath", "Lib#[.{fingerprint}]!.bundle.scp.css")),
            ];
        }

        public FakeBuildEngine Engine { get; private set; } = new();

        public string Dir => _project.Dir;

        public string Dest => _project.Dest;

        /// <summary>The task with the package's defaults but rewriting on and the work folder under obj/.</summary>
        public PublishStaticAssets Task()
        {
            var (task, log) = _project.Task(_items);
            Engine = log;
            task.KeepOriginalNames = "";
            task.WorkDirectory = "obj/staticassets";
            task.RewriteReferences = "true";
            return task;
        }

        public JsonElement Manifest() => JsonDocument.Parse(File.ReadAllBytes(_project.DestManifest)).RootElement.Clone();

        public void Dispose() => _project.Dispose();
    }

    private static string[] Encodings(JsonElement manifest, string logicalPath) =>
        manifest.GetProperty("assets").GetProperty(logicalPath).GetProperty("encodings").EnumerateObject().Select(e => e.Name).ToArray();

    [TestMethod]
    public void TheDefaultsOfThePropsFileRewriteCompressAndKeepOriginals()
    {
        using var project = new Project();
        var task = project.Task();
        task.Compression = "gzip;br";
        task.KeepOriginalNames = "true";
        task.OriginalsCacheControl = "public, max-age=300";
        task.FingerprintedNamePattern = @"[.-][0-9a-fA-F]{8,}(\.[A-Za-z0-9]+)+$";

        Assert.IsTrue(task.Execute(), project.Engine.Describe());

        var manifest = project.Manifest();
        var cssKey = manifest.GetProperty("paths").GetProperty("css/site.css").GetString()!;
        var expectedCss = Css.Replace("../img/a.png", "../" + Expected.Key("img/a.png", Png), StringComparison.Ordinal);
        Assert.AreEqual(Expected.Key("css/site.css", expectedCss), cssKey);
        Assert.AreEqual(expectedCss, File.ReadAllText(Path.Combine(project.Dest, cssKey)));
        Assert.AreEqual(expectedCss, File.ReadAllText(Path.Combine(project.Dest, "css/site.css")), "the un-fingerprinted copy");
        CollectionAssert.AreEquivalent(new[] { "br", "gzip" }, Encodings(manifest, "css/site.css"));
        foreach (var (encoding, suffix) in new[] { ("gzip", ".gz"), ("br", ".br") })
        {
            CollectionAssert.AreEqual(Expected.Utf8(expectedCss), Expected.Decompress(encoding, File.ReadAllBytes(Path.Combine(project.Dest, cssKey + suffix))),
                $"the {encoding} copy must be of the rewritten stylesheet, not the SDK's copy of the source");
        }
        Assert.AreEqual("_content/Lib/Lib.abcdef1234.bundle.scp.css", manifest.GetProperty("paths").GetProperty("_content/Lib/Lib.abcdef1234.bundle.scp.css").GetString());
        Assert.IsTrue(Directory.Exists(Path.Combine(project.Dir, "obj", "staticassets")), "the work folder is resolved against the project folder");
    }

    [TestMethod]
    public void RelativePathWithTheSdksFingerprintMarkerKeepsItsName()
    {
        using var project = new Project();
        var task = project.Task();
        task.FingerprintedNamePattern = "";

        Assert.IsTrue(task.Execute(), project.Engine.Describe());

        Assert.AreEqual("_content/Lib/Lib.abcdef1234.bundle.scp.css",
            project.Manifest().GetProperty("paths").GetProperty("_content/Lib/Lib.abcdef1234.bundle.scp.css").GetString());
    }

    [TestMethod]
    [DataRow("none")]
    [DataRow("None")]
    public void CompressionNoneDropsTheSdksCopiesToo(string value)
    {
        using var project = new Project();
        var task = project.Task();
        task.Compression = value;

        Assert.IsTrue(task.Execute(), project.Engine.Describe());

        var manifest = project.Manifest();
        Assert.IsEmpty(Encodings(manifest, "css/site.css"));
        Assert.IsFalse(TestData.FilesUnder(project.Dest).Any(f => f.EndsWith(".gz", StringComparison.Ordinal) || f.EndsWith(".br", StringComparison.Ordinal)));
    }

    [TestMethod]
    [DataRow("gzip", "gzip")]
    [DataRow(" GZIP ", "gzip")]
    [DataRow("br", "br")]
    [DataRow("gzip,br", "br;gzip")]
    public void CompressionListsTheEncodingsToPublish(string value, string expected)
    {
        using var project = new Project();
        var task = project.Task();
        task.Compression = value;

        Assert.IsTrue(task.Execute(), project.Engine.Describe());

        CollectionAssert.AreEquivalent(expected.Split(';'), Encodings(project.Manifest(), "css/site.css"));
    }

    [TestMethod]
    [DataRow("zstd")]
    [DataRow("gzip;deflate")]
    public void AnUnknownCompressionIsSA1014AndNothingIsWritten(string value)
    {
        using var project = new Project();
        var task = project.Task();
        task.Compression = value;

        Assert.IsFalse(task.Execute());

        Assert.AreEqual(DiagnosticCodes.InvalidPlanSetting, project.Engine.Errors.Single().Code, project.Engine.Describe());
        Assert.IsFalse(Directory.Exists(project.Dest));
    }

    [TestMethod]
    public void AnInvalidFingerprintPatternIsSA1014()
    {
        using var project = new Project();
        var task = project.Task();
        task.FingerprintedNamePattern = "([0-9a-f";

        Assert.IsFalse(task.Execute());

        Assert.AreEqual(DiagnosticCodes.InvalidPlanSetting, project.Engine.Errors.Single().Code, project.Engine.Describe());
    }

    [TestMethod]
    public void StrictFailsTheTaskWithSA1013AndWarnsWithSA2005Otherwise()
    {
        using var project = new Project();
        File.AppendAllText(Path.Combine(project.Dir, "wwwroot", "css", "site.css"), "/*# sourceMappingURL=site.css.map */\n");

        var lenient = project.Task();
        Assert.IsTrue(lenient.Execute(), project.Engine.Describe());
        Assert.AreEqual(DiagnosticCodes.MissingReference, project.Engine.Warnings.Single().Code, project.Engine.Describe());

        var engine = new FakeBuildEngine();
        var strict = project.Task();
        strict.BuildEngine = engine;
        strict.Strict = "true";
        Assert.IsFalse(strict.Execute());
        Assert.AreEqual(DiagnosticCodes.MissingReferenceStrict, engine.Errors.Single().Code, engine.Describe());
        StringAssert.Contains(engine.Errors.Single().Message, "site.css.map");
    }

    [TestMethod]
    public void WithRewritingOffTheStylesheetIsPublishedAsItIs()
    {
        using var project = new Project();
        var task = project.Task();
        task.RewriteReferences = "false";

        Assert.IsTrue(task.Execute(), project.Engine.Describe());

        Assert.AreEqual(Expected.Key("css/site.css", Css), project.Manifest().GetProperty("paths").GetProperty("css/site.css").GetString());
    }
}
