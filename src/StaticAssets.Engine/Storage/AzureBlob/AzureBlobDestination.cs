using System.Net;
using System.Text.RegularExpressions;
using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Storage.AzureBlob;

/// <summary>
/// <c>https://ACCOUNT.blob.core.windows.net/CONTAINER/prefix/</c>, or the emulator's path-style form
/// <c>http://127.0.0.1:10000/ACCOUNT/CONTAINER/prefix/</c> (Azurite).
/// </summary>
public sealed record AzureBlobDestination(Uri ServiceUri, string Container, string Prefix) : Destination
{
    // Container names: 3-63 lowercase letters, digits and single hyphens, starting and ending alphanumeric.
    private static readonly Regex ContainerName = new("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant);

    /// <summary>Like S3: one request per blob, latency-bound, so many in flight.</summary>
    public override int DefaultMaxConcurrency => 64;

    public Uri ContainerUri => new(ServiceUri, Container + "/");

    public override IAssetStore CreateStore(StoreSettings settings) => new AzureBlobStore(this, settings);

    public override string ToString() => $"{ContainerUri}{Prefix}";

    /// <summary>True for an http(s) URL that names a blob endpoint (a *.blob.* host, or a loopback emulator).</summary>
    internal static bool IsBlobUrl(Uri uri) =>
        uri.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase) || IsEmulator(uri);

    internal static AzureBlobDestination Parse(string value, Uri uri, OptionSpelling spelling)
    {
        if (!string.IsNullOrEmpty(uri.UserInfo) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Messages.DestinationCarriesSecrets(spelling, uri.GetLeftPart(UriPartial.Path)).AsException();
        }
        var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.None);
        var emulator = IsEmulator(uri);
        var serviceUri = emulator
            ? new Uri($"{uri.Scheme}://{uri.Authority}/{segments[0]}/")
            : new Uri($"{uri.Scheme}://{uri.Authority}/");
        var containerAt = emulator ? 1 : 0;
        if (segments.Length <= containerAt || !ContainerName.IsMatch(segments[containerAt]))
        {
            throw Messages.DestinationBadContainer(spelling, value).AsException();
        }
        var prefix = string.Join('/', segments.Skip(containerAt + 1)).TrimEnd('/');
        prefix = Uri.UnescapeDataString(prefix);
        if (prefix.Length > 0 && LogicalPaths.Validate(prefix) is { } problem)
        {
            throw Messages.DestinationBadPrefix(spelling, value, prefix, problem).AsException();
        }
        return new AzureBlobDestination(serviceUri, segments[containerAt], prefix.Length > 0 ? prefix + "/" : "");
    }

    private static bool IsEmulator(Uri uri) => uri.IsLoopback || IPAddress.TryParse(uri.Host, out _);
}
