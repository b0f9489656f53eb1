using System.Text.RegularExpressions;
using StaticAssets.Engine.Storage.AzureBlob;
using StaticAssets.Engine.Storage.LocalFolder;
using StaticAssets.Engine.Storage.S3;

namespace StaticAssets.Engine.Storage;

/// <summary>A parsed <c>StaticAssetsDestination</c>: which backend, and where in it.</summary>
public abstract record Destination
{
    private static readonly Regex SchemePrefix = new(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]+)://", RegexOptions.CultureInvariant);

    /// <summary>Objects written at once when StaticAssetsMaxConcurrency is not set.</summary>
    public abstract int DefaultMaxConcurrency { get; }

    public abstract IAssetStore CreateStore(StoreSettings settings);

    /// <summary>
    /// Parses a folder path (relative ones against <paramref name="baseDirectory"/>), a <c>file://</c> URI or an
    /// <c>s3://bucket/prefix/</c> URI.
    /// Throws <see cref="StaticAssetsException"/> (SA1001) for anything else.
    /// </summary>
    public static Destination Parse(string? value, string baseDirectory)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid("StaticAssetsDestination is empty. Set it to a folder path or a file:// URI, or leave it unset for the default.");
        }
        var trimmed = value.Trim();
        var scheme = SchemePrefix.Match(trimmed);
        if (!scheme.Success)
        {
            return new LocalFolderDestination(FullPath(trimmed, baseDirectory));
        }
        switch (scheme.Groups["scheme"].Value.ToLowerInvariant())
        {
            case "file":
                if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || !uri.IsFile || uri.Query.Length > 0 || uri.Fragment.Length > 0)
                {
                    throw Invalid($"StaticAssetsDestination '{trimmed}' is not a valid file:// URI. Use the form file:///absolute/folder, or a plain folder path.");
                }
                return new LocalFolderDestination(FullPath(uri.LocalPath, baseDirectory));
            case "s3":
                return S3Destination.Parse(trimmed);
            case "http" or "https" when Uri.TryCreate(trimmed, UriKind.Absolute, out var web) && AzureBlobDestination.IsBlobUrl(web):
                return AzureBlobDestination.Parse(trimmed, web);
            default:
                throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.UnsupportedDestinationScheme,
                    $"StaticAssetsDestination '{trimmed}' has the scheme '{scheme.Groups["scheme"].Value}://', which is not supported. " +
                    "Use a folder path, a file:// URI, s3://bucket/prefix/ or an Azure Blob container URL."));
        }
    }

    private static string FullPath(string path, string baseDirectory)
    {
        try
        {
            return Path.GetFullPath(path, baseDirectory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Invalid($"StaticAssetsDestination '{path}' is not a valid folder path: {e.Message}");
        }
    }

    internal static StaticAssetsException Invalid(string message) =>
        new(Diagnostic.Error(DiagnosticCodes.InvalidDestination, message));
}

/// <summary>What a backend needs besides its destination.</summary>
public sealed record StoreSettings(int MaxConcurrency, S3Settings S3, AzureBlobSettings? Azure = null);

public sealed record LocalFolderDestination(string Folder) : Destination
{
    /// <summary>Local writes are disk-bound: a few in flight keep the disk busy.</summary>
    public override int DefaultMaxConcurrency => 16;

    public override IAssetStore CreateStore(StoreSettings settings) => new LocalFolderStore(Folder);

    public override string ToString() => Folder;
}
