using System.IO.Compression;
using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Plan.Compression;

/// <summary>
/// Makes gzip and brotli copies of compressible assets that have none (or whose content was rewritten), on all
/// cores, keeping a copy only if it is at most 95% of the original. Outputs are cached by content in the work
/// folder, so an unchanged asset is never compressed twice.
/// </summary>
internal static class Precompressor
{
    private const double MaxRatio = 0.95;

    /// <summary>A compressed copy is worth storing only at 95% of the original or less, whoever made it: a client
    /// that takes it saves little, and every copy is one more object to write and keep.</summary>
    public static bool WorthKeeping(long compressedSize, long originalSize) => compressedSize <= originalSize * MaxRatio;

    // Already-compressed formats (images, fonts, archives, media) gain nothing.
    private static readonly HashSet<string> CompressibleTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/javascript", "application/json", "application/ld+json", "application/manifest+json", "application/wasm",
        "application/xml", "application/vnd.ms-fontobject", "image/svg+xml", "image/x-icon", "image/bmp", "font/ttf", "font/otf",
    };

    public static bool IsCompressible(string contentType)
    {
        var type = contentType.Split(';')[0].Trim();
        return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || CompressibleTypes.Contains(type);
    }

    public static async Task CompressAsync(IReadOnlyList<AssetWork> assets, IReadOnlyList<string> formats, string workDirectory, CancellationToken cancellationToken)
    {
        var jobs = assets
            .Where(a => IsCompressible(a.ContentType))
            .SelectMany(a => formats.Where(f => a.Variants.All(v => v.Encoding != f)).Select(f => (Asset: a, Format: f)))
            .ToArray();
        var results = new VariantFile?[jobs.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, jobs.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await CompressOneAsync(jobs[i].Asset, jobs[i].Format, workDirectory, ct).ConfigureAwait(false))
            .ConfigureAwait(false);
        // Added in job order, whatever order the work finished in.
        for (var i = 0; i < jobs.Length; i++)
        {
            if (results[i] is { } variant)
            {
                jobs[i].Asset.Variants.Add(variant);
            }
        }
    }

    private static async Task<VariantFile?> CompressOneAsync(AssetWork asset, string format, string workDirectory, CancellationToken cancellationToken)
    {
        var suffix = ContentEncodings.Suffix(format)!;
        var path = Path.Combine(workDirectory, "compressed", asset.Digest.Hex + suffix);
        if (!File.Exists(path))
        {
            await AtomicFile.WriteAsync(path, async (output, token) =>
            {
                await using var input = SourceFiles.OpenSequentialRead(asset.ContentPath);
                await using Stream compressor = format == "br"
                    ? new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true)
                    : new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
                await input.CopyToAsync(compressor, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        var size = new FileInfo(path).Length;
        if (!WorthKeeping(size, asset.Size))
        {
            return null;
        }
        return new VariantFile(format, path, size, await Sha256Digest.ComputeAsync(path, cancellationToken).ConfigureAwait(false));
    }
}
