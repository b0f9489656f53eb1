using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using StaticAssets.AspNetCore.Linking;

namespace StaticAssets.AspNetCore.Manifest;

/// <summary>
/// Reads staticassets.manifest.json (docs/manifest.md) into an <see cref="AssetTable"/> of ready-made URLs.
/// </summary>
/// <remarks>
/// The file is fed through <see cref="Utf8JsonReader"/> in 64 KB blocks: a 30,000-asset manifest is ~20 MB of JSON
/// (hashes, sizes, compressed copies) of which the app keeps a fraction, so holding the whole text would more than
/// double the start-up memory. Only what links need is kept: the logical path (the table's key), and the bytes of the
/// key and integrity (<see cref="Utf8Arena"/>); URLs are made when first linked. Unknown members are skipped (newer
/// manifest versions). Every method a token or an entry reaches (helpers included, and <see cref="Utf8Arena.Add"/> and
/// <see cref="UrlPath.IsValidKey(ReadOnlySpan{byte})"/>) is compiled optimized at once: the manifest is read once, at
/// start-up, within tiered compilation's first 100 ms, so a method left to tier 0 runs unoptimized (and instrumented)
/// for the whole read. In a fresh process that made a 30,000-asset read take ~60 ms instead of ~43 (docs/aspnetcore.md).
/// </remarks>
internal sealed class ManifestReader
{
    private const int BlockSize = 64 * 1024;

    private readonly PublishedAsset.Storage _storage;
    private readonly bool _withEncodings;
    private readonly bool _withIntegrity;
    private readonly Dictionary<string, PublishedAsset> _assets = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
    private readonly Dictionary<string, PublishedAsset>.AlternateLookup<ReadOnlySpan<char>> _assetsBySpan;
#endif
    private char[] _chars = new char[512];
    private byte[] _bytes = new byte[512];

    // Where the reader is: the member being read at each depth, and a depth to skip back to (unknown members).
    private Root _rootMember;
    private bool _rootClosed;
    private bool _sawVersion;
    private bool _sawAssetSection;
    private bool _sawPaths;
    private bool _skipRest;
    private int _skipToDepth = -1;
    private string? _pathsLogical;
    private AssetUnderConstruction _asset;
    private AssetField _assetField;
    private Encoding _encoding;
    private bool _encodingKeyField;

