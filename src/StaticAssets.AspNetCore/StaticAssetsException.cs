namespace StaticAssets.AspNetCore;

/// <summary>
/// A problem with the package's configuration or manifest, reported with a stable code (SA5xxx, listed in
/// docs/errors.md). Thrown at start-up, never at a request; the one exception is <see cref="StaticAssetsOptions.Strict"/>
/// reporting a page that links an unpublished asset.
/// </summary>
public sealed class StaticAssetsException : InvalidOperationException
{
    internal StaticAssetsException(string code, string message, Exception? inner = null)
        : base($"{code}: {message}", inner)
    {
        Code = code;
    }

    /// <summary>The stable error code, e.g. <c>SA5001</c>.</summary>
    public string Code { get; }
}

/// <summary>The codes of <see cref="StaticAssetsException"/>; docs/errors.md explains each.</summary>
internal static class ErrorCodes
{
    public const string InvalidBaseUrl = "SA5001";
    public const string ManifestUnreadable = "SA5002";
    public const string ManifestDamaged = "SA5003";
    public const string InvalidSetting = "SA5004";
    public const string StrictWithoutManifest = "SA5005";
    public const string StrictUnpublishedAsset = "SA5006";
}
