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

    /// <summary>The manifest of a plan as UTF-8 JSON. Byte-identical for identical plans.</summary>
    public static byte[] Serialize(PublishPlan plan)
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

    /// <summary>
    /// Reads the objects a stored manifest vouches for, keyed by object key. Returns false, with the reason,
    /// for anything that is not a complete manifest of this format: such a manifest is never trusted.
    /// </summary>
    public static bool TryReadObjects(ReadOnlySpan<byte> utf8, out IReadOnlyDictionary<string, ManifestObject> objects, out string problem)
    {
        objects = new Dictionary<string, ManifestObject>();
        if (!Utf8.IsValid(utf8))
        {
            problem = "it is not valid UTF-8";
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(utf8.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("assets", out var assets) || assets.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("paths", out var paths) || paths.ValueKind != JsonValueKind.Object)
            {
                problem = "it has no 'paths' and 'assets' objects";
                return false;
            }
            var found = new Dictionary<string, ManifestObject>(StringComparer.Ordinal);
            foreach (var asset in assets.EnumerateObject())
            {
                if (!TryReadObject(asset.Value, out var primary))
                {
                    problem = $"the entry for '{asset.Name}' is incomplete";
                    return false;
                }
                found[primary.Key] = primary;
                // "original" names an un-fingerprinted copy, which later publishes overwrite: the manifest never vouches
                // for it (the pending journal's "originals" list does).
                if (asset.Value.TryGetProperty("encodings", out var encodings) && encodings.ValueKind == JsonValueKind.Object)
                {
                    foreach (var encoding in encodings.EnumerateObject())
                    {
                        if (!TryReadObject(encoding.Value, out var variant))
                        {
                            problem = $"the '{encoding.Name}' entry of '{asset.Name}' is incomplete";
                            return false;
                        }
                        found[variant.Key] = variant;
                    }
                }
            }
            objects = found;
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
            || LogicalPaths.Validate(key.GetString()) is not null
            || !element.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Number
            || !size.TryGetInt64(out var length) || length < 0
            || !element.TryGetProperty("sha256", out var sha) || sha.ValueKind != JsonValueKind.String
            || !Sha256Digest.TryParseHex(sha.GetString(), out var digest))
        {
            return false;
        }
        obj = new ManifestObject(key.GetString()!, length, digest);
        return true;
    }
}
