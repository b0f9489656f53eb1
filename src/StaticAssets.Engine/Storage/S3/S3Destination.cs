using System.Text.RegularExpressions;
using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Storage.S3;

/// <summary><c>s3://bucket/prefix/</c>: objects go to <c>prefix/key</c> in <c>bucket</c>.</summary>
public sealed record S3Destination(string Bucket, string Prefix) : Destination
{
    // The S3 rules for bucket names (3-63 lowercase letters, digits, dots, hyphens; starting and ending alphanumeric).
    private static readonly Regex BucketName = new("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant);

    /// <summary>Measured: see docs/benchmarks.md and README (S3 section).</summary>
    public override int DefaultMaxConcurrency => 64;

    /// <summary>A rollback sends no content (listings, a few reads and writes of manifests, copies inside the store): its
    /// requests wait on the server and the round trip, not on a link they share, and more of them at once keep the
    /// server busy through the round trips. Measured on Ceph RGW, a rollback of the 3,000-file tree (300 copies): at 40 ms
    /// RTT 0.92 s instead of 0.96 s at the median, its copies 0.47 s instead of 0.52 s; at RTT 0 the same
    /// (docs/benchmarks.md, rollback).</summary>
    public override int DefaultRollbackConcurrency => 128;

    public override IAssetStore CreateStore(StoreSettings settings) => new S3AssetStore(this, settings);

    public override string ToString() => $"s3://{Bucket}/{Prefix}";

    internal static S3Destination Parse(string value, OptionSpelling spelling)
    {
        var rest = value["s3://".Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].TrimEnd('/');
        if (!BucketName.IsMatch(bucket) || bucket.Contains(".."))
        {
            throw Messages.DestinationBadBucket(spelling, value, bucket).AsException();
        }
        if (prefix.Length > 0 && LogicalPaths.Validate(prefix) is { } problem)
        {
            throw Messages.DestinationBadPrefix(spelling, value, prefix, problem).AsException();
        }
        return new S3Destination(bucket, prefix.Length > 0 ? prefix + "/" : "");
    }
}
