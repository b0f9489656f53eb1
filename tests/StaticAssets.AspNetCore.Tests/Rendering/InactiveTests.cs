using RazorPagesApp;
using StaticAssets.AspNetCore.Tests.Support;

namespace StaticAssets.AspNetCore.Tests.Rendering;

/// <summary>Without a BaseUrl, or without a manifest, the app renders exactly what it renders without the package.</summary>
[TestClass]
public sealed class InactiveTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var wiring in new[] { "MapStaticAssets", "UseStaticFiles" })
        {
            foreach (var path in new[] { "/", "/Home/Mvc", "/Broken" })
            {
                yield return [wiring, path, "no BaseUrl"];
                yield return [wiring, path, "no manifest"];
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public async Task Razor_pages_render_byte_for_byte_as_without_the_package(string wiring, string path, string situation)
    {
        var settings = new Dictionary<string, string?> { ["Wiring"] = wiring, ["StaticAssets:Strict"] = "false" };
        if (situation == "no manifest")
        {
            // The default manifest location (beside the app) has none, as under `dotnet run`.
            settings["StaticAssets:BaseUrl"] = "https://cdn.example.com/site/";
        }
        using var app = new TestApp<EntryPointMarker>(settings);
        using var without = new TestApp<EntryPointMarker>(new Dictionary<string, string?> { ["Wiring"] = wiring, ["WithoutPackage"] = "true" });

        Assert.AreEqual(await without.Client.GetStringAsync(path), await app.Client.GetStringAsync(path));
    }
}
