using System.Diagnostics;
using StaticAssets.Engine.Commit;
using StaticAssets.Engine.Diff;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Upload;

namespace StaticAssets.Engine.Publishing;

public sealed record PublishOptions
{
    public const int DefaultMaxConcurrency = 16;
    public const int MaxAllowedConcurrency = 512;

    /// <summary>Name of the manifest at the destination's root.</summary>
    public string ManifestName { get; init; } = AssetManifest.DefaultName;

    /// <summary>Where to write the manifest's local copy (the publish output); null for none.</summary>
    public string? LocalManifestPath { get; init; }

    /// <summary>At most this many objects are written at once.</summary>
    public int MaxConcurrency { get; init; } = DefaultMaxConcurrency;

    /// <summary>Plan and compare with the destination, report, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>List the destination too, and store again what its manifest names but it lacks.</summary>
    public bool VerifyRemote { get; init; }

    public PlanOptions Plan { get; init; } = new();
}

public sealed record PublishResult(
    bool Succeeded,
    PublishPlan? Plan = null,
    IReadOnlyList<PlannedObject>? Written = null,
    string? LocalManifestPath = null)
{
    public static PublishResult Failed { get; } = new(false);
}

/// <summary>
/// The whole publish: gather (the caller's sources) → plan → diff → upload → commit. Reports every problem once
/// through <see cref="IPublishLog"/> and never writes the manifest unless every object it names is stored.
/// </summary>
public static class StaticAssetPublisher
{
    public static async Task<PublishResult> PublishAsync(
        IReadOnlyList<AssetSource> sources, IAssetStore store, PublishOptions options, IPublishLog log,
        CancellationToken cancellationToken)
    {
        try
        {
            return await PublishCoreAsync(sources, store, options, log, cancellationToken).ConfigureAwait(false);
        }
        catch (StaticAssetsException e)
        {
            log.Report(e.Diagnostic);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Report(Diagnostic.Error(DiagnosticCodes.Canceled,
                $"Publishing static assets to {store.Description} was canceled. The destination still serves its previous manifest."));
        }
        return PublishResult.Failed;
    }

