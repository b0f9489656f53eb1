using System.Diagnostics;

namespace StaticAssets.Bench;

/// <summary>
/// Completes tasks at Stopwatch timestamps, from one dedicated thread that sleeps until the earliest one (Monitor.Wait
/// with the remaining time rounded up to whole milliseconds: late by under a millisecond, never early, no spinning).
/// Task.Delay's millisecond timer was off by 1-4 ms per direction here.
/// </summary>
internal sealed class DueTimeScheduler : IDisposable
{
    private readonly PriorityQueue<TaskCompletionSource, long> _queue = new();
    private readonly object _gate = new();
    private bool _stopped;

    public DueTimeScheduler() => new Thread(Run) { IsBackground = true, Name = "DelayProxy timer" }.Start();

    public Task WhenDue(long timestamp)
    {
        if (timestamp <= Stopwatch.GetTimestamp())
        {
            return Task.CompletedTask;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _queue.Enqueue(done, timestamp);
            if (_queue.TryPeek(out var first, out _) && first == done)
            {
                Monitor.Pulse(_gate); // earlier than what the thread sleeps for
            }
        }
        return done.Task;
    }

    private void Run()
    {
        lock (_gate)
        {
            while (!_stopped)
            {
                if (!_queue.TryPeek(out var next, out var due))
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                var remaining = due - Stopwatch.GetTimestamp();
                if (remaining > 0)
                {
                    Monitor.Wait(_gate, (int)Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency));
                    continue;
                }
                _queue.Dequeue();
                next.TrySetResult();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.Pulse(_gate);
        }
    }
}
