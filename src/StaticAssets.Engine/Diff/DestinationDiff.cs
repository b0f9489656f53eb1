using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Diff;

/// <summary>What the destination already holds, as its current manifest vouches for it.</summary>
public sealed class DestinationState
{
    private DestinationState(byte[]? manifestBytes, IReadOnlyDictionary<string, ManifestObject> objects)
    {
        ManifestBytes = manifestBytes;
        Objects = objects;
    }

    /// <summary>The stored manifest as read, or null if there is none (or it was not trusted).</summary>
    public byte[]? ManifestBytes { get; }

    public IReadOnlyDictionary<string, ManifestObject> Objects { get; }

    /// <summary>
    /// One read of the destination's manifest. An unreadable manifest counts as none, with a warning. With
    /// <paramref name="verifyRemote"/>, the destination is also listed and only objects both vouched for and
    /// present (with the right size) count: this repairs objects someone deleted behind the manifest's back.
    /// </summary>
    public static async Task<DestinationState> ReadAsync(
        IAssetStore store, string manifestName, bool verifyRemote, IPublishLog log, CancellationToken cancellationToken)
    {
        var state = await ReadManifestAsync(store, manifestName, log, cancellationToken).ConfigureAwait(false);
        if (!verifyRemote || state.Objects.Count == 0)
        {
            return state;
        }
        var listed = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            await foreach (var obj in store.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                listed[obj.Key] = obj.Size;
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.ReadManifestFailed,
                $"Could not list {store.Description} to verify it (StaticAssetsVerifyRemote): {e.Message} Nothing was written."), e);
        }
        var present = state.Objects
            .Where(o => listed.TryGetValue(o.Key, out var size) && size == o.Value.Size)
            .ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
        if (present.Count < state.Objects.Count)
        {
            log.Message(LogImportance.High,
                $"{state.Objects.Count - present.Count:N0} object(s) named by the destination's manifest are missing or damaged at {store.Description}; they will be stored again.");
        }
        return new DestinationState(state.ManifestBytes, present);
    }

    private static async Task<DestinationState> ReadManifestAsync(
        IAssetStore store, string manifestName, IPublishLog log, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await store.TryReadAsync(manifestName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.ReadManifestFailed,
                $"Could not read the current manifest '{manifestName}' from {store.Description}: {e.Message} " +
                "Check that the destination exists and is readable; nothing was written."), e);
        }
        if (bytes is null)
        {
            return new DestinationState(null, new Dictionary<string, ManifestObject>());
        }
        if (!AssetManifest.TryReadObjects(bytes, out var objects, out var problem))
        {
            log.Report(Diagnostic.Warning(DiagnosticCodes.InvalidRemoteManifest,
                $"The destination's manifest '{manifestName}' is not usable ({problem}); treating the destination as empty " +
                "and storing every object again. The new manifest will replace it."));
            return new DestinationState(null, new Dictionary<string, ManifestObject>());
        }
        return new DestinationState(bytes, objects);
    }

    /// <summary>Diff: the planned objects the destination lacks. Keys are content-addressed, but the digest is
    /// compared as well, so a manifest entry can never vouch for other bytes.</summary>
    public IReadOnlyList<PlannedObject> Missing(PublishPlan plan) =>
        plan.Objects
            .Where(o => !(Objects.TryGetValue(o.Key, out var stored) && stored.Sha256 == o.Sha256 && stored.Size == o.Size))
            .ToArray();
}
