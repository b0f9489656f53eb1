using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using StaticAssets.AspNetCore.Linking;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.TagHelpers;

/// <summary>
/// The link of a <c>&lt;link href&gt;</c>, <c>&lt;script src&gt;</c> or <c>&lt;img src&gt;</c> that ASP.NET Core's
/// Link/Script/Image tag helpers bind (they run for <c>asp-append-version</c>, fallbacks, <c>type</c>): <c>~/x</c>, or
/// root-relative <c>/x</c> and <c>/PathBase/x</c> as they resolve those through the asset collection too.
/// </summary>
internal static class BoundLink
{
    public static bool TryResolve(string? value, HttpContext context, StaticAssetUrls urls,
        [NotNullWhen(true)] out string? url, [NotNullWhen(true)] out PublishedAsset? asset)
    {
        url = null;
        asset = null;
        if (value is null)
        {
            return false;
        }
        var link = value.AsSpan().Trim();
        if (!link.StartsWith("~/"))
        {
            if (!link.StartsWith("/") || link.StartsWith("//"))
            {
                return false;
            }
            var pathBase = context.Request.PathBase;
            if (pathBase.HasValue && link.StartsWith(pathBase.Value, StringComparison.OrdinalIgnoreCase)
                && link[pathBase.Value!.Length..].StartsWith("/"))
            {
                link = link[pathBase.Value.Length..];
            }
        }
        return urls.TryResolve(link, urls.CodingsFor(context), out url, out asset);
    }

    public static bool IsAppRelative(string? value) => value is not null && value.AsSpan().Trim().StartsWith("~/");
}
