using StaticAssets.AspNetCore.Linking;

namespace StaticAssets.AspNetCore.Manifest;

/// <summary>One published asset: its URLs, computed once at start-up so linking it never allocates.</summary>
public sealed class PublishedAsset
{
    internal PublishedAsset(string url)
    {
        Url = url;
    }

    /// <summary>BaseUrl + the fingerprinted key.</summary>
    public string Url { get; }

    /// <summary>The Subresource Integrity value (<c>sha256-...</c>), when the manifest has one.</summary>
    public string? Integrity { get; internal set; }

    internal string? BrotliUrl { get; set; }

    internal string? ZstdUrl { get; set; }

    internal string? GzipUrl { get; set; }

    /// <summary>The URL to link for a request accepting <paramref name="accepted"/>: brotli, zstd, gzip, else plain.</summary>
    internal string UrlFor(ContentCodings accepted)
    {
        if ((accepted & ContentCodings.Brotli) != 0 && BrotliUrl is not null)
        {
            return BrotliUrl;
        }
        if ((accepted & ContentCodings.Zstd) != 0 && ZstdUrl is not null)
        {
            return ZstdUrl;
        }
        if ((accepted & ContentCodings.Gzip) != 0 && GzipUrl is not null)
        {
            return GzipUrl;
        }
        return Url;
    }
}
