#if NET9_0_OR_GREATER
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using StaticAssets.AspNetCore.Linking;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.Endpoints;

/// <summary>
/// The endpoint metadata that Blazor's <c>@Assets</c> and <c>&lt;ImportMap /&gt;</c>, interactive server circuits, and
/// MVC's <c>&lt;script type="importmap"&gt;</c> read: a <see cref="ResourceAssetCollection"/> whose labels (logical
/// paths) map to BaseUrl + key, and an <see cref="ImportMapDefinition"/> mapping module specifiers to the same URLs.
/// Built once per original collection and accepted encodings, on first use.
/// </summary>
internal sealed class PublishedEndpointMetadata(PublishedAssets assets)
{
    private readonly ConcurrentDictionary<Key, Lazy<ResourceAssetCollection>> _collections = new();
    private readonly ConcurrentDictionary<Key, Lazy<ImportMapDefinition>> _importMaps = new();

    public ResourceAssetCollection Collection(ResourceAssetCollection? original, ContentCodings codings) =>
        _collections.GetOrAdd(new Key(original, codings), key => new Lazy<ResourceAssetCollection>(() => BuildCollection(key.Original as ResourceAssetCollection, key.Codings))).Value;

    public ImportMapDefinition ImportMap(ImportMapDefinition? original, ContentCodings codings) =>
        _importMaps.GetOrAdd(new Key(original, codings), key => new Lazy<ImportMapDefinition>(() => BuildImportMap(key.Original as ImportMapDefinition, key.Codings))).Value;

    private ResourceAssetCollection BuildCollection(ResourceAssetCollection? original, ContentCodings codings)
    {
        var resources = new List<ResourceAsset>(assets.Assets.Count + (((IReadOnlyCollection<ResourceAsset>?)original)?.Count ?? 0));
        // ResourceAssetCollection looks labels up ignoring case and refuses duplicates: the first of two published
        // paths that differ only in case wins (the publish warned about them, SA2004).
        var labels = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (logicalPath, asset) in assets.Assets.Entries)
        {
            if (labels.Add(logicalPath))
            {
                resources.Add(new ResourceAsset(asset.UrlFor(codings), Properties(logicalPath, asset)));
            }
        }
        // What the app serves itself and did not publish keeps its local URL.
        foreach (var resource in original ?? ResourceAssetCollection.Empty)
        {
            var label = resource.Properties?.FirstOrDefault(p => p.Name.Equals("label", StringComparison.OrdinalIgnoreCase))?.Value;
            if (label is null || labels.Add(label))
            {
                resources.Add(resource);
            }
        }
        return new ResourceAssetCollection(resources);
    }

    private static ResourceAssetProperty[] Properties(string logicalPath, PublishedAsset asset) => asset.Integrity is null
        ? [new("label", logicalPath)]
        : [new("label", logicalPath), new("integrity", asset.Integrity)];

    /// <summary>
    /// "./js/app.js" (the page-relative specifier ASP.NET Core maps) and BaseUrl + "js/app.js" (a module served from
    /// BaseUrl importing a sibling by its plain name) both go to the fingerprinted object; with the Integrity option the
    /// map carries each module's SRI. The app's own map comes first, so published URLs win.
    /// </summary>
    private ImportMapDefinition BuildImportMap(ImportMapDefinition? original, ContentCodings codings)
    {
        var imports = new Dictionary<string, string>(StringComparer.Ordinal);
        var integrity = assets.Integrity ? new Dictionary<string, string>(StringComparer.Ordinal) : null;
        foreach (var (logicalPath, asset) in assets.Assets.Entries)
        {
            if (!logicalPath.EndsWith(".js", StringComparison.OrdinalIgnoreCase) && !logicalPath.EndsWith(".mjs", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var url = asset.UrlFor(codings);
            imports["./" + logicalPath] = url;
            imports[UrlPath.Combine(assets.BaseUrl!, logicalPath)] = url;
            if (integrity is not null && asset.Integrity is not null)
            {
                integrity[url] = asset.Integrity;
            }
        }
        var published = new ImportMapDefinition(imports, scopes: null, integrity is { Count: > 0 } ? integrity : null);
        return original is null ? published : ImportMapDefinition.Combine(original, published);
    }

    private readonly record struct Key(object? Original, ContentCodings Codings);
}
#endif
