using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Razor.TagHelpers;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.TagHelpers;

/// <summary>Which attributes of which elements carry URLs, and which of those load the page's subresources.</summary>
internal static class LinkAttributes
{
    // The elements and attributes ASP.NET Core's UrlResolutionTagHelper resolves "~/" in.
    private static readonly Dictionary<string, string[]> UrlAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["a"] = ["href"], ["applet"] = ["archive"], ["area"] = ["href"], ["audio"] = ["src"], ["base"] = ["href"],
        ["blockquote"] = ["cite"], ["button"] = ["formaction"], ["del"] = ["cite"], ["embed"] = ["src"],
        ["form"] = ["action"], ["html"] = ["manifest"], ["iframe"] = ["src"], ["img"] = ["src", "srcset"],
        ["input"] = ["src", "formaction"], ["ins"] = ["cite"], ["link"] = ["href"], ["menuitem"] = ["icon"],
        ["object"] = ["archive", "data"], ["q"] = ["cite"], ["script"] = ["src"], ["source"] = ["src", "srcset"],
        ["track"] = ["src"], ["video"] = ["poster", "src"],
    };

    private static readonly string[] None = [];

    public static string[] For(string tagName) => UrlAttributes.GetValueOrDefault(tagName) ?? None;

    /// <summary>
    /// Whether a missing asset here breaks the page (Strict reports those): what loads subresources, not navigation
    /// (<c>&lt;a href&gt;</c>, forms, <c>&lt;link rel="canonical"&gt;</c>).
    /// </summary>
    public static bool LoadsSubresource(string tagName, string attribute, TagHelperOutput output) => tagName.ToLowerInvariant() switch
    {
        "link" => IsAssetRel(ValueOf(output, "rel")),
        "script" or "img" or "source" or "video" or "audio" or "track" or "embed" => attribute is not "formaction",
        "object" => attribute == "data",
        "input" => attribute == "src",
        _ => false,
    };

    /// <summary>
    /// With the Integrity option: SRI for what the browser checks it on (stylesheets, preloads, scripts), and the
    /// CORS mode cross-origin SRI requires. An integrity the page sets itself is left alone.
    /// </summary>
    public static void AddIntegrity(TagHelperOutput output, string tagName, PublishedAsset asset)
    {
        if (asset.Integrity is null || output.Attributes.ContainsName("integrity"))
        {
            return;
        }
        var checks = tagName.Equals("script", StringComparison.OrdinalIgnoreCase)
            || (tagName.Equals("link", StringComparison.OrdinalIgnoreCase) && IsIntegrityRel(ValueOf(output, "rel")));
        if (!checks)
        {
            return;
        }
        output.Attributes.SetAttribute("integrity", asset.Integrity);
        if (!output.Attributes.ContainsName("crossorigin"))
        {
            output.Attributes.SetAttribute("crossorigin", "anonymous");
        }
    }

    /// <summary>An attribute's text as written in the page (values may be strings or HTML content).</summary>
    public static string? TextOf(object? value, HtmlEncoder encoder)
    {
        switch (value)
        {
            case string text:
                return text;
            case HtmlString html:
                return html.ToString();
            case IHtmlContent content:
                using (var writer = new StringWriter())
                {
                    content.WriteTo(writer, encoder);
                    return writer.ToString();
                }
            default:
                return null;
        }
    }

    private static string? ValueOf(TagHelperOutput output, string name) =>
        output.Attributes.TryGetAttribute(name, out var attribute) ? TextOf(attribute.Value, HtmlEncoder.Default) : null;

    private static bool IsAssetRel(string? rel) => HasToken(rel, "stylesheet", "preload", "modulepreload", "icon", "apple-touch-icon", "manifest", "mask-icon");

    private static bool IsIntegrityRel(string? rel) => HasToken(rel, "stylesheet", "preload", "modulepreload");

    private static bool HasToken(string? list, params string[] tokens)
    {
        if (list is null)
        {
            return false;
        }
        foreach (var token in list.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (tokens.Contains(token, StringComparer.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
