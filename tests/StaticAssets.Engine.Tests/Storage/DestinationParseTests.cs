namespace StaticAssets.Engine.Tests.Storage;

[TestClass]
public sealed class DestinationParseTests
{
    private static readonly string BaseDirectory = Path.Combine(Path.GetTempPath(), "sa-parse-base", "project");

    private static string FolderOf(Destination destination) =>
        Assert.IsInstanceOfType<LocalFolderDestination>(destination).Folder;

    [TestMethod]
    public void RelativePath_IsResolvedAgainstTheBaseDirectory()
    {
        var destination = Destination.Parse("bin/static-assets", BaseDirectory);

        Assert.AreEqual(Path.GetFullPath(Path.Combine(BaseDirectory, "bin", "static-assets")), FolderOf(destination));
    }

    [TestMethod]
    public void RelativePathWithParentSegments_IsNormalized()
    {
        var destination = Destination.Parse("../out", BaseDirectory);

        Assert.AreEqual(Path.GetFullPath(Path.Combine(BaseDirectory, "..", "out")), FolderOf(destination));
        Assert.DoesNotContain("..", FolderOf(destination));
    }

    [TestMethod]
    public void AbsolutePath_IsKept()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "sa-parse-abs", "dest");

        Assert.AreEqual(absolute, FolderOf(Destination.Parse(absolute, BaseDirectory)));
    }

    [TestMethod]
    public void SurroundingWhitespace_IsIgnored()
    {
        Assert.AreEqual(
            Path.GetFullPath(Path.Combine(BaseDirectory, "out")),
            FolderOf(Destination.Parse("  out \t", BaseDirectory)));
    }

    [TestMethod]
    public void FileUri_IsALocalFolder()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "sa-parse-uri", "dir with space");
        var uri = new Uri(absolute).AbsoluteUri;
        Assert.StartsWith("file:///", uri);

        Assert.AreEqual(absolute, FolderOf(Destination.Parse(uri, BaseDirectory)));
    }

    [TestMethod]
    public void FileUriWithUpperCaseScheme_IsALocalFolder()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "sa-parse-upper");
        var uri = "FILE" + new Uri(absolute).AbsoluteUri["file".Length..];

        Assert.AreEqual(absolute, FolderOf(Destination.Parse(uri, BaseDirectory)));
    }

    [TestMethod]
    [DataRow("file:///tmp/x?y=1", DisplayName = "query")]
    [DataRow("file:///tmp/x#frag", DisplayName = "fragment")]
    public void FileUriWithQueryOrFragment_IsSA1001(string value)
    {
        AssertInvalid(value);
    }

    [TestMethod]
    [DataRow("ftp://x", DisplayName = "ftp")]
    [DataRow("s3x://bucket", DisplayName = "s3x")]
    [DataRow("s3x://", DisplayName = "s3x, nothing after")]
    [DataRow("http://example.com/assets", DisplayName = "http")]
    [DataRow("HTTPS://example.com", DisplayName = "upper-case https")]
    [DataRow("az://container", DisplayName = "az")]
    public void UnsupportedScheme_IsSA1008NamingTheScheme(string value)
    {
        var e = AssertInvalid(value, DiagnosticCodes.UnsupportedDestinationScheme);

        Assert.Contains(value.Split("://")[0] + "://", e.Diagnostic.Message);
    }

    [TestMethod]
    [DataRow("", DisplayName = "empty")]
    [DataRow("   ", DisplayName = "blank")]
    [DataRow(null, DisplayName = "null")]
    public void Empty_IsSA1001(string? value)
    {
        AssertInvalid(value);
    }

    [TestMethod]
    [DataRow("C:\\folder", DisplayName = "drive and backslash")]
    [DataRow("C:/folder", DisplayName = "drive and slash")]
    [DataRow("C://folder", DisplayName = "one-letter 'scheme'")]
    [DataRow("static-assets", DisplayName = "plain name")]
    [DataRow("my.assets+v2-final", DisplayName = "name with scheme characters")]
    [DataRow("out/file:name", DisplayName = "colon later in the path")]
    public void WindowsPathsAndPlainNames_AreNotMistakenForSchemes(string value)
    {
        var destination = Destination.Parse(value, BaseDirectory);

        Assert.AreEqual(Path.GetFullPath(value, BaseDirectory), FolderOf(destination));
    }

    [TestMethod]
    public async Task LocalFolderDestination_CreatesAStoreThatWritesIntoTheFolder()
    {
        using var temp = new TempDirectory();
        var destination = Destination.Parse("dest", temp.Path);

        await using var store = destination.CreateStore(new StoreSettings { MaxConcurrency = 4 });
        var bytes = "hello"u8.ToArray();
        await store.WriteAsync(
            new StoreWrite("a/b.txt", bytes.Length, Sha256Digest.Compute(bytes), "text/plain", null, "no-cache",
                () => new MemoryStream(bytes)),
            CancellationToken.None);

        Assert.AreEqual("hello", File.ReadAllText(temp.Combine("dest/a/b.txt")));
    }

    private static StaticAssetsException AssertInvalid(string? value, string code = DiagnosticCodes.InvalidDestination)
    {
        var e = Assert.ThrowsExactly<StaticAssetsException>(() => Destination.Parse(value, BaseDirectory));
        Assert.AreEqual(code, e.Diagnostic.Code);
        Assert.AreEqual(DiagnosticSeverity.Error, e.Diagnostic.Severity);
        return e;
    }
}
