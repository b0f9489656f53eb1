namespace StaticAssets.Engine.Gather;

/// <summary>
/// One static asset as the build knows it: a file on disk and the URL path the app serves it at.
/// </summary>
/// <param name="SourcePath">Absolute path of the file to publish.</param>
/// <param name="LogicalPath">URL path relative to the web root, '/'-separated (e.g. <c>css/site.css</c>).</param>
/// <param name="Integrity">Base64 SHA-256 of the file if the build already computed it (the SDK's
/// <c>Integrity</c> metadata); null to hash the file while planning.</param>
/// <param name="ContentType">Content type if the build knows it; null to infer it from the extension.</param>
/// <param name="Variants">Pre-compressed copies of the same content (e.g. the SDK's .gz and .br alternatives).</param>
/// <param name="AlreadyFingerprinted">The logical path already carries a content hash (the SDK's fingerprinted
/// assets): it is used as the key as is, never hashed twice.</param>
public sealed record AssetSource(
    string SourcePath,
    string LogicalPath,
    string? Integrity = null,
    string? ContentType = null,
    IReadOnlyList<AssetVariantSource>? Variants = null,
    bool AlreadyFingerprinted = false);

/// <summary>A compressed copy of an asset, served with <c>Content-Encoding: Encoding</c>.</summary>
public sealed record AssetVariantSource(string SourcePath, string Encoding, string? Integrity = null);
