using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace StaticAssets.AspNetCore.Bench;

/// <summary>
/// A manifest as a publish of N assets writes it (docs/manifest.md): paths, and per asset key, size, sha256,
/// integrity, content type and brotli + gzip copies. Paths look like a real tree: folders, long-ish names.
/// </summary>
internal static class GeneratedManifest
{
    public static string LogicalPath(int i) => $"assets/section{i % 40}/components/widget-{i}/{(i % 3 == 0 ? "index.js" : i % 3 == 1 ? "styles.css" : "icon.svg")}";

    public static string Write(int count)
    {
        var path = Path.Combine(Path.GetTempPath(), $"staticassets-bench-{count}", "staticassets.manifest.json");
        if (File.Exists(path))
        {
            return path; // deterministic content: written once per machine
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var entries = Enumerable.Range(0, count)
            .Select(i => (Logical: LogicalPath(i), Digest: SHA256.HashData(Encoding.UTF8.GetBytes(LogicalPath(i)))))
            .OrderBy(e => e.Logical, StringComparer.Ordinal)
            .ToArray();
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("paths");
        foreach (var (logical, digest) in entries)
        {
            json.WriteString(logical, Key(logical, digest));
        }
        json.WriteEndObject();
        json.WriteString("version", "1.1");
        json.WriteString("hash", "0123456789ab");
        json.WriteStartObject("assets");
        foreach (var (logical, digest) in entries)
        {
            var key = Key(logical, digest);
            var hex = Convert.ToHexStringLower(digest);
            json.WriteStartObject(logical);
            json.WriteString("key", key);
            json.WriteNumber("size", 4096 + digest[0]);
            json.WriteString("sha256", hex);
            json.WriteString("integrity", "sha256-" + Convert.ToBase64String(digest));
            json.WriteString("contentType", logical.EndsWith(".js") ? "text/javascript" : logical.EndsWith(".css") ? "text/css" : "image/svg+xml");
            json.WriteStartObject("encodings");
            foreach (var (encoding, suffix) in new[] { ("br", ".br"), ("gzip", ".gz") })
            {
                json.WriteStartObject(encoding);
                json.WriteString("key", key + suffix);
                json.WriteNumber("size", 1024 + digest[1]);
                json.WriteString("sha256", hex);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        return path;
    }

    private static string Key(string logical, byte[] digest)
    {
        var dot = logical.LastIndexOf('.');
        return $"{logical[..dot]}.{Convert.ToHexStringLower(digest)[..12]}{logical[dot..]}";
    }
}
