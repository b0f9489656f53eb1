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
/// Publishes <c>@(StaticAsset)</c> items to <c>$(StaticAssetsDestination)</c>. A thin adapter: items and properties
/// in (<see cref="StaticAssetItems"/>, <see cref="OptionsReader"/>), the engine's reports out as MSBuild log entries
/// and output items. Every option is the user's text, passed through untouched: empty means the engine's default.
/// </summary>
public sealed class PublishStaticAssets : Microsoft.Build.Utilities.Task, ICancelableTask
{
    // Created up front: Cancel may arrive from any thread, even before Execute.
    private readonly CancellationTokenSource _cancellation = new();

    [Required]
    public ITaskItem[] Assets { get; set; } = [];

    /// <summary>The SDK's <c>@(StaticWebAssetEndpoint)</c> items, read for each asset's Content-Type.</summary>
    public ITaskItem[] Endpoints { get; set; } = [];

    /// <summary>Relative paths resolve against this folder (the project's).</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary><c>$(PublishDir)</c>: the default destination and the manifest's copy go there.</summary>
    public string PublishDirectory { get; set; } = "";

    /// <summary><c>$(IntermediateOutputPath)</c>: rewritten and compressed files are kept there between publishes.</summary>
    public string IntermediateDirectory { get; set; } = "";

    public string Destination { get; set; } = "";
    public string ManifestName { get; set; } = "";
    public string LocalManifestPath { get; set; } = "";
    public string MaxConcurrency { get; set; } = "";
    public string MaxAttempts { get; set; } = "";
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
    public string S3ServiceUrl { get; set; } = "";
    public string S3Region { get; set; } = "";
    public string S3ForcePathStyle { get; set; } = "";
    public string S3ChecksumMode { get; set; } = "";

    /// <summary>The NAME of an environment variable holding a connection string or SAS token, never the secret.</summary>
    public string AzureConnectionStringVariable { get; set; } = "";
    public string AzureSasVariable { get; set; } = "";
    public string PipelineReporting { get; set; } = "";

    /// <summary>The manifest written into the publish output (none on a dry run).</summary>
    [Output]
    public ITaskItem? ManifestFile { get; private set; }

    /// <summary>One item per object written (<see cref="StaticAssetItems.ToWrittenItems"/>).</summary>
    [Output]
    public ITaskItem[] WrittenAssets { get; private set; } = [];

    public void Cancel() => _cancellation.Cancel();

    // The engine is asynchronous throughout (no thread is blocked per object); only this node thread waits.
    public override bool Execute() => ExecuteAsync().GetAwaiter().GetResult();

    private async Task<bool> ExecuteAsync()
    {
        var clock = Stopwatch.StartNew();
        var log = new MSBuildPublishLog(Log);
        try
        {
            log.Pipeline = PipelineReporter.Create(PipelineReporting, Environment.GetEnvironmentVariable, log.Spelling);
            var context = new PublishContext(ProjectDirectory, NullIfEmpty(PublishDirectory), NullIfEmpty(IntermediateDirectory));
            var (destination, options, storeSettings) = new OptionsReader(log.Spelling).Read(Options(), context);
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
            var result = await StaticAssetPublisher.PublishAsync(sources, store, options, log, _cancellation.Token, times).ConfigureAwait(false);
            if (result is { Succeeded: true, Plan: { } plan, Written: { } written })
            {
                log.Completed(new PublishSummary(
                    plan.Assets.Count, plan.Objects.Count, written.Count, options.DryRun ? 0 : plan.Objects.Count - written.Count,
                    written.Sum(o => o.Size), store.Description, AssetManifest.PathsHash(plan), clock.Elapsed.TotalSeconds, options.DryRun));
                WrittenAssets = StaticAssetItems.ToWrittenItems(plan, written);
                ManifestFile = result.LocalManifestPath is { } manifest ? StaticAssetItems.ToFileItem(manifest) : null;
            }
            return result.Succeeded && !Log.HasLoggedErrors;
        }
        catch (StaticAssetsException e)
        {
            log.Report(e.Diagnostic);
            return false;
        }
    }

    private Dictionary<Option, string?> Options() => new()
    {
        [Option.Destination] = Destination,
        [Option.ManifestName] = ManifestName,
        [Option.LocalManifestPath] = LocalManifestPath,
        [Option.MaxConcurrency] = MaxConcurrency,
        [Option.MaxAttempts] = MaxAttempts,
        [Option.DryRun] = DryRun,
        [Option.VerifyRemote] = VerifyRemote,
        [Option.CacheControl] = CacheControl,
        [Option.RewriteReferences] = RewriteReferences,
        [Option.RewriteJsImports] = RewriteJavaScriptModules,
        [Option.Strict] = Strict,
        [Option.FingerprintPattern] = FingerprintedNamePattern,
        [Option.Compression] = Compression,
        [Option.BrotliQuality] = BrotliQuality,
        [Option.KeepOriginalNames] = KeepOriginalNames,
        [Option.CompressOriginals] = CompressOriginals,
        [Option.OriginalsCacheControl] = OriginalsCacheControl,
        [Option.WorkDirectory] = WorkDirectory,
        [Option.S3ServiceUrl] = S3ServiceUrl,
        [Option.S3Region] = S3Region,
        [Option.S3ForcePathStyle] = S3ForcePathStyle,
        [Option.S3ChecksumMode] = S3ChecksumMode,
        [Option.AzureConnectionStringVariable] = AzureConnectionStringVariable,
        [Option.AzureSasVariable] = AzureSasVariable,
    };

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
