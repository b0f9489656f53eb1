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
            .SelectMany(a => a.AllObjects)
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .ToArray();
    }

    public IReadOnlyList<PlannedAsset> Assets { get; }

    public IReadOnlyList<PlannedObject> Objects { get; }

    public long TotalBytes => Objects.Sum(o => o.Size);
}

/// <param name="Original">With StaticAssetsKeepOriginalNames: a copy under the logical path itself (and its
/// compressed copies), for consumers that do not read the manifest.</param>
public sealed record PlannedAsset(
    string LogicalPath, PlannedObject Object, IReadOnlyList<PlannedVariant> Variants, PlannedOriginal? Original = null)
{
    /// <summary>The fingerprinted object, its compressed copies, and the un-fingerprinted copies if any.</summary>
    public IEnumerable<PlannedObject> AllObjects =>
        Variants.Select(v => v.Object).Prepend(Object).Concat(Original is null ? [] : Original.Variants.Select(v => v.Object).Prepend(Original.Object));
}

/// <summary>The un-fingerprinted copy of an asset: same bytes, the logical path as key, a short cache policy.</summary>
public sealed record PlannedOriginal(PlannedObject Object, IReadOnlyList<PlannedVariant> Variants);

public sealed record PlannedVariant(string Encoding, PlannedObject Object);

/// <summary>One object to store: where its bytes come from and the headers it is served with.</summary>
/// <param name="Immutable">True for content-addressed keys (their bytes never change). False for un-fingerprinted
/// copies, which a publish overwrites: they are written after every immutable object, just before the manifest.</param>
public sealed record PlannedObject(
    string Key,
    string SourcePath,
    long Size,
    Sha256Digest Sha256,
    string ContentType,
    string? ContentEncoding,
    string CacheControl,
    bool Immutable = true);
