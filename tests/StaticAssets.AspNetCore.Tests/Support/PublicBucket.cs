namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>
/// What the end-to-end classes share: a public-read, CORS-enabled bucket on the test S3 server (a CDN origin), the
/// apps published to it, each under a prefix of its own, and a headless chromium to load their pages with.
/// </summary>
internal sealed class PublicBucket : IAsyncDisposable
{
    private readonly List<PublishedApp> _apps = [];

    private PublicBucket(S3Server server, string name, Chromium browser)
    {
        Server = server;
        Name = name;
        Browser = browser;
    }

    public S3Server Server { get; }

    public string Name { get; }

    public Chromium Browser { get; }

    public static async Task<PublicBucket> CreateAsync()
    {
        var server = await S3Server.GetAsync();
        var name = await server.CreatePublicBucketAsync("aspnet");
        return new PublicBucket(server, name, await Chromium.LaunchAsync());
    }

    /// <summary>The URL of <paramref name="prefix"/> in the bucket: what StaticAssets__BaseUrl is set to.</summary>
    public string BaseUrl(string prefix) => Server.Url(Name, prefix);

    /// <summary>Publishes the app (deleted with the bucket's other apps on dispose) with its assets sent below <paramref name="prefix"/>.</summary>
    public async Task<PublishedApp> PublishAsync(Task<PublishedApp> creating, string prefix)
    {
        var app = await creating;
        _apps.Add(app);
        await app.PublishAsync(Server, Name, prefix);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        foreach (var app in _apps)
        {
            app.Dispose();
        }
    }
}
