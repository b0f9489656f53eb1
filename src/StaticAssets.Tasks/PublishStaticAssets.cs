using System.Diagnostics;
using Microsoft.Build.Framework;
using StaticAssets.Engine.Configuration;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Publishing;
using StaticAssets.Tasks.Pipelines;

namespace StaticAssets.Tasks;

/// <summary>
/// Publishes <c>@(StaticAsset)</c> items to <c>$(StaticAssetsDestination)</c>, then prunes when
/// <c>$(StaticAssetsKeepGenerations)</c> is set. A thin adapter: items and properties in (<see cref="StaticAssetItems"/>,
/// <see cref="OptionsReader"/>), the engine's reports out as MSBuild log entries and output items. Every option is the
/// user's text, passed through untouched: empty means the engine's default.
/// </summary>
public sealed class PublishStaticAssets : StoreTask
{
    [Required]
    public ITaskItem[] Assets { get; set; } = [];

    /// <summary>The SDK's <c>@(StaticWebAssetEndpoint)</c> items, read for each asset's Content-Type.</summary>
    public ITaskItem[] Endpoints { get; set; } = [];

    public string LocalManifestPath { get; set; } = "";
    public string DryRun { get; set; } = "";
    public string VerifyRemote { get; set; } = "";
    public string CacheControl { get; set; } = "";
    public string RewriteReferences { get; set; } = "";
    public string RewriteJavaScriptModules { get; set; } = "";
    public string Strict { get; set; } = "";
    public string FingerprintedNamePattern { get; set; } = "";
    public string Compression { get; set; } = "";
    public string BrotliQuality { get; set; } = "";
    public string KeepOriginalNames { get; set; } = "";
    public string CompressOriginals { get; set; } = "";
    public string OriginalsCacheControl { get; set; } = "";
    public string WorkDirectory { get; set; } = "";
    public string KeepGenerations { get; set; } = "";
    public string PruneMinAge { get; set; } = "";
    public string MaxDeletes { get; set; } = "";
    public string PruneDryRun { get; set; } = "";

    /// <summary>The manifest written into the publish output (none on a dry run).</summary>
    [Output]
    public ITaskItem? ManifestFile { get; private set; }

    /// <summary>One item per object written (<see cref="StaticAssetItems.ToWrittenItems"/>).</summary>
    [Output]
    public ITaskItem[] WrittenAssets { get; private set; } = [];

    private protected override async Task<bool> RunAsync(
        OptionsReader reader, PublishConfiguration configuration, IReadOnlyDictionary<Option, string?> values, MSBuildPublishLog log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (destination, options, storeSettings) = configuration;
        // Checked before anything is written: a bad prune setting must not surface after the publish.
        var prune = reader.ReadPrune(values, options, required: false);
        var times = new PhaseTimes();
        IReadOnlyList<AssetSource>? sources;
        using (times.Measure("gather"))
        {
            sources = AssetGatherer.FromBuildFiles(StaticAssetItems.ToBuildFiles(Assets, Endpoints, ProjectDirectory), ProjectDirectory, log);
        }
        if (sources is null)
        {
            return false;
        }
        await using var store = destination.CreateStore(storeSettings with { Log = log });
        var result = await StaticAssetPublisher.PublishAsync(sources, store, options, log, cancellationToken, times).ConfigureAwait(false);
        if (result is { Succeeded: true, Plan: { } plan, Written: { } written })
        {
            log.Completed(new PublishSummary(
                plan.Assets.Count, plan.Objects.Count, written.Count, options.DryRun ? 0 : plan.Objects.Count - written.Count,
                written.Sum(o => o.Size), store.Description, AssetManifest.PathsHash(plan), clock.Elapsed.TotalSeconds, options.DryRun));
            WrittenAssets = StaticAssetItems.ToWrittenItems(plan, written);
            ManifestFile = result.LocalManifestPath is { } manifest ? StaticAssetItems.ToFileItem(manifest) : null;
            if (prune is not null && !options.DryRun && !Log.HasLoggedErrors)
            {
                return await PruneStaticAssets.RunPruneAsync(store, prune, log, cancellationToken).ConfigureAwait(false);
            }
        }
        return result.Succeeded;
    }

    private protected override Dictionary<Option, string?> Options()
    {
        var options = base.Options();
        options[Option.LocalManifestPath] = LocalManifestPath;
        options[Option.DryRun] = DryRun;
        options[Option.VerifyRemote] = VerifyRemote;
        options[Option.CacheControl] = CacheControl;
        options[Option.RewriteReferences] = RewriteReferences;
        options[Option.RewriteJsImports] = RewriteJavaScriptModules;
        options[Option.Strict] = Strict;
        options[Option.FingerprintPattern] = FingerprintedNamePattern;
        options[Option.Compression] = Compression;
        options[Option.BrotliQuality] = BrotliQuality;
        options[Option.KeepOriginalNames] = KeepOriginalNames;
        options[Option.CompressOriginals] = CompressOriginals;
        options[Option.OriginalsCacheControl] = OriginalsCacheControl;
        options[Option.WorkDirectory] = WorkDirectory;
        PruneStaticAssets.AddPruneOptions(options, KeepGenerations, PruneMinAge, MaxDeletes, PruneDryRun);
        return options;
    }
}
