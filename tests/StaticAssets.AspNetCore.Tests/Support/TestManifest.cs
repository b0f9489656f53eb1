namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>
/// Writes staticassets.manifest.json in the documented format (docs/manifest.md) for the in-process tests, whose
/// apps are not published: each logical path gets a fingerprinted key, an integrity and compressed copies.
/// </summary>
internal sealed class TestManifest
{
    private readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public sealed record Entry(string Key, string Integrity, string[] Encodings);

    public TestManifest Add(string logicalPath, params string[] encodings)
    {
        _entries[logicalPath] = new Entry(KeyFor(logicalPath), IntegrityFor(logicalPath), encodings);
        return this;
    }

    public Entry this[string logicalPath] => _entries[logicalPath];

    /// <summary>css/site.css → css/site.&lt;12 hex&gt;.css, as the publish names it.</summary>
    public static string KeyFor(string logicalPath)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(logicalPath)))[..12];
        var slash = logicalPath.LastIndexOf('/');
        var dot = logicalPath.IndexOf('.', slash + 1);
        return dot < 0 ? $"{logicalPath}.{hash}" : $"{logicalPath[..dot]}.{hash}{logicalPath[dot..]}";
    }

    public static string IntegrityFor(string logicalPath) =>
        "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("content of " + logicalPath)));

    /// <summary>Writes the manifest to a file of its own (deleted when the test run ends); returns its path.</summary>
    public string Write() => Scratch.WriteManifest(ToJson());

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("paths");
            foreach (var (logical, entry) in _entries)
            {
                json.WriteString(logical, entry.Key);
            }
            json.WriteEndObject();
            json.WriteString("version", "1.1");
            json.WriteString("hash", "0123456789ab");
            json.WriteStartObject("assets");
            foreach (var (logical, entry) in _entries)
            {
                json.WriteStartObject(logical);
                json.WriteString("key", entry.Key);
                json.WriteNumber("size", 100);
                json.WriteString("sha256", new string('a', 64));
                json.WriteString("integrity", entry.Integrity);
                json.WriteString("contentType", "application/octet-stream");
                if (entry.Encodings.Length > 0)
                {
                    json.WriteStartObject("encodings");
                    foreach (var encoding in entry.Encodings)
                    {
                        json.WriteStartObject(encoding);
                        json.WriteString("key", entry.Key + (encoding switch { "br" => ".br", "gzip" => ".gz", _ => ".zst" }));
                        json.WriteNumber("size", 50);
                        json.WriteString("sha256", new string('b', 64));
                        json.WriteEndObject();
                    }
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
