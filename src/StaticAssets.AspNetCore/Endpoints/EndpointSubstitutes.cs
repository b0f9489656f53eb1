#if NET9_0_OR_GREATER
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using StaticAssets.AspNetCore.Linking;

namespace StaticAssets.AspNetCore.Endpoints;

/// <summary>
/// For each endpoint whose metadata links assets, a copy of it (same request delegate, route, order and metadata)
/// with the published import map and, for Blazor's endpoints, the published asset collection; one copy per
/// accepted-encodings value, made on first use and then reused, so a request costs one dictionary lookup.
/// </summary>
/// <remarks>
/// MVC and Razor Pages endpoints keep their own collection: ASP.NET Core's tag helpers prepend '/' to what they find
/// there, so an absolute URL in it would come out as "/https://...". Published assets are linked by the tag helper
/// substitutes instead, and anything they leave to the originals still finds its local fingerprinted URL.
/// </remarks>
internal sealed class EndpointSubstitutes(PublishedEndpointMetadata published)
{
    // The hub Blazor's interactive server circuits connect to: the circuit reads @Assets from its endpoint.
    private const string ComponentHubTypeName = "Microsoft.AspNetCore.Components.Server.ComponentHub";

    // Weak: endpoints are rebuilt when their data sources change, and the old ones must not be kept.
    private readonly ConditionalWeakTable<Endpoint, Variants> _byEndpoint = new();

    public static bool LinksAssets(Endpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        return metadata.GetMetadata<PublishedMarker>() is null
            && (metadata.GetMetadata<ResourceAssetCollection>() is not null
                || metadata.GetMetadata<ImportMapDefinition>() is not null
                || IsBlazor(metadata));
    }

    /// <summary>A page of Razor components, or the hub their interactive server circuits connect to.</summary>
    private static bool IsBlazor(EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<ComponentTypeMetadata>() is not null
        || metadata.GetMetadata<HubMetadata>()?.HubType.FullName == ComponentHubTypeName;

    /// <summary>Whether <paramref name="endpoint"/> gets a substitute (decided once per endpoint).</summary>
    public bool Substitutes(Endpoint endpoint) => VariantsOf(endpoint).Items is not null;

    /// <summary>The substitute for an endpoint that <see cref="Substitutes"/>.</summary>
    public Endpoint For(Endpoint endpoint, ContentCodings codings) =>
        VariantsOf(endpoint).Items![(int)codings] ??= Substitute(endpoint, codings);

    private Variants VariantsOf(Endpoint endpoint) =>
        _byEndpoint.GetValue(endpoint, static e => new Variants(LinksAssets(e) ? new Endpoint?[(int)ContentCodings.Combinations] : null));

    private Endpoint Substitute(Endpoint endpoint, ContentCodings codings)
    {
        var original = endpoint.Metadata;
        var blazor = IsBlazor(original);
        var metadata = new List<object>(original.Count + 3);
        foreach (var item in original)
        {
            if (item is not ImportMapDefinition && !(blazor && item is ResourceAssetCollection))
            {
                metadata.Add(item);
            }
        }
        if (blazor)
        {
            metadata.Add(published.Collection(original.GetMetadata<ResourceAssetCollection>(), codings));
        }
        metadata.Add(published.ImportMap(original.GetMetadata<ImportMapDefinition>(), codings));
        metadata.Add(PublishedMarker.Instance);
        var collectionOfMetadata = new EndpointMetadataCollection(metadata);
        return endpoint is RouteEndpoint route
            ? new RouteEndpoint(route.RequestDelegate!, route.RoutePattern, route.Order, collectionOfMetadata, route.DisplayName)
            : new Endpoint(endpoint.RequestDelegate, collectionOfMetadata, endpoint.DisplayName);
    }

    private sealed record Variants(Endpoint?[]? Items);

    /// <summary>Marks a substitute, so it is never substituted again.</summary>
    private sealed class PublishedMarker
    {
        public static readonly PublishedMarker Instance = new();
    }
}
#endif