    private ManifestReader(string baseUrl, bool withEncodings, bool withIntegrity)
    {
        _withIntegrity = withIntegrity;
        _storage = new PublishedAsset.Storage(baseUrl);
        _withEncodings = withEncodings;
#if NET9_0_OR_GREATER
        _assetsBySpan = _assets.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    private enum Root { Other, Paths, Version, Assets }

    private enum AssetField { Other, Key, Integrity, Encodings }

    private enum Encoding { Other, Brotli, Gzip, Zstd }

    /// <summary>
    /// Reads a manifest; a damaged one throws <see cref="ManifestFormatException"/>. Integrities and compressed copies
    /// are only in "assets", nine tenths of the file: when neither is wanted and "paths" came first (as the publish
    /// writes it), "assets" is not parsed, only the file's end checked (a truncated file is refused all the same).
    /// </summary>
    public static AssetTable Read(Stream stream, string baseUrl, bool withEncodings, bool withIntegrity)
    {
        var reader = new ManifestReader(baseUrl, withEncodings, withIntegrity);
        reader.ReadBlocks(stream);
        return new AssetTable(reader._assets);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadBlocks(Stream stream)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            var length = 0;
            var final = false;
            var first = true;
            long offset = 0;
            while (true)
            {
                while (!final && length < buffer.Length)
                {
                    var read = stream.Read(buffer, length, buffer.Length - length);
                    final = read == 0;
                    length += read;
                }
                var start = first && buffer.AsSpan(0, length).StartsWith("\uFEFF"u8) ? 3 : 0;
                first = false;
                var reader = new Utf8JsonReader(buffer.AsSpan(start, length - start), final, state);
                try
                {
                    while (!_skipRest && reader.Read())
                    {
                        OnToken(ref reader);
                    }
                }
                catch (ManifestFormatException e) when (e.Offset < 0)
                {
                    throw new ManifestFormatException(e.Message, offset + start + reader.TokenStartIndex);
                }
                catch (JsonException e)
                {
                    throw new ManifestFormatException(
                        $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", offset + start + reader.BytesConsumed);
                }
                if (_skipRest)
                {
                    CheckEnd(stream, offset + start + reader.BytesConsumed);
                    break;
                }
                if (final)
                {
                    break;
                }
                state = reader.CurrentState;
                var consumed = start + (int)reader.BytesConsumed;
                offset += consumed;
                length -= consumed;
                buffer.AsSpan(consumed, length).CopyTo(buffer);
                if (length == buffer.Length)
                {
                    // One token longer than the block (a very long string): read it in a larger one.
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (!_rootClosed && !_skipRest)
        {
            throw new ManifestFormatException("ends before its top-level object does", -1);
        }
        if (!_sawVersion)
        {
            throw new ManifestFormatException("has no \"version\": not a StaticAssets manifest", -1);
        }
        if (_assets.Count == 0 && !_sawAssetSection)
        {
            throw new ManifestFormatException("has neither \"paths\" nor \"assets\"", -1);
        }
    }

    /// <summary>The part not parsed must at least be all there: the file ends with its top-level object's "}".</summary>
    private static void CheckEnd(Stream stream, long position)
    {
        var tail = new byte[Math.Min(256, stream.Length - position)];
        stream.Seek(-tail.Length, SeekOrigin.End);
        stream.ReadExactly(tail);
        var end = tail.AsSpan().TrimEnd(" \t\r\n"u8);
        if (end.IsEmpty || end[^1] != (byte)'}' || stream.Length - position < 4)
        {
            throw new ManifestFormatException("ends before its top-level object does", -1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnToken(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        var token = reader.TokenType;
        if (_skipToDepth >= 0)
        {
            if (depth == _skipToDepth && token is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                _skipToDepth = -1;
            }
            return;
        }
        switch (depth)
        {
            case 0:
                OnRoot(token);
                break;
            case 1:
                OnRootMember(ref reader, token);
                break;
            case 2 when _rootMember == Root.Paths:
                OnPathsEntry(ref reader, token);
                break;
            case >= 2 when _rootMember == Root.Assets:
                OnAssetsToken(ref reader, token, depth);
                break;
            default:
                Skip(token, depth);
                break;
        }
    }

    private void OnRoot(JsonTokenType token)
    {
        if (token == JsonTokenType.StartObject && !_rootClosed)
        {
            return;
        }
        if (token == JsonTokenType.EndObject)
        {
            _rootClosed = true;
            return;
        }
        throw new ManifestFormatException("is not a JSON object", -1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnRootMember(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (token == JsonTokenType.PropertyName)
        {
            _rootMember = reader.ValueTextEquals("paths"u8) ? Root.Paths
                : reader.ValueTextEquals("assets"u8) ? Root.Assets
                : reader.ValueTextEquals("version"u8) ? Root.Version
                : Root.Other;
            _skipRest = _rootMember == Root.Assets && _sawPaths && _sawVersion && !_withEncodings && !_withIntegrity;
            return;
        }
        if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            _rootMember = Root.Other; // the end of "paths" or "assets"
            return;
        }
        switch (_rootMember)
        {
            case Root.Paths or Root.Assets when token != JsonTokenType.StartObject:
                throw new ManifestFormatException($"\"{(_rootMember == Root.Paths ? "paths" : "assets")}\" is not an object", -1);
            case Root.Paths or Root.Assets:
                _sawAssetSection = true;
                _sawPaths |= _rootMember == Root.Paths;
                return;
            case Root.Version:
                CheckVersion(ref reader, token);
                return;
            default:
                Skip(token, 1);
                return;
        }
    }

    private void CheckVersion(ref Utf8JsonReader reader, JsonTokenType token)
    {
        _sawVersion = true;
        if (token != JsonTokenType.String)
        {
            throw new ManifestFormatException("\"version\" is not a string", -1);
        }
        // 1.x: this reader's format. A later major version may change what keys mean.
        if (!reader.ValueTextEquals("1"u8) && !reader.ValueSpan.StartsWith("1."u8))
        {
            throw new ManifestFormatException(
                $"has format version \"{reader.GetString()}\"; this StaticAssets.AspNetCore reads version 1.x (update the package)", -1);
        }
    }

    // "paths": { "css/site.css": "css/site.74d94aede163.css", ... }
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnPathsEntry(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (token == JsonTokenType.PropertyName)
        {
            _pathsLogical = reader.GetString();
            return;
        }
        if (token != JsonTokenType.String)
        {
            throw new ManifestFormatException($"\"paths\" maps \"{_pathsLogical}\" to something other than a key string", -1);
        }
        var logical = _pathsLogical!;
        if (!_assets.ContainsKey(logical))
        {
            _assets.Add(logical, new PublishedAsset(_storage, StoreKey(ref reader, logical)));
        }
    }

    // "assets": { "css/site.css": { "key": ..., "integrity": ..., "encodings": { "br": { "key": ... } } } }
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnAssetsToken(ref Utf8JsonReader reader, JsonTokenType token, int depth)
    {
        switch (depth)
        {
            case 2 when token == JsonTokenType.PropertyName:
                BeginAsset(ref reader);
                return;
            case 2 when token == JsonTokenType.StartObject:
                return;
            case 2 when token == JsonTokenType.EndObject:
                EndAsset();
                return;
            case 2:
                throw new ManifestFormatException($"\"assets\" entry \"{_asset.Logical}\" is not an object", -1);
            case 3 when token == JsonTokenType.PropertyName:
                _assetField = reader.ValueTextEquals("key"u8) ? AssetField.Key
                    : reader.ValueTextEquals("integrity"u8) ? AssetField.Integrity
                    : reader.ValueTextEquals("encodings"u8) ? AssetField.Encodings
                    : AssetField.Other;
                return;
            case 3 when token == JsonTokenType.EndObject:
                return; // the end of "encodings"
            case 3:
                OnAssetField(ref reader, token);
                return;
            case 4 when _assetField == AssetField.Encodings:
                OnEncoding(ref reader, token);
                return;
            case 5 when _assetField == AssetField.Encodings && _encoding != Encoding.Other:
                OnEncodingField(ref reader, token);
                return;
            default:
                Skip(token, depth);
                return;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BeginAsset(ref Utf8JsonReader reader)
    {
        _asset = default;
        var logical = CopyChars(ref reader);
        if (TryGetExisting(logical, out var key, out var existing))
        {
            _asset.Existing = existing;
            _asset.Logical = key;
        }
        else
        {
            _asset.Logical = new string(logical);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnAssetField(ref Utf8JsonReader reader, JsonTokenType token)
    {
        switch (_assetField)
        {
            case AssetField.Key:
                RequireString(token, "key");
                // Listed under "paths" already: that key wins and its URL is built; else build it from here.
                if (_asset.Existing is null)
                {
                    _asset.Key = StoreKey(ref reader, _asset.Logical);
                }
                return;
            case AssetField.Integrity:
                RequireString(token, "integrity");
                if (_withIntegrity)
                {
                    _asset.Integrity = _storage.Arena.Add(CopyBytes(ref reader));
                }
                return;
            case AssetField.Encodings when token != JsonTokenType.StartObject:
                throw new ManifestFormatException($"\"encodings\" of \"{_asset.Logical}\" is not an object", -1);
            case AssetField.Encodings:
                return;
            default:
                Skip(token, 3);
                return;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnEncoding(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (token == JsonTokenType.PropertyName)
        {
            _encoding = reader.ValueTextEquals("br"u8) ? Encoding.Brotli
                : reader.ValueTextEquals("gzip"u8) ? Encoding.Gzip
                : reader.ValueTextEquals("zstd"u8) ? Encoding.Zstd
                : Encoding.Other;
            _encodingKeyField = false;
            return;
        }
        if (token == JsonTokenType.StartObject && _encoding != Encoding.Other)
        {
            return;
        }
        if (token == JsonTokenType.EndObject)
        {
            return; // the end of one encoding's object
        }
        Skip(token, 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnEncodingField(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (token == JsonTokenType.PropertyName)
        {
            _encodingKeyField = reader.ValueTextEquals("key"u8);
            return;
        }
        if (!_encodingKeyField)
        {
            Skip(token, 5);
            return;
        }
        RequireString(token, "encodings key");
        if (!_withEncodings)
        {
            return;
        }
        var coding = _encoding switch
        {
            Encoding.Brotli => ContentCodings.Brotli,
            Encoding.Zstd => ContentCodings.Zstd,
            _ => ContentCodings.Gzip,
        };
        var suffix = _encoding switch
        {
            Encoding.Brotli => ".br"u8,
            Encoding.Zstd => ".zst"u8,
            _ => ".gz"u8,
        };
        // A copy's key is its asset's key plus the suffix (docs/manifest.md); a copy named otherwise is not linked.
        var key = _asset.Existing?.Key ?? _asset.Key;
        var copy = CopyBytes(ref reader);
        if (key is { } known && copy.Length == known.Length + suffix.Length
            && copy.StartsWith(_storage.Arena[known]) && copy.EndsWith(suffix))
        {
            _asset.Copies |= coding;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EndAsset()
    {
        var asset = _asset.Existing;
        if (asset is null)
        {
            if (_asset.Key is not { } key)
            {
                throw new ManifestFormatException($"\"assets\" entry \"{_asset.Logical}\" has no \"key\"", -1);
            }
            asset = new PublishedAsset(_storage, key);
            _assets.Add(_asset.Logical!, asset);
        }
        asset.IntegritySlice = _asset.Integrity;
        asset.Copies = _asset.Copies;
        _asset = default;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RequireString(JsonTokenType token, string member)
    {
        if (token != JsonTokenType.String)
        {
            throw new ManifestFormatException($"\"{member}\" of \"{_asset.Logical}\" is not a string", -1);
        }
    }

    /// <summary>An unknown member's value: primitives are ignored, objects and arrays skipped to their end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Skip(JsonTokenType token, int depth)
    {
        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            _skipToDepth = depth;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Utf8Slice StoreKey(ref Utf8JsonReader reader, string? logicalForMessage)
    {
        var key = CopyBytes(ref reader);
        if (!Utf8.IsValid(key) || !UrlPath.IsValidKey(key))
        {
            throw new ManifestFormatException(
                $"maps \"{logicalForMessage}\" to the key \"{reader.GetString()}\", which is not a relative path below the destination", -1);
        }
        return _storage.Arena.Add(key);
    }

    /// <summary>A string value's UTF-8 bytes, unescaped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<byte> CopyBytes(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }
        if (_bytes.Length < reader.ValueSpan.Length)
        {
            _bytes = new byte[Math.Max(reader.ValueSpan.Length, _bytes.Length * 2)];
        }
        return _bytes.AsSpan(0, reader.CopyString(_bytes));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<char> CopyChars(ref Utf8JsonReader reader)
    {
        if (_chars.Length < reader.ValueSpan.Length)
        {
            _chars = new char[Math.Max(reader.ValueSpan.Length, _chars.Length * 2)];
        }
        var length = reader.CopyString(_chars);
        return _chars.AsSpan(0, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryGetExisting(ReadOnlySpan<char> logical, out string? key, out PublishedAsset? existing)
    {
#if NET9_0_OR_GREATER
        return _assetsBySpan.TryGetValue(logical, out key, out existing);
#else
        key = logical.ToString();
        return _assets.TryGetValue(key, out existing);
#endif
    }

    /// <summary>What has been read of the current "assets" entry, applied at its end.</summary>
    private struct AssetUnderConstruction
    {
        /// <summary>Set when "paths" listed the asset already.</summary>
        public PublishedAsset? Existing;
        /// <summary>The logical path (the table's own string when the asset exists already).</summary>
        public string? Logical;
        public Utf8Slice? Key;
        public Utf8Slice? Integrity;
        public ContentCodings Copies;
    }
}

/// <summary>The manifest is not one this package can read. <see cref="Offset"/>: the byte it was noticed at, or -1.</summary>
internal sealed class ManifestFormatException(string message, long offset) : Exception(message)
{
    public long Offset { get; } = offset;
}
