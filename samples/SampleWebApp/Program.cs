using System.Text.Json;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

// After `dotnet publish`, staticassets.manifest.json maps each logical path to its fingerprinted key. An app
// that serves its assets from a CDN prefixes the key with the CDN's URL; without a manifest it serves them as is.
var manifestPath = Path.Combine(AppContext.BaseDirectory, "staticassets.manifest.json");
var paths = File.Exists(manifestPath)
    ? JsonDocument.Parse(File.ReadAllBytes(manifestPath)).RootElement.GetProperty("paths")
        .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
    : new Dictionary<string, string>();
var assetBase = app.Configuration["StaticAssetsBaseUrl"] ?? "/";
string Asset(string logicalPath) =>
    paths.TryGetValue(logicalPath, out var key) ? assetBase + key : "/" + logicalPath;

app.UseStaticFiles();
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
