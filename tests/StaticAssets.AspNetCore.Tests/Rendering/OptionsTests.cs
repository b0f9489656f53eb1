using RazorPagesApp;
using StaticAssets.AspNetCore.Tests.Support;
using static StaticAssets.AspNetCore.Tests.Rendering.RazorPagesManifest;

namespace StaticAssets.AspNetCore.Tests.Rendering;

/// <summary>Integrity, PreferCompressed and Strict, on Apps/RazorPagesApp's real pages.</summary>
[TestClass]
public sealed class OptionsTests
{
    [TestMethod]
    public async Task Integrity_adds_sri_and_cors_mode_to_stylesheets_and_scripts_and_the_import_map()
    {
        var manifest = Create();
        var settings = TestApps.Published(BaseUrl, manifest);
        settings["StaticAssets:Integrity"] = "true";
        using var app = new TestApp<EntryPointMarker>(settings);
        var page = await app.GetPageAsync("/");

        var siteCss = page.QuerySelectorAll("link[rel=stylesheet]")[1];
        Assert.AreEqual(manifest["css/site.css"].Integrity, siteCss.GetAttribute("integrity"));
        Assert.AreEqual("anonymous", siteCss.GetAttribute("crossorigin"));
        Assert.AreEqual(manifest["js/site.js"].Integrity, page.Attribute("plain-script", "integrity"));
        Assert.AreEqual("anonymous", page.Attribute("plain-script", "crossorigin"));
        Assert.AreEqual(manifest["js/module.js"].Integrity, page.Attribute("module-script", "integrity"));
        Assert.IsNull(page.GetElementById("plain-img")!.GetAttribute("integrity"), "browsers check no SRI on images");
        Assert.IsNull(page.QuerySelector("link[rel=canonical]")!.GetAttribute("crossorigin"));
        var integrity = RazorPagesLinkingTests.ImportMap(page).GetProperty("integrity");
        Assert.AreEqual(manifest["js/helper.js"].Integrity, integrity.GetProperty(Url("js/helper.js")).GetString());
    }

    [TestMethod]
    [DataRow("gzip, deflate, br, zstd", ".br", ".gz")]
    [DataRow("gzip, deflate", ".gz", ".gz")]
    [DataRow("br;q=0, gzip", ".gz", ".gz")]
    [DataRow(null, "", "")]
    public async Task PreferCompressed_links_the_compressed_copy_the_request_accepts(string? acceptEncoding, string cssSuffix, string logoSuffix)
    {
        var settings = TestApps.Published(BaseUrl, Create());
        settings["StaticAssets:PreferCompressed"] = "true";
        using var app = new TestApp<EntryPointMarker>(settings);
        var (page, response) = await app.GetPageWithResponseAsync("/", acceptEncoding);

        Assert.AreEqual(Url("css/site.css") + cssSuffix, page.QuerySelectorAll("link[rel=stylesheet]")[1].GetAttribute("href"));
        Assert.AreEqual(Url("img/logo.svg") + logoSuffix, page.Attribute("plain-img", "src"), "the logo has a gzip copy only");
        Assert.AreEqual(Url("_content/TestRazorLib/lib.css"), page.QuerySelectorAll("link[rel=stylesheet]")[3].GetAttribute("href"), "no compressed copy: the plain object");
        CollectionAssert.Contains(response.Headers.Vary.ToArray(), "Accept-Encoding", "the page depends on Accept-Encoding now");
    }

    [TestMethod]
    public async Task PreferCompressed_leaves_responses_that_link_no_assets_alone()
    {
        var settings = TestApps.Published(BaseUrl, Create());
        settings["StaticAssets:PreferCompressed"] = "true";
        using var app = new TestApp<EntryPointMarker>(settings);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ping");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "br");

        using var response = await app.Client.SendAsync(request);

        Assert.AreEqual("pong", await response.Content.ReadAsStringAsync());
        Assert.IsEmpty(response.Headers.Vary);
    }

    [TestMethod]
    public async Task Without_PreferCompressed_the_plain_objects_are_linked_and_the_page_does_not_vary()
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create()));
        var (page, response) = await app.GetPageWithResponseAsync("/", "gzip, br");

        Assert.AreEqual(Url("css/site.css"), page.QuerySelectorAll("link[rel=stylesheet]")[1].GetAttribute("href"));
        CollectionAssert.DoesNotContain(response.Headers.Vary.ToArray(), "Accept-Encoding");
    }

    [TestMethod]
    public async Task Strict_fails_a_page_that_links_an_unpublished_asset_and_names_it()
    {
        var settings = TestApps.Published(BaseUrl, Create());
        settings["StaticAssets:Strict"] = "true";
        using var app = new TestApp<EntryPointMarker>(settings);

        var error = await Assert.ThrowsAsync<Exception>(() => app.Client.GetAsync("/Broken"));
        var coded = Errors.Find(error);
        Assert.AreEqual("SA5006", coded.Code);
        StringAssert.Contains(coded.Message, "~/css/missing.css");
    }

    [TestMethod]
    public async Task Without_Strict_an_unpublished_asset_falls_back_to_the_local_url()
    {
        using var app = new TestApp<EntryPointMarker>(TestApps.Published(BaseUrl, Create()));
        var page = await app.GetPageAsync("/Broken");

        Assert.AreEqual("/css/missing.css", page.QuerySelector("main link")!.GetAttribute("href"));
    }
}
