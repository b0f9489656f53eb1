using System.IO.Compression;

namespace StaticAssets.Testing;

/// <summary>
/// What a publish must produce, computed here from the bytes (the SHA-256 independently of the engine's code; where
/// the fingerprint goes in a name is the engine's <see cref="FingerprintedKeys.Insert"/>, itself tested on its own).
/// </summary>
public static class Expected
{
    /// <summary>The 12 hex digits of SHA-256 a fingerprinted key carries.</summary>
    public static string Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content))[..12];

    public static string Hex(string content) => Hex(Utf8(content));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The key of <paramref name="logicalPath"/> (or of a URL path) when its published bytes are <paramref name="content"/>.</summary>
    public static string Key(string logicalPath, byte[] content) => FingerprintedKeys.Insert(logicalPath, Hex(content));

    public static string Key(string logicalPath, string content) => Key(logicalPath, Utf8(content));

    /// <summary>The key of a published file, from its bytes on disk.</summary>
    public static string KeyOfFile(string logicalPath, string path) => Key(logicalPath, File.ReadAllBytes(path));

    public static byte[] Decompress(string encoding, byte[] compressed)
    {
        using Stream decompressor = encoding switch
        {
            "gzip" => new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress),
            "br" => new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress),
            _ => throw new AssertFailedException($"unexpected encoding '{encoding}'"),
        };
        using var result = new MemoryStream();
        decompressor.CopyTo(result);
        return result.ToArray();
    }

    public static byte[] Compress(string encoding, byte[] content)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => throw new AssertFailedException($"unexpected encoding '{encoding}'"),
        })
        {
            compressor.Write(content);
        }
        return output.ToArray();
    }
}
