using System.Text.Json;
using StaticAssets.Engine.Plan;

namespace StaticAssets.Engine.Manifest;

/// <summary>
/// The objects a failed or canceled publish did store, recorded beside the manifest (best effort) so that the next
/// publish does not send them again. Like the manifest, it only lists objects already stored, under
/// content-addressed keys, so trusting it can never make a publish skip bytes the destination lacks. A publish
/// that commits deletes it. A publish killed outright cannot write it; the next one then re-sends those objects.
/// </summary>
public static class PendingJournal
{
    public static string NameFor(string manifestName) =>
        (manifestName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? manifestName[..^".json".Length] : manifestName) + ".pending.json";

    public static byte[] Serialize(IEnumerable<ManifestObject> objects)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("stored");
            foreach (var obj in objects.DistinctBy(o => o.Key).OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("key", obj.Key);
                json.WriteNumber("size", obj.Size);
                json.WriteString("sha256", obj.Sha256.Hex);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The recorded objects, or false for anything unusable (which is then ignored, never trusted).</summary>
    public static bool TryRead(byte[] utf8, out IReadOnlyList<ManifestObject> objects)
    {
        objects = [];
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(utf8);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("stored", out var stored) || stored.ValueKind != JsonValueKind.Array)
            {
                return false;
            }
            var found = new List<ManifestObject>();
            foreach (var entry in stored.EnumerateArray())
            {
                if (!AssetManifest.TryReadObject(entry, out var obj))
                {
                    return false;
                }
                found.Add(obj);
            }
            objects = found;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static ManifestObject Entry(PlannedObject obj) => new(obj.Key, obj.Size, obj.Sha256);
}
