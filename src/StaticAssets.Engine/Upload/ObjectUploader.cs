using System.Diagnostics;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Upload;

/// <summary>
/// Upload: writes objects through one store with at most <c>maxConcurrency</c> writes in flight. Waiting for a
/// slot is asynchronous, so no thread is blocked per object. The first hard failure stops new writes, lets the
/// ones in flight finish or cancel, and is reported once with the count of the others.
/// </summary>
public sealed class ObjectUploader(IAssetStore store, int maxConcurrency, IPublishLog log)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    /// <summary>Writes every object; returns them sorted by key. Throws <see cref="StaticAssetsException"/> on failure.</summary>
    public async Task<IReadOnlyList<PlannedObject>> UploadAsync(IReadOnlyList<PlannedObject> objects, CancellationToken cancellationToken)
    {
        using var stopOnFailure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        var progress = new Progress(objects.Count, objects.Sum(o => o.Size), log);
        var failures = new FailureCollector();
        var running = new List<Task>(objects.Count);

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
        }
        await Task.WhenAll(running).ConfigureAwait(false);

        cancellationToken.ThrowIfCancellationRequested();
        if (failures.First is { } first)
        {
            throw failures.ToException(first, objects.Count - progress.Completed);
        }
        return objects;

        async Task WriteOneAsync(PlannedObject obj)
        {
            try
            {
                await store.WriteAsync(ToStoreWrite(obj), stopOnFailure.Token).ConfigureAwait(false);
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
        () => new VerifyingReadStream(SourceFiles.OpenSequentialRead(obj.SourcePath), obj.SourcePath, obj.Size, obj.Sha256));

    /// <summary>Counts completions and, at most every couple of seconds, logs how far the upload is.</summary>
    private sealed class Progress(int total, long totalBytes, IPublishLog log)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _completed;
        private long _bytes;
        private long _nextReportTicks = ProgressInterval.Ticks;

        public int Completed => Volatile.Read(ref _completed);

        public void Done(PlannedObject obj)
        {
            var completed = Interlocked.Increment(ref _completed);
            var bytes = Interlocked.Add(ref _bytes, obj.Size);
            log.Message(LogImportance.Low, $"Stored {obj.Key} ({obj.Size:N0} bytes)");
            var now = _clock.Elapsed.Ticks;
            var due = Volatile.Read(ref _nextReportTicks);
            // One thread wins each report slot; the others skip it.
            if (now >= due && completed < total
                && Interlocked.CompareExchange(ref _nextReportTicks, now + ProgressInterval.Ticks, due) == due)
            {
                log.Message(LogImportance.Normal,
                    $"Stored {completed:N0} of {total:N0} objects ({bytes / 1048576.0:N1} of {totalBytes / 1048576.0:N1} MB) in {_clock.Elapsed.TotalSeconds:N1} s");
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

        public StaticAssetsException ToException((PlannedObject Object, Exception Error) first, int notStored)
        {
            var (obj, error) = first;
            var others = _count > 1 ? $" {_count - 1} other write(s) failed too." : "";
            // A client library may wrap the verifier's exception (it is thrown from inside the request body).
            var changed = Causes(error).OfType<SourceChangedException>().FirstOrDefault();
            var code = changed is not null ? DiagnosticCodes.SourceChanged : DiagnosticCodes.WriteFailed;
            var message = changed is not null
                ? changed.Message
                : $"Could not store '{obj.Key}' at the destination: {error.Message}";
            return new StaticAssetsException(Diagnostic.Error(code,
                $"{message}{others} {notStored:N0} object(s) were not stored; the destination still serves its previous manifest. " +
                "Fix the cause and publish again."), error);
        }

        private static IEnumerable<Exception> Causes(Exception error)
        {
            for (Exception? e = error; e is not null; e = e.InnerException)
            {
                yield return e;
            }
        }
    }
}
