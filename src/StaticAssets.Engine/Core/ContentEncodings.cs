namespace StaticAssets.Engine.Core;

/// <summary>The <c>Content-Encoding</c>s a compressed copy may have, and the file-name suffix each is stored under.</summary>
public static class ContentEncodings
{
    public static IReadOnlyList<string> All { get; } = ["gzip", "br", "zstd"];

    /// <summary>File-name suffix of a compressed copy (<c>.gz</c>, <c>.br</c>, <c>.zst</c>), or null for an encoding we do not serve.</summary>
    public static string? Suffix(string encoding) => encoding.ToLowerInvariant() switch
    {
        "gzip" => ".gz",
        "br" => ".br",
        "zstd" => ".zst",
        _ => null,
    };
}
