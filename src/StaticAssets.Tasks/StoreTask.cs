using Microsoft.Build.Framework;
using StaticAssets.Engine.Configuration;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Manifest;
using StaticAssets.Tasks.Pipelines;

namespace StaticAssets.Tasks;

/// <summary>
/// What every task of the package shares: the destination and how to reach it, the manifest's name, who runs
/// (project, version; machine and CI run from the environment), pipeline reporting and Ctrl+C. A thin adapter: the
/// user's text goes to <see cref="OptionsReader"/> untouched (empty means the engine's default); the engine's reports
/// come back as MSBuild log entries.
/// </summary>
public abstract class StoreTask : Microsoft.Build.Utilities.Task, ICancelableTask
{
    // Created up front: Cancel may arrive from any thread, even before Execute.
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>Relative paths resolve against this folder (the project's).</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary><c>$(PublishDir)</c>: the default destination and the manifest's copy go there.</summary>
    public string PublishDirectory { get; set; } = "";

    /// <summary><c>$(IntermediateOutputPath)</c>: rewritten and compressed files are kept there between publishes.</summary>
    public string IntermediateDirectory { get; set; } = "";

    /// <summary><c>$(MSBuildProjectName)</c>: recorded in the manifest; another project's manifest is not replaced (SA1017).</summary>
    public string ProjectName { get; set; } = "";

    /// <summary><c>$(Version)</c>: recorded in the history entry.</summary>
    public string ProjectVersion { get; set; } = "";

    public string Destination { get; set; } = "";
    public string ManifestName { get; set; } = "";
    public string MaxConcurrency { get; set; } = "";
    public string MaxAttempts { get; set; } = "";
    public string S3ServiceUrl { get; set; } = "";
    public string S3Region { get; set; } = "";
    public string S3ForcePathStyle { get; set; } = "";
    public string S3ChecksumMode { get; set; } = "";

    /// <summary>The NAME of an environment variable holding a connection string or SAS token, never the secret.</summary>
    public string AzureConnectionStringVariable { get; set; } = "";
    public string AzureSasVariable { get; set; } = "";
    public string PipelineReporting { get; set; } = "";
    public string AdoptManifest { get; set; } = "";

    public void Cancel() => _cancellation.Cancel();

    // The engine is asynchronous throughout (no thread is blocked per object); only this node thread waits.
    public override bool Execute() => ExecuteAsync().GetAwaiter().GetResult();

    private async Task<bool> ExecuteAsync()
    {
        var log = new MSBuildPublishLog(Log);
        try
        {
            log.Pipeline = PipelineReporter.Create(PipelineReporting, Environment.GetEnvironmentVariable, log.Spelling);
            var source = new GenerationSource(NullIfEmpty(ProjectName), NullIfEmpty(ProjectVersion), Environment.MachineName,
                CiRun.FromEnvironment(Environment.GetEnvironmentVariable));
            var context = new PublishContext(ProjectDirectory, NullIfEmpty(PublishDirectory), NullIfEmpty(IntermediateDirectory), source);
            var options = Options();
            var reader = new OptionsReader(log.Spelling);
            var succeeded = await RunAsync(reader, reader.Read(options, context), options, log, _cancellation.Token).ConfigureAwait(false);
            return succeeded && !Log.HasLoggedErrors;
        }
        catch (StaticAssetsException e)
        {
            log.Report(e.Diagnostic);
            return false;
        }
    }

    /// <summary>The task's own work, with its settings read and checked.</summary>
    private protected abstract Task<bool> RunAsync(
        OptionsReader reader, PublishConfiguration configuration, IReadOnlyDictionary<Option, string?> values, MSBuildPublishLog log, CancellationToken cancellationToken);

    /// <summary>The user's text of every option this task takes.</summary>
    private protected virtual Dictionary<Option, string?> Options() => new()
    {
        [Option.Destination] = Destination,
        [Option.ManifestName] = ManifestName,
        [Option.MaxConcurrency] = MaxConcurrency,
        [Option.MaxAttempts] = MaxAttempts,
        [Option.S3ServiceUrl] = S3ServiceUrl,
        [Option.S3Region] = S3Region,
        [Option.S3ForcePathStyle] = S3ForcePathStyle,
        [Option.S3ChecksumMode] = S3ChecksumMode,
        [Option.AzureConnectionStringVariable] = AzureConnectionStringVariable,
        [Option.AzureSasVariable] = AzureSasVariable,
        [Option.AdoptManifest] = AdoptManifest,
    };

    private protected static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
