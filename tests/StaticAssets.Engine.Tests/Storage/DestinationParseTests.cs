namespace StaticAssets.Engine.Tests.Storage;

[TestClass]
public sealed class DestinationParseTests
{
    private static readonly string BaseDirectory = Path.Combine(Path.GetTempPath(), "sa-parse-base", "project");

    private static string FolderOf(Destination destination) =>
        Assert.IsInstanceOfType<LocalFolderDestination>(destination).Folder;

    /// <summary>A rollback on S3 keeps twice the publish's requests in flight unless told otherwise (its copies wait on
    /// the server, docs/benchmarks.md); the other backends keep the publish's.</summary>
    [TestMethod]
    public async Task ARollbacksStoreTakesTheBackendsRollbackConcurrency_UnlessTheSettingsSetOne()
    {
        var s3 = Destination.Parse("s3://bucket/site/", BaseDirectory);
        var folder = Destination.Parse("out", BaseDirectory);
        var region = new StoreSettings { S3 = new S3Settings { Region = "eu-west-1" } };
        await using var s3Rollback = s3.CreateRollbackStore(region);
        await using var s3Publish = s3.CreateStore(region);
        await using var s3Limited = s3.CreateRollbackStore(region with { MaxConcurrency = 8 });
        await using var folderRollback = folder.CreateRollbackStore(new StoreSettings());

        Assert.AreEqual(128, s3Rollback.MaxConcurrency);
        Assert.AreEqual(64, s3Publish.MaxConcurrency);
        Assert.AreEqual(8, s3Limited.MaxConcurrency);
        Assert.AreEqual(folder.DefaultMaxConcurrency, folderRollback.MaxConcurrency);
    }

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
