using AngleSharp.Dom;
using BlazorApp;
using StaticAssets.AspNetCore.Tests.Support;

namespace StaticAssets.AspNetCore.Tests.Rendering;

/// <summary>
/// Apps/BlazorApp (the .NET 10 Blazor Web App template's App.razor) rendered with BaseUrl and a manifest:
/// <c>@Assets[...]</c>, <c>&lt;ImportMap /&gt;</c> and <c>_framework/blazor.web.js</c> link BaseUrl + key.
/// </summary>
[TestClass]
public sealed class BlazorLinkingTests
{
    private const string BaseUrl = "https://cdn.example.com/blazor/";

    private static TestManifest Manifest() => new TestManifest()
        .Add("app.css", "br")
        .Add("BlazorApp.styles.css")
        .Add("lib/bootstrap/dist/css/bootstrap.min.css")
        .Add("img/logo.svg")
        .Add("_framework/blazor.web.js", "br", "gzip")
        .Add("_content/TestRazorLib/lib.js")
        .Add("_content/TestRazorLib/lib.css");

    private static string Url(string logicalPath) => BaseUrl + TestManifest.KeyFor(logicalPath);

    [TestMethod]
    [DataRow("MapStaticAssets")]
    [DataRow("UseStaticFiles")]
    public async Task Assets_links_the_published_keys(string wiring)
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Manifest(), wiring));
        var page = await app.GetPageAsync("/");

        CollectionAssert.AreEqual(
            new[] { Url("lib/bootstrap/dist/css/bootstrap.min.css"), Url("app.css"), Url("BlazorApp.styles.css") },
            page.QuerySelectorAll("link[rel=stylesheet]").Select(e => e.GetAttribute("href")).ToArray());
        Assert.AreEqual(Url("_framework/blazor.web.js"), page.QuerySelectorAll("script[src]").Last().GetAttribute("src"));
        Assert.AreEqual(Url("img/logo.svg"), page.Attribute("static-logo", "src"));
        Assert.AreEqual(Url("img/logo.svg"), page.Attribute("circuit-logo", "src"), "an interactive component's prerendering");
    }

    [TestMethod]
    [DataRow("MapStaticAssets")]
    [DataRow("UseStaticFiles")]
    public async Task ImportMap_maps_module_specifiers_to_the_published_keys(string wiring)
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Manifest(), wiring));
        var page = await app.GetPageAsync("/");

        var imports = RazorPagesLinkingTests.ImportMap(page).GetProperty("imports");
        Assert.AreEqual(Url("_content/TestRazorLib/lib.js"), imports.GetProperty("./_content/TestRazorLib/lib.js").GetString());
        Assert.AreEqual(Url("_framework/blazor.web.js"), imports.GetProperty(BaseUrl + "_framework/blazor.web.js").GetString());
    }

    [TestMethod]
    public async Task PreferCompressed_links_the_accepted_copy_and_the_page_varies_by_accept_encoding()
    {
        var settings = TestApps.Published(BaseUrl, Manifest());
        settings["StaticAssets:PreferCompressed"] = "true";
        using var app = new TestApp<EntryPointMarker>(settings);

        var (brotli, response) = await app.GetPageWithResponseAsync("/", "gzip, br");
        var (plain, _) = await app.GetPageWithResponseAsync("/", "identity");
        var (gzip, _) = await app.GetPageWithResponseAsync("/", "gzip");

        Assert.AreEqual(Url("_framework/blazor.web.js") + ".br", brotli.QuerySelectorAll("script[src]").Last().GetAttribute("src"));
        Assert.AreEqual(Url("app.css") + ".br", brotli.QuerySelectorAll("link[rel=stylesheet]")[1].GetAttribute("href"));
        Assert.AreEqual(Url("_framework/blazor.web.js"), plain.QuerySelectorAll("script[src]").Last().GetAttribute("src"));
        Assert.AreEqual(Url("_framework/blazor.web.js") + ".gz", gzip.QuerySelectorAll("script[src]").Last().GetAttribute("src"));
        Assert.AreEqual(Url("app.css"), gzip.QuerySelectorAll("link[rel=stylesheet]")[1].GetAttribute("href"), "app.css has no gzip copy");
        CollectionAssert.Contains(response.Headers.Vary.ToArray(), "Accept-Encoding");
    }

    [TestMethod]
    [DataRow("MapStaticAssets", "no BaseUrl")]
    [DataRow("MapStaticAssets", "no manifest")]
    [DataRow("UseStaticFiles", "no BaseUrl")]
    [DataRow("UseStaticFiles", "no manifest")]
    public async Task Without_a_base_url_or_a_manifest_links_are_as_without_the_package(string wiring, string situation)
    {
        var settings = new Dictionary<string, string?> { ["Wiring"] = wiring };
        if (situation == "no manifest")
        {
            settings["StaticAssets:BaseUrl"] = BaseUrl;
        }
        using var app = new TestApp<EntryPointMarker>(settings);
        using var without = new TestApp<EntryPointMarker>(new Dictionary<string, string?> { ["Wiring"] = wiring, ["WithoutPackage"] = "true" });

        // Whole pages differ run to run (the interactive component's protected markers): compare what links assets.
        Assert.AreEqual(Links(await without.GetPageAsync("/")), Links(await app.GetPageAsync("/")));
    }

    private static string Links(IDocument page) => string.Join(Environment.NewLine,
        page.QuerySelectorAll("link, script, img").Select(e => e.OuterHtml));
}
