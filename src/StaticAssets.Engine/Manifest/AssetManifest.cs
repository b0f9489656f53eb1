using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text.Json;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Manifest;

/// <summary>One stored object as a manifest records it.</summary>
public sealed record ManifestObject(string Key, long Size, Sha256Digest Sha256);

/// <summary>
/// The manifest: Django's staticfiles.json shape (<c>paths</c>, <c>version</c>, <c>hash</c>) plus per-asset
/// details under <c>assets</c>. docs/manifest.md describes the format.
/// </summary>
public static class AssetManifest
{
    public const string Version = "1.1";
    public const string DefaultName = "staticassets.manifest.json";
    public const string ContentType = "application/json";

    /// <summary>Readers must always see the newest generation: never let a cache keep the manifest.</summary>
    public const string CacheControl = "no-cache";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        // Keep '+', '<', non-ASCII file names, ... readable; the manifest is never embedded in HTML unescaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The manifest of a plan as UTF-8 JSON. Byte-identical for identical plans (and project).</summary>
    /// <param name="project">The project that publishes it (recorded as <c>project</c>, so that another project
    /// publishing to the same manifest is noticed); null for none.</param>
    public static byte[] Serialize(PublishPlan plan, string? project = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("paths");
            foreach (var asset in plan.Assets)
            {
                json.WriteString(asset.LogicalPath, asset.Object.Key);
            }
            json.WriteEndObject();
            json.WriteString("version", Version);
            json.WriteString("hash", PathsHash(plan));
            if (project is not null)
            {
                json.WriteString("project", project);
            }
            json.WriteStartObject("assets");
            foreach (var asset in plan.Assets)
            {
                json.WriteStartObject(asset.LogicalPath);
                WriteObject(json, asset.Object);
                json.WriteString("integrity", asset.Object.Sha256.Integrity);
                json.WriteString("contentType", asset.Object.ContentType);
                if (asset.Original is { } original)
                {
                    // The un-fingerprinted copy: the same bytes (and compressed copies) under the logical path.
                    json.WriteString("original", original.Object.Key);
                }
                json.WriteStartObject("encodings");
                foreach (var variant in asset.Variants)
                {
                    json.WriteStartObject(variant.Encoding);
                    WriteObject(json, variant.Object);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>A manifest (or its journal) as an object to store: JSON, never cached.</summary>
    public static StoreWrite ToStoreWrite(string key, byte[] bytes) => new(
        key, bytes.Length, Sha256Digest.Compute(bytes), ContentType, null, CacheControl, () => new MemoryStream(bytes, writable: false));

    private static void WriteObject(Utf8JsonWriter json, PlannedObject obj)
    {
        json.WriteString("key", obj.Key);
        json.WriteNumber("size", obj.Size);
        json.WriteString("sha256", obj.Sha256.Hex);
    }

    /// <summary>Identifies the generation: 12 hex digits of the SHA-256 of the sorted, compact <c>paths</c> map.</summary>
    public static string PathsHash(PublishPlan plan)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = WriterOptions.Encoder }))
        {
            json.WriteStartObject();
            foreach (var asset in plan.Assets)
            {
                json.WriteString(asset.LogicalPath, asset.Object.Key);
            }
            json.WriteEndObject();
        }
        return Sha256Digest.Compute(buffer.ToArray()).Hex[..12];
    }

    /// <summary>The <c>project</c> recorded in a manifest; null if it has none (or is not JSON).</summary>
    public static string? ProjectOf(byte[]? utf8) => TopLevelString(utf8, "project");

    /// <summary>The <c>hash</c> of a manifest (its paths), or null.</summary>
    public static string? HashOf(byte[]? utf8) => TopLevelString(utf8, "hash");

    private static string? TopLevelString(byte[]? utf8, string name)
    {
        if (utf8 is null)
        {
            return null;
        }
        try
        {
            // A reader over the whole manifest (it must be valid JSON throughout), no document of it: a 3 MB manifest's
            // document is ~10 ms and megabytes of allocations, for one string. Like a document's lookup, the last of
            // duplicate properties wins.
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            string? found = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var wanted = reader.ValueTextEquals(name);
                reader.Read();
                if (wanted)
                {
                    found = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                reader.Skip();
            }
            return reader.Read() ? null : found;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null; // a string that is not valid UTF-8
        }
    }

    /// <summary>
    /// Reads the objects a stored manifest vouches for, keyed by object key. Returns false, with the reason,
    /// for anything that is not a complete manifest of this format: such a manifest is never trusted.
    /// </summary>
    public static bool TryReadObjects(ReadOnlySpan<byte> utf8, out IReadOnlyDictionary<string, ManifestObject> objects, out string problem)
    {
        objects = new Dictionary<string, ManifestObject>();
        if (!TryReadAssets(utf8.ToArray(), out var assets, out problem))
        {
            return false;
        }
        objects = ObjectsOf(assets);
        return true;
    }

    /// <summary>
    /// The keys of a manifest's content-addressed objects (each asset's and its compressed copies'), in one pass of a
    /// reader, no document and no assets built: what a listing is split by, where a hint is enough and nothing is
    /// trusted. Empty if it is not a manifest. A 3 MB manifest: ~5 ms, where reading its assets takes ~20 ms in a fresh
    /// process, on a rollback's critical path between its first round trip and its listing.
    /// </summary>
    public static IReadOnlyList<string> ObjectKeysOf(ReadOnlySpan<byte> utf8)
    {
        var keys = new List<string>();
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return [];
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var assets = reader.ValueTextEquals("assets");
                reader.Read();
                if (!assets || reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    reader.Read();
                    ReadObjectKeys(ref reader, keys, encodings: true);
                }
            }
            return keys;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return []; // not JSON, or a string that is not valid UTF-8
        }
    }

    /// <summary>At an asset's (or a compressed copy's) object: adds its <c>key</c> and, if <paramref name="encodings"/>,
    /// its compressed copies' keys; leaves the reader at the object's end.</summary>
    private static void ReadObjectKeys(ref Utf8JsonReader reader, List<string> keys, bool encodings)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isKey = reader.ValueTextEquals("key");
            var isEncodings = encodings && !isKey && reader.ValueTextEquals("encodings");
            reader.Read();
            if (isKey && reader.TokenType == JsonTokenType.String)
            {
                keys.Add(reader.GetString()!);
            }
            else if (isEncodings && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    reader.Read();
                    ReadObjectKeys(ref reader, keys, encodings: false);
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>The content-addressed objects of <paramref name="assets"/>, keyed by object key.</summary>
    public static IReadOnlyDictionary<string, ManifestObject> ObjectsOf(IEnumerable<ManifestAsset> assets)
    {
        var found = new Dictionary<string, ManifestObject>(StringComparer.Ordinal);
        foreach (var obj in assets.SelectMany(a => a.Objects))
        {
            found[obj.Key] = obj;
        }
        return found;
    }

    /// <summary>Every key <paramref name="assets"/> name, once: their content-addressed objects' and their
    /// un-fingerprinted copies'.</summary>
    public static IReadOnlyCollection<string> KeysOf(IEnumerable<ManifestAsset> assets) =>
        assets.SelectMany(a => a.Keys).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Reads a stored manifest's assets: each one's object, content type, un-fingerprinted copy and compressed copies,
    /// in one parse. False, with the reason, for anything that is not a complete manifest of this format.
    /// </summary>
    public static bool TryReadAssets(ReadOnlyMemory<byte> utf8, out IReadOnlyList<ManifestAsset> assets, out string problem)
    {
        assets = [];
        if (!Utf8.IsValid(utf8.Span))
        {
            problem = "it is not valid UTF-8";
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("assets", out var entries) || entries.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("paths", out var paths) || paths.ValueKind != JsonValueKind.Object)
            {
                problem = "it has no 'paths' and 'assets' objects";
                return false;
            }
            var found = new List<ManifestAsset>();
            foreach (var asset in entries.EnumerateObject())
            {
                if (!TryReadObject(asset.Value, out var primary))
                {
                    problem = $"the entry for '{asset.Name}' is incomplete";
                    return false;
                }
                var encodings = new List<(string, ManifestObject)>();
                if (asset.Value.TryGetProperty("encodings", out var variants) && variants.ValueKind == JsonValueKind.Object)
                {
                    foreach (var variant in variants.EnumerateObject())
                    {
                        if (!TryReadObject(variant.Value, out var obj))
                        {
                            problem = $"the '{variant.Name}' entry of '{asset.Name}' is incomplete";
                            return false;
                        }
                        encodings.Add((variant.Name, obj));
                    }
                }
                // "original" names an un-fingerprinted copy, which later publishes overwrite: the manifest never vouches
                // for its bytes (the pending journal's "originals" list does), only for its key.
                found.Add(new ManifestAsset(
                    asset.Name,
                    primary,
                    asset.Value.TryGetProperty("contentType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "application/octet-stream",
                    asset.Value.TryGetProperty("original", out var original) && original.ValueKind == JsonValueKind.String
                        && original.GetString() is { } originalKey && LogicalPaths.Validate(originalKey) is null ? originalKey : null,
                    encodings));
            }
            assets = found;
            problem = "";
            return true;
        }
        catch (JsonException e)
        {
            problem = $"it is not valid JSON ({e.Message})";
            return false;
        }
    }

    internal static bool TryReadObject(JsonElement element, out ManifestObject obj)
    {
        obj = null!;
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
            || key.GetString() is not { } keyText || LogicalPaths.Validate(keyText) is not null
            || !element.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Number
            || !size.TryGetInt64(out var length) || length < 0
            || !element.TryGetProperty("sha256", out var sha) || sha.ValueKind != JsonValueKind.String
            || !Sha256Digest.TryParseHex(sha.GetString(), out var digest))
        {
            return false;
        }
        obj = new ManifestObject(keyText, length, digest);
        return true;
    }
}

/// <summary>One asset of a stored manifest: its content-addressed object, its content type, the key of its
/// un-fingerprinted copy (if the publish wrote one) and its compressed copies by content encoding.</summary>
public sealed record ManifestAsset(
    string LogicalPath, ManifestObject Object, string ContentType, string? Original, IReadOnlyList<(string Encoding, ManifestObject Object)> Encodings)
{
    /// <summary>The content-addressed objects of the asset: its own, then its compressed copies'.</summary>
    public IEnumerable<ManifestObject> Objects => Encodings.Select(e => e.Object).Prepend(Object);

    /// <summary>The keys of the un-fingerprinted copies a publish of this asset may have written: the original, and
    /// beside it one per compressed copy (<c>css/site.css.gz</c>, written with compressed originals). None without an
    /// original.</summary>
    public IEnumerable<string> UnfingerprintedKeys => Original is not { } original
        ? []
        : Encodings.Select(e => ContentEncodings.Suffix(e.Encoding)).OfType<string>().Select(suffix => original + suffix).Prepend(original);

    /// <summary>Every key the asset names: its content-addressed objects' and its un-fingerprinted copies'.</summary>
    public IEnumerable<string> Keys => Objects.Select(o => o.Key).Concat(UnfingerprintedKeys);
}
