namespace StaticAssets.AspNetCore.Tests.Support;

internal static class Screenshots
{
    /// <summary>Saves the page under artifacts/screenshots/ (docs/images/ keeps the one the docs show).</summary>
    public static async Task SaveAsync(PageVisit visit, string name)
    {
        var directory = Path.Combine(Repository.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        await visit.Page.ScreenshotAsync(Path.Combine(directory, name), new PuppeteerSharp.ScreenshotOptions
        {
            Clip = new PuppeteerSharp.Media.Clip { X = 0, Y = 0, Width = 760, Height = 220 },
        });
    }
}
