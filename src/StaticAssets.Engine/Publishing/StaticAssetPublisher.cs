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

        // What the destination holds does not depend on the plan: read it while planning, so its round trips hide
        // behind local work (a no-change publish is little else). A plan that fails wins over the read's outcome.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = DestinationState.ReadAsync(store, options.ManifestName, options.VerifyRemote, log, stopReading.Token);
        PublishPlan? plan = null;
        try
        {
            plan = await AssetPlanner.PlanAsync(sources, options.Plan, log, cancellationToken).ConfigureAwait(false);
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
        var manifest = AssetManifest.Serialize(plan);

        var destination = await reading.ConfigureAwait(false);
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
            return new PublishResult(true, plan, []);
        }

        // Content-addressed objects first, then the manifest (the switch to the new generation), then the
        // un-fingerprinted copies, which overwrite live objects: a failure before the switch never touches them.
        var uploader = new ObjectUploader(store, options.MaxConcurrency, log);
        var journal = new JournalWriter(store, options.ManifestName, destination, log);
        var upload = await uploader.UploadAsync(missing.Where(o => o.Immutable).ToArray(), cancellationToken).ConfigureAwait(false);
        if (!upload.Completed)
        {
            await journal.RecordStoredAsync(upload.Stored).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw upload.Failure!;
        }
        try
        {
            await ManifestCommitter.CommitAsync(
                store, options.ManifestName, manifest, destination.ManifestBytes, options.LocalManifestPath, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is StaticAssetsException or OperationCanceledException)
        {
            await journal.RecordStoredAsync(upload.Stored).ConfigureAwait(false);
            throw;
        }

        var copies = missing.Where(o => !o.Immutable).ToArray();
        var written = upload.Stored;
        if (copies.Length > 0)
        {
            // Write-ahead: forget the copies about to be overwritten, so a publish killed mid-way cannot leave the
            // journal vouching for bytes those keys no longer hold.
            await journal.WriteAsync(journal.OriginalsWithout(copies), cancellationToken).ConfigureAwait(false);
            var copied = await uploader.UploadAsync(copies, cancellationToken).ConfigureAwait(false);
            await journal.WriteAsync(journal.OriginalsWithout(copies).Concat(copied.Stored.Select(PendingJournal.Entry)), CancellationToken.None).ConfigureAwait(false);
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
            await journal.WriteAsync(plan.Objects.Where(o => !o.Immutable).Select(PendingJournal.Entry), cancellationToken).ConfigureAwait(false);
        }

        log.Message(LogImportance.High,
            $"{plan.Assets.Count:N0} static assets: {written.Count:N0} objects written, {unchanged:N0} unchanged, " +
            $"in {clock.Elapsed.TotalSeconds:N1} s -> {store.Description}");
        return new PublishResult(true, plan, written, options.LocalManifestPath);
    }

    /// <summary>
    /// Keeps the pending journal (see <see cref="PendingJournal"/>) true. Writes are small and bounded in time even
    /// after Ctrl+C; recording what a failed publish stored is best effort (without it the next publish simply sends
    /// those objects again).
    /// </summary>
    private sealed class JournalWriter(IAssetStore store, string manifestName, DestinationState destination, IPublishLog log)
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
        private byte[]? _current = destination.JournalBytes;

        public IEnumerable<ManifestObject> OriginalsWithout(IReadOnlyList<PlannedObject> overwritten)
        {
            var keys = overwritten.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
            return destination.Originals.Values.Where(o => !keys.Contains(o.Key));
        }

        /// <summary>After a failure or Ctrl+C before the switch: add what this publish stored to what was pending.</summary>
        public async Task RecordStoredAsync(IReadOnlyList<PlannedObject> stored)
        {
            if (stored.Count == 0)
            {
                return;
            }
            try
            {
                await WriteAsync(destination.PendingObjects.Concat(stored.Select(PendingJournal.Entry)), destination.Originals.Values, CancellationToken.None).ConfigureAwait(false);
                log.Message(LogImportance.Normal, $"Recorded the {stored.Count:N0} object(s) stored before stopping; the next publish will not send them again.");
            }
            catch (Exception e)
            {
                log.Message(LogImportance.Normal, $"Could not record the objects stored before stopping ({StoreFailures.MessageOf(e)}); the next publish will send them again.");
            }
        }

        /// <summary>After the switch: nothing is pending; <paramref name="originals"/> are the copies known to be current.</summary>
        public async Task WriteAsync(IEnumerable<ManifestObject> originals, CancellationToken cancellationToken)
        {
            try
            {
                await WriteAsync([], originals, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new StaticAssetsException(Diagnostic.Error(StoreFailures.CodeOf(e, DiagnosticCodes.WriteFailed),
                    $"The new manifest is in place, but updating '{PendingJournal.NameFor(manifestName)}' at {store.Description} failed: " +
                    $"{StoreFailures.MessageOf(e)} The un-fingerprinted copies may be out of date until the next publish, which rewrites them."), e);
            }
        }

        private async Task WriteAsync(IEnumerable<ManifestObject> stored, IEnumerable<ManifestObject> originals, CancellationToken cancellationToken)
        {
            var storedList = stored.ToArray();
            var originalsList = originals.ToArray();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var key = PendingJournal.NameFor(manifestName);
            if (storedList.Length == 0 && originalsList.Length == 0)
            {
                if (_current is not null)
                {
                    await store.DeleteAsync(key, timeout.Token).ConfigureAwait(false);
                    _current = null;
                }
                return;
            }
            var bytes = PendingJournal.Serialize(storedList, originalsList);
            if (_current is not null && bytes.AsSpan().SequenceEqual(_current))
            {
                return;
            }
            await store.WriteAsync(new StoreWrite(
                key, bytes.Length, Sha256Digest.Compute(bytes), AssetManifest.ContentType, null, AssetManifest.CacheControl,
                () => new MemoryStream(bytes, writable: false)), timeout.Token).ConfigureAwait(false);
            _current = bytes;
        }
    }

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:N1} MB";
}
