using System.Security.Cryptography;
using StaticAssets.Engine.Gather;

namespace StaticAssets.Bench;

/// <summary>One generated file: where it is, the URL path it is served at, its size and base64 SHA-256.</summary>
internal sealed record GeneratedFile(string Path, string LogicalPath, long Size, string Integrity);

/// <summary>
/// A deterministic web-root-like tree: the same (files, total bytes, seed) always gives the same paths and bytes.
/// Sizes are log-normal around a median of ~8 KB, plus a few files of several MB (bundles, source maps, images),
/// scaled so the total is the requested size; folders are nested 1-4 levels; extensions are a typical mix.
/// </summary>
internal static class TreeGenerator
{
    private const long MedianBytes = 8 * 1024;
    private const long MinBytes = 64;
    private const long MaxSmallBytes = 2 * 1024 * 1024;

    private static readonly (string Extension, int Weight, bool Text)[] Extensions =
    [
        (".js", 25, true), (".css", 12, true), (".map", 15, true), (".json", 12, true),
        (".svg", 12, true), (".png", 16, false), (".woff2", 8, false),
    ];

    private static readonly string[] FolderWords =
    [
        "css", "js", "lib", "img", "fonts", "vendor", "dist", "assets", "icons", "components", "pages", "themes",
        "locales", "chunks", "media", "scripts", "styles", "bootstrap", "jquery", "charts", "editor", "admin",
    ];

    private static readonly string[] FileWords =
    [
        "site", "app", "main", "index", "vendor", "runtime", "polyfills", "theme", "bundle", "common", "grid",
        "button", "modal", "chart", "editor", "logo", "icon", "banner", "layout", "utils", "forms", "table",
    ];

    /// <summary>Writes the tree under <paramref name="root"/>; with <paramref name="bigFileBytes"/> &gt; 0 one more file of
    /// that size (binary, <c>media/</c>), for memory measurements.</summary>
    public static IReadOnlyList<GeneratedFile> Generate(string root, int fileCount, long totalBytes, int seed, long bigFileBytes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fileCount, 1);
        var random = new Random(seed);
        var sizes = Sizes(random, fileCount, totalBytes);
        var folders = Folders(random, Math.Max(4, fileCount / 15));

