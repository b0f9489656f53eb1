using Microsoft.Build.Framework;
using static StaticAssets.Testing.TaskProject;

namespace StaticAssets.Tasks.Tests;

/// <summary>
/// Bad input, one row each, through the MSBuild task onto a local destination that already serves a generation:
/// every row gets exactly its code, a message that says what to do, no secret in anything logged, and — for errors —
/// nothing published changes (destination and local manifest byte for byte). Every code a user's input or settings can
/// cause is here; store failures are in the integration tests (real servers), a file changed or deleted mid-publish in
/// the engine's.
/// </summary>
[TestClass]
public sealed class BadInputMatrixTests
{
    /// <summary>One bad input: how to cause it, the code, what the message must say, and anything else to check.</summary>
    public sealed record Case(string Code, Action<Run> Arrange, string[] Says, Action<Run>? Then = null);

    /// <summary>A project that published <c>good.css</c> once, and the task about to publish again.</summary>
    public sealed class Run(TaskProject project, PublishStaticAssets task, Tmpfs? tmpfs)
    {
        public TaskProject Project { get; } = project;

        public PublishStaticAssets Task { get; } = task;

        /// <summary>The file system mounted on the destination, for rows about a destination that cannot take the objects.</summary>
        public Tmpfs Mounted => tmpfs ?? throw new AssertFailedException("no tmpfs for this row");

        /// <summary>Adds a StaticAsset item for a file written under wwwroot/.</summary>
        public ITaskItem Add(string file, string content, params (string Name, string Value)[] metadata) =>
            Add(file, Encoding.UTF8.GetBytes(content), metadata);

        public ITaskItem Add(string file, byte[] content, params (string Name, string Value)[] metadata)
        {
            var item = Item(Project.Write("wwwroot/" + file, content), metadata);
            Task.Assets = [.. Task.Assets, item];
            return item;
        }

        public void Asset(string logicalPath, string content) => Add(logicalPath, content, ("LogicalPath", logicalPath));

