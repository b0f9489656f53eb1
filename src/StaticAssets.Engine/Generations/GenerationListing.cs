using StaticAssets.Engine.Core;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Generations;

public sealed record GenerationList(IReadOnlyList<ListedGeneration> NewestFirst, string? CurrentSha256)
{
    public static GenerationList Failed { get; } = new([], null);

    public bool IsCurrent(ListedGeneration generation) => generation.Record.ManifestSha256 == CurrentSha256;
}

/// <summary>The history of a manifest, newest first, the current generation marked: one listing of the history folder
/// (with the manifest read at the same time), then the start of each entry (its record, not the manifest it carries),
/// at most the store's concurrency at once.</summary>
public static class GenerationListing
{
    public static Task<GenerationList?> ListAsync(IAssetStore store, string manifestName, IPublishLog log, CancellationToken cancellationToken) =>
        Reported.RunAsync(() => ListCoreAsync(store, manifestName, log, cancellationToken), null, () => Messages.ListingCanceled(store.Description), log, cancellationToken);

    private static async Task<GenerationList?> ListCoreAsync(IAssetStore store, string manifestName, IPublishLog log, CancellationToken cancellationToken)
    {
        var history = await DestinationHistory.ReadAsync(store, manifestName, cancellationToken).ConfigureAwait(false);
        var entries = await DestinationHistory.ReadRecordsAsync(store, history.Entries.Reverse(), cancellationToken).ConfigureAwait(false);
        var list = new GenerationList(entries, history.ManifestSha256);
        var currentMarked = false;
        log.Message(LogImportance.High, $"{entries.Count:N0} generation(s) of '{manifestName}' at {store.Description}, newest first:");
        foreach (var generation in entries)
        {
            var record = generation.Record;
            // Only the newest entry of the current manifest is "current" (a rollback repeats an older one).
            var current = !currentMarked && list.IsCurrent(generation);
            currentMarked |= current;
            log.Message(LogImportance.High,
                $"  {record.PublishedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {generation.Hash}  {(record.Kind == GenerationKind.Publish ? "publish " : "rollback")}  " +
                $"{record.Objects,7:N0} objects  {record.Bytes / 1048576.0,9:N1} MB {GenerationRollback.Describe(record.Source)}{(current ? "  <- current" : "")}");
        }
        if (history.Manifest is not null && !currentMarked)
        {
            log.Message(LogImportance.High, $"  The current manifest ({history.ManifestSha256![..GenerationRecord.NameHashLength]}) has no history entry (published before history was kept).");
        }
        return list;
    }
}
