namespace StaticAssets.Testing;

/// <summary>
/// A site with numbered versions, published one after another to build a history of generations: <c>css/site.css</c>
/// changes in every version, <c>js/app.js</c> every second one, <c>img/v{n}.svg</c> exists only in version n, and
/// <c>lib/stable.js</c> never changes. Published with un-fingerprinted copies (so rollback has copies to restore) and
/// nothing else (no rewriting, no compression).
/// </summary>
public sealed class VersionedSite : IDisposable
{
    public const string Project = "SampleApp";

    private readonly TempDirectory _root = new();

    public static PlanOptions Plan { get; } = Plans.OneObjectPerFile with { KeepOriginalNames = true };

    /// <summary>The files of <paramref name="version"/>, written to a folder of their own.</summary>
    public IReadOnlyList<AssetSource> Sources(int version)
    {
        var files = new Dictionary<string, string>
        {
            ["css/site.css"] = $"body {{ --version: {version}; }}",
            ["js/app.js"] = $"console.log('app {(version + 1) / 2}');",
            [$"img/v{version}.svg"] = $"<svg><!-- only in {version} --></svg>",
            ["lib/stable.js"] = "stable();",
        };
        return files.Select(f => new AssetSource(_root.Write($"v{version}/{f.Key}", f.Value), f.Key)).ToArray();
    }

    /// <summary>Publishes <paramref name="version"/> with the engine; fails the test if the publish fails.</summary>
    public async Task<PublishResult> PublishAsync(int version, IAssetStore store, string project = Project, CancellationToken cancellationToken = default)
    {
        var log = new RecordingLog();
        var result = await StaticAssetPublisher.PublishAsync(Sources(version), store,
            new PublishOptions { Plan = Plan, Source = new GenerationSource(project, $"1.0.{version}", "test-machine") }, log, cancellationToken);
        Assert.IsTrue(result.Succeeded, log.Dump());
        // Entries are named by the millisecond: keep publishes in distinct ones, as real ones are.
        await Task.Delay(3, cancellationToken);
        return result;
    }

    /// <summary>Publishes versions 1 to <paramref name="count"/>; returns each one's manifest bytes.</summary>
    public async Task<byte[][]> PublishAsync(IAssetStore store, int count)
    {
        var manifests = new List<byte[]>();
        for (var version = 1; version <= count; version++)
        {
            var result = await PublishAsync(version, store);
            manifests.Add(AssetManifest.Serialize(result.Plan!, Project));
        }
        return [.. manifests];
    }

    /// <summary>Every key a generation needs: its content-addressed objects and its un-fingerprinted copies (the
    /// assets' logical paths: this site is published without compressed copies), read with the engine's reader.</summary>
    public static IEnumerable<string> KeysOf(byte[] manifest)
    {
        Assert.IsTrue(AssetManifest.TryReadAssets(manifest, out var assets, out var problem), $"not a complete manifest: {problem}");
        return Stored.ObjectsOf(manifest).Select(o => o.Key).Concat(assets.Select(a => a.Original ?? throw new AssertFailedException($"{a.LogicalPath} has no un-fingerprinted copy")));
    }

    public void Dispose() => _root.Dispose();
}
