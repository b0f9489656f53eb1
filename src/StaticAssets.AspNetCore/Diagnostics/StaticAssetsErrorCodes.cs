namespace StaticAssets.AspNetCore;

/// <summary>
/// The stable codes of <see cref="StaticAssetsException"/> (SA5xxx), each documented in docs/errors.md (a test keeps
/// the two in step, with the publish's SA1xxx-SA4xxx). Never reuse or renumber one: users search for them. Their
/// messages live in one place, <c>Diagnostics/Messages.cs</c>.
/// </summary>
public static class StaticAssetsErrorCodes
{
    /// <summary><c>StaticAssets:BaseUrl</c> is neither an absolute http(s) URL nor a root-relative path.</summary>
    public const string InvalidBaseUrl = "SA5001";

    /// <summary>The manifest does not exist where <c>StaticAssets:ManifestPath</c> says, or could not be read.</summary>
    public const string ManifestUnreadable = "SA5002";

    /// <summary>The manifest is damaged, or not one this package reads.</summary>
    public const string ManifestDamaged = "SA5003";

    /// <summary>A switch (<c>Integrity</c>, <c>Strict</c>, <c>PreferCompressed</c>) is not true or false.</summary>
    public const string InvalidSetting = "SA5004";

    /// <summary><c>Strict</c> and <c>BaseUrl</c> are set, but there is no manifest beside the app.</summary>
    public const string StrictWithoutManifest = "SA5005";

    /// <summary>With <c>Strict</c>, a page or code links an asset the manifest does not name.</summary>
    public const string StrictUnpublishedAsset = "SA5006";
}