    /// <summary>Checks the settings that do not depend on the destination; throws SA1002 / SA1005.</summary>
    public static void Validate(PublishOptions options)
    {
        if (options.MaxConcurrency < 1 || options.MaxConcurrency > PublishOptions.MaxAllowedConcurrency)
        {
            throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.InvalidConcurrency,
                $"StaticAssetsMaxConcurrency is {options.MaxConcurrency}; it must be a whole number from 1 to {PublishOptions.MaxAllowedConcurrency}."));
        }
        if (LogicalPaths.Validate(options.ManifestName) is { } problem || options.ManifestName.Contains('/'))
        {
            throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.InvalidManifestName,
                $"StaticAssetsManifestName '{options.ManifestName}' is not a valid file name. Use a plain name such as '{AssetManifest.DefaultName}'."));
        }
    }

    private static async Task<PublishResult> PublishCoreAsync(
        IReadOnlyList<AssetSource> sources, IAssetStore store, PublishOptions options, IPublishLog log,
        CancellationToken cancellationToken)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();

        var plan = await AssetPlanner.PlanAsync(sources, options.Plan, log, cancellationToken).ConfigureAwait(false);
        if (plan is null)
        {
            return PublishResult.Failed;
        }
        var manifest = AssetManifest.Serialize(plan);

        var destination = await DestinationState.ReadAsync(store, options.ManifestName, options.VerifyRemote, log, cancellationToken).ConfigureAwait(false);
        var missing = destination.Missing(plan);
        var unchanged = plan.Objects.Count - missing.Count;
        log.Message(LogImportance.Normal,
            $"Planned {plan.Assets.Count:N0} static assets ({plan.Objects.Count:N0} objects, {Megabytes(plan.TotalBytes)}); " +
            $"{store.Description} lacks {missing.Count:N0} of them.");

        if (options.DryRun)
        {
            foreach (var obj in missing)
            {
                log.Message(LogImportance.Low, $"Would store {obj.Key} ({obj.Size:N0} bytes)");
            }
            log.Message(LogImportance.High,
                $"Dry run: {plan.Assets.Count:N0} static assets: {missing.Count:N0} objects would be written, {unchanged:N0} unchanged; " +
                $"nothing was written to {store.Description}.");
            return new PublishResult(true, plan, []);
        }

        // Content-addressed objects first; then the un-fingerprinted copies, which overwrite live objects and may
        // refer to the new fingerprinted ones; the manifest last.
        var uploader = new ObjectUploader(store, options.MaxConcurrency, log);
        var upload = await uploader.UploadAsync(missing.Where(o => o.Immutable).ToArray(), cancellationToken).ConfigureAwait(false);
        if (upload.Completed && missing.Any(o => !o.Immutable))
        {
            var mutable = await uploader.UploadAsync(missing.Where(o => !o.Immutable).ToArray(), cancellationToken).ConfigureAwait(false);
            upload = mutable with { Stored = upload.Stored.Concat(mutable.Stored).OrderBy(o => o.Key, StringComparer.Ordinal).ToArray() };
        }
        if (!upload.Completed)
        {
            await RecordPendingAsync(store, options.ManifestName, destination, upload.Stored, log).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw upload.Failure!;
        }
        var written = upload.Stored;
        await ManifestCommitter.CommitAsync(
            store, options.ManifestName, manifest, destination.ManifestBytes, options.LocalManifestPath, cancellationToken)
            .ConfigureAwait(false);
        if (destination.HasPendingJournal)
        {
            await ForgetPendingAsync(store, options.ManifestName, log).ConfigureAwait(false);
        }

        log.Message(LogImportance.High,
            $"{plan.Assets.Count:N0} static assets: {written.Count:N0} objects written, {unchanged:N0} unchanged, " +
            $"in {clock.Elapsed.TotalSeconds:N1} s -> {store.Description}");
        return new PublishResult(true, plan, written, options.LocalManifestPath);
    }

    /// <summary>How long recording or forgetting the journal may take, even after Ctrl+C: it is one small request.</summary>
    private static readonly TimeSpan JournalTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// After a failure or Ctrl+C, records what this publish (and any earlier unfinished one) did store, so that the
    /// next publish sends only the rest. Best effort: without it the next publish simply sends those objects again.
    /// </summary>
    private static async Task RecordPendingAsync(
        IAssetStore store, string manifestName, DestinationState destination, IReadOnlyList<PlannedObject> stored, IPublishLog log)
    {
        if (stored.Count == 0)
        {
            return;
        }
        var entries = destination.PendingObjects.Concat(stored.Select(PendingJournal.Entry)).ToArray();
        var journal = PendingJournal.Serialize(entries);
        using var timeout = new CancellationTokenSource(JournalTimeout);
        try
        {
            await store.WriteAsync(new StoreWrite(
                PendingJournal.NameFor(manifestName), journal.Length, Sha256Digest.Compute(journal), AssetManifest.ContentType, null,
                AssetManifest.CacheControl, () => new MemoryStream(journal, writable: false)), timeout.Token).ConfigureAwait(false);
            log.Message(LogImportance.Normal, $"Recorded the {stored.Count:N0} object(s) stored before stopping; the next publish will not send them again.");
        }
        catch (Exception e)
        {
            log.Message(LogImportance.Normal, $"Could not record the objects stored before stopping ({StoreFailures.MessageOf(e)}); the next publish will send them again.");
        }
    }

    private static async Task ForgetPendingAsync(IAssetStore store, string manifestName, IPublishLog log)
    {
        using var timeout = new CancellationTokenSource(JournalTimeout);
        try
        {
            await store.DeleteAsync(PendingJournal.NameFor(manifestName), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Harmless if it stays: it lists only objects that are stored.
            log.Message(LogImportance.Low, $"Could not delete the pending journal: {StoreFailures.MessageOf(e)}");
        }
    }

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:N1} MB";
}
