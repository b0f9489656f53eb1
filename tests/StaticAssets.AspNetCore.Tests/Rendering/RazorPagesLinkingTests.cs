using AngleSharp.Dom;
using RazorPagesApp;
using StaticAssets.AspNetCore.Tests.Support;
using static StaticAssets.AspNetCore.Tests.Rendering.RazorPagesManifest;

namespace StaticAssets.AspNetCore.Tests.Rendering;

/// <summary>
/// Apps/RazorPagesApp's real pages, rendered with BaseUrl and a manifest: every way Razor Pages and MVC link an asset
/// comes out as BaseUrl + key, under the .NET 9/10 wiring (MapStaticAssets + WithStaticAssets) and the older one
/// (UseStaticFiles), with no page edited.
/// </summary>
[TestClass]
public sealed class RazorPagesLinkingTests
{
    [TestMethod]
    [DataRow("MapStaticAssets")]
    [DataRow("UseStaticFiles")]
    public async Task Stylesheets_with_and_without_append_version_link_the_published_keys(string wiring)
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create(), wiring));
        var page = await app.GetPageAsync("/");

        CollectionAssert.AreEqual(
            new[]
            {
                Url("lib/bootstrap/dist/css/bootstrap.min.css"), // href="~/..."
                Url("css/site.css"),                             // href="~/..." asp-append-version="true"
                Url("RazorPagesApp.styles.css"),                 // the scoped CSS bundle, asp-append-version
                Url("_content/TestRazorLib/lib.css"),            // a Razor class library's asset
            },
            page.QuerySelectorAll("link[rel=stylesheet]").Select(e => e.GetAttribute("href")).ToArray());
    }

    [TestMethod]
    [DataRow("MapStaticAssets")]
    [DataRow("UseStaticFiles")]
    public async Task Scripts_and_images_with_and_without_append_version_link_the_published_keys(string wiring)
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create(), wiring));
        var page = await app.GetPageAsync("/");

        var scripts = page.QuerySelectorAll("script[src]").Select(e => e.GetAttribute("src")).ToArray();
        Assert.AreEqual(Url("js/site.js"), scripts[0], "the layout's <script src=\"~/js/site.js\" asp-append-version=\"true\">");
        Assert.AreEqual(Url("js/site.js"), page.Attribute("plain-script", "src"));
        Assert.AreEqual(Url("js/module.js"), page.Attribute("module-script", "src"));
        Assert.AreEqual(Url("img/logo.svg"), page.Attribute("plain-img", "src"));
        Assert.AreEqual(Url("img/logo.svg"), page.Attribute("versioned-img", "src"));
        Assert.AreEqual(Url("files/report.txt"), page.Attribute("download", "href"), "an <a> to a published file");
    }

    [TestMethod]
    [DataRow("MapStaticAssets")]
    [DataRow("UseStaticFiles")]
    public async Task An_MVC_view_links_the_published_keys(string wiring)
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create(), wiring));
        var page = await app.GetPageAsync("/Home/Mvc");

        Assert.AreEqual(Url("css/site.css"), page.Attribute("mvc-css", "href"));
        Assert.AreEqual(Url("css/site.css"), page.Attribute("mvc-css-versioned", "href"));
        Assert.AreEqual(Url("img/logo.svg"), page.Attribute("mvc-img", "src"));
        Assert.AreEqual(Url("js/site.js"), page.Attribute("mvc-script", "src"));
    }

    [TestMethod]
    public async Task A_query_or_fragment_is_kept_and_every_srcset_candidate_is_resolved()
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create()));
        var page = await app.GetPageAsync("/");

        Assert.AreEqual(Url("js/site.js") + "?debug=1#top", page.Attribute("query-script", "src"));
        Assert.AreEqual($"{Url("img/logo.svg")} 1x, {Url("img/logo@2x.svg")} 2x", page.Attribute("srcset-img", "srcset"));
    }

    [TestMethod]
    [DataRow("MapStaticAssets")]
    [DataRow("UseStaticFiles")]
    public async Task What_is_not_a_published_asset_is_linked_exactly_as_without_the_package(string wiring)
    {
        using var published = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create(), wiring));
        using var without = new TestApp<EntryPointMarker>(new Dictionary<string, string?> { ["WithoutPackage"] = "true", ["Wiring"] = wiring });
        var page = await published.GetPageAsync("/");
        var reference = await without.GetPageAsync("/");

        foreach (var (id, attribute) in new[] { ("unpublished-img", "src"), ("external-img", "src"), ("home", "href"), ("privacy", "href") })
        {
            Assert.AreEqual(reference.Attribute(id, attribute), page.Attribute(id, attribute), $"#{id} {attribute}");
        }
        Assert.AreEqual(reference.QuerySelector("link[rel=canonical]")!.GetAttribute("href"), page.QuerySelector("link[rel=canonical]")!.GetAttribute("href"));
    }

    [TestMethod]
    public async Task The_import_map_maps_module_specifiers_to_the_published_keys()
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create()));
        var page = await app.GetPageAsync("/");

        var imports = ImportMap(page).GetProperty("imports");
        Assert.AreEqual(Url("js/module.js"), imports.GetProperty("./js/module.js").GetString());
        Assert.AreEqual(Url("_content/TestRazorLib/lib.js"), imports.GetProperty("./_content/TestRazorLib/lib.js").GetString());
        // js/module.js, served from BaseUrl, imports "./helper.js": that URL maps to the fingerprinted object too.
        Assert.AreEqual(Url("js/helper.js"), imports.GetProperty(BaseUrl + "js/helper.js").GetString());
        Assert.IsFalse(ImportMap(page).TryGetProperty("integrity", out _), "integrity only with the Integrity option");
    }

    [TestMethod]
    public async Task A_root_relative_base_url_links_below_it()
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published("/static", Create()));
        var page = await app.GetPageAsync("/");

        Assert.AreEqual("/static/" + TestManifest.KeyFor("css/site.css"), page.QuerySelectorAll("link[rel=stylesheet]")[1].GetAttribute("href"));
        Assert.AreEqual("/static/" + TestManifest.KeyFor("img/logo.svg"), page.Attribute("plain-img", "src"));
    }

    [TestMethod]
    public async Task IStaticAssetUrls_gives_code_the_published_url_and_the_local_one_for_anything_else()
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create()));

        Assert.AreEqual(Url("css/site.css"), await app.Client.GetStringAsync("/api/asset-url?path=~/css/site.css"));
        Assert.AreEqual(Url("css/site.css"), await app.Client.GetStringAsync("/api/asset-url?path=css/site.css"));
        Assert.AreEqual("/img/unpublished.svg", await app.Client.GetStringAsync("/api/asset-url?path=/img/unpublished.svg"));
    }

    internal static JsonElement ImportMap(IDocument page)
    {
        var script = page.QuerySelector("script[type=importmap]") ?? throw new AssertFailedException("The page has no import map.");
        return JsonDocument.Parse(script.TextContent).RootElement;
    }
}
