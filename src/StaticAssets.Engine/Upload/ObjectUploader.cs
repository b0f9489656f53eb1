using System.Collections.Concurrent;
using System.Diagnostics;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Upload;

/// <summary>What an upload achieved: the objects stored (sorted by key), and why it stopped early, if it did.</summary>
public sealed record UploadOutcome(IReadOnlyList<PlannedObject> Stored, StaticAssetsException? Failure, bool Canceled)
{
    public bool Completed => Failure is null && !Canceled;
}

/// <summary>
/// Upload: writes objects through one store with at most <c>maxConcurrency</c> writes in flight. Waiting for a
/// slot is asynchronous, so no thread is blocked per object. The first hard failure stops new writes, lets the
/// ones in flight finish or cancel, and becomes one error naming it and counting the others.
/// </summary>
public sealed class ObjectUploader(IAssetStore store, int maxConcurrency, IPublishLog log)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    public async Task<UploadOutcome> UploadAsync(IReadOnlyList<PlannedObject> objects, CancellationToken cancellationToken)
    {
        using var stopOnFailure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        var progress = new Progress(objects.Count, objects.Sum(o => o.Size), log);
        var failures = new FailureCollector();
        var stored = new ConcurrentBag<PlannedObject>();
        var running = new List<Task>(2 * maxConcurrency);

        foreach (var obj in objects)
        {
            try
            {
                await slots.WaitAsync(stopOnFailure.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            // SemaphoreSlim may grant a slot to a waiter whose token was canceled an instant earlier (a failing or
            // canceled write cancels, then releases its slot): check again so nothing starts after a stop.
            if (stopOnFailure.IsCancellationRequested)
            {
                slots.Release();
                break;
            }
            running.Add(WriteOneAsync(obj));
            // Keep only the writes still in flight (WriteOneAsync never throws): memory stays proportional to the
            // concurrency, not to the number of objects.
            if (running.Count >= 2 * maxConcurrency)
            {
                running.RemoveAll(t => t.IsCompleted);
            }
        }
        await Task.WhenAll(running).ConfigureAwait(false);

        // Sorted, so that what is reported and recorded does not depend on completion order.
        var storedSorted = stored.OrderBy(o => o.Key, StringComparer.Ordinal).ToArray();
        return new UploadOutcome(
            storedSorted,
            failures.First is { } first ? failures.ToException(first, objects.Count - storedSorted.Length, log.Spelling) : null,
            cancellationToken.IsCancellationRequested);

        async Task WriteOneAsync(PlannedObject obj)
        {
            try
            {
                await store.WriteAsync(ToStoreWrite(obj), stopOnFailure.Token).ConfigureAwait(false);
                stored.Add(obj);
                progress.Done(obj);
            }
            catch (OperationCanceledException) when (stopOnFailure.IsCancellationRequested)
            {
                // Stopped because of Ctrl+C or another object's failure: not a failure of its own.
            }
            catch (Exception e)
            {
                failures.Add(obj, e);
                stopOnFailure.Cancel();
            }
            finally
            {
                slots.Release();
            }
        }
    }

    internal static StoreWrite ToStoreWrite(PlannedObject obj) => new(
        obj.Key,
        obj.Size,
        obj.Sha256,
        obj.ContentType,
        obj.ContentEncoding,
        obj.CacheControl,
        () => new VerifyingReadStream(OpenSource(obj.SourcePath), obj.SourcePath, obj.Size, obj.Sha256));

    private static FileStream OpenSource(string path)
    {
        try
        {
            return SourceFiles.OpenSequentialRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SourceDeletedException(Messages.FileDeleted(path), e);
        }
    }

    /// <summary>Counts completions and, at most every couple of seconds, logs how far the upload is.</summary>
    private sealed class Progress(int total, long totalBytes, IPublishLog log)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _completed;
        private long _bytes;
        private long _nextReportTicks = ProgressInterval.Ticks;
        private readonly bool _logsEachObject = log.Logs(LogImportance.Low);

        public void Done(PlannedObject obj)
        {
            var completed = Interlocked.Increment(ref _completed);
            var bytes = Interlocked.Add(ref _bytes, obj.Size);
            if (_logsEachObject)
            {
                log.Message(LogImportance.Low, $"Stored {obj.Key} ({obj.Size:N0} bytes)");
            }
            var now = _clock.Elapsed.Ticks;
            var due = Volatile.Read(ref _nextReportTicks);
            // One thread wins each report slot; the others skip it.
            if (now >= due && completed < total
                && Interlocked.CompareExchange(ref _nextReportTicks, now + ProgressInterval.Ticks, due) == due)
            {
                log.Message(LogImportance.Normal,
                    $"Stored {completed:N0} of {total:N0} objects ({bytes / 1048576.0:N1} of {totalBytes / 1048576.0:N1} MB) in {_clock.Elapsed.TotalSeconds:N1} s");
                log.Progress(completed, total);
            }
        }
    }

    /// <summary>Keeps the first failure in time (the cause; later ones are often its echo) and counts the rest.</summary>
    private sealed class FailureCollector
    {
        private readonly object _gate = new();
        private int _count;

        public (PlannedObject Object, Exception Error)? First { get; private set; }

        public void Add(PlannedObject obj, Exception error)
        {
            lock (_gate)
            {
                _count++;
                First ??= (obj, error);
            }
        }

        public StaticAssetsException ToException((PlannedObject Object, Exception Error) first, int notStored, OptionSpelling spelling) =>
            Messages.ObjectsNotStored(spelling, StoreFailures.DiagnosticOf(first.Error), first.Object.Key, _count - 1, notStored).AsException(first.Error);
    }
}
