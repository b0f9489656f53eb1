using System.Diagnostics;
using StaticAssets.Engine.Commit;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Diff;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Upload;

namespace StaticAssets.Engine.Publishing;

/// <param name="Times">Where the time went (gather included if the caller measured it).</param>
public sealed record PublishResult(
    bool Succeeded,
    PublishPlan? Plan = null,
    IReadOnlyList<PlannedObject>? Written = null,
    string? LocalManifestPath = null,
    PhaseTimes? Times = null)
{
    public static PublishResult Failed { get; } = new(false);
}

/// <summary>
/// The whole publish: gather (the caller's sources) → plan → diff → upload → commit. Reports every problem once
/// through <see cref="IPublishLog"/> and never writes the manifest unless every object it names is stored.
/// </summary>
public static class StaticAssetPublisher
{
    /// <param name="times">Records where the time goes (a caller that gathered the sources can record that first);
    /// logged at normal importance when the publish ends.</param>
    public static async Task<PublishResult> PublishAsync(
        IReadOnlyList<AssetSource> sources, IAssetStore store, PublishOptions options, IPublishLog log,
        CancellationToken cancellationToken, PhaseTimes? times = null)
    {
        try
        {
            return await PublishCoreAsync(sources, store, options, log, times ?? new PhaseTimes(), cancellationToken).ConfigureAwait(false);
        }
        catch (StaticAssetsException e)
        {
            log.Report(e.Diagnostic);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Report(Messages.PublishCanceled(store.Description));
        }
        return PublishResult.Failed;
    }

    /// <summary>Checks what the publish itself needs of its options; throws SA1005.</summary>
    public static void Validate(PublishOptions options, OptionSpelling spelling)
    {
        // The manifest's name is a key at the destination's root: it must not climb out of it.
        if (LogicalPaths.Validate(options.ManifestName) is not null || options.ManifestName.Contains('/'))
        {
            throw Messages.ManifestNameInvalid(spelling, options.ManifestName, AssetManifest.DefaultName).AsException();
        }
    }

