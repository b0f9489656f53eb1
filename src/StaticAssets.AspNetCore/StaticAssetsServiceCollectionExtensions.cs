using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StaticAssets.AspNetCore;
using StaticAssets.AspNetCore.Linking;
using StaticAssets.AspNetCore.Manifest;
using StaticAssets.AspNetCore.Startup;
using StaticAssets.AspNetCore.TagHelpers;
#if NET9_0_OR_GREATER
using Microsoft.AspNetCore.Routing;
using StaticAssets.AspNetCore.Endpoints;
#endif

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StaticAssets.AspNetCore.</summary>
public static class StaticAssetsServiceCollectionExtensions
{
    /// <summary>
    /// Links the app's static assets to where <c>dotnet publish</c> with StaticAssets.Tasks stored them: with
    /// <c>StaticAssets:BaseUrl</c> set and the publish's manifest beside the app, every <c>~/</c> link in Razor
    /// Pages and MVC views (with or without <c>asp-append-version</c>), Blazor's <c>@Assets[...]</c>, the import
    /// map and interactive server circuits resolve to BaseUrl + the fingerprinted key. Otherwise nothing changes.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Settings applied after the <c>StaticAssets</c> configuration section.</param>
    public static IServiceCollection AddPublishedStaticAssets(this IServiceCollection services, Action<StaticAssetsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<StaticAssetsOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<StaticAssetsOptions>, OptionsFromConfiguration>());
        if (configure is not null)
        {
            services.Configure(configure);
        }
        services.TryAddSingleton(provider => PublishedAssets.Load(
            provider.GetRequiredService<IOptions<StaticAssetsOptions>>().Value,
            provider.GetService<ILoggerFactory>()?.CreateLogger("StaticAssets.AspNetCore") ?? NullLogger.Instance));
        services.TryAddSingleton<StaticAssetUrls>();
        services.TryAddSingleton<IStaticAssetUrls>(provider => provider.GetRequiredService<StaticAssetUrls>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ManifestLoadAtStartup>());

        // Replaces ASP.NET Core's activator whether AddRazorPages/AddControllersWithViews ran before or after this
        // (they register theirs with TryAdd); ours creates every other tag helper exactly as theirs does.
        services.RemoveAll<ITagHelperActivator>();
        services.AddSingleton<ITagHelperActivator, PublishedTagHelperActivator>();
#if NET9_0_OR_GREATER
        services.TryAddSingleton<PublishedEndpointMetadata>();
        services.TryAddSingleton<EndpointSubstitutes>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, PublishedAssetsMatcherPolicy>());
#endif
        return services;
    }
}
