namespace StaticAssets.Engine.Tests.Rewriting;

/// <summary>
/// The CSS shapes found in real stylesheets (Bootstrap, Font Awesome, icon fonts, vendor folders): each URL that
/// names an asset gets that asset's fingerprinted name, everything else is left byte for byte.
/// </summary>
[TestClass]
public sealed class CssShapesTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    /// <summary>
    /// A vendor stylesheet two folders deep. <paramref name="u"/> renders each asset URL: given the logical path it
    /// names and the URL as written, the source returns the URL, the expectation the fingerprinted URL.
    /// </summary>
    private static string VendorCss(Func<string, string, string> u) => $$"""
        /* A commented-out rule: url(missing.png) and url("../../img/gone.png") are not references. */
        /*
          @import "gone.css";
        */
        @import url("{{u("css/vendor/b.css", "b.css")}}");
        @import "{{u("css/vendor/c.css", "c.css")}}";
        @import '{{u("css/base.css", "../base.css")}}' screen;
        @font-face {
          font-family: "Icons";
          src: url('{{u("fonts/icons.eot", "../../fonts/icons.eot")}}?#iefix') format("embedded-opentype"),
               url({{u("fonts/icons.woff2", "../../fonts/icons.woff2")}}) format("woff2"), url({{u("fonts/icons.woff", "../../fonts/icons.woff")}}) format("woff"),
               url("{{u("fonts/icons.svg", "../../fonts/icons.svg")}}#svgid") format("svg");
        }
        @font-face { font-family: "Spaced"; src: url("{{u("fonts/my font.woff2", "../../fonts/my%20font.woff2")}}") format("woff2"); }
        .logo { background: url({{u("img/a.png", "../../img/a.png")}}) no-repeat; }
        .logo-root { background-image: url({{u("img/a.png", "/img/a.png")}}); }
        .logo-local { background-image: url( "{{u("css/vendor/local.png", "./local.png")}}" ); }
        .logo-versioned { background-image: url("{{u("img/a.png", "../../img/a.png")}}?v=3"); }
        .logo-upper { background-image: URL({{u("img/a.png", "../../img/a.png")}}); }
        .select { background-image: url("data:image/svg+xml,%3csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3e%3c/svg%3e"); }
        .pixel { background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==); }
        .cdn { background: url(https://cdn.example.com/a.png), url('http://example.com/b.png'), url("//cdn.example.com/c.png"); }
        .blur { filter: url(#blur); }
        """;

    [TestMethod]
    public async Task EveryRealWorldShapeInANestedVendorStylesheetIsRewrittenExactly()
    {
        using var tree = new AssetTree();
        var leaves = new Dictionary<string, byte[]>
        {
            ["css/vendor/b.css"] = Expected.Utf8(".b { color: blue; }\n"),
            ["css/vendor/c.css"] = Expected.Utf8(".c { color: cyan; }\n"),
            ["css/base.css"] = Expected.Utf8("html { margin: 0; }\n"),
            ["fonts/icons.eot"] = [1, 2, 3],
            ["fonts/icons.woff2"] = [4, 5, 6],
            ["fonts/icons.woff"] = [7, 8, 9],
            ["fonts/icons.svg"] = Expected.Utf8("<svg xmlns=\"http://www.w3.org/2000/svg\"><symbol id=\"svgid\"/></svg>"),
            ["fonts/my font.woff2"] = [10, 11, 12],
            ["img/a.png"] = Png,
            ["css/vendor/local.png"] = [.. Png, 99],
        };
        foreach (var (path, bytes) in leaves)
        {
            tree.Add(path, bytes);
        }
        tree.Add("css/vendor/x.css", VendorCss((_, url) => url));
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsNotNull(plan, log.Dump());
        Assert.IsEmpty(log.Diagnostics, "nothing here is missing: comments, data:, absolute and #fragment URLs are not references\n" + log.Dump());
        // A root-absolute URL comes out relative to the stylesheet (css/vendor/): right under any prefix.
        var expected = VendorCss((logical, url) => url.StartsWith('/')
            ? "../../" + FingerprintedKeys.Insert(url[1..], Expected.Hex(leaves[logical]))
            : FingerprintedKeys.Insert(url, Expected.Hex(leaves[logical])));
        Assert.AreEqual(expected, plan.TextOf("css/vendor/x.css"));
        Assert.AreEqual(Expected.Key("css/vendor/x.css", expected), plan.KeyOf("css/vendor/x.css"), "the key is the hash of the rewritten content");
        plan.Asset("css/vendor/x.css").Object.AssertDescribesItsFile();
        foreach (var (path, bytes) in leaves)
        {
            Assert.AreEqual(Expected.Key(path, bytes), plan.KeyOf(path));
            CollectionAssert.AreEqual(bytes, plan.ContentOf(path), $"'{path}' refers to nothing and must be published as it is");
        }
    }

    [TestMethod]
    public async Task UnquotedSingleAndDoubleQuotedUrlsAreAllRewrittenWithTheirQuotesKept()
    {
        using var tree = new AssetTree();
        tree.Add("img/a.png", Png);
        tree.Add("css/site.css", ".u { background: url(../img/a.png); }\n.s { background: url('../img/a.png'); }\n.d { background: url(\"../img/a.png\"); }\n");
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        var png = Expected.Key("a.png", Png);
        var expected = $".u {{ background: url(../img/{png}); }}\n.s {{ background: url('../img/{png}'); }}\n.d {{ background: url(\"../img/{png}\"); }}\n";
        Assert.AreEqual(expected, plan!.TextOf("css/site.css"));
        Assert.AreEqual(Expected.Key("css/site.css", expected), plan.KeyOf("css/site.css"));
        Assert.IsEmpty(log.Diagnostics, log.Dump());
    }

    [TestMethod]
    public async Task SeveralUrlsInOneDeclarationAreEachRewritten()
    {
        using var tree = new AssetTree();
        tree.Add("css/a.woff2", [1, 1, 2]);
        tree.Add("css/a.woff", [1, 1, 3]);
        tree.Add("css/fonts.css", "@font-face { font-family: A; src: url(a.woff2) format(\"woff2\"), url(a.woff) format(\"woff\"); }\n");

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        var expected = "@font-face { font-family: A; src: url(" + Expected.Key("a.woff2", [1, 1, 2]) + ") format(\"woff2\"), url("
            + Expected.Key("a.woff", [1, 1, 3]) + ") format(\"woff\"); }\n";
        Assert.AreEqual(expected, plan!.TextOf("css/fonts.css"));
        Assert.AreEqual(Expected.Key("css/fonts.css", expected), plan.KeyOf("css/fonts.css"));
    }

    [TestMethod]
    public async Task QueryAndFragmentSuffixesStayAfterTheFingerprintedName()
    {
        using var tree = new AssetTree();
        tree.Add("fonts/i.eot", [1]);
        tree.Add("fonts/i.svg", Expected.Utf8("<svg/>"));
        tree.Add("fonts/i.ttf", [2]);
        tree.Add("css/i.css", "src: url('../fonts/i.eot?#iefix'), url(\"../fonts/i.svg#svgid\"), url(../fonts/i.ttf?v=4.7.0#x);\n");

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        var expected = $"src: url('../{Expected.Key("fonts/i.eot", [1])}?#iefix'), url(\"../{Expected.Key("fonts/i.svg", "<svg/>")}#svgid\"), "
            + $"url(../{Expected.Key("fonts/i.ttf", [2])}?v=4.7.0#x);\n";
        Assert.AreEqual(expected, plan!.TextOf("css/i.css"));
    }

    [TestMethod]
    public async Task BothImportFormsAreRewritten()
    {
        using var tree = new AssetTree();
        tree.Add("css/b.css", ".b{}");
        tree.Add("css/c.css", ".c{}");
        tree.Add("css/a.css", "@import url(\"b.css\");\n@import \"c.css\";\n@import 'c.css' print;\n");

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        var b = Expected.Key("b.css", ".b{}");
        var c = Expected.Key("c.css", ".c{}");
        Assert.AreEqual($"@import url(\"{b}\");\n@import \"{c}\";\n@import '{c}' print;\n", plan!.TextOf("css/a.css"));
    }

    [TestMethod]
    public async Task DataAbsoluteProtocolRelativeAndFragmentUrlsAreLeftAloneWithoutWarnings()
    {
        using var tree = new AssetTree();
        // Files that a careless resolver might match: none of the URLs below may be pointed at them.
        tree.Add("a.png", Png);
        tree.Add("css/blur", [1]);
        const string css = """
            .a { background: url(data:image/png;base64,iVBORw0KGgo=); }
            .b { background: url("data:image/svg+xml;charset=utf8,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E"); }
            .c { background: url(https://cdn.example.com/a.png); }
            .d { background: url('http://example.com/a.png'); }
            .e { background: url("//cdn.example.com/a.png"); }
            .f { filter: url(#blur); }
            .g { behavior: url(); }
            @import "https://fonts.googleapis.com/css2?family=Inter";
            @import url(//fonts.googleapis.com/css?family=Open+Sans);
            /*# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ== */
            """;
        tree.Add("css/site.css", css);
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        Assert.AreEqual(css, plan!.TextOf("css/site.css"));
        Assert.AreEqual(Expected.Key("css/site.css", css), plan.KeyOf("css/site.css"));
    }

    [TestMethod]
    [DataRow("css/deep/er/site.css", "img/a.png", "/img/a.png", "../../../img/a.{0}.png", DisplayName = "three folders up")]
    [DataRow("css/site.css", "css/a.png", "/css/a.png", "./a.{0}.png", DisplayName = "the same folder")]
    [DataRow("site.css", "img/a.png", "/img/a.png", "./img/a.{0}.png", DisplayName = "from the root")]
    [DataRow("css/site.css", "img/a.png", "/css/../img/./a.png?v=2#x", "../img/a.{0}.png?v=2#x", DisplayName = "dot segments, query and fragment")]
    [DataRow("css/x/site.css", "css/y/a.png", "/css/y/a.png", "../y/a.{0}.png", DisplayName = "a sibling folder")]
    public async Task ARootAbsoluteUrlResolvesAgainstTheWebRootAndComesOutRelativeToTheStylesheet(string stylesheet, string image, string url, string rewritten)
    {
        // "/" is the host's root wherever the site is served under a prefix (a bucket folder, a CDN path, a
        // path-style bucket URL): only a relative URL holds there.
        using var tree = new AssetTree();
        tree.Add(image, Png);
        tree.Add(stylesheet, $".a {{ background: url({url}); }}\n");
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        Assert.AreEqual($".a {{ background: url({string.Format(rewritten, Expected.Hex(Png))}); }}\n", plan!.TextOf(stylesheet));
    }

    [TestMethod]
    [DataRow("../fonts/my%20font.woff2", "../fonts/my%20font.{0}.woff2", DisplayName = "relative")]
    [DataRow("/fonts/my%20font.woff2", "../fonts/my%20font.{0}.woff2", DisplayName = "root-absolute, made relative")]
    public async Task APercentEncodedUrlFindsTheDecodedLogicalPathAndKeepsItsEncoding(string url, string rewritten)
    {
        using var tree = new AssetTree();
        byte[] font = [0x77, 0x4F, 0x46, 0x32, 1, 2];
        tree.Add("fonts/my font.woff2", font);
        tree.Add("css/site.css", $"@font-face {{ src: url(\"{url}\") format(\"woff2\"); }}\n");
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        Assert.AreEqual($"@font-face {{ src: url(\"{string.Format(rewritten, Expected.Hex(font))}\") format(\"woff2\"); }}\n", plan!.TextOf("css/site.css"));
        Assert.AreEqual($"fonts/my font.{Expected.Hex(font)}.woff2", plan.KeyOf("fonts/my font.woff2"));
    }

    [TestMethod]
    public async Task AByteOrderMarkAndCrlfLineEndingsArePreserved()
    {
        using var tree = new AssetTree();
        tree.Add("img/a.png", Png);
        byte[] bom = [0xEF, 0xBB, 0xBF];
        tree.Add("css/site.css", [.. bom, .. Expected.Utf8(".a {\r\n  background: url(../img/a.png);\r\n}\r\n")]);

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        byte[] expected = [.. bom, .. Expected.Utf8($".a {{\r\n  background: url(../{Expected.Key("img/a.png", Png)});\r\n}}\r\n")];
        CollectionAssert.AreEqual(expected, plan!.ContentOf("css/site.css"));
        Assert.AreEqual(Expected.Key("css/site.css", expected), plan.KeyOf("css/site.css"));
    }

    [TestMethod]
    public async Task WithRewritingOffTheContentIsPublishedAsItIs()
    {
        using var tree = new AssetTree();
        tree.Add("img/a.png", Png);
        const string css = ".a { background: url(../img/a.png); }\n";
        tree.Add("css/site.css", css);

        var plan = await tree.PlanAsync(tree.Options with { RewriteReferences = false }, new RecordingLog());

        Assert.AreEqual(tree.SourceOf("css/site.css"), plan!.Asset("css/site.css").Object.SourcePath);
        Assert.AreEqual(Expected.Key("css/site.css", css), plan.KeyOf("css/site.css"));
    }

    [TestMethod]
    public async Task ASourceMapCommentInCssIsRewritten()
    {
        using var tree = new AssetTree();
        const string map = "{\"version\":3,\"sources\":[],\"mappings\":\"\"}";
        tree.Add("css/site.css.map", map);
        tree.Add("css/site.css", ".a{color:red}\n/*# sourceMappingURL=site.css.map */\n");
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsEmpty(log.Diagnostics, log.Dump());
        Assert.AreEqual($".a{{color:red}}\n/*# sourceMappingURL=site.css.{Expected.Hex(map)}.map */\n", plan!.TextOf("css/site.css"));
        Assert.AreEqual(Expected.Key("css/site.css.map", map), plan.KeyOf("css/site.css.map"));
        Assert.IsEmpty(log.WithCode(DiagnosticCodes.MissingReference));
    }
}
