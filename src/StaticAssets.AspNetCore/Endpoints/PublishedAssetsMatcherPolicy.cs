#if NET9_0_OR_GREATER
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using StaticAssets.AspNetCore.Linking;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.Endpoints;

/// <summary>
/// Swaps, at routing time, an endpoint that links assets for its substitute carrying the published asset collection
/// and import map. Everything that reads asset metadata from the current endpoint then gets published URLs without an
/// edit: Blazor's <c>@Assets</c> (EndpointHtmlRenderer), <c>&lt;ImportMap /&gt;</c>, an interactive server circuit (it
/// reads the hub endpoint's collection when it starts), MVC's import map. Routing's own result is kept: the candidate
/// keeps its route values and score, only its metadata differs.
/// </summary>
internal sealed class PublishedAssetsMatcherPolicy(PublishedAssets assets, EndpointSubstitutes substitutes, StaticAssetUrls urls)
    : MatcherPolicy, IEndpointSelectorPolicy
{
    // After routing's policies (HTTP method, host, dynamic endpoints) have picked and expanded the candidates.
    public override int Order => int.MaxValue - 1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        if (!assets.IsActive)
        {
            return false;
        }
        if (ContainsDynamicEndpoints(endpoints))
        {
            return true;
        }
        foreach (var endpoint in endpoints)
        {
            if (EndpointSubstitutes.LinksAssets(endpoint))
            {
                return true;
            }
        }
        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        ContentCodings? codings = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }
            ref var candidate = ref candidates[i];
            if (!substitutes.Substitutes(candidate.Endpoint))
            {
                continue;
            }
            // Only for pages that link assets: with PreferCompressed they now vary by Accept-Encoding.
            codings ??= urls.CodingsFor(httpContext);
            candidates.ReplaceEndpoint(i, substitutes.For(candidate.Endpoint, codings.Value), candidate.Values);
        }
        return Task.CompletedTask;
    }
}
#endif
