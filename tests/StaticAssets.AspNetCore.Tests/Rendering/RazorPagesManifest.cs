using StaticAssets.AspNetCore.Tests.Support;

namespace StaticAssets.AspNetCore.Tests.Rendering;

/// <summary>What a publish of Apps/RazorPagesApp stores (img/unpublished.svg deliberately left out).</summary>
internal static class RazorPagesManifest
{
    public const string BaseUrl = "https://cdn.example.com/site/";

    public static TestManifest Create() => new TestManifest()
        .Add("css/site.css", "br", "gzip")
        .Add("js/site.js", "br", "gzip")
        .Add("js/module.js", "br")
        .Add("js/helper.js")
        .Add("img/logo.svg", "gzip")
        .Add("img/logo@2x.svg")
        .Add("lib/bootstrap/dist/css/bootstrap.min.css", "br", "gzip")
        .Add("RazorPagesApp.styles.css")
        .Add("_content/TestRazorLib/lib.css")
        .Add("_content/TestRazorLib/lib.js")
        .Add("files/report.txt")
        .Add("fonts/test.woff2");

    public static string Url(string logicalPath) => BaseUrl + TestManifest.KeyFor(logicalPath);
}
