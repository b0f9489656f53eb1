using System.Collections.Concurrent;
using PuppeteerSharp;

namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>
/// Debian's headless chromium (build/test.sh installs it), driven over the DevTools protocol. No browser is downloaded.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    private const string ExecutablePath = "/usr/bin/chromium";
    private readonly IBrowser _browser;
    private readonly string _profile;

    private Chromium(IBrowser browser, string profile)
    {
        _browser = browser;
        _profile = profile;
    }

    public static async Task<Chromium> LaunchAsync()
    {
        Assert.IsTrue(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: apt-get install -y chromium (build/test.sh does)");
        var profile = Path.Combine(Path.GetTempPath(), "staticassets-aspnet-chromium", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            UserDataDir = profile,
            Timeout = 90_000,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        return new Chromium(browser, profile);
    }

    /// <summary>
    /// Opens <paramref name="url"/> in a page of its own browser context (its own cache: a stylesheet cached from a
    /// plain load must not answer the CORS load of another test, see docs/aspnetcore.md) and waits until the network
    /// has been idle.
    /// </summary>
    public async Task<PageVisit> VisitAsync(Uri url)
    {
        var context = await _browser.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1024, Height = 640 });
        var visit = new PageVisit(page);
        await page.GoToAsync(url.ToString(), new NavigationOptions { WaitUntil = [WaitUntilNavigation.Networkidle0], Timeout = 60_000 });
        return visit;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A page and every request it made, as the browser reports them.</summary>
internal sealed class PageVisit
{
    private readonly ConcurrentQueue<Loaded> _loaded = new();
    private readonly ConcurrentQueue<string> _failed = new();
    private readonly ConcurrentQueue<string> _errors = new();

    public PageVisit(IPage page)
    {
        Page = page;
        page.Response += (_, e) => _loaded.Enqueue(new Loaded(e.Response.Url, e.Response.Request.ResourceType, (int)e.Response.Status, e.Response));
        page.RequestFailed += (_, e) => _failed.Enqueue($"{e.Request.ResourceType} {e.Request.Url}: {e.Request.FailureText}");
        page.Console += (_, e) =>
        {
            // The browser asks the page's origin for /favicon.ico by itself; nothing the page links.
            if (e.Message.Type == ConsoleType.Error && e.Message.Location?.URL?.EndsWith("/favicon.ico", StringComparison.Ordinal) != true)
            {
                _errors.Enqueue($"{e.Message.Text} ({e.Message.Location?.URL})");
            }
        };
        page.PageError += (_, e) => _errors.Enqueue(e.Message);
    }

    public IPage Page { get; }

    public sealed record Loaded(string Url, ResourceType Type, int Status, IResponse Response);

    public IReadOnlyList<Loaded> Responses => [.. _loaded];

    /// <summary>
    /// Stylesheets, scripts, images and fonts: what a page loads as its assets (data: URLs are inline, not loaded).
    /// </summary>
    public IReadOnlyList<Loaded> Assets => [.. _loaded.Where(r =>
        r.Type is ResourceType.StyleSheet or ResourceType.Script or ResourceType.Image or ResourceType.Font
        && !r.Url.StartsWith("data:", StringComparison.Ordinal))];

    public IReadOnlyList<string> Failed => [.. _failed];

    public IReadOnlyList<string> Errors => [.. _errors];

    public string Report() => string.Join(Environment.NewLine,
        Responses.Select(r => $"{r.Status} {r.Type} {r.Url}").Concat(Failed.Select(f => "FAILED " + f)).Concat(Errors.Select(e => "ERROR " + e)));

    /// <summary>
    /// Every asset came from <paramref name="baseUrl"/> with 200, none failed, and the page logged no error; returns the
    /// assets' URLs.
    /// </summary>
    public IReadOnlyList<string> AssertAllAssetsFrom(string baseUrl, int atLeast)
    {
        var report = Report();
        Assert.IsEmpty(Failed, $"requests failed:{Environment.NewLine}{report}");
        Assert.IsEmpty(Errors, $"the page reported errors:{Environment.NewLine}{report}");
        Assert.IsGreaterThanOrEqualTo(atLeast, Assets.Count, $"too few assets loaded:{Environment.NewLine}{report}");
        foreach (var asset in Assets)
        {
            Assert.StartsWith(baseUrl, asset.Url, $"an asset did not come from the bucket:{Environment.NewLine}{report}");
            Assert.AreEqual(200, asset.Status, $"{asset.Url}:{Environment.NewLine}{report}");
        }
        // The count the closing notes quote as "assets resolved per page" (the test's output in its TRX).
        Console.WriteLine($"{Assets.Count} assets loaded from {baseUrl}:{Environment.NewLine}{report}");
        return [.. Assets.Select(a => a.Url)];
    }

    public Task<T> EvaluateAsync<T>(string script) => Page.EvaluateExpressionAsync<T>(script);

    /// <summary>Saves the top of the page under artifacts/screenshots/ (docs/images/ keeps the one the docs show).</summary>
    public async Task SaveScreenshotAsync(string name)
    {
        var directory = Path.Combine(Dotnet.RepositoryRoot, "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        await Page.ScreenshotAsync(Path.Combine(directory, name), new ScreenshotOptions
        {
            Clip = new PuppeteerSharp.Media.Clip { X = 0, Y = 0, Width = 760, Height = 220 },
        });
    }
}
