using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using StaticAssets.AspNetCore.Linking;
using StaticAssets.AspNetCore.Manifest;
using StaticAssets.AspNetCore.Tests.Support;
using PublishedAssets = StaticAssets.AspNetCore.Manifest.PublishedAssets;

namespace StaticAssets.AspNetCore.Tests.Performance;

/// <summary>
/// The memory budgets, which do not depend on the machine's load (the times are measured by
/// bench/StaticAssets.AspNetCore.Bench): a 30,000-asset manifest loads in under 20 MB, and linking allocates nothing.
/// </summary>
[TestClass]
public sealed class BudgetTests
{
    private static string s_manifest = null!;

    [ClassInitialize]
    public static void WriteManifest(TestContext context)
    {
        var manifest = new TestManifest();
        for (var i = 0; i < 30_000; i++)
        {
            manifest.Add($"assets/section{i % 40}/components/widget-{i}/styles.css", "br", "gzip");
        }
        s_manifest = manifest.Write();
    }

    [ClassCleanup]
    public static void DeleteManifest() => File.Delete(s_manifest);

    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true)]
    public void A_30000_asset_manifest_loads_in_under_20_MB(bool integrity, bool preferCompressed)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var assets = Load(integrity, preferCompressed);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.AreEqual(30_000, assets.Assets.Count);
        Assert.IsLessThan(20_000_000, allocated, $"{allocated:N0} bytes allocated");
    }

    [TestMethod]
    public void Linking_a_published_asset_allocates_nothing_once_it_has_been_linked()
    {
        var urls = new StaticAssetUrls(Load(integrity: true, preferCompressed: true));
        var request = new DefaultHttpContext();
        request.Request.Headers.AcceptEncoding = "gzip, deflate, br, zstd";
        var link = $"~/assets/section{12345 % 40}/components/widget-12345/styles.css";
        Assert.IsTrue(urls.TryResolve(link, urls.CodingsFor(request), out var first, out var asset));
        Assert.EndsWith(".css.br", first);
        _ = asset.Integrity;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            urls.TryResolve(link, urls.CodingsFor(request), out _, out var again);
            _ = again!.Integrity;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.AreEqual(0, allocated, "bytes allocated by 10,000 links");
    }

    private static PublishedAssets Load(bool integrity, bool preferCompressed) => PublishedAssets.Load(new StaticAssetsOptions
    {
        BaseUrl = "https://cdn.example.com/site/",
        ManifestPath = s_manifest,
        Integrity = integrity,
        PreferCompressed = preferCompressed,
    }, NullLogger.Instance);
}
