namespace StaticAssets.Engine.Plan;

/// <summary>
/// Everything a publish will write, decided before the first request: assets sorted by logical path and the
/// objects (assets and their compressed variants) sorted by key.
/// </summary>
public sealed class PublishPlan
{
    public PublishPlan(IReadOnlyList<PlannedAsset> assets)
    {
        Assets = assets;
        Objects = assets
            .SelectMany(a => a.Variants.Select(v => v.Object).Prepend(a.Object))
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .ToArray();
    }

    public IReadOnlyList<PlannedAsset> Assets { get; }

    public IReadOnlyList<PlannedObject> Objects { get; }

    public long TotalBytes => Objects.Sum(o => o.Size);
}

public sealed record PlannedAsset(string LogicalPath, PlannedObject Object, IReadOnlyList<PlannedVariant> Variants);

public sealed record PlannedVariant(string Encoding, PlannedObject Object);

/// <summary>One object to store: where its bytes come from and the headers it is served with.</summary>
public sealed record PlannedObject(
    string Key,
    string SourcePath,
    long Size,
    Sha256Digest Sha256,
    string ContentType,
    string? ContentEncoding,
    string CacheControl);
