using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using StaticAssets.AspNetCore.Linking;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.Bench;

/// <summary>Start-up: reading the manifest into ready-made URLs (what happens once, before the server listens).</summary>
[MemoryDiagnoser]
public class ManifestStartup
{
    private string _manifest = "";

    [Params(30_000)]
    public int Assets { get; set; }

    /// <summary>Integrity and PreferCompressed need the manifest's "assets" section, nine tenths of the file.</summary>
    [Params(false, true)]
    public bool Integrity { get; set; }

    [Params(false, true)]
    public bool PreferCompressed { get; set; }

    [GlobalSetup]
    public void Setup() => _manifest = GeneratedManifest.Write(Assets);

    [Benchmark]
    public int ReadManifest() => PublishedAssets.Load(new StaticAssetsOptions
    {
        BaseUrl = "https://cdn.example.com/site/",
        ManifestPath = _manifest,
        Integrity = Integrity,
        PreferCompressed = PreferCompressed,
    }, NullLogger.Instance).Assets.Count;
}

/// <summary>Per link: what a tag helper does for href="~/..." (strip "~/", look up, pick the URL).</summary>
[MemoryDiagnoser]
public class LinkResolution
{
    private StaticAssetUrls _urls = null!;
    private StaticAssetUrls _compressed = null!;
    private HttpContext _request = null!;
    private string _link = "";

    [GlobalSetup]
    public void Setup()
    {
        var manifest = GeneratedManifest.Write(30_000);
        _urls = Load(manifest, preferCompressed: false);
        _compressed = Load(manifest, preferCompressed: true);
        _link = "~/" + GeneratedManifest.LogicalPath(12_345);
        _request = new DefaultHttpContext();
        _request.Request.Headers.AcceptEncoding = "gzip, deflate, br, zstd";
        _request.Response.Headers.Vary = "Accept-Encoding";
    }

    [Benchmark(Baseline = true)]
    public string Resolve() => _urls.TryResolve(_link, ContentCodings.None, out var url, out _) ? url : "";

    /// <summary>With PreferCompressed: also reads the request's Accept-Encoding.</summary>
    [Benchmark]
    public string ResolveCompressed() => _compressed.TryResolve(_link, _compressed.CodingsFor(_request), out var url, out _) ? url : "";

    private static StaticAssetUrls Load(string manifest, bool preferCompressed) => new(PublishedAssets.Load(new StaticAssetsOptions
    {
        BaseUrl = "https://cdn.example.com/site/",
        ManifestPath = manifest,
        PreferCompressed = preferCompressed,
    }, NullLogger.Instance));
}
