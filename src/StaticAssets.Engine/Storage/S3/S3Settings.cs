using System.Text.RegularExpressions;

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
/// AWS SDK's default chain (environment, shared profile, web identity), never from project properties.</summary>
public sealed record S3Settings
{
    public const int DefaultMaxAttempts = 5;

    /// <summary>Endpoint of an S3-compatible store (e.g. http://127.0.0.1:7480); null for AWS.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Region (AWS) or signing region (S3-compatible); null for the SDK's default chain, or us-east-1 with a ServiceUrl.</summary>
    public string? Region { get; init; }

    /// <summary>Path-style addressing (http://host/bucket/key) instead of virtual-hosted (http://bucket.host/key).</summary>
    public bool ForcePathStyle { get; init; }

    public S3ChecksumMode ChecksumMode { get; init; } = S3ChecksumMode.SdkDefault;

    /// <summary>Attempts per request, first included, with the SDK's standard retry mode (exponential backoff with jitter).</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>How long one request may take before it is abandoned (and retried); null for the SDK's default (100 s).</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Files at least this large are uploaded in parts, several at once.</summary>
    public long MultipartThreshold { get; init; } = 64L * 1024 * 1024;

    /// <summary>Part size, grown for files that would otherwise need more than S3's 10,000 parts.</summary>
    public int PartSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Parses the MSBuild properties; throws SA1007 naming the property at fault.</summary>
    public static S3Settings Parse(string? serviceUrl, string? region, string? forcePathStyle, string? checksumMode, string? maxAttempts)
    {
        var settings = new S3Settings();
        if (!string.IsNullOrWhiteSpace(serviceUrl))
        {
            if (!Uri.TryCreate(serviceUrl.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw Invalid("StaticAssetsS3ServiceUrl", serviceUrl, "an absolute http:// or https:// URL without credentials, such as http://127.0.0.1:7480");
            }
            settings = settings with { ServiceUrl = uri };
        }
        if (!string.IsNullOrWhiteSpace(region))
        {
            if (!Regex.IsMatch(region.Trim(), "^[a-z0-9-]{2,32}$"))
            {
                throw Invalid("StaticAssetsS3Region", region, "a region name such as eu-west-1");
            }
            settings = settings with { Region = region.Trim() };
        }
        if (!string.IsNullOrWhiteSpace(forcePathStyle))
        {
            if (!bool.TryParse(forcePathStyle.Trim(), out var pathStyle))
            {
                throw Invalid("StaticAssetsS3ForcePathStyle", forcePathStyle, "true or false");
            }
            settings = settings with { ForcePathStyle = pathStyle };
        }
        if (!string.IsNullOrWhiteSpace(checksumMode))
        {
            settings = settings with
            {
                ChecksumMode = checksumMode.Trim().ToLowerInvariant() switch
                {
                    "sdkdefault" or "default" or "whensupported" => S3ChecksumMode.SdkDefault,
                    "whenrequired" => S3ChecksumMode.WhenRequired,
                    _ => throw Invalid("StaticAssetsS3ChecksumMode", checksumMode, "SdkDefault or WhenRequired"),
                },
            };
        }
        if (!string.IsNullOrWhiteSpace(maxAttempts))
        {
            if (!int.TryParse(maxAttempts.Trim(), out var attempts) || attempts < 1 || attempts > 20)
            {
                throw Invalid("StaticAssetsS3MaxAttempts", maxAttempts, "a whole number from 1 to 20");
            }
            settings = settings with { MaxAttempts = attempts };
        }
        return settings;
    }

    private static StaticAssetsException Invalid(string property, string value, string expected) =>
        new(Diagnostic.Error(DiagnosticCodes.InvalidS3Setting, $"{property} is '{RedactUserInfo(value)}'; it must be {expected}."));

    /// <summary>A URL's user:password part never reaches the log.</summary>
    private static string RedactUserInfo(string value) => Regex.Replace(value, "(?<=://)[^/@]*@", "***@");
}
