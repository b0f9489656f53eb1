using System.Text.Json;
using Microsoft.Extensions.FileProviders;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

// After `dotnet publish`, staticassets.manifest.json maps each logical path to its fingerprinted key. The app links
// to the keys: served from the default destination (static-assets/ in the publish output) under /static-assets/, or
// from a CDN or bucket when StaticAssetsBaseUrl says so (e.g. https://cdn.example.com/site/). Without a manifest
// (dotnet run) it links to the plain wwwroot files.
var manifestPath = Path.Combine(AppContext.BaseDirectory, "staticassets.manifest.json");
var paths = File.Exists(manifestPath)
    ? JsonDocument.Parse(File.ReadAllBytes(manifestPath)).RootElement.GetProperty("paths")
        .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
    : new Dictionary<string, string>();
var assetBase = app.Configuration["StaticAssetsBaseUrl"] ?? "/static-assets/";
string Asset(string logicalPath) =>
    paths.TryGetValue(logicalPath, out var key) ? assetBase + key : "/" + logicalPath;

app.UseStaticFiles();
var published = Path.Combine(AppContext.BaseDirectory, "static-assets");
if (Directory.Exists(published))
{
    // Fingerprinted names never change content: let browsers keep them for a year.
    app.UseStaticFiles(new StaticFileOptions
    {
        FileProvider = new PhysicalFileProvider(published),
        RequestPath = "/static-assets",
        OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "public, max-age=31536000, immutable",
    });
}

app.MapGet("/", () => Results.Content($"""
    <!doctype html>
    <html lang="en">
    <head>
      <meta charset="utf-8">
      <title>StaticAssets.Tasks sample</title>
      <link rel="stylesheet" href="{Asset("css/site.css")}">
      <link rel="stylesheet" href="{Asset("_content/SampleRazorLib/widget.css")}">
    </head>
    <body>
      <img src="{Asset("img/logo.svg")}" alt="logo" width="64">
      <h1>StaticAssets.Tasks sample</h1>
      <div class="widget" id="widget"></div>
      <script type="module" src="{Asset("js/site.js")}"></script>
    </body>
    </html>
    """, "text/html"));

app.Run();