    private static async Task<PublishResult> PublishCoreAsync(
        IReadOnlyList<AssetSource> sources, IAssetStore store, PublishOptions options, IPublishLog log, PhaseTimes times,
        CancellationToken cancellationToken)
    {
        Validate(options, log.Spelling);
        var clock = Stopwatch.StartNew();

        // What the destination holds does not depend on the plan: read it while planning, so its round trips hide
        // behind local work (a no-change publish is little else). A plan that fails wins over the read's outcome.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = ReadTimedAsync();
        PublishPlan? plan = null;
        try
        {
            plan = await AssetPlanner.PlanAsync(sources, options.Plan, log, cancellationToken, times).ConfigureAwait(false);
        }
        finally
        {
            if (plan is null)
            {
                stopReading.Cancel();
                await ((Task)reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        if (plan is null)
        {
            return PublishResult.Failed;
        }
        var manifest = AssetManifest.Serialize(plan, options.Source.Project);

        var destination = await reading.ConfigureAwait(false);
        CheckOwner(destination.ManifestBytes, options.ManifestName, options.Source.Project, options.AdoptManifest, store, log.Spelling);
        var missing = destination.Missing(plan);
        var unchanged = plan.Objects.Count - missing.Count;
        log.Message(LogImportance.Normal,
            $"Planned {plan.Assets.Count:N0} static assets ({plan.Objects.Count:N0} objects, {Megabytes(plan.TotalBytes)}); " +
            $"{store.Description} lacks {missing.Count:N0} of them.");

        if (options.DryRun)
        {
            foreach (var obj in log.Logs(LogImportance.Low) ? missing : [])
            {
                log.Message(LogImportance.Low, $"Would store {obj.Key} ({obj.Size:N0} bytes)");
            }
            log.Message(LogImportance.High,
                $"Dry run: {plan.Assets.Count:N0} static assets: {missing.Count:N0} objects would be written, {unchanged:N0} unchanged; " +
                $"nothing was written to {store.Description}.");
            return new PublishResult(true, plan, [], Times: times);
        }

        // Content-addressed objects first, then the manifest (the switch to the new generation), then the
        // un-fingerprinted copies, which overwrite live objects: a failure before the switch never touches them.
        var uploader = new ObjectUploader(store, store.MaxConcurrency, log);
        var journal = new JournalWriter(store, options.ManifestName, destination.JournalBytes, destination.PendingObjects, destination.Originals, log);
        UploadOutcome upload;
        using (times.Measure("upload"))
        {
            upload = await uploader.UploadAsync(missing.Where(o => o.Immutable).ToArray(), cancellationToken).ConfigureAwait(false);
        }
        if (!upload.Completed)
        {
            await journal.RecordStoredAsync(upload.Stored).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw upload.Failure!;
        }
        try
        {
            using var switching = times.Measure("switch");
            await ManifestCommitter.CommitAsync(
                store, options.ManifestName, manifest, destination.ManifestBytes, options.LocalManifestPath, options.Source, log, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is StaticAssetsException or OperationCanceledException)
        {
            await journal.RecordStoredAsync(upload.Stored).ConfigureAwait(false);
            throw;
        }

        var copies = missing.Where(o => !o.Immutable).ToArray();
        // The journal vouches for this plan's un-fingerprinted copies only: those of assets the new manifest no longer
        // has are left out, which makes them the prune's to delete once no kept generation names them.
        var copyKeys = copies.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var unchangedCopies = plan.Objects.Where(o => !o.Immutable && !copyKeys.Contains(o.Key)).Select(PendingJournal.Entry).ToArray();
        var written = upload.Stored;
        if (copies.Length > 0)
        {
            // Write-ahead: forget the copies about to be overwritten, so a publish killed mid-way cannot leave the
            // journal vouching for bytes those keys no longer hold.
            using (times.Measure("journal"))
            {
                await journal.WriteAsync(unchangedCopies, cancellationToken).ConfigureAwait(false);
            }
            UploadOutcome copied;
            using (times.Measure("copies"))
            {
                copied = await uploader.UploadAsync(copies, cancellationToken).ConfigureAwait(false);
            }
            using (times.Measure("journal"))
            {
                await journal.WriteAsync(unchangedCopies.Concat(copied.Stored.Select(PendingJournal.Entry)), CancellationToken.None).ConfigureAwait(false);
            }
            if (!copied.Completed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw copied.Failure!;
            }
            written = written.Concat(copied.Stored).OrderBy(o => o.Key, StringComparer.Ordinal).ToArray();
        }
        else
        {
            // Nothing pending any more; the copies the plan has are all as recorded.
            using var journaling = times.Measure("journal");
            await journal.WriteAsync(unchangedCopies, cancellationToken).ConfigureAwait(false);
        }

        log.Message(LogImportance.Normal, $"Where the time went: {times}; {clock.Elapsed.TotalSeconds:F2} s in all.");
        log.Message(LogImportance.High,
            $"{plan.Assets.Count:N0} static assets: {written.Count:N0} objects written, {unchanged:N0} unchanged, " +
            $"in {clock.Elapsed.TotalSeconds:N1} s -> {store.Description}");
        return new PublishResult(true, plan, written, options.LocalManifestPath, times);

        async Task<DestinationState> ReadTimedAsync()
        {
            using var measured = times.Measure("destination read");
            return await DestinationState.ReadAsync(store, options.ManifestName, options.VerifyRemote, log, stopReading.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Throws SA1017 when the destination's manifest records another project than <paramref name="project"/>: two
    /// projects publishing one manifest name to one prefix would replace, roll back and prune each other's
    /// generations. A manifest without a project (older, or written through the engine's API) belongs to anyone.
    /// </summary>
    public static void CheckOwner(byte[]? current, string manifestName, string? project, bool adopt, IAssetStore store, OptionSpelling spelling)
    {
        if (!adopt && project is not null && AssetManifest.ProjectOf(current) is { } writer && !string.Equals(writer, project, StringComparison.Ordinal))
        {
            throw Messages.ManifestWrittenByAnotherProject(spelling, manifestName, store.Description, writer, project).AsException();
        }
    }

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:N1} MB";
}
