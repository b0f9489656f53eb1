using StaticAssets.Engine.Gather;

namespace StaticAssets.Engine.Plan;

/// <summary>One asset while it is planned: its current content (the source file, or a rewritten copy) and key.
/// Owned by the planner; each stage updates it in turn.</summary>
internal sealed class AssetWork(AssetSource source, long size, Sha256Digest digest, string contentType, bool fingerprint)
{
    public AssetSource Source { get; } = source;

    public string LogicalPath => Source.LogicalPath;

    public string ContentType { get; } = contentType;

    /// <summary>False for names that already carry a content hash: their key is their logical path.</summary>
    public bool Fingerprint { get; } = fingerprint;

    public string ContentPath { get; private set; } = source.SourcePath;

    public long Size { get; private set; } = size;

    public Sha256Digest Digest { get; private set; } = digest;

    /// <summary>The content was rewritten: compressed copies made from the source file no longer match it.</summary>
    public bool Rewritten { get; private set; }

    /// <summary>The hex digits the key carries; by default the first 12 of the content's SHA-256.</summary>
    public string? KeyFingerprint { get; set; }

    public string Key => KeyFingerprint is null ? LogicalPath : FingerprintedKeys.Insert(LogicalPath, KeyFingerprint);

    public List<VariantFile> Variants { get; } = [];

    public void UseRewrittenContent(string path, long size, Sha256Digest digest)
    {
        ContentPath = path;
        Size = size;
        Digest = digest;
        Rewritten = true;
    }
}

internal sealed record VariantFile(string Encoding, string Path, long Size, Sha256Digest Digest);
