using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore;

/// <summary>
/// The published URL of a static asset, for code: controllers, minimal APIs, e-mails. Paths are logical paths as the
/// app serves them: <c>css/site.css</c>, <c>/css/site.css</c> or <c>~/css/site.css</c>.
/// </summary>
public interface IStaticAssetUrls
{
    /// <summary>True when BaseUrl is set and a manifest was read: published assets link to BaseUrl + key.</summary>
    bool IsActive { get; }

    /// <summary>The asset published under <paramref name="path"/> (URL, integrity). Never allocates.</summary>
    bool TryGetAsset(ReadOnlySpan<char> path, [NotNullWhen(true)] out PublishedAsset? asset);

    /// <summary>
    /// BaseUrl + key for a published asset (a query or fragment in <paramref name="path"/> is kept); otherwise the
    /// app's own root-relative URL (<c>/css/site.css</c>). With Strict, an unpublished path throws (SA5006).
    /// </summary>
    string GetUrl(string path);

    /// <summary>
    /// As <see cref="GetUrl(string)"/>, for the request being answered: with PreferCompressed, the compressed copy it
    /// accepts; the local fallback includes the request's PathBase.
    /// </summary>
    string GetUrl(string path, HttpContext context);
}
