using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Razor.Infrastructure;
using Microsoft.AspNetCore.Mvc.Razor.TagHelpers;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Mvc.TagHelpers;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using StaticAssets.AspNetCore.Linking;

namespace StaticAssets.AspNetCore.TagHelpers;

// ASP.NET Core's own tag helpers, created in their place by PublishedTagHelperActivator. Each links a published asset
// to BaseUrl + key itself and leaves everything else to the original: the originals cannot be fed an absolute URL
// (UrlResolutionTagHelper requires IUrlHelper.Content to keep the path's tail; all of them prepend '/' to what they
// find in a ResourceAssetCollection). They override ProcessAsync, the one entry point the tag helper runner calls,
// and delegate to the base class's, whichever of Process/ProcessAsync it implements in this framework version.

/// <summary><c>~/</c> in any URL attribute (<c>&lt;link href&gt;</c>, <c>&lt;script src&gt;</c>, <c>&lt;img src srcset&gt;</c>, ...).</summary>
internal sealed class PublishedUrlResolutionTagHelper(IUrlHelperFactory urlHelperFactory, HtmlEncoder htmlEncoder, StaticAssetUrls urls)
    : UrlResolutionTagHelper(urlHelperFactory, htmlEncoder)
{
    public override Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        if (urls.IsActive && output.TagName is { } tagName)
        {
            AppRelativeLinks.Rewrite(output, tagName, urls, ViewContext.HttpContext, HtmlEncoder);
        }
        return base.ProcessAsync(context, output);
    }
}

/// <summary><c>&lt;link href="~/..." asp-append-version="true"&gt;</c> and the link tag helper's other modes.</summary>
internal sealed class PublishedLinkTagHelper(
    IWebHostEnvironment hostingEnvironment, TagHelperMemoryCacheProvider cacheProvider, IFileVersionProvider fileVersionProvider,
    HtmlEncoder htmlEncoder, JavaScriptEncoder javaScriptEncoder, IUrlHelperFactory urlHelperFactory, StaticAssetUrls urls)
    : LinkTagHelper(hostingEnvironment, cacheProvider, fileVersionProvider, htmlEncoder, javaScriptEncoder, urlHelperFactory)
{
    public override Task ProcessAsync(TagHelperContext context, TagHelperOutput output) =>
        BoundLink.ProcessAsync(urls, ViewContext.HttpContext, output, "link", "href", Href, AppendVersion,
            appendVersion => AppendVersion = appendVersion, () => base.ProcessAsync(context, output));
}

/// <summary><c>&lt;script src="~/..." asp-append-version="true"&gt;</c>, <c>&lt;script type="module" src="~/..."&gt;</c>.</summary>
/// <remarks>
/// <c>&lt;script type="importmap"&gt;</c> is written from the endpoint's ImportMapDefinition, which the endpoint policy
/// has already replaced with the published one.
/// </remarks>
internal sealed class PublishedScriptTagHelper(
    IWebHostEnvironment hostingEnvironment, TagHelperMemoryCacheProvider cacheProvider, IFileVersionProvider fileVersionProvider,
    HtmlEncoder htmlEncoder, JavaScriptEncoder javaScriptEncoder, IUrlHelperFactory urlHelperFactory, StaticAssetUrls urls)
    : ScriptTagHelper(hostingEnvironment, cacheProvider, fileVersionProvider, htmlEncoder, javaScriptEncoder, urlHelperFactory)
{
    public override Task ProcessAsync(TagHelperContext context, TagHelperOutput output) =>
        BoundLink.ProcessAsync(urls, ViewContext.HttpContext, output, "script", "src", Src, AppendVersion,
            appendVersion => AppendVersion = appendVersion, () => base.ProcessAsync(context, output));
}

/// <summary><c>&lt;img src="~/..." asp-append-version="true"&gt;</c>.</summary>
internal sealed class PublishedImageTagHelper(IFileVersionProvider fileVersionProvider, HtmlEncoder htmlEncoder, IUrlHelperFactory urlHelperFactory, StaticAssetUrls urls)
    : ImageTagHelper(fileVersionProvider, htmlEncoder, urlHelperFactory)
{
    public override Task ProcessAsync(TagHelperContext context, TagHelperOutput output) =>
        BoundLink.ProcessAsync(urls, ViewContext.HttpContext, output, "img", "src", Src, AppendVersion,
            appendVersion => AppendVersion = appendVersion == true, () => base.ProcessAsync(context, output));
}
