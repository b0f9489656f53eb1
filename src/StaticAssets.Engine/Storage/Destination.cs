using System.Text.RegularExpressions;
using StaticAssets.Engine.Storage.LocalFolder;

namespace StaticAssets.Engine.Storage;

/// <summary>A parsed <c>StaticAssetsDestination</c>: which backend, and where in it.</summary>
public abstract record Destination
{
    private static readonly Regex SchemePrefix = new(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]+)://", RegexOptions.CultureInvariant);

    public abstract IAssetStore CreateStore();

    /// <summary>
    /// Parses a folder path (relative ones against <paramref name="baseDirectory"/>) or a <c>file://</c> URI.
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
            default:
                throw Invalid($"StaticAssetsDestination '{trimmed}' has the scheme '{scheme.Groups["scheme"].Value}://', which is not supported. " +
                              "Use a folder path or a file:// URI.");
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

    private static StaticAssetsException Invalid(string message) =>
        new(Diagnostic.Error(DiagnosticCodes.InvalidDestination, message));
}

public sealed record LocalFolderDestination(string Folder) : Destination
{
    public override IAssetStore CreateStore() => new LocalFolderStore(Folder);
}
