using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StaticAssets.AspNetCore.Diagnostics;
using StaticAssets.AspNetCore.Linking;

namespace StaticAssets.AspNetCore.Manifest;

/// <summary>
/// What the app links to: the manifest's assets under BaseUrl, read once at start-up. Inactive (links stay exactly as
/// ASP.NET Core makes them) without a BaseUrl or without a manifest.
/// </summary>
internal sealed class PublishedAssets
{
    private PublishedAssets(StaticAssetsOptions options, string? baseUrl, AssetTable assets, string? manifestPath)
    {
        BaseUrl = baseUrl;
        Assets = assets;
        ManifestPath = manifestPath;
        Integrity = options.Integrity;
        Strict = options.Strict;
        PreferCompressed = options.PreferCompressed;
    }

    /// <summary>BaseUrl, ending in '/'; null when inactive.</summary>
    public string? BaseUrl { get; }

    public bool IsActive => BaseUrl is not null;

    public AssetTable Assets { get; }

    public string? ManifestPath { get; }

    public bool Integrity { get; }

    public bool Strict { get; }

    public bool PreferCompressed { get; }

    public static PublishedAssets Load(StaticAssetsOptions options, ILogger logger)
    {
        // Validated even when nothing else is used: a wrong value should fail the deploy that set it.
        var baseUrl = string.IsNullOrWhiteSpace(options.BaseUrl) ? null : Linking.BaseUrl.Normalize(options.BaseUrl);
        var explicitPath = !string.IsNullOrWhiteSpace(options.ManifestPath);
        var path = explicitPath
            ? Path.GetFullPath(options.ManifestPath!.Trim(), AppContext.BaseDirectory)
            : Path.Combine(AppContext.BaseDirectory, StaticAssetsOptions.DefaultManifestName);
        if (baseUrl is null)
        {
            logger.LogDebug("StaticAssets:BaseUrl is not set: assets are linked as the app serves them.");
            return Inactive(options);
        }
        if (!File.Exists(path))
        {
            if (explicitPath)
            {
                throw Messages.ManifestMissing(path);
            }
            if (options.Strict)
            {
                throw Messages.NoManifestWhileStrict(path);
            }
            logger.LogWarning("StaticAssets:BaseUrl is set but there is no manifest at {ManifestPath}: assets are linked as the app serves them.", path);
            return Inactive(options);
        }
        var watch = Stopwatch.StartNew();
        var assets = ReadManifest(path, baseUrl, options.PreferCompressed, options.Integrity);
        logger.LogInformation("StaticAssets: {Count} assets from {ManifestPath} linked under {BaseUrl} (read in {Milliseconds} ms).",
            assets.Count, path, baseUrl, watch.ElapsedMilliseconds);
        return new PublishedAssets(options, baseUrl, assets, path);
    }

    private static PublishedAssets Inactive(StaticAssetsOptions options) => new(options, null, AssetTable.Empty, null);

    private static AssetTable ReadManifest(string path, string baseUrl, bool withEncodings, bool withIntegrity)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            return ManifestReader.Read(stream, baseUrl, withEncodings, withIntegrity);
        }
        catch (ManifestFormatException e)
        {
            throw Messages.ManifestInvalid(path, e.Message, e.Offset, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Messages.ManifestNotRead(path, e);
        }
    }
}
