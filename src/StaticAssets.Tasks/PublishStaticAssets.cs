using System.Globalization;
using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using StaticAssets.Engine;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Publishing;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Storage.AzureBlob;
using StaticAssets.Engine.Storage.S3;
using StaticAssets.Tasks.Pipelines;

namespace StaticAssets.Tasks;

/// <summary>
/// Publishes <c>@(StaticAsset)</c> items to <c>$(StaticAssetsDestination)</c>. A thin adapter: it turns items and
/// properties into engine inputs and engine reports into MSBuild log entries and output items.
/// </summary>
public sealed class PublishStaticAssets : Microsoft.Build.Utilities.Task, ICancelableTask
{
    // Created up front: Cancel may arrive from any thread, even before Execute.
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>The assets. Metadata: <c>LogicalPath</c> (required), <c>Integrity</c>, <c>ContentType</c>; compressed
    /// copies also carry <c>ContentEncoding</c> and <c>RelatedAsset</c> (the primary's full path or logical path).</summary>
    [Required]
    public ITaskItem[] Assets { get; set; } = [];

    /// <summary>The SDK's <c>@(StaticWebAssetEndpoint)</c> items, read for each asset's Content-Type.</summary>
    public ITaskItem[] Endpoints { get; set; } = [];

    [Required]
    public string Destination { get; set; } = "";

    /// <summary>Relative destination paths resolve against this folder (the project's).</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    public string ManifestName { get; set; } = "";

    /// <summary>Where to write the manifest's copy in the publish output; empty for none.</summary>
    public string LocalManifestPath { get; set; } = "";

    /// <summary>A string so that a bad value gets our coded error instead of MSBuild's conversion error.</summary>
    public string MaxConcurrency { get; set; } = "";

    public bool DryRun { get; set; }

    public bool VerifyRemote { get; set; }

    public string S3ServiceUrl { get; set; } = "";

    public string S3Region { get; set; } = "";

    public string S3ForcePathStyle { get; set; } = "";

    public string S3ChecksumMode { get; set; } = "";

    public string S3MaxAttempts { get; set; } = "";

    /// <summary>Name of the environment variable holding an Azure Storage connection string (never the string itself).</summary>
    public string AzureConnectionStringVariable { get; set; } = "";

    /// <summary>Name of the environment variable holding a SAS token for the container (never the token itself).</summary>
    public string AzureSasVariable { get; set; } = "";

    /// <summary>auto (default: Azure DevOps when TF_BUILD=True, GitHub Actions when GITHUB_ACTIONS=true), none,
    /// AzureDevOps or GitHubActions.</summary>
    public string PipelineReporting { get; set; } = "";

    public string CacheControl { get; set; } = "";

    public bool RewriteReferences { get; set; }

    public bool RewriteJavaScriptModules { get; set; }

    public bool Strict { get; set; }

    /// <summary>A regular expression on file names that already carry a content hash; empty for none.</summary>
    public string FingerprintedNamePattern { get; set; } = "";

    /// <summary>gzip;br (any of gzip, br, zstd... that we can make: gzip, br), or none.</summary>
    public string Compression { get; set; } = "";

    public bool KeepOriginalNames { get; set; }

    public string OriginalsCacheControl { get; set; } = "";

    /// <summary>Where rewritten and compressed files are kept between publishes (the project's obj folder).</summary>
    public string WorkDirectory { get; set; } = "";

    /// <summary>The manifest written into the publish output (empty on a dry run).</summary>
    [Output]
    public ITaskItem? ManifestFile { get; private set; }

    /// <summary>One item per object written, its key as item spec; metadata SourcePath, LogicalPath, ContentEncoding.</summary>
    [Output]
    public ITaskItem[] WrittenAssets { get; private set; } = [];

    public void Cancel() => _cancellation.Cancel();

    public override bool Execute()
    {
        // The engine is asynchronous throughout (no thread is blocked per object); only this node thread waits.
        return ExecuteAsync().GetAwaiter().GetResult();
    }

    private async System.Threading.Tasks.Task<bool> ExecuteAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var log = new MSBuildPublishLog(Log);
        try
        {
            log.Pipeline = PipelineReporter.Create(PipelineReporting, Environment.GetEnvironmentVariable);
        }
        catch (StaticAssetsException e)
        {
            log.Report(e.Diagnostic);
            return false;
        }
        PublishOptions options;
        Destination destination;
        S3Settings s3;
        AzureBlobSettings azure;
        try
        {
            destination = Engine.Storage.Destination.Parse(Destination, ProjectDirectory);
            options = ReadOptions(destination);
            StaticAssetPublisher.Validate(options);
            s3 = S3Settings.Parse(S3ServiceUrl, S3Region, S3ForcePathStyle, S3ChecksumMode, S3MaxAttempts);
            azure = AzureBlobSettings.Parse(AzureConnectionStringVariable, AzureSasVariable);
        }
        catch (StaticAssetsException e)
        {
            log.Report(e.Diagnostic);
            return false;
        }

