using System.Buffers;
using System.Text;
using StaticAssets.AspNetCore.Linking;

namespace StaticAssets.AspNetCore.Manifest;

/// <summary>
/// One published asset. Its URLs are made the first time it is linked and then kept, so linking it never allocates
/// again; until then it costs only its key's bytes (a 30,000-asset manifest loads in a few MB).
/// </summary>
public sealed class PublishedAsset
{
    private readonly Storage _storage;
    private readonly Utf8Slice _key;
    private string? _url;
    private string? _integrity;
    private string? _brotliUrl;
    private string? _zstdUrl;
    private string? _gzipUrl;

    internal PublishedAsset(Storage storage, Utf8Slice key)
    {
        _storage = storage;
        _key = key;
    }

    /// <summary>BaseUrl + the fingerprinted key.</summary>
    public string Url => _url ??= _storage.Url(_storage.Arena[_key], suffix: "");

    /// <summary>The Subresource Integrity value (<c>sha256-...</c>), when the manifest has one.</summary>
    public string? Integrity => IntegritySlice is { } slice ? _integrity ??= Encoding.UTF8.GetString(_storage.Arena[slice]) : null;

    internal Utf8Slice Key => _key;

    internal Utf8Slice? IntegritySlice { get; set; }

    /// <summary>The pre-compressed copies the manifest lists (their key is this key plus .br, .zst or .gz).</summary>
    internal ContentCodings Copies { get; set; }

    /// <summary>The URL to link for a request accepting <paramref name="accepted"/>: brotli, zstd, gzip, else plain.</summary>
    internal string UrlFor(ContentCodings accepted)
    {
        var usable = accepted & Copies;
        if (usable == ContentCodings.None)
        {
            return Url;
        }
        if ((usable & ContentCodings.Brotli) != 0)
        {
            return _brotliUrl ??= _storage.Url(_storage.Arena[_key], ".br");
        }
        if ((usable & ContentCodings.Zstd) != 0)
        {
            return _zstdUrl ??= _storage.Url(_storage.Arena[_key], ".zst");
        }
        return _gzipUrl ??= _storage.Url(_storage.Arena[_key], ".gz");
    }

    /// <summary>What the assets of one manifest share: the bytes of their keys, and the BaseUrl they are linked under.</summary>
    internal sealed class Storage(string baseUrl)
    {
        public Utf8Arena Arena { get; } = new();

        public string Url(ReadOnlySpan<byte> key, string suffix)
        {
            var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(key.Length) + suffix.Length);
            try
            {
                var length = Encoding.UTF8.GetChars(key, chars);
                suffix.CopyTo(chars.AsSpan(length));
                return UrlPath.Combine(baseUrl, chars.AsSpan(0, length + suffix.Length));
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
    }
}
