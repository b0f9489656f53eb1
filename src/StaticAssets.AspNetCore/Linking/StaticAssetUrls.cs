using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using StaticAssets.AspNetCore.Diagnostics;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.Linking;

/// <summary>Resolves links to published URLs; shared by <see cref="IStaticAssetUrls"/> and the tag helpers.</summary>
internal sealed class StaticAssetUrls(PublishedAssets assets) : IStaticAssetUrls
{
    public bool IsActive => assets.IsActive;

    public bool Integrity => assets.Integrity;

    public bool Strict => assets.Strict && assets.IsActive;

    public bool TryGetAsset(ReadOnlySpan<char> path, [NotNullWhen(true)] out PublishedAsset? asset)
    {
        asset = null;
        return assets.IsActive && assets.Assets.TryGet(LogicalPath(path), out asset);
    }

    public string GetUrl(string path) => GetUrl(path, ContentCodings.None, PathString.Empty);

    public string GetUrl(string path, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return GetUrl(path, CodingsFor(context), context.Request.PathBase);
    }

    /// <summary>
    /// The published URL of a link written in a page (<c>~/css/site.css?x#y</c>): the query and fragment are kept.
    /// Allocation-free unless the link has a query or fragment.
    /// </summary>
    public bool TryResolve(ReadOnlySpan<char> link, ContentCodings codings, [NotNullWhen(true)] out string? url, [NotNullWhen(true)] out PublishedAsset? asset)
    {
        var suffixAt = link.IndexOfAny('?', '#');
        var path = suffixAt < 0 ? link : link[..suffixAt];
        if (!TryGetAsset(path, out asset))
        {
            url = null;
            return false;
        }
        var published = asset.UrlFor(codings);
        url = suffixAt < 0 ? published : string.Concat(published.AsSpan(), link[suffixAt..]);
        return true;
    }

    /// <summary>
    /// The encodings to link for this request (none unless PreferCompressed); the response then varies by
    /// Accept-Encoding, and says so.
    /// </summary>
    public ContentCodings CodingsFor(HttpContext context)
    {
        if (!assets.PreferCompressed || !assets.IsActive)
        {
            return ContentCodings.None;
        }
        AddVaryAcceptEncoding(context.Response);
        return AcceptEncoding.Parse(context.Request.Headers.AcceptEncoding.ToString());
    }

    public StaticAssetsException UnpublishedAsset(string link, string element) => Messages.UnpublishedAsset(link, element, assets.ManifestPath);

    private string GetUrl(string path, ContentCodings codings, PathString pathBase)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (TryResolve(path, codings, out var url, out _))
        {
            return url;
        }
        if (path.Contains("://", StringComparison.Ordinal))
        {
            return path; // not a path of this app
        }
        if (Strict)
        {
            throw UnpublishedAsset(path, "code");
        }
        var logical = LogicalPath(path);
        return pathBase.Add("/" + logical.ToString()).ToString();
    }

    /// <summary>"~/css/site.css" and "/css/site.css" name the logical path "css/site.css".</summary>
    private static ReadOnlySpan<char> LogicalPath(ReadOnlySpan<char> path) =>
        path.StartsWith("~/") ? path[2..] : path.StartsWith("/") ? path[1..] : path;

    private static void AddVaryAcceptEncoding(HttpResponse response)
    {
        if (response.HasStarted)
        {
            return;
        }
        foreach (var value in response.Headers.Vary)
        {
            if (value is not null && (value.Contains(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase) || value.Trim() == "*"))
            {
                return;
            }
        }
        response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
    }
}
