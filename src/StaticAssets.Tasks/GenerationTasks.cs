using StaticAssets.Engine.Configuration;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Generations;

namespace StaticAssets.Tasks;

/// <summary><c>-t:RollbackStaticAssets</c>: makes an earlier generation current (<c>$(StaticAssetsGeneration)</c>:
/// previous, a hash prefix or a time) without uploading anything.</summary>
public sealed class RollbackStaticAssets : StoreTask
{
    public string Generation { get; set; } = "";
    public string OriginalsCacheControl { get; set; } = "";

    private protected override Dictionary<Option, string?> Options()
    {
        var options = base.Options();
        options[Option.Generation] = Generation;
        options[Option.OriginalsCacheControl] = OriginalsCacheControl;
        return options;
    }

    private protected override async Task<bool> RunAsync(
        OptionsReader reader, PublishConfiguration configuration, IReadOnlyDictionary<Option, string?> values, MSBuildPublishLog log, CancellationToken cancellationToken)
    {
        await using var store = configuration.Destination.CreateRollbackStore(configuration.Store with { Log = log });
        var result = await GenerationRollback.RollbackAsync(store, reader.ReadRollback(values, configuration.Options), log, cancellationToken).ConfigureAwait(false);
        if (result is { Succeeded: true, Target: { } target })
        {
            log.Finished("rollback", new Dictionary<string, string>
            {
                ["Generation"] = target.Hash,
                ["ManifestHash"] = Engine.Manifest.AssetManifest.HashOf(target.Manifest) ?? "",
                ["Destination"] = store.Description,
                ["ObjectsCopied"] = result.Copied.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }
        return result.Succeeded;
    }
}

/// <summary><c>-t:ListStaticAssetGenerations</c>: prints the manifest's history, newest first, the current one marked.</summary>
public sealed class ListStaticAssetGenerations : StoreTask
{
    private protected override async Task<bool> RunAsync(
        OptionsReader reader, PublishConfiguration configuration, IReadOnlyDictionary<Option, string?> values, MSBuildPublishLog log, CancellationToken cancellationToken)
    {
        await using var store = configuration.Destination.CreateStore(configuration.Store with { Log = log });
        return await GenerationListing.ListAsync(store, configuration.Options.ManifestName, log, cancellationToken).ConfigureAwait(false) is not null;
    }
}

/// <summary><c>-t:PruneStaticAssets</c>: deletes what no kept generation needs (<c>$(StaticAssetsKeepGenerations)</c>,
/// <c>$(StaticAssetsPruneMinAge)</c>, <c>$(StaticAssetsMaxDeletes)</c>, <c>$(StaticAssetsPruneDryRun)</c>).</summary>
public sealed class PruneStaticAssets : StoreTask
{
    public string KeepGenerations { get; set; } = "";
    public string PruneMinAge { get; set; } = "";
    public string MaxDeletes { get; set; } = "";
    public string PruneDryRun { get; set; } = "";

    private protected override Dictionary<Option, string?> Options()
    {
        var options = base.Options();
        AddPruneOptions(options, KeepGenerations, PruneMinAge, MaxDeletes, PruneDryRun);
        return options;
    }

    internal static void AddPruneOptions(Dictionary<Option, string?> options, string keep, string minAge, string maxDeletes, string dryRun)
    {
        options[Option.KeepGenerations] = keep;
        options[Option.PruneMinAge] = minAge;
        options[Option.MaxDeletes] = maxDeletes;
        options[Option.PruneDryRun] = dryRun;
    }

    private protected override async Task<bool> RunAsync(
        OptionsReader reader, PublishConfiguration configuration, IReadOnlyDictionary<Option, string?> values, MSBuildPublishLog log, CancellationToken cancellationToken)
    {
        var prune = reader.ReadPrune(values, configuration.Options, required: true)!;
        await using var store = configuration.Destination.CreateStore(configuration.Store with { Log = log });
        return await RunPruneAsync(store, prune, log, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<bool> RunPruneAsync(Engine.Storage.IAssetStore store, PruneOptions prune, MSBuildPublishLog log, CancellationToken cancellationToken)
    {
        var result = await GenerationPrune.PruneAsync(store, prune, log, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            log.Finished(prune.DryRun ? "prune (dry run)" : "prune", new Dictionary<string, string>
            {
                ["ObjectsPruned"] = result.Deleted.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["BytesFreed"] = result.BytesFreed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Destination"] = store.Description,
            });
        }
        return result.Succeeded;
    }
}