        public string FileUnderDestination(string key) => Path.Combine(Project.Dest, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // SA1001, SA1008: where to publish
        ["SA1001 s3:// without a bucket"] = new(DiagnosticCodes.InvalidDestination, r => r.Task.Destination = "s3://", ["StaticAssetsDestination", "s3://bucket-name/"]),
        ["SA1001 bucket name with capitals"] = new(DiagnosticCodes.InvalidDestination, r => r.Task.Destination = "s3://UPPER_bad/x", ["s3://bucket-name/"]),
        ["SA1001 bucket name too short"] = new(DiagnosticCodes.InvalidDestination, r => r.Task.Destination = "s3://ab", ["s3://bucket-name/"]),
        ["SA1001 empty prefix segment"] = new(DiagnosticCodes.InvalidDestination, r => r.Task.Destination = "s3://my-bucket/a//b", ["empty segment"]),
        ["SA1001 file URI with a query"] = new(DiagnosticCodes.InvalidDestination, r => r.Task.Destination = "file://?x", ["file:///absolute/folder"]),
        ["SA1001 blank with no publish folder to default to"] = new(DiagnosticCodes.InvalidDestination, r => r.Task.Destination = " \t", ["is empty", "folder path"]),
        ["SA1008 ftp scheme"] = new(DiagnosticCodes.UnsupportedDestinationScheme, r => r.Task.Destination = "ftp://x", ["'ftp://'", "which is not supported", "s3://bucket/prefix/"]),
        ["SA1008 gs scheme"] = new(DiagnosticCodes.UnsupportedDestinationScheme, r => r.Task.Destination = "gs://b", ["'gs://'"]),

        // SA1002, SA1007, SA1011, SA1012, SA1014, SA1015: settings
        ["SA1002 concurrency 0"] = new(DiagnosticCodes.InvalidConcurrency, r => r.Task.MaxConcurrency = "0", ["StaticAssetsMaxConcurrency is '0'", "whole number from 1 to 512"]),
        ["SA1002 concurrency abc"] = new(DiagnosticCodes.InvalidConcurrency, r => r.Task.MaxConcurrency = "abc", ["'abc'"]),
        ["SA1002 concurrency 513"] = new(DiagnosticCodes.InvalidConcurrency, r => r.Task.MaxConcurrency = "513", ["'513'"]),
        ["SA1007 service URL that is not a URL"] = new(DiagnosticCodes.InvalidS3Setting, r => S3(r).S3ServiceUrl = "not a url", ["StaticAssetsS3ServiceUrl is 'not a url'; it must be"]),
        ["SA1007 service URL with a password"] = new(DiagnosticCodes.InvalidS3Setting,
            r => S3(r).S3ServiceUrl = "http://deploy:Pa55w0rd-9f3c7e@s3.example.com", ["StaticAssetsS3ServiceUrl", "***@s3.example.com"]),
        ["SA1007 region"] = new(DiagnosticCodes.InvalidS3Setting, r => S3(r).S3Region = "EU WEST", ["StaticAssetsS3Region is 'EU WEST'"]),
        ["SA1007 path style"] = new(DiagnosticCodes.InvalidS3Setting, r => S3(r).S3ForcePathStyle = "yes", ["StaticAssetsS3ForcePathStyle is 'yes'; it must be true or false"]),
        ["SA1007 checksum mode"] = new(DiagnosticCodes.InvalidS3Setting, r => S3(r).S3ChecksumMode = "sometimes", ["SdkDefault or WhenRequired"]),
        ["SA1007 attempts 0"] = new(DiagnosticCodes.InvalidS3Setting, r => r.Task.MaxAttempts = "0", ["StaticAssetsMaxAttempts is '0'", "from 1 to 20"]),
        ["SA1007 attempts 21"] = new(DiagnosticCodes.InvalidS3Setting, r => r.Task.MaxAttempts = "21", ["StaticAssetsMaxAttempts is '21'"]),
        ["SA1011 pipeline reporting"] = new(DiagnosticCodes.InvalidPipelineReporting, r => r.Task.PipelineReporting = "jenkins", ["StaticAssetsPipelineReporting is 'jenkins'"]),
        ["SA1012 both Azure variables"] = new(DiagnosticCodes.InvalidAzureSetting, r =>
        {
            r.Task.AzureConnectionStringVariable = "A";
            r.Task.AzureSasVariable = "B";
        }, ["set only one of them"]),
        ["SA1012 a secret pasted for a variable name"] = new(DiagnosticCodes.InvalidAzureSetting,
            r => r.Task.AzureConnectionStringVariable = "DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0X3Bhc3RlZA==",
            ["StaticAssetsAzureConnectionStringVariable must be the NAME of an environment variable"]),
        ["SA1012 a variable that is not set"] = new(DiagnosticCodes.InvalidAzureSetting, r =>
        {
            r.Task.Destination = "https://account.blob.core.windows.net/static/site/";
            r.Task.AzureSasVariable = "STATICASSETS_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        }, ["StaticAssetsAzureSasVariable names the environment variable", "which is not set"]),
        ["SA1014 compression"] = new(DiagnosticCodes.InvalidPlanSetting, r => r.Task.Compression = "zip", ["StaticAssetsCompression contains 'zip'"]),
        ["SA1014 fingerprint pattern"] = new(DiagnosticCodes.InvalidPlanSetting, r => r.Task.FingerprintedNamePattern = "[unclosed", ["StaticAssetsFingerprintPattern is not a valid regular expression"]),
        ["SA1015 dry run maybe"] = new(DiagnosticCodes.InvalidSwitch, r => r.Task.DryRun = "maybe", ["StaticAssetsDryRun is 'maybe'; it must be true or false"]),
        ["SA1005 manifest name with a folder"] = new(DiagnosticCodes.InvalidManifestName, r => r.Task.ManifestName = "a/b.json", ["StaticAssetsManifestName 'a/b.json'", "Use a plain name"]),
        ["SA1005 manifest name .."] = new(DiagnosticCodes.InvalidManifestName, r => r.Task.ManifestName = "..", ["StaticAssetsManifestName '..'"]),

        // SA1003, SA1009, SA1010, SA1004, SA1006: the items
        ["SA1003 logical path climbing up"] = new(DiagnosticCodes.InvalidLogicalPath, r => r.Add("bad.css", "bad", ("LogicalPath", "../x.css")), ["'../x.css'", "Set its LogicalPath metadata"]),
        ["SA1003 logical path climbing up later"] = new(DiagnosticCodes.InvalidLogicalPath, r => r.Add("bad.css", "bad", ("LogicalPath", "a/../../x.css")), ["'a/../../x.css'"]),
        ["SA1003 logical path with ."] = new(DiagnosticCodes.InvalidLogicalPath, r => r.Add("bad.css", "bad", ("LogicalPath", "./a.css")), ["'./a.css'"]),
        ["SA1003 logical path with //"] = new(DiagnosticCodes.InvalidLogicalPath, r => r.Add("bad.css", "bad", ("LogicalPath", "css//a.css")), ["'css//a.css'"]),
        ["SA1009 absolute logical path"] = new(DiagnosticCodes.AbsoluteLogicalPath, r => r.Add("bad.css", "bad", ("LogicalPath", "/abs.css")), ["'/abs.css'"]),
        ["SA1009 drive letter"] = new(DiagnosticCodes.AbsoluteLogicalPath, r => r.Add("bad.css", "bad", ("LogicalPath", "C:/x.css")), ["'C:/x.css'"]),
        ["SA1010 backslash"] = new(DiagnosticCodes.BackslashInLogicalPath, r => r.Add("bad.css", "bad", ("LogicalPath", "css\\site.css")), ["'css\\site.css'"]),
        ["SA1004 missing file"] = new(DiagnosticCodes.SourceFileMissing,
            r => r.Task.Assets = [.. r.Task.Assets, Item("wwwroot/missing.js", ("LogicalPath", "missing.js"))], ["'missing.js'", "missing.js' (logical path", "Build the project before publishing"]),
        ["SA1004 dangling symlink"] = new(DiagnosticCodes.SourceFileMissing, r =>
        {
            var link = Path.Combine(r.Project.Dir, "wwwroot", "img", "gone.svg");
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, Path.Combine(r.Project.Dir, "nowhere", "gone.svg"));
            r.Task.Assets = [.. r.Task.Assets, Item(link, ("LogicalPath", "img/gone.svg"))];
        }, ["gone.svg", "Build the project before publishing"]),
        ["SA1006 item without LogicalPath"] = new(DiagnosticCodes.MissingLogicalPath, r => r.Add("orphan.js", "x"), ["orphan.js", "Add LogicalPath="]),

        // SA1013, SA2005, SA2006: references inside CSS and JavaScript
        ["SA1013 strict and a missing reference"] = new(DiagnosticCodes.MissingReferenceStrict, r =>
        {
            r.Task.Strict = "true";
            r.Asset("css/site.css", "body { background: url(../img/missing.png); }");
        }, ["'css/site.css' refers to '../img/missing.png'", "set StaticAssetsStrict=false"]),
        ["SA2005 a missing reference warns"] = new(DiagnosticCodes.MissingReference,
            r => r.Asset("css/site.css", "body { background: url(../img/missing.png); }"), ["'css/site.css' refers to '../img/missing.png'", "left as it is"]),
        ["SA2006 a reference cycle warns"] = new(DiagnosticCodes.ReferenceCycle, r =>
        {
            r.Asset("css/a.css", "@import \"b.css\";");
            r.Asset("css/b.css", "@import \"a.css\";");
        }, ["'css/a.css', 'css/b.css' refer to each other in a cycle"]),

        // SA2001..SA2004: warnings about the set of assets and the destination
        ["SA2001 two assets with one logical path"] = new(DiagnosticCodes.DuplicateLogicalPath, r =>
        {
            r.Add("a/site.css", "first", ("LogicalPath", "css/site.css"));
            r.Add("b/site.css", "second, longer", ("LogicalPath", "css/site.css"));
        }, ["both have the logical path 'css/site.css'", "Remove one of the StaticAsset items"], r =>
            CollectionAssert.AreEqual("first"u8.ToArray(), File.ReadAllBytes(r.FileUnderDestination(Key("css/site.css", "first"u8.ToArray()))), "the first one wins")),
        ["SA2002 damaged remote manifest"] = new(DiagnosticCodes.InvalidRemoteManifest,
            r => File.WriteAllText(r.Project.DestManifest, "<html>502 Bad Gateway</html>"), ["is not usable", "The new manifest will replace it"],
            r => CollectionAssert.AreEqual(File.ReadAllBytes(r.Project.LocalManifest), File.ReadAllBytes(r.Project.DestManifest), "replaced by the new one")),
        ["SA2003 compressed copy of nothing published"] = new(DiagnosticCodes.OrphanVariant,
            r => r.Add("../obj/other.css.gz", RandomNumberGenerator.GetBytes(64), ("LogicalPath", "css/other.css.gz"), ("ContentEncoding", "gzip"), ("RelatedAsset", "css/other.css")),
            ["'css/other.css'", "Set RelatedAsset to the full path or the LogicalPath"],
            r => Assert.IsFalse(TestData.FilesUnder(r.Project.Dest).Any(f => f.EndsWith(".gz", StringComparison.Ordinal)), "the copy was published")),
        ["SA2004 names that differ only in case"] = new(DiagnosticCodes.CaseOnlyDifference, r =>
        {
            r.Asset("img/Logo.svg", "<svg>upper</svg>");
            r.Asset("img/logo.svg", "<svg>lower</svg>");
        }, ["'img/Logo.svg'", "'img/logo.svg'", "Rename one of them"],
            r => Assert.IsTrue(File.Exists(r.FileUnderDestination(Key("img/Logo.svg", "<svg>upper</svg>"u8.ToArray()))), "both are stored")),

        // SA3008, SA3009: a local destination that cannot take the objects (a tmpfs, read-only or too small)
        ["SA3008 read-only destination"] = new(DiagnosticCodes.DestinationNotWritable, r =>
        {
            r.Asset("js/app.js", "app()");
            r.Mounted.Remount("ro");
        }, ["Read-only file system", "Make StaticAssetsDestination writable"]),
        ["SA3009 full destination"] = new(DiagnosticCodes.DestinationFull, r =>
        {
            _ = r.Mounted;
            r.Add("media/video.mp4", RandomNumberGenerator.GetBytes(3 * 1024 * 1024), ("LogicalPath", "media/video.mp4"));
        }, ["No space left on device", "Free space at StaticAssetsDestination"]),

        // SA4001
        ["SA4001 canceled before it started"] = new(DiagnosticCodes.Canceled, r =>
        {
            r.Asset("js/new.js", "new()");
            r.Task.Cancel();
        }, ["was canceled", "still serves its previous manifest"]),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(name => new object[] { name });

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void EachBadInputGetsItsCodeSaysWhatToDoAndDamagesNothing(string name)
    {
        var bad = Cases[name];
        using var project = new TaskProject();
        using var tmpfs = bad.Code is DiagnosticCodes.DestinationNotWritable or DiagnosticCodes.DestinationFull
            ? Tmpfs.Mount(project.Dest, "size=1m") : null;
        var good = Item(project.Write("wwwroot/good.css", "good"), ("LogicalPath", "good.css"));
        project.PublishBaseline(good);
        var before = Snapshot.Of(project.Dest);
        var localBefore = File.ReadAllBytes(project.LocalManifest);
        var (task, log) = project.Task(good);
        var run = new Run(project, task, tmpfs);
        bad.Arrange(run);

        var succeeded = task.Execute();

        var text = log.Describe();
        var warning = bad.Code.StartsWith("SA2", StringComparison.Ordinal);
        var diagnostics = warning ? log.Warnings : log.Errors;
        Assert.AreEqual(warning, succeeded, text);
        Assert.HasCount(1, diagnostics, text);
        Assert.IsEmpty(warning ? log.Errors : log.Warnings, text);
        Assert.AreEqual(bad.Code, diagnostics[0].Code, text);
        foreach (var says in bad.Says)
        {
            Assert.Contains(says, diagnostics[0].Message, text);
        }
        Secrets.AssertAbsent(text, "Pa55w0rd-9f3c7e", "c2VjcmV0X3Bhc3RlZA==");
        if (!warning)
        {
            Snapshot.AssertUnchanged(before, project.Dest, name);
            CollectionAssert.AreEqual(localBefore, File.ReadAllBytes(project.LocalManifest), $"{name}: the local manifest changed");
        }
        bad.Then?.Invoke(run);
    }

    [TestMethod]
    public void EveryCodeAUserCanCauseHasARow()
    {
        // Store failures (SA3001, SA3002, SA3004-SA3006, SA3010-SA3012) need a real store: the integration tests
        // cover them per backend. A file changed or deleted mid-publish (SA3003, SA3007): the engine's tests.
        string[] elsewhere = [DiagnosticCodes.WriteFailed, DiagnosticCodes.ReadManifestFailed, DiagnosticCodes.BucketNotFound,
            DiagnosticCodes.AccessDenied, DiagnosticCodes.EndpointUnreachable, DiagnosticCodes.ObjectTooLarge, DiagnosticCodes.StoreTimedOut,
            DiagnosticCodes.SourceChanged, DiagnosticCodes.SourceDeleted, DiagnosticCodes.NoCredentials];
        var all = typeof(DiagnosticCodes).GetFields().Select(f => (string)f.GetRawConstantValue()!);

        CollectionAssert.AreEquivalent(all.Except(elsewhere).ToArray(), Cases.Values.Select(c => c.Code).Distinct().ToArray());
    }

    /// <summary>The task's S3 destination, for rows about S3 settings.</summary>
    private static PublishStaticAssets S3(Run run)
    {
        run.Task.Destination = "s3://my-bucket/site/";
        return run.Task;
    }

    private static string Key(string logicalPath, byte[] content) => Expected.Key(logicalPath, content);
}
