using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;
using StaticAssets.AspNetCore.Linking;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.TagHelpers;

/// <summary>Rewrites the <c>~/</c> links of one element to published URLs, before ASP.NET Core resolves the rest.</summary>
internal static class AppRelativeLinks
{
    private const string HtmlWhitespace = "\t\n\f\r ";

    public static void Rewrite(TagHelperOutput output, string tagName, StaticAssetUrls urls, HttpContext context, HtmlEncoder encoder)
    {
        ContentCodings? codings = null;
        foreach (var name in LinkAttributes.For(tagName))
        {
            for (var i = 0; i < output.Attributes.Count; i++)
            {
                var attribute = output.Attributes[i];
                if (!attribute.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
                    || LinkAttributes.TextOf(attribute.Value, encoder) is not { } text
                    || !text.AsSpan().TrimStart(HtmlWhitespace).StartsWith("~/"))
                {
                    continue;
                }
                codings ??= urls.CodingsFor(context);
                if (name == "srcset")
                {
                    if (RewriteSrcset(text, urls, codings.Value, context.Request.PathBase) is { } srcset)
                    {
                        output.Attributes[i] = new TagHelperAttribute(attribute.Name, srcset, attribute.ValueStyle);
                    }
                    continue;
                }
                var link = text.AsSpan().Trim(HtmlWhitespace);
                if (urls.TryResolve(link, codings.Value, out var url, out var asset))
                {
                    output.Attributes[i] = new TagHelperAttribute(attribute.Name, url, attribute.ValueStyle);
                    AddIntegrity(output, tagName, urls, asset);
                }
                else if (urls.Strict && LinkAttributes.LoadsSubresource(tagName, name, output))
                {
                    throw urls.UnpublishedAsset(link.ToString(), tagName);
                }
            }
        }
    }

    public static void AddIntegrity(TagHelperOutput output, string tagName, StaticAssetUrls urls, PublishedAsset asset)
    {
        if (urls.Integrity)
        {
            LinkAttributes.AddIntegrity(output, tagName, asset);
        }
    }

    /// <summary>
    /// "~/a.png 1x, ~/b.png 2x": each candidate's URL is resolved (an unpublished one to the app's own path, which
    /// ASP.NET Core does only for the first), its descriptor kept. Null when none was published.
    /// </summary>
    private static string? RewriteSrcset(string srcset, StaticAssetUrls urls, ContentCodings codings, PathString pathBase)
    {
        var builder = new StringBuilder();
        var changed = false;
        foreach (var candidate in srcset.Split(','))
        {
            var trimmed = candidate.AsSpan().Trim(HtmlWhitespace);
            var end = trimmed.IndexOfAny(HtmlWhitespace);
            var link = end < 0 ? trimmed : trimmed[..end];
            var descriptor = end < 0 ? ReadOnlySpan<char>.Empty : trimmed[end..];
            if (builder.Length > 0)
            {
                builder.Append(", ");
            }
            if (link.StartsWith("~/") && urls.TryResolve(link, codings, out var url, out _))
            {
                builder.Append(url).Append(descriptor);
                changed = true;
            }
            else if (link.StartsWith("~/"))
            {
                builder.Append(pathBase.Value).Append(trimmed[1..]);
            }
            else
            {
                builder.Append(trimmed);
            }
        }
        return changed ? builder.ToString() : null;
    }
}
