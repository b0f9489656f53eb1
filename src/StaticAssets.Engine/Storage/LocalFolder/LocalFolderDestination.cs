using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Storage.LocalFolder;

/// <summary>A folder path or <c>file://</c> URI: objects are files under <see cref="Folder"/>.</summary>
public sealed record LocalFolderDestination(string Folder) : Destination
{
    /// <summary>Local writes are disk-bound: a few in flight keep the disk busy.</summary>
    public override int DefaultMaxConcurrency => 16;

    /// <summary>nginx <c>gzip_static</c>/<c>brotli_static</c> and Caddy <c>precompressed</c> serve a folder's x.gz beside x.</summary>
    public override bool DefaultCompressOriginals => true;

    public override IAssetStore CreateStore(StoreSettings settings) =>
        new LocalFolderStore(Folder, settings.MaxConcurrency ?? DefaultMaxConcurrency);

    public override string ToString() => Folder;

    internal static LocalFolderDestination Parse(string value, string path, string baseDirectory, OptionSpelling spelling)
    {
        try
        {
            return new LocalFolderDestination(Path.GetFullPath(path, baseDirectory));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Messages.DestinationNotAFolder(spelling, value, e.Message).AsException(e);
        }
    }
}
