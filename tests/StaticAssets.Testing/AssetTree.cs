using System.Collections.Concurrent;
using System.IO.Compression;

namespace StaticAssets.Testing;

/// <summary>
/// A web root in a temporary folder: files written under logical paths, the <see cref="AssetSource"/>s describing
/// them (in insertion order unless shuffled), and a work folder for rewritten and compressed copies.
/// </summary>
public sealed class AssetTree : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly List<AssetSource> _sources = [];

    public string Root => _temp.Path;

    public string WorkDirectory => _temp.Combine("work");

    public IReadOnlyList<AssetSource> Sources => _sources;

    /// <summary>Full path of the source file of <paramref name="logicalPath"/>.</summary>
    public string SourceOf(string logicalPath) => _temp.Combine("wwwroot/" + logicalPath);

    public AssetTree Add(string logicalPath, string content, bool alreadyFingerprinted = false) =>
        Add(logicalPath, Encoding.UTF8.GetBytes(content), alreadyFingerprinted);

    public AssetTree Add(string logicalPath, byte[] content, bool alreadyFingerprinted = false, IReadOnlyList<AssetVariantSource>? variants = null)
    {
        var path = _temp.Write("wwwroot/" + logicalPath, content);
        _sources.Add(new AssetSource(path, logicalPath, Variants: variants, AlreadyFingerprinted: alreadyFingerprinted));
        return this;
    }

    /// <summary>Replaces a file's bytes (the AssetSource stays as it is).</summary>
    public void Change(string logicalPath, string content) => File.WriteAllText(SourceOf(logicalPath), content);

    public void Change(string logicalPath, byte[] content) => File.WriteAllBytes(SourceOf(logicalPath), content);

    /// <summary>Writes a file outside the web root (e.g. an SDK's compressed copy) and returns its full path.</summary>
    public string WriteOther(string relative, byte[] content) => _temp.Write("other/" + relative, content);

    public byte[] Read(string logicalPath) => File.ReadAllBytes(SourceOf(logicalPath));

    /// <summary>Rewriting on, one object per file otherwise (<see cref="Plans.OneObjectPerFile"/>), the work folder inside this tree.</summary>
    public PlanOptions Options => Plans.OneObjectPerFile with { RewriteReferences = true, WorkDirectory = WorkDirectory };

    public Task<PublishPlan?> PlanAsync(PlanOptions options, RecordingLog log, IReadOnlyList<AssetSource>? sources = null) =>
        AssetPlanner.PlanAsync(sources ?? _sources, options, log, CancellationToken.None).Guard();

    /// <summary>The sources in an order decided by <paramref name="seed"/>.</summary>
    public IReadOnlyList<AssetSource> Shuffled(int seed)
    {
        var copy = _sources.ToArray();
        new Random(seed).Shuffle(copy);
        return copy;
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>Reading a plan the way a test needs it.</summary>
public static class PlanExtensions
{
    public static PublishPlan NotNull(this PublishPlan? plan) => plan ?? throw new AssertFailedException("the plan failed (null)");

    public static PlannedAsset Asset(this PublishPlan? plan, string logicalPath) =>
        plan.NotNull().Assets.SingleOrDefault(a => a.LogicalPath == logicalPath)
        ?? throw new AssertFailedException($"the plan has no asset '{logicalPath}'");

    public static string KeyOf(this PublishPlan? plan, string logicalPath) => plan.Asset(logicalPath).Object.Key;

    /// <summary>The bytes that would be published for the asset (its rewritten copy, if any).</summary>
    public static byte[] ContentOf(this PublishPlan? plan, string logicalPath) => File.ReadAllBytes(plan.Asset(logicalPath).Object.SourcePath);

    public static string TextOf(this PublishPlan? plan, string logicalPath) => Encoding.UTF8.GetString(plan.ContentOf(logicalPath));

    public static IReadOnlyDictionary<string, string> Keys(this PublishPlan? plan) =>
        plan.NotNull().Assets.ToDictionary(a => a.LogicalPath, a => a.Object.Key, StringComparer.Ordinal);

    public static byte[] Manifest(this PublishPlan? plan) => AssetManifest.Serialize(plan.NotNull());

    /// <summary>The planned object's size and digest describe the file it will be read from.</summary>
    public static void AssertDescribesItsFile(this PlannedObject obj)
    {
        var bytes = File.ReadAllBytes(obj.SourcePath);
        Assert.AreEqual(bytes.LongLength, obj.Size, $"size of '{obj.Key}'");
        Assert.AreEqual(TestData.HexSha256(bytes), obj.Sha256.Hex, $"SHA-256 of '{obj.Key}'");
    }
}

public static class LogExtensions
{
    public static Diagnostic[] WithCode(this RecordingLog log, string code) => log.Diagnostics.Where(d => d.Code == code).ToArray();

    public static string Dump(this RecordingLog log) => string.Join(Environment.NewLine, log.Diagnostics);
}
