using BlazorApp.Components;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents();
// The one line a user adds. (The tests also run the app without it, to compare.)
if (builder.Configuration["WithoutPackage"] != "true")
{
    builder.Services.AddPublishedStaticAssets();
}

var app = builder.Build();
if (string.Equals(app.Configuration["Wiring"], "UseStaticFiles", StringComparison.OrdinalIgnoreCase))
{
    app.UseStaticFiles();
    app.UseAntiforgery();
}
else
{
    app.UseAntiforgery();
    app.MapStaticAssets();
}
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();
app.Run();


namespace BlazorApp
{
    /// <summary>A type of this assembly, for WebApplicationFactory in the tests.</summary>
    public sealed class EntryPointMarker;
}
