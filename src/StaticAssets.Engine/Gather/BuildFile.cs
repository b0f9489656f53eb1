namespace StaticAssets.Engine.Gather;

/// <summary>
/// One file a build lists for publishing, as plain data: what a front end read from its own inputs (the MSBuild
/// adapter, from <c>@(StaticAsset)</c> items and the SDK's metadata). <see cref="AssetGatherer"/> decides what it is.
/// </summary>
/// <param name="FullPath">Absolute path of the file.</param>
/// <param name="LogicalPath">URL path relative to the web root (<c>css/site.css</c>); required for an asset,
/// ignored for a compressed copy.</param>
/// <param name="Integrity">Base64 SHA-256 if the build already computed it; null to hash while planning.</param>
/// <param name="ContentType">Content type if the build knows it; null to infer it from the extension.</param>
/// <param name="ContentEncoding">Set for a compressed copy (gzip, br, zstd) of <paramref name="RelatedAsset"/>.</param>
/// <param name="RelatedAsset">A compressed copy's asset: its full path (or a path relative to the project) or its
/// logical path.</param>
/// <param name="AlreadyFingerprinted">The logical path already carries a content hash: used as the key as is.</param>
public sealed record BuildFile(
    string FullPath,
    string? LogicalPath,
    string? Integrity = null,
    string? ContentType = null,
    string? ContentEncoding = null,
    string? RelatedAsset = null,
    bool AlreadyFingerprinted = false);
