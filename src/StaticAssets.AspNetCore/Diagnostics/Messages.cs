using static StaticAssets.AspNetCore.StaticAssetsErrorCodes;

namespace StaticAssets.AspNetCore.Diagnostics;

/// <summary>
/// The catalogue: every coded message the runtime package shows, by code in code order (the engine keeps its own,
/// SA1xxx-SA4xxx, in StaticAssets.Engine's Messages; this package does not depend on the engine). Each says what is
/// wrong and what to do. Nothing else in the package writes message text for a code.
/// </summary>
internal static class Messages
{
    // SA5001
    public static StaticAssetsException BaseUrlInvalid(string value, string why) => Error(InvalidBaseUrl,
        $"StaticAssets:BaseUrl '{value}' {why}. Use an absolute URL such as https://cdn.example.com/site/ or a root-relative path such as /static/.");

    /// <summary>The value is not echoed: it may hold a password.</summary>
    public static StaticAssetsException BaseUrlHasCredentials() => Error(InvalidBaseUrl,
        "StaticAssets:BaseUrl contains user credentials (user:password@). Asset URLs are public: use a public-read bucket or CDN origin.");

    // SA5002
    public static StaticAssetsException ManifestMissing(string path) => Error(ManifestUnreadable,
        $"The manifest '{path}' (StaticAssets:ManifestPath) does not exist. Publish the app with StaticAssets.Tasks, or fix the path.");

    public static StaticAssetsException ManifestNotRead(string path, Exception error) => Error(ManifestUnreadable,
        $"The manifest '{path}' could not be read: {error.Message}", error);

    // SA5003
    public static StaticAssetsException ManifestInvalid(string path, string problem, long offset, Exception error) => Error(ManifestDamaged,
        $"The manifest '{path}' {problem}{(offset >= 0 ? $" (at byte {offset})" : "")}. Publish again to rewrite it; do not edit it by hand.", error);

    // SA5004
    public static StaticAssetsException SwitchInvalid(string setting, string value) => Error(InvalidSetting,
        $"{setting} is '{value}'; use true or false.");

    // SA5005
    public static StaticAssetsException NoManifestWhileStrict(string path) => Error(StrictWithoutManifest,
        $"StaticAssets:BaseUrl is set but there is no manifest at '{path}', and StaticAssets:Strict is on. Run the app from its publish output (dotnet publish with StaticAssets.Tasks writes the manifest there), or set StaticAssets:ManifestPath.");

    // SA5006
    public static StaticAssetsException UnpublishedAsset(string link, string element, string? manifestPath) => Error(StrictUnpublishedAsset,
        $"<{element}> links '{link}', which is not in the manifest '{manifestPath}', and StaticAssets:Strict is on. Publish the file as a static asset, or fix the link.");

    private static StaticAssetsException Error(string code, string message, Exception? inner = null) => new(code, message, inner);
}
