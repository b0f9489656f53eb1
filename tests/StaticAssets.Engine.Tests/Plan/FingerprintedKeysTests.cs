namespace StaticAssets.Engine.Tests.Plan;

[TestClass]
public sealed class FingerprintedKeysTests
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("body { color: red; }");

    private static string Fingerprint => TestData.HexSha256(Content)[..12];

    [TestMethod]
    public void For_InsertsTwelveHexDigitsOfTheSha256BeforeTheExtension()
    {
        var key = FingerprintedKeys.For("css/site.css", Sha256Digest.Compute(Content));

        Assert.AreEqual($"css/site.{Fingerprint}.css", key);
        Assert.MatchesRegex(@"^css/site\.[0-9a-f]{12}\.css$", key);
    }

    [TestMethod]
    [DataRow("app.min.js", "app.min.", ".js", DisplayName = "several dots: only the last extension moves")]
    [DataRow("x.js.map", "x.js.", ".map", DisplayName = "source map")]
    [DataRow("LICENSE", "LICENSE.", "", DisplayName = "no extension: appended")]
    [DataRow(".well-known/.htaccess", ".well-known/.htaccess.", "", DisplayName = "dot-file in a dot-folder: appended")]
    [DataRow(".htaccess", ".htaccess.", "", DisplayName = "dot-file at the root: appended")]
    [DataRow("v1.2/LICENSE", "v1.2/LICENSE.", "", DisplayName = "dot in a folder name is not an extension")]
    [DataRow("a/b/c/d.png", "a/b/c/d.", ".png", DisplayName = "nested folders are kept")]
    [DataRow("lib/jquery/dist/jquery.min.js", "lib/jquery/dist/jquery.min.", ".js", DisplayName = "nested, several dots")]
    public void For_PlacesTheFingerprintByTheLastExtensionOfTheFileName(string logicalPath, string expectedBefore, string expectedAfter)
    {
        var key = FingerprintedKeys.For(logicalPath, Sha256Digest.Compute(Content));

        Assert.AreEqual(expectedBefore + Fingerprint + expectedAfter, key);
    }

    [TestMethod]
    public void For_DifferentContentGivesADifferentKey_SameContentTheSameKey()
    {
        var a = FingerprintedKeys.For("js/app.js", Sha256Digest.Compute(Content));
        var again = FingerprintedKeys.For("js/app.js", Sha256Digest.Compute(Content.ToArray()));
        var b = FingerprintedKeys.For("js/app.js", Sha256Digest.Compute(Encoding.UTF8.GetBytes("other")));

        Assert.AreEqual(a, again);
        Assert.AreNotEqual(a, b);
    }

    [TestMethod]
    [DataRow("gzip", ".gz")]
    [DataRow("GZip", ".gz")]
    [DataRow("br", ".br")]
    [DataRow("BR", ".br")]
    [DataRow("zstd", ".zst")]
    public void VariantSuffix_KnownEncodings(string encoding, string expected)
    {
        Assert.AreEqual(expected, ContentEncodings.Suffix(encoding));
    }

    [TestMethod]
    [DataRow("deflate")]
    [DataRow("identity")]
    [DataRow("")]
    [DataRow("gz")]
    public void VariantSuffix_UnknownEncodingIsNull(string encoding)
    {
        Assert.IsNull(ContentEncodings.Suffix(encoding));
    }
}
