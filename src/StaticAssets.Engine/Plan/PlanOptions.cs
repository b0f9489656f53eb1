using System.Text.RegularExpressions;

namespace StaticAssets.Engine.Plan;

/// <summary>
/// How assets become objects. The defaults are the package's: a front end that is given no setting passes none,
/// and a test keeps the two from drifting apart (README's property table lists them).
/// </summary>
public sealed record PlanOptions
{
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string ShortCacheControl = "public, max-age=300";
    public const string DefaultFingerprintedNamePattern = @"[.-][0-9a-fA-F]{8,}(\.[A-Za-z0-9]+)+$";

    /// <summary>Compressed copies made by default: every browser accepts gzip, and brotli is 15-25% smaller on text.</summary>
    public static IReadOnlyList<string> DefaultCompression { get; } = ["gzip", "br"];

    /// <summary>Cache-Control of fingerprinted objects: their bytes never change under their key.</summary>
    public string CacheControl { get; init; } = ImmutableCacheControl;

    /// <summary>Rewrite CSS url()/@import and sourceMappingURL references to fingerprinted keys.</summary>
    public bool RewriteReferences { get; init; } = true;

    /// <summary>Also rewrite JavaScript import/export specifiers (opt-in, like Django's experimental flag).</summary>
    public bool RewriteJavaScriptModules { get; init; }

    /// <summary>A reference to a file that is not a static asset is an error instead of a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>File names that already carry a content hash (bundler output such as app.3f9a1c2b.js) keep their
    /// name; null fingerprints every file.</summary>
    public Regex? FingerprintedNamePattern { get; init; } = new(DefaultFingerprintedNamePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Compressed copies to publish: these encodings, made where the build gave none (an empty list publishes
    /// no compressed copies at all); null keeps the copies the build gave and makes none.</summary>
    public IReadOnlyList<string>? Compression { get; init; } = DefaultCompression;

    /// <summary>
    /// Brotli quality (0-11) of the copies the publish makes itself (rewritten files, files the build did not
    /// compress; the SDK's own copies are reused as they are). 9, not 11: on the <c>dotnet new webapp</c> wwwroot
    /// (58 css/js/map/svg files, 9.78 MB) quality 11 took 15.7 s of CPU for 15.0% of the bytes, 9 took 1.52 s for
    /// 16.9%, 6 0.37 s for 17.3%; at 11 brotli was 98% of a first publish's compress phase (docs/benchmarks.md).
    /// </summary>
    public int BrotliQuality { get; init; } = DefaultBrotliQuality;

    public const int DefaultBrotliQuality = 9;

    /// <summary>Also store un-fingerprinted copies under the logical paths, with <see cref="OriginalsCacheControl"/>.</summary>
    public bool KeepOriginalNames { get; init; } = true;

    public string OriginalsCacheControl { get; init; } = ShortCacheControl;

    /// <summary>Also store the compressed copies of each un-fingerprinted copy (<c>css/site.css.gz</c>): read only by a
    /// server that picks <c>x.gz</c> beside <c>x</c> by itself (nginx <c>gzip_static</c>, Caddy <c>precompressed</c>)
    /// serving a folder; a bucket cannot, so the reader turns them off for S3 and Azure Blob by default.</summary>
    public bool CompressOriginals { get; init; } = true;

    /// <summary>Where rewritten and compressed files are kept (reused across publishes); a temporary folder if null.</summary>
    public string? WorkDirectory { get; init; }
}
