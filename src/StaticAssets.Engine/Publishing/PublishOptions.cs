using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;

namespace StaticAssets.Engine.Publishing;

/// <summary>How a publish runs (how many objects at once is the store's: <see cref="Storage.IAssetStore.MaxConcurrency"/>).</summary>
public sealed record PublishOptions
{
    /// <summary>Name of the manifest at the destination's root.</summary>
    public string ManifestName { get; init; } = AssetManifest.DefaultName;

    /// <summary>Where to write the manifest's local copy (the publish output); null for none.</summary>
    public string? LocalManifestPath { get; init; }

    /// <summary>Plan and compare with the destination, report, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>List the destination too, and store again what its manifest names but it lacks.</summary>
    public bool VerifyRemote { get; init; }

    public PlanOptions Plan { get; init; } = new();
}
