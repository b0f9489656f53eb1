using System.Text.Json;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Plan;

namespace StaticAssets.Engine.Manifest;

/// <summary>
/// The destination's state beside the manifest, in one small object read with it:
/// <list type="bullet">
/// <item><c>stored</c>: content-addressed objects that a failed or canceled publish did store (best effort), so the
/// next publish does not send them again. Like the manifest, it lists only objects already stored under
/// content-addressed keys, so trusting it can never skip bytes the destination lacks.</item>
/// <item><c>originals</c>: the un-fingerprinted copies as they were last completely written. These keys are
/// overwritten by every publish that changes them, so neither the manifest nor <c>stored</c> may vouch for them:
/// only this list, which a publish empties of the keys it is about to overwrite before it writes them.</item>
/// </list>
/// A publish killed outright cannot update it; the next one then re-sends what it cannot prove is there.
/// </summary>
public static class PendingJournal
{
    public static string NameFor(string manifestName) =>
        (manifestName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? manifestName[..^".json".Length] : manifestName) + ".pending.json";

    public static byte[] Serialize(IEnumerable<ManifestObject> stored, IEnumerable<ManifestObject> originals)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            WriteList(json, "stored", stored);
            WriteList(json, "originals", originals);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteList(Utf8JsonWriter json, string name, IEnumerable<ManifestObject> objects)
    {
        json.WriteStartArray(name);
        foreach (var obj in objects.DistinctBy(o => o.Key).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("key", obj.Key);
            json.WriteNumber("size", obj.Size);
            json.WriteString("sha256", obj.Sha256.Hex);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>The recorded objects, or false for anything unusable (which is then ignored, never trusted).</summary>
    public static bool TryRead(byte[] utf8, out IReadOnlyList<ManifestObject> stored, out IReadOnlyList<ManifestObject> originals)
    {
        stored = [];
        originals = [];
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(utf8);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !TryReadList(document.RootElement, "stored", out var storedFound)
                || !TryReadList(document.RootElement, "originals", out var originalsFound))
            {
                return false;
            }
            stored = storedFound;
            originals = originalsFound;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadList(JsonElement root, string name, out List<ManifestObject> found)
    {
        found = [];
        if (!root.TryGetProperty(name, out var list))
        {
            return true; // Absent: nothing recorded.
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        foreach (var entry in list.EnumerateArray())
        {
            if (!AssetManifest.TryReadObject(entry, out var obj))
            {
                return false;
            }
            found.Add(obj);
        }
        return true;
    }

    public static ManifestObject Entry(PlannedObject obj) => new(obj.Key, obj.Size, obj.Sha256);
}
