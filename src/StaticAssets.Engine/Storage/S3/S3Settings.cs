namespace StaticAssets.Engine.Storage.S3;

/// <summary>Which checksums the AWS SDK sends with uploads.</summary>
public enum S3ChecksumMode
{
    /// <summary>The SDK's default (checksums on every upload where the operation supports one).</summary>
    SdkDefault,

    /// <summary>Only where the operation requires one: for stores such as Ceph RGW 16 that reject the SDK's default.</summary>
    WhenRequired,
}

/// <summary>How to reach an S3 or S3-compatible store. Credentials are deliberately absent: they come only from the
/// AWS SDK's default chain (environment, shared profile, web identity), never from settings.</summary>
public sealed record S3Settings
{
    /// <summary>Endpoint of an S3-compatible store (e.g. http://127.0.0.1:7480); null for AWS.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Region (AWS) or signing region (S3-compatible); null for the SDK's default chain, or us-east-1 with a ServiceUrl.</summary>
    public string? Region { get; init; }

    /// <summary>Path-style addressing (http://host/bucket/key) instead of virtual-hosted (http://bucket.host/key).</summary>
    public bool ForcePathStyle { get; init; }

    public S3ChecksumMode ChecksumMode { get; init; } = S3ChecksumMode.SdkDefault;

    /// <summary>Files at least this large are uploaded in parts, several at once.</summary>
    public long MultipartThreshold { get; init; } = 64L * 1024 * 1024;

    /// <summary>Part size, grown for files that would otherwise need more than S3's 10,000 parts.</summary>
    public int PartSize { get; init; } = 8 * 1024 * 1024;
}
