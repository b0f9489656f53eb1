using AngleSharp;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>
/// One of the test apps (Apps/), hosted in-process with its real Program.cs and pages, and settings as a user would
/// set them (configuration keys such as <c>StaticAssets:BaseUrl</c>). Production environment, like a published app.
/// </summary>
internal sealed class TestApp<TEntryPoint> : IDisposable
    where TEntryPoint : class
{
    private readonly WebApplicationFactory<TEntryPoint> _factory;

    public TestApp(IReadOnlyDictionary<string, string?> settings)
    {
        _factory = new WebApplicationFactory<TEntryPoint>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        Client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public HttpClient Client { get; }

    public async Task<IDocument> GetPageAsync(string path, string? acceptEncoding = null)
    {
        var (document, _) = await GetPageWithResponseAsync(path, acceptEncoding);
        return document;
    }

    public async Task<(IDocument Document, HttpResponseMessage Response)> GetPageWithResponseAsync(string path, string? acceptEncoding = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }
        var response = await Client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(System.Net.HttpStatusCode.OK, response.StatusCode, $"GET {path}:{Environment.NewLine}{html}");
        var document = await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(html));
        return (document, response);
    }

    public void Dispose()
    {
        Client.Dispose();
        _factory.Dispose();
    }
}

internal static class TestApps
{
    /// <summary>Settings that make the package active: BaseUrl and a manifest written for this test.</summary>
    public static Dictionary<string, string?> Published(string baseUrl, TestManifest manifest, string wiring = "MapStaticAssets")
    {
        return new Dictionary<string, string?>
        {
            ["StaticAssets:BaseUrl"] = baseUrl,
            ["StaticAssets:ManifestPath"] = manifest.Write(),
            ["Wiring"] = wiring,
        };
    }

    public static string Attribute(this IDocument document, string id, string attribute)
    {
        var element = document.GetElementById(id) ?? throw new AssertFailedException($"No element #{id} in the page:{Environment.NewLine}{document.DocumentElement.OuterHtml}");
        return element.GetAttribute(attribute) ?? throw new AssertFailedException($"#{id} has no {attribute}: {element.OuterHtml}");
    }
}
