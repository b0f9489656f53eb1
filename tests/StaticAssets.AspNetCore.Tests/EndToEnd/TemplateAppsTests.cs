using StaticAssets.AspNetCore.Tests.Support;

namespace StaticAssets.AspNetCore.Tests.EndToEnd;

/// <summary>
/// The whole path for a new user, in a real browser: `dotnet new webapp` and `dotnet new blazor`, the two packages
/// and one line added, published to a public-read, CORS-enabled bucket on Ceph RGW, run with StaticAssets__BaseUrl
/// pointing at it, and loaded in headless chromium.
/// </summary>
[TestClass]
public sealed class TemplateAppsTests
{
    private static PublicBucket s_bucket = null!;
    private static PublishedApp s_webapp = null!;
    private static PublishedApp s_blazor = null!;

    private static string WebappBaseUrl => s_bucket.BaseUrl("webapp/");

    private static string BlazorBaseUrl => s_bucket.BaseUrl("blazor/");

    [ClassInitialize]
    public static async Task PublishAsync(TestContext context)
    {
        s_bucket = await PublicBucket.CreateAsync();
        s_webapp = await s_bucket.PublishAsync(PublishedApp.FromTemplateAsync("webapp", "TemplateWebApp"), "webapp/");
        s_blazor = await s_bucket.PublishAsync(PublishedApp.FromTemplateAsync("blazor", "TemplateBlazor"), "blazor/");
    }

    [ClassCleanup]
    public static async Task CleanupAsync()
    {
        if (s_bucket is not null)
        {
            await s_bucket.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task The_razor_pages_template_loads_every_asset_from_the_bucket()
    {
        using var app = await s_webapp.StartAsync(new Dictionary<string, string?> { ["StaticAssets__BaseUrl"] = WebappBaseUrl });
        var visit = await s_bucket.Browser.VisitAsync(app.Url);

        // bootstrap.min.css, site.css, TemplateWebApp.styles.css, jquery, bootstrap.bundle, site.js
        visit.AssertAllAssetsFrom(WebappBaseUrl, atLeast: 6);
        await AssertRazorPagesTemplateStyledAndScripted(visit);
    }

    [TestMethod]
    public async Task With_integrity_the_razor_pages_template_links_sri_that_matches_what_the_bucket_serves()
    {
        using var app = await s_webapp.StartAsync(new Dictionary<string, string?>
        {
            ["StaticAssets__BaseUrl"] = WebappBaseUrl,
            ["StaticAssets__Integrity"] = "true",
        });
        var visit = await s_bucket.Browser.VisitAsync(app.Url);

        visit.AssertAllAssetsFrom(WebappBaseUrl, atLeast: 6);
        var links = await visit.EvaluateAsync<string[][]>(
            "[...document.querySelectorAll('link[rel=stylesheet], script[src]')].map(e => [e.href || e.src, e.integrity, e.crossOrigin])");
        Assert.HasCount(6, links);
        using var http = new HttpClient();
        foreach (var link in links)
        {
            // The bytes the bucket serves, read apart from the browser (its DevTools body is decoded text).
            var served = "sha256-" + Convert.ToBase64String(SHA256.HashData(await http.GetByteArrayAsync(link[0])));
            Assert.AreEqual(served, link[1], $"{link[0]}: the integrity the page carries is the served bytes' digest");
            Assert.AreEqual("anonymous", link[2]);
        }
        // The browser checked them too: it applies and runs only what matches.
        await AssertRazorPagesTemplateStyledAndScripted(visit);
    }

    [TestMethod]
    public async Task The_blazor_template_loads_every_asset_from_the_bucket_and_its_counter_works()
    {
        using var app = await s_blazor.StartAsync(new Dictionary<string, string?> { ["StaticAssets__BaseUrl"] = BlazorBaseUrl });
        var visit = await s_bucket.Browser.VisitAsync(new Uri(app.Url, "/counter"));

        // bootstrap.min.css, app.css, TemplateBlazor.styles.css, blazor.web.js, ReconnectModal.razor.js (a module)
        var assets = visit.AssertAllAssetsFrom(BlazorBaseUrl, atLeast: 5);
        Assert.Contains(BlazorBaseUrl + s_blazor.Key("_framework/blazor.web.js"), assets);
        StringAssert.Contains(await visit.EvaluateAsync<string>("getComputedStyle(document.body).fontFamily"), "Helvetica", "app.css");
        Assert.AreEqual("flex", await visit.EvaluateAsync<string>("getComputedStyle(document.querySelector('.page')).display"), "the scoped CSS bundle");
        Assert.AreEqual("#0d6efd", await visit.EvaluateAsync<string>("getComputedStyle(document.documentElement).getPropertyValue('--bs-blue').trim()"), "bootstrap");

        await Interactivity.AssertCounterCountsAsync(visit, "button.btn-primary", "[role=status]");
        visit.AssertAllAssetsFrom(BlazorBaseUrl, atLeast: 5);
    }

    private static async Task AssertRazorPagesTemplateStyledAndScripted(PageVisit visit)
    {
        Assert.AreEqual("60px", await visit.EvaluateAsync<string>("getComputedStyle(document.body).marginBottom"), "site.css");
        Assert.AreEqual("flex", await visit.EvaluateAsync<string>("getComputedStyle(document.querySelector('.navbar')).display"), "bootstrap.min.css");
        Assert.AreEqual("60px", await visit.EvaluateAsync<string>("getComputedStyle(document.querySelector('footer.footer')).lineHeight"), "the scoped CSS bundle");
        Assert.AreEqual("function", await visit.EvaluateAsync<string>("typeof window.jQuery"), "jquery");
        Assert.AreEqual("object", await visit.EvaluateAsync<string>("typeof window.bootstrap"), "bootstrap.bundle.min.js");
    }
}
