namespace StaticAssets.Engine.Storage.S3;

/// <summary>S3's multipart rules: at most 10,000 parts of 5 MiB to 5 GiB each, objects of at most 5 TiB.</summary>
internal static class MultipartLimits
{
    public const int MaxParts = 10_000;
    public const int MinPartSize = 5 * 1024 * 1024;
    public const long MaxObjectSize = 5L * 1024 * 1024 * 1024 * 1024;
    private const int MiB = 1024 * 1024;

    /// <summary>The preferred part size, or the smallest whole-MiB size that keeps the file within 10,000 parts;
    /// null for a file larger than S3 stores.</summary>
    public static int? PartSizeFor(long length, int preferred)
    {
        if (length > MaxObjectSize)
        {
            return null;
        }
        var needed = (length + MaxParts - 1) / MaxParts;
        var rounded = (needed + MiB - 1) / MiB * MiB;
        return (int)Math.Max(Math.Max(preferred, MinPartSize), rounded);
    }
}
