using System.IO.Compression;

namespace StaticAssets.Testing;

/// <summary>Reads a destination folder and its manifest, and checks them against the source files.</summary>
public static class PublishedAssets
{
    public static JsonElement ReadManifest(string path) => JsonDocument.Parse(File.ReadAllBytes(path)).RootElement.Clone();

    public static string Sha256Hex(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// Fetches every object the manifest names from a remote store (each asset, its compressed variants, and their
    /// un-fingerprinted copies) and checks bytes and headers: immutable caching for fingerprinted keys, a short one
    /// for the copies. <paramref name="compressedOriginals"/>: whether the un-fingerprinted copies have compressed
    /// copies too (StaticAssetsCompressOriginals; when not, none may be stored). Returns how many objects there are and
    /// the fingerprinted keys, for checks on the write order.
    /// </summary>
    public static async Task<(int Objects, IReadOnlyList<string> Fingerprinted)> AssertRemoteMatchesManifestAsync(
        JsonElement manifest, Func<string, Task<StoredCopy?>> fetch, bool compressedOriginals)
    {
        var objects = 0;
        var fingerprinted = new List<string>();
        foreach (var asset in manifest.GetProperty("assets").EnumerateObject())
        {
            var contentType = asset.Value.GetProperty("contentType").GetString();
            var original = asset.Value.TryGetProperty("original", out var originalKey) ? originalKey.GetString() : null;
            await AssertStoredAsync(asset.Value, null, original);
            foreach (var encoding in asset.Value.GetProperty("encodings").EnumerateObject())
            {
                var compressedOriginal = original is null ? null : original + SuffixOf(encoding.Name);
                await AssertStoredAsync(encoding.Value, encoding.Name, compressedOriginals ? compressedOriginal : null);
                if (compressedOriginal is not null && !compressedOriginals)
                {
                    Assert.IsNull(await fetch(compressedOriginal), $"'{compressedOriginal}' is stored, yet originals are not to be compressed");
                }
            }

            async Task AssertStoredAsync(JsonElement entry, string? encoding, string? copyKey)
            {
                var key = entry.GetProperty("key").GetString()!;
                fingerprinted.Add(key);
                await AssertObjectAsync(key, "public, max-age=31536000, immutable");
                if (copyKey is not null)
                {
                    await AssertObjectAsync(copyKey, "public, max-age=300");
                }

                async Task AssertObjectAsync(string storedKey, string cacheControl)
                {
                    objects++;
                    var stored = await fetch(storedKey) ?? throw new AssertFailedException($"'{storedKey}' is not stored");
                    Assert.AreEqual(entry.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(stored.Bytes)), storedKey);
                    Assert.AreEqual(contentType, stored.ContentType, storedKey);
                    Assert.AreEqual(cacheControl, stored.CacheControl, storedKey);
                    Assert.AreEqual(encoding, stored.ContentEncoding, storedKey);
                }
            }
        }
        return (objects, fingerprinted);
    }

    /// <summary>
    /// Every object the manifest names is in the destination with the size and SHA-256 the manifest records, every
    /// compressed variant decompresses to its primary's bytes, and un-fingerprinted copies equal their asset.
    /// </summary>
    public static void AssertDestinationMatchesManifest(string destination, JsonElement manifest)
    {
        var paths = manifest.GetProperty("paths");
        foreach (var asset in manifest.GetProperty("assets").EnumerateObject())
        {
            var key = asset.Value.GetProperty("key").GetString()!;
            Assert.AreEqual(key, paths.GetProperty(asset.Name).GetString(), $"paths and assets disagree on '{asset.Name}'");
            var primary = AssertObject(destination, asset.Value);
            Assert.AreEqual("sha256-" + Convert.ToBase64String(SHA256.HashData(primary)), asset.Value.GetProperty("integrity").GetString());
            var original = asset.Value.TryGetProperty("original", out var originalKey) ? originalKey.GetString()! : null;
            if (original is not null)
            {
                Assert.AreEqual(asset.Name, original, "an un-fingerprinted copy is stored under the logical path");
                CollectionAssert.AreEqual(primary, File.ReadAllBytes(Path.Combine(destination, original)), $"the original copy of '{asset.Name}'");
            }
            foreach (var encoding in asset.Value.GetProperty("encodings").EnumerateObject())
            {
                var compressed = AssertObject(destination, encoding.Value);
                var suffix = SuffixOf(encoding.Name);
                Assert.AreEqual(key + suffix, encoding.Value.GetProperty("key").GetString());
                CollectionAssert.AreEqual(primary, Expected.Decompress(encoding.Name, compressed), $"{encoding.Name} copy of '{asset.Name}' differs from it");
                if (original is not null)
                {
                    CollectionAssert.AreEqual(compressed, File.ReadAllBytes(Path.Combine(destination, original + suffix)), $"the original {encoding.Name} copy of '{asset.Name}'");
                }
            }
        }
    }

    private static byte[] AssertObject(string destination, JsonElement entry)
    {
        var key = entry.GetProperty("key").GetString()!;
        var file = Path.Combine(destination, key);
        Assert.IsTrue(File.Exists(file), $"'{key}' is named by the manifest but not in the destination");
        var bytes = File.ReadAllBytes(file);
        Assert.AreEqual(entry.GetProperty("size").GetInt64(), bytes.LongLength, $"size of '{key}'");
        Assert.AreEqual(entry.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)), $"SHA-256 of '{key}'");
        return bytes;
    }

    /// <summary>The file-name suffix of a compressed copy (the manifest names encodings as Content-Encoding does).</summary>
    private static string SuffixOf(string encoding) => encoding == "gzip" ? ".gz" : ".br";

    /// <summary>Every file under a folder with its size and last write time: equal snapshots mean nothing was written.</summary>
    public static Dictionary<string, (long Size, DateTime Modified)> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(folder, f).Replace('\\', '/'),
            f => (new FileInfo(f).Length, File.GetLastWriteTimeUtc(f)));
}
