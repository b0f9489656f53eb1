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

    public static async Task CompressAsync(IReadOnlyList<AssetWork> assets, IReadOnlyList<string> formats, int brotliQuality,
        string workDirectory, CancellationToken cancellationToken)
    {
        var jobs = assets
            .Where(a => IsCompressible(a.ContentType))
            .SelectMany(a => formats.Where(f => a.Variants.All(v => v.Encoding != f)).Select(f => (Asset: a, Format: f)))
            .ToArray();
        // Largest first: the biggest file is the longest single job, and started last it would run alone on one core.
        var schedule = Enumerable.Range(0, jobs.Length).OrderByDescending(i => jobs[i].Asset.Size).ToArray();
        var done = await AllCores.MapAsync(schedule, (i, ct) => new ValueTask<VariantFile?>(
            CompressOneAsync(jobs[i].Asset, jobs[i].Format, brotliQuality, workDirectory, ct)), cancellationToken).ConfigureAwait(false);
        // Added in job order, whatever order the work was scheduled in or finished in.
        foreach (var (i, variant) in schedule.Zip(done).OrderBy(x => x.First))
        {
            if (variant is not null)
            {
                jobs[i].Asset.Variants.Add(variant);
            }
        }
    }

    private static async Task<VariantFile?> CompressOneAsync(AssetWork asset, string format, int brotliQuality, string workDirectory,
        CancellationToken cancellationToken)
    {
        var suffix = ContentEncodings.Suffix(format)!;
        // The quality is part of the cached file's name: changing it makes new copies instead of reusing old ones.
        var path = Path.Combine(workDirectory, "compressed", asset.Digest.Hex + (format == "br" ? $".q{brotliQuality}" : "") + suffix);
        if (!File.Exists(path))
        {
            await AtomicFile.WriteAsync(path, async (output, token) =>
            {
                await using var input = SourceFiles.OpenSequentialRead(asset.ContentPath);
                if (format == "br")
                {
                    Brotli(input, output, brotliQuality, token);
                }
                else
                {
                    await using var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
                    await input.CopyToAsync(gzip, token).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        var size = new FileInfo(path).Length;
        if (!WorthKeeping(size, asset.Size))
        {
            return null;
        }
        return new VariantFile(format, path, size, await Sha256Digest.ComputeAsync(path, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// BrotliStream takes only a CompressionLevel on net8.0 (SmallestSize is quality 11); the encoder takes a quality.
    /// Synchronous: CPU-bound work on one of <see cref="AllCores"/>' workers, writing a local file.
    /// </summary>
    private static void Brotli(Stream input, Stream output, int quality, CancellationToken cancellationToken)
    {
        using var encoder = new BrotliEncoder(quality, window: 22);
        var source = new byte[81920];
        var destination = new byte[81920];
        int read;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            read = input.Read(source);
            var remaining = source.AsSpan(0, read);
            while (true)
            {
                // The encoder holds output back across blocks and may release more than one block's worth at once
                // (at the final flush above all): drain until it is done with what it was given.
                var status = encoder.Compress(remaining, destination, out var consumed, out var written, isFinalBlock: read == 0);
                output.Write(destination, 0, written);
                remaining = remaining[consumed..];
                if (status == System.Buffers.OperationStatus.InvalidData)
                {
                    throw new InvalidOperationException("The brotli encoder refused its input.");
                }
                if (status != System.Buffers.OperationStatus.DestinationTooSmall && remaining.IsEmpty)
                {
                    break;
                }
            }
        }
        while (read > 0);
    }
}