        var files = new List<GeneratedFile>(fileCount);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var buffer = new byte[1024 * 1024];
        for (var i = 0; i < fileCount; i++)
        {
            var (extension, text) = PickExtension(random, sizes[i]);
            string logical;
            do
            {
                var folder = folders[random.Next(folders.Count)];
                var name = $"{FileWords[random.Next(FileWords.Length)]}-{random.Next(100_000):D5}{extension}";
                logical = folder.Length == 0 ? name : $"{folder}/{name}";
            }
            while (!used.Add(logical));

            files.Add(WriteFile(root, logical, sizes[i], text, new Random(ContentSeed(seed, i)), buffer));
        }
        if (bigFileBytes > 0)
        {
            files.Add(WriteFile(root, "media/video-intro-00001.mp4", bigFileBytes, text: false, new Random(ContentSeed(seed, -1)), buffer));
        }
        return files;
    }

    /// <summary>Writes one binary file of each size in <paramref name="sizes"/> under <paramref name="root"/>, at the logical
    /// paths given, with content from <paramref name="seed"/> (different from every file of <see cref="Generate"/>).</summary>
    public static IReadOnlyList<GeneratedFile> GenerateLarge(string root, IReadOnlyList<(string LogicalPath, long Size)> files, int seed)
    {
        var buffer = new byte[1024 * 1024];
        return files.Select((f, i) => WriteFile(root, f.LogicalPath, f.Size, text: false, new Random(ContentSeed(seed, -2 - i)), buffer)).ToArray();
    }

    /// <summary>Each file's content seed. Not <see cref="HashCode.Combine{T1, T2}"/>: it is randomized per process, so the
    /// bytes (and with them what the reference rewriter finds in them) changed from one run to the next.</summary>
    private static int ContentSeed(int seed, int file) => unchecked(seed * 1_000_003 + file);

    private static GeneratedFile WriteFile(string root, string logical, long size, bool text, Random content, byte[] buffer)
    {
        var path = Path.Combine(root, logical.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Each file's bytes come from its own seed, so content does not depend on the buffer size used.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
        {
            for (var left = size; left > 0;)
            {
                var n = (int)Math.Min(left, buffer.Length);
                var chunk = buffer.AsSpan(0, n);
                content.NextBytes(chunk);
                if (text)
                {
                    foreach (ref var b in chunk)
                    {
                        b = (byte)(' ' + (b % 95)); // printable ASCII: text-like, poorly compressible
                    }
                }
                hash.AppendData(chunk);
                stream.Write(chunk);
                left -= n;
            }
        }
        return new GeneratedFile(path, logical, size, Convert.ToBase64String(hash.GetHashAndReset()));
    }

    /// <summary>The engine's view of the tree; with <paramref name="withIntegrity"/> the SHA-256 is given, as the
    /// .NET SDK's static web assets give it, so planning does not read the files.</summary>
    public static IReadOnlyList<AssetSource> ToSources(IReadOnlyList<GeneratedFile> files, bool withIntegrity) =>
        files.Select(f => new AssetSource(f.Path, f.LogicalPath, withIntegrity ? f.Integrity : null)).ToArray();

    private static long[] Sizes(Random random, int count, long totalBytes)
    {
        // A few large files (about one per 600, at least one): 2-8 MB each, at most a quarter of the total.
        var large = Math.Max(1, count / 600);
        if (count < 20)
        {
            large = 0;
        }
        var sizes = new long[count];
        long largeBytes = 0;
        for (var i = 0; i < large; i++)
        {
            sizes[i] = Math.Min((long)((2 + random.NextDouble() * 6) * 1024 * 1024), totalBytes / 4 / large);
            largeBytes += sizes[i];
        }

        // Log-normal for the rest, with sigma chosen so the mean matches the budget left (mean = median * e^(s^2/2)).
        var small = count - large;
        var budget = Math.Max(small * MinBytes, totalBytes - largeBytes);
        var mean = (double)budget / small;
        var sigma = mean > MedianBytes * 1.2 ? Math.Sqrt(2 * Math.Log(mean / MedianBytes)) : 0.8;
        var median = mean > MedianBytes * 1.2 ? MedianBytes : mean / Math.Exp(sigma * sigma / 2);
        var raw = new double[small];
        for (var i = 0; i < small; i++)
        {
            raw[i] = Math.Clamp(median * Math.Exp(sigma * Gaussian(random)), MinBytes, MaxSmallBytes);
        }
        // Clamping moved the sum: scale to the budget exactly (clamped again, so the total is approximate).
        var scale = budget / raw.Sum();
        for (var i = 0; i < small; i++)
        {
            sizes[large + i] = Math.Clamp((long)(raw[i] * scale), MinBytes, MaxSmallBytes * 2);
        }
        // Shuffle so the large files land anywhere in the tree.
        random.Shuffle(sizes);
        return sizes;
    }

    private static double Gaussian(Random random)
    {
        // Box-Muller.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static (string Extension, bool Text) PickExtension(Random random, long size)
    {
        if (size >= 1024 * 1024)
        {
            // Large files are bundles, their source maps, or images.
            return random.Next(3) switch { 0 => (".js", true), 1 => (".map", true), _ => (".png", false) };
        }
        var pick = random.Next(Extensions.Sum(e => e.Weight));
        foreach (var (extension, weight, text) in Extensions)
        {
            if ((pick -= weight) < 0)
            {
                return (extension, text);
            }
        }
        return (".js", true);
    }

    /// <summary>Relative folders ('' is the root), built as a tree so some are nested 3-4 levels deep.</summary>
    private static List<string> Folders(Random random, int count)
    {
        var folders = new List<string> { "" };
        var names = new HashSet<string>(StringComparer.Ordinal) { "" };
        while (folders.Count < count)
        {
            var parent = folders[random.Next(folders.Count)];
            if (parent.Count(c => c == '/') >= 3)
            {
                continue;
            }
            var word = FolderWords[random.Next(FolderWords.Length)];
            var name = random.Next(3) == 0 ? $"{word}-{random.Next(100)}" : word;
            var folder = parent.Length == 0 ? name : $"{parent}/{name}";
            if (names.Add(folder))
            {
                folders.Add(folder);
            }
        }
        return folders;
    }
}
