namespace StaticAssets.Engine.Core;

/// <summary>
/// CPU-bound work per item (hashing, scanning, compressing) on every core, each result in its item's slot: the output
/// is in input order whatever finished first, so plans stay deterministic.
/// </summary>
internal static class AllCores
{
    public static async Task<TResult[]> MapAsync<TItem, TResult>(
        IReadOnlyList<TItem> items, Func<TItem, CancellationToken, ValueTask<TResult>> map, CancellationToken cancellationToken)
    {
        var results = new TResult[items.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await map(items[i], ct).ConfigureAwait(false))
            .ConfigureAwait(false);
        return results;
    }
}
