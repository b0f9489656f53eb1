using Microsoft.AspNetCore.Mvc;
using StaticAssets.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorPages();
builder.Services.AddControllersWithViews();
// The one line a user adds. (The tests also run the app without it, to compare.)
if (builder.Configuration["WithoutPackage"] != "true")
{
    builder.Services.AddPublishedStaticAssets();
}

var app = builder.Build();
var useStaticFiles = string.Equals(app.Configuration["Wiring"], "UseStaticFiles", StringComparison.OrdinalIgnoreCase);
if (useStaticFiles)
{
    // The wiring of the .NET 6-8 templates.
    app.UseStaticFiles();
    app.UseRouting();
    app.MapRazorPages();
    app.MapControllerRoute("default", "{controller=Home}/{action=Index}");
}
else
{
    // The wiring of the .NET 9/10 templates.
    app.UseRouting();
    app.MapStaticAssets();
    app.MapRazorPages().WithStaticAssets();
    app.MapControllerRoute("default", "{controller=Home}/{action=Index}").WithStaticAssets();
}

// Code that links assets: IStaticAssetUrls.
app.MapGet("/api/ping", () => "pong");
app.MapGet("/api/asset-url", (string path, [FromServices] IStaticAssetUrls urls, HttpContext context) => urls.GetUrl(path, context));

app.Run();


namespace RazorPagesApp
{
    /// <summary>A type of this assembly, for WebApplicationFactory in the tests.</summary>
    public sealed class EntryPointMarker;
}
