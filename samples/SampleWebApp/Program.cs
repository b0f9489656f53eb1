using Microsoft.Extensions.FileProviders;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorPages();
// Links every asset to StaticAssets:BaseUrl + its fingerprinted key from the publish's staticassets.manifest.json,
// e.g. StaticAssets__BaseUrl=https://cdn.example.com/site/. Without a BaseUrl or a manifest (dotnet run), assets
// are linked as ASP.NET Core links them.
builder.Services.AddPublishedStaticAssets();

var app = builder.Build();

// The default destination of a publish is static-assets/ beside the app. Served here at /static-assets/, it is what
// a reverse proxy would serve: run with StaticAssets__BaseUrl=/static-assets/ to link it.
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

app.MapStaticAssets();
app.MapRazorPages().WithStaticAssets();
app.Run();
