namespace StaticAssets.Engine.Storage.S3;

/// <summary>
/// Bytes of part buffers that may exist at once across all uploads of a store, handed out first come, first served.
/// Each request takes its whole amount in one step, so two uploads can never each hold half of what both need.
/// A request larger than the budget waits until it has the whole budget.
/// </summary>
internal sealed class MemoryBudget(long capacity)
{
    private readonly object _gate = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Granted)> _waiting = new();
    private readonly long _capacity = capacity;
    private long _available = capacity;

    public async Task<long> AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        bytes = Math.Min(bytes, _capacity);
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_gate)
        {
            if (_waiting.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return bytes;
            }
            node = _waiting.AddLast((bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }
        try
        {
            await node.Value.Item2.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return bytes;
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                if (node.List is not null)
                {
                    _waiting.Remove(node);
                    GrantWaiters();
                    throw;
                }
            }
            // Granted while being canceled: give it back.
            Release(bytes);
            throw;
        }
    }

    public void Release(long bytes)
    {
        lock (_gate)
        {
            _available += bytes;
            GrantWaiters();
        }
    }

    private void GrantWaiters()
    {
        while (_waiting.First is { } first && _available >= first.Value.Bytes)
        {
            _available -= first.Value.Bytes;
            _waiting.RemoveFirst();
            first.Value.Granted.TrySetResult();
        }
    }
}
