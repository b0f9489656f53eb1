using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.Mvc.Razor.TagHelpers;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.TagHelpers;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.TagHelpers;

/// <summary>
/// Creates tag helpers as ASP.NET Core's activator does (ActivatorUtilities, factories cached per type), except that
/// while published assets are active, its URL, link, script and image tag helpers are replaced by the subclasses that
/// link BaseUrl + key. Razor pages and views need no edit: the generated code asks this service for its tag helpers.
/// </summary>
internal sealed class PublishedTagHelperActivator(PublishedAssets assets) : ITagHelperActivator
{
    public TTagHelper Create<TTagHelper>(ViewContext context)
        where TTagHelper : ITagHelper
    {
        ArgumentNullException.ThrowIfNull(context);
        var services = context.HttpContext.RequestServices;
        var factory = assets.IsActive ? Factories<TTagHelper>.Published : Factories<TTagHelper>.Original;
        return (TTagHelper)factory(services, arguments: null);
    }

    private static class Factories<TTagHelper>
    {
        public static readonly ObjectFactory Original = ActivatorUtilities.CreateFactory(typeof(TTagHelper), Type.EmptyTypes);

        public static readonly ObjectFactory Published = Replacement(typeof(TTagHelper)) is { } replacement
            ? ActivatorUtilities.CreateFactory(replacement, Type.EmptyTypes)
            : Original;

        // Exact types only: a subclass someone else wrote keeps its own behaviour.
        private static Type? Replacement(Type type) =>
            type == typeof(UrlResolutionTagHelper) ? typeof(PublishedUrlResolutionTagHelper)
            : type == typeof(LinkTagHelper) ? typeof(PublishedLinkTagHelper)
            : type == typeof(ScriptTagHelper) ? typeof(PublishedScriptTagHelper)
            : type == typeof(ImageTagHelper) ? typeof(PublishedImageTagHelper)
            : null;
    }
}
