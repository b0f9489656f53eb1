using StaticAssets.AspNetCore.Tests.Support;

namespace StaticAssets.AspNetCore.Tests.EndToEnd;

/// <summary>
/// samples/SampleWebApp, and Apps/BlazorApp (whose probes show what an interactive circuit and the import map
/// resolve), published to a public bucket on Ceph RGW and loaded in headless chromium.
/// </summary>
[TestClass]
public sealed class SampleAndCircuitTests
{
    private static PublicBucket s_bucket = null!;
    private static PublishedApp s_sample = null!;
    private static PublishedApp s_blazor = null!;

    private static string SampleBaseUrl => s_bucket.BaseUrl("sample/");

    private static string BlazorBaseUrl => s_bucket.BaseUrl("blazor-app/");

    [ClassInitialize]
    public static async Task PublishAsync(TestContext context)
    {
        s_bucket = await PublicBucket.CreateAsync();
        s_sample = await s_bucket.PublishAsync(PublishedApp.FromSampleAsync(), "sample/");
        s_blazor = await s_bucket.PublishAsync(PublishedApp.FromTestAppAsync("BlazorApp"), "blazor-app/");
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
    public async Task The_sample_loads_its_stylesheets_images_and_font_from_the_bucket()
    {
        using var app = await s_sample.StartAsync(new Dictionary<string, string?> { ["StaticAssets__BaseUrl"] = SampleBaseUrl });
        var visit = await s_bucket.Browser.VisitAsync(app.Url);

        var styled = visit.Assets.Where(a => a.Type is not PuppeteerSharp.ResourceType.Script).ToArray();
        CollectionAssert.IsSubsetOf(
            new[] { "css/site.css", "_content/SampleRazorLib/widget.css", "img/logo.svg", "fonts/sample.woff2" }
                .Select(path => SampleBaseUrl + s_sample.Key(path)).ToArray(),
            styled.Select(a => a.Url).ToArray(), visit.Report());
        Assert.IsTrue(styled.All(a => a.Url.StartsWith(SampleBaseUrl, StringComparison.Ordinal) && a.Status == 200), visit.Report());
        // (The sample's font file is a stand-in that no browser can decode: fetching it from the bucket is the point.)
        StringAssert.StartsWith(await visit.EvaluateAsync<string>("getComputedStyle(document.body).fontFamily"), "Sample", "css/site.css");
        Assert.AreEqual("4px", await visit.EvaluateAsync<string>("getComputedStyle(document.getElementById('widget')).borderTopLeftRadius"), "the Razor class library's stylesheet");
    }

    /// <summary>
    /// js/site.js imports "/_content/SampleRazorLib/widget.js": from the bucket, that root-absolute specifier would
    /// resolve to the bucket host's root; the publish rewrites it relative to the referencing object's key.
    /// </summary>
    [TestMethod]
    public async Task The_sample_widget_script_renders_from_the_bucket()
    {
        using var app = await s_sample.StartAsync(new Dictionary<string, string?> { ["StaticAssets__BaseUrl"] = SampleBaseUrl });
        var visit = await s_bucket.Browser.VisitAsync(app.Url);

        visit.AssertAllAssetsFrom(SampleBaseUrl, atLeast: 6);
        Assert.AreEqual("Hello from SampleRazorLib", await visit.EvaluateAsync<string>("document.getElementById('widget').textContent"), visit.Report());
        // The picture docs/images/sample-from-bucket.png shows: the page whole, its widget rendered.
        await visit.SaveScreenshotAsync("sample-from-bucket.png");
    }

    [TestMethod]
    public async Task An_interactive_circuit_resolves_assets_to_the_bucket_too()
    {
        using var app = await s_blazor.StartAsync(new Dictionary<string, string?> { ["StaticAssets__BaseUrl"] = BlazorBaseUrl });
        var visit = await s_bucket.Browser.VisitAsync(app.Url);

        visit.AssertAllAssetsFrom(BlazorBaseUrl, atLeast: 6);
        await Interactivity.AssertCounterCountsAsync(visit, "#increment", "#count");
        // Re-rendered by the circuit after each click: the circuit's @Assets come from the hub endpoint's metadata.
        var logo = BlazorBaseUrl + s_blazor.Key("img/logo.svg");
        Assert.AreNotEqual("0", await visit.EvaluateAsync<string>("document.getElementById('circuit-logo').dataset.renders"));
        Assert.AreEqual(logo, await visit.EvaluateAsync<string>("document.getElementById('circuit-logo').getAttribute('src')"));
        Assert.IsTrue(await visit.EvaluateAsync<bool>("document.getElementById('circuit-logo').naturalWidth > 0"));
    }

    [TestMethod]
    [DataRow("false")]
    [DataRow("true")]
    public async Task The_import_map_sends_module_specifiers_to_the_fingerprinted_objects(string integrity)
    {
        using var app = await s_blazor.StartAsync(new Dictionary<string, string?>
        {
            ["StaticAssets__BaseUrl"] = BlazorBaseUrl,
            ["StaticAssets__Integrity"] = integrity,
        });
        var visit = await s_bucket.Browser.VisitAsync(app.Url);

        // js/probe.js (linked with @Assets) imports "./probe-answer.js", which from the bucket is BaseUrl + that name.
        Assert.AreEqual("42", await visit.EvaluateAsync<string>("document.documentElement.dataset.probe"), visit.Report());
        // The page imports a Razor class library's module by its logical path.
        Assert.AreEqual("Hello from TestRazorLib", await visit.EvaluateAsync<string>(
            "import('./_content/TestRazorLib/lib.js').then(m => m.libraryGreeting())"));

        var loaded = visit.AssertAllAssetsFrom(BlazorBaseUrl, atLeast: 8);
        foreach (var module in new[] { "js/probe-answer.js", "_content/TestRazorLib/lib.js" })
        {
            Assert.Contains(BlazorBaseUrl + s_blazor.Key(module), loaded, visit.Report());
            Assert.DoesNotContain(BlazorBaseUrl + module, loaded, "the un-fingerprinted copy is never fetched");
        }
    }
}
