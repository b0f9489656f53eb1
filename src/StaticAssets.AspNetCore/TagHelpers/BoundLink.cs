using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;
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

    /// <summary>
    /// What the Link/Script/Image substitutes do: an unpublished link goes to the original tag helper unchanged (and,
    /// with Strict, an unpublished <c>~/</c> link that the browser loads throws); a published one is rendered by the
    /// original without <c>asp-append-version</c> (the key is content-addressed already: no <c>?v=</c> query, no
    /// hashing of the local file), then its <paramref name="attribute"/> set to the published URL and, with
    /// Integrity, SRI added where the browser checks it.
    /// </summary>
    public static async Task ProcessAsync(
        StaticAssetUrls urls, HttpContext context, TagHelperOutput output, string tagName, string attribute, string? link,
        bool? appendVersion, Action<bool?> setAppendVersion, Func<Task> original)
    {
        if (!urls.IsActive || !TryResolve(link, context, urls, out var url, out var asset))
        {
            await original();
            if (urls.Strict && IsAppRelative(link) && LinkAttributes.LoadsSubresource(tagName, attribute, output))
            {
                throw urls.UnpublishedAsset(link!, tagName);
            }
            return;
        }
        setAppendVersion(false);
        try
        {
            await original();
        }
        finally
        {
            setAppendVersion(appendVersion);
        }
        output.Attributes.SetAttribute(attribute, url);
        AppRelativeLinks.AddIntegrity(output, tagName, urls, asset);
    }
}