        var sources = ReadSources(log);
        if (sources is null)
        {
            return false;
        }

        IAssetStore created;
        try
        {
            created = destination.CreateStore(new StoreSettings(options.MaxConcurrency, s3, azure));
        }
        catch (StaticAssetsException e)
        {
            log.Report(e.Diagnostic);
            return false;
        }
        await using var store = created;
        var result = await StaticAssetPublisher.PublishAsync(sources, store, options, log, _cancellation.Token).ConfigureAwait(false);
        if (result.Succeeded && result.Plan is { } plan)
        {
            var written = result.Written ?? [];
            log.Completed(new PublishSummary(
                plan.Assets.Count, plan.Objects.Count, written.Count, options.DryRun ? 0 : plan.Objects.Count - written.Count,
                written.Sum(o => o.Size), store.Description, AssetManifest.PathsHash(plan), clock.Elapsed.TotalSeconds, options.DryRun));
            WrittenAssets = ToItems(plan, written);
            if (result.LocalManifestPath is { } manifest)
            {
                ManifestFile = new TaskItem(Escape(manifest));
            }
        }
        return result.Succeeded && !Log.HasLoggedErrors;
    }

    private PublishOptions ReadOptions(Destination destination)
    {
        var options = new PublishOptions { DryRun = DryRun, VerifyRemote = VerifyRemote, MaxConcurrency = destination.DefaultMaxConcurrency };
        if (!string.IsNullOrWhiteSpace(ManifestName))
        {
            options = options with { ManifestName = ManifestName.Trim() };
        }
        if (!string.IsNullOrWhiteSpace(LocalManifestPath) && !DryRun)
        {
            options = options with { LocalManifestPath = Path.GetFullPath(LocalManifestPath, ProjectDirectory) };
        }
        if (!string.IsNullOrWhiteSpace(MaxConcurrency))
        {
            if (!int.TryParse(MaxConcurrency.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit))
            {
                throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.InvalidConcurrency,
                    $"StaticAssetsMaxConcurrency is '{MaxConcurrency}'; it must be a whole number from 1 to {PublishOptions.MaxAllowedConcurrency}."));
            }
            options = options with { MaxConcurrency = limit };
        }
        if (!string.IsNullOrWhiteSpace(CacheControl))
        {
            options = options with { Plan = options.Plan with { CacheControl = CacheControl.Trim() } };
        }
        return options with { Plan = ReadPlanOptions(options.Plan) };
    }

    private PlanOptions ReadPlanOptions(PlanOptions plan)
    {
        plan = plan with
        {
            RewriteReferences = RewriteReferences,
            RewriteJavaScriptModules = RewriteJavaScriptModules,
            Strict = Strict,
            KeepOriginalNames = KeepOriginalNames,
            WorkDirectory = string.IsNullOrWhiteSpace(WorkDirectory) ? null : Path.GetFullPath(WorkDirectory, ProjectDirectory),
        };
        if (!string.IsNullOrWhiteSpace(OriginalsCacheControl))
        {
            plan = plan with { OriginalsCacheControl = OriginalsCacheControl.Trim() };
        }
        if (!string.IsNullOrWhiteSpace(FingerprintedNamePattern))
        {
            try
            {
                plan = plan with
                {
                    FingerprintedNamePattern = new System.Text.RegularExpressions.Regex(
                        FingerprintedNamePattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
                };
            }
            catch (ArgumentException e)
            {
                throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.InvalidPlanSetting,
                    $"StaticAssetsFingerprintPattern is not a valid regular expression ({e.Message}). Fix it, or set it empty to fingerprint every file."));
            }
        }
        if (!string.IsNullOrWhiteSpace(Compression))
        {
            var formats = Compression.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => f.ToLowerInvariant()).Distinct().ToArray();
            if (formats is ["none"])
            {
                formats = [];
            }
            else if (formats.FirstOrDefault(f => f is not ("gzip" or "br")) is { } unknown)
            {
                throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.InvalidPlanSetting,
                    $"StaticAssetsCompression contains '{unknown}'; use gzip, br, both (gzip;br), or none."));
            }
            plan = plan with { Compression = formats };
        }
        return plan;
    }

    /// <summary>Gather: primaries in item order, each with its compressed copies; null after logging errors.</summary>
    private List<AssetSource>? ReadSources(MSBuildPublishLog log)
    {
        var contentTypes = ContentTypesFromEndpoints();
        var primaries = new List<(ITaskItem Item, string FullPath, string LogicalPath)>();
        var variants = new List<(ITaskItem Item, string FullPath, string Encoding)>();
        var failed = false;
        foreach (var item in Assets)
        {
            var fullPath = Path.GetFullPath(item.ItemSpec, ProjectDirectory);
            var encoding = item.GetMetadata("ContentEncoding");
            if (!string.IsNullOrWhiteSpace(encoding))
            {
                variants.Add((item, fullPath, encoding.Trim()));
                continue;
            }
            var logicalPath = item.GetMetadata("LogicalPath");
            if (string.IsNullOrEmpty(logicalPath))
            {
                log.Report(Diagnostic.Error(DiagnosticCodes.MissingLogicalPath,
                    $"The StaticAsset item '{item.ItemSpec}' has no LogicalPath metadata. Add LogicalPath=\"path/as/served.ext\" to it."));
                failed = true;
                continue;
            }
            primaries.Add((item, fullPath, logicalPath));
        }
        if (failed)
        {
            return null;
        }

        var byPath = new Dictionary<string, int>(StringComparer.Ordinal);
        var byLogicalPath = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < primaries.Count; i++)
        {
            byPath.TryAdd(primaries[i].FullPath, i);
            byLogicalPath.TryAdd(primaries[i].LogicalPath, i);
        }
        var variantsOf = primaries.Select(_ => new List<AssetVariantSource>()).ToArray();
        foreach (var (item, fullPath, encoding) in variants)
        {
            var related = item.GetMetadata("RelatedAsset");
            var owner = !string.IsNullOrEmpty(related)
                && (byPath.TryGetValue(Path.GetFullPath(related, ProjectDirectory), out var index) || byLogicalPath.TryGetValue(related, out index))
                ? index
                : -1;
            if (owner < 0 && Path.IsPathFullyQualified(related) && File.Exists(related))
            {
                // Its asset exists but is not published (the project removed it): its compressed copies go with it.
                log.Message(LogImportance.Low, $"Not publishing '{item.ItemSpec}': its asset '{related}' is not published.");
                continue;
            }
            if (owner < 0)
            {
                log.Report(Diagnostic.Warning(DiagnosticCodes.OrphanVariant,
                    $"The compressed StaticAsset '{item.ItemSpec}' ({encoding}) names RelatedAsset '{related}', which is not a StaticAsset being published; " +
                    "it is not published. Set RelatedAsset to the full path or the LogicalPath of its uncompressed asset."));
                continue;
            }
            variantsOf[owner].Add(new AssetVariantSource(fullPath, encoding, NullIfEmpty(item.GetMetadata("Integrity"))));
        }

        return primaries.Select((p, i) => new AssetSource(
                p.FullPath,
                p.LogicalPath,
                NullIfEmpty(p.Item.GetMetadata("Integrity")),
                NullIfEmpty(p.Item.GetMetadata("ContentType")) ?? contentTypes.GetValueOrDefault(p.FullPath),
                variantsOf[i],
                // The SDK marks a fingerprint its target path must carry with "]!" (e.g. "Lib#[.{fingerprint}]!.bundle.scp.css").
                AlreadyFingerprinted: p.Item.GetMetadata("RelativePath").Contains("]!", StringComparison.Ordinal)))
            .ToList();
    }

    /// <summary>The SDK's endpoints know each asset's Content-Type (ResponseHeaders is a JSON array of Name/Value).</summary>
    private Dictionary<string, string> ContentTypesFromEndpoints()
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var endpoint in Endpoints)
        {
            var assetFile = endpoint.GetMetadata("AssetFile");
            var headers = endpoint.GetMetadata("ResponseHeaders");
            if (string.IsNullOrEmpty(assetFile) || string.IsNullOrEmpty(headers))
            {
                continue;
            }
            var fullPath = Path.GetFullPath(assetFile, ProjectDirectory);
            if (types.ContainsKey(fullPath))
            {
                continue;
            }
            try
            {
                using var json = JsonDocument.Parse(headers);
                foreach (var header in json.RootElement.EnumerateArray())
                {
                    if (header.TryGetProperty("Name", out var name) && name.ValueEquals("Content-Type")
                        && header.TryGetProperty("Value", out var value) && value.GetString() is { Length: > 0 } type)
                    {
                        types[fullPath] = type;
                        break;
                    }
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // Not the shape we know (another SDK version): fall back to the extension table.
            }
        }
        return types;
    }

    private static ITaskItem[] ToItems(PublishPlan plan, IReadOnlyList<PlannedObject> written)
    {
        var logicalPathOf = plan.Assets
            .SelectMany(a => a.AllObjects.Select(o => (o.Key, a.LogicalPath)))
            .ToDictionary(x => x.Key, x => x.LogicalPath, StringComparer.Ordinal);
        return written.Select(o =>
        {
            var item = new TaskItem(Escape(o.Key));
            item.SetMetadata("SourcePath", Escape(o.SourcePath));
            item.SetMetadata("LogicalPath", Escape(logicalPathOf[o.Key]));
            item.SetMetadata("ContentEncoding", o.ContentEncoding ?? "");
            item.SetMetadata("Sha256", o.Sha256.Hex);
            return (ITaskItem)item;
        }).ToArray();
    }

    /// <summary>TaskItem takes item specs and metadata MSBuild-escaped: a key such as "100%.css" must stay itself.</summary>
    private static string Escape(string value)
    {
        var escaped = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '%' or '*' or '?' or '@' or '$' or '(' or ')' or ';' or '\'')
            {
                escaped.Append('%').Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
