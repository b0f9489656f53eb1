using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;

namespace StaticAssets.Bench;

/// <summary>
/// How the task's compress phase splits between gzip and brotli. The phase line gives one figure for both; this
/// compresses again, on one thread and at the task's levels (gzip <see cref="CompressionLevel.SmallestSize"/>, brotli at
/// the package's default quality, and at 11 for comparison), exactly the contents the task compressed in its last first publish: the work folder names each output by its input's SHA-256,
/// and the input is a rewritten file in the same folder or a file of the published wwwroot.
/// </summary>
internal static class CompressionShare
{
    /// <summary>One line for the report, or null if the task compressed nothing.</summary>
    public static string? Describe(WebApp app)
    {
        var outputs = Path.Combine(app.TaskWorkFolder, "compressed");
        if (!Directory.Exists(outputs))
        {
            return null;
        }
        var digests = Directory.EnumerateFiles(outputs).Select(f => Path.GetFileName(f).Split('.')[0]).ToHashSet(StringComparer.Ordinal);
        var inputs = FindInputs(digests, Path.Combine(app.TaskWorkFolder, "rewritten"), app.PublishedWwwroot);
        if (inputs.Count == 0)
        {
            return null;
        }
        var contents = inputs.Select(File.ReadAllBytes).ToArray();
        var gzip = CpuSeconds(contents, output => new GZipStream(output, CompressionLevel.SmallestSize));
        var quality = new StaticAssets.Engine.Plan.PlanOptions().BrotliQuality;
        var brotli = BrotliCpuSeconds(contents, quality);
        var brotli11 = BrotliCpuSeconds(contents, 11);
        return $"{inputs.Count:N0} of {digests.Count:N0} inputs found ({contents.Sum(c => (long)c.Length) / 1048576.0:F1} MB): " +
               $"gzip {gzip:F2} s, brotli at quality {quality} {brotli:F2} s of CPU on one thread: brotli is {100 * brotli / (gzip + brotli):F0}% " +
               $"of the compression work (at quality 11: {brotli11:F2} s)";
    }

    private static List<string> FindInputs(HashSet<string> digests, string rewritten, string wwwroot)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var rewrittenFiles = Directory.Exists(rewritten) ? Directory.EnumerateFiles(rewritten) : [];
        // The SDK's .gz/.br copies are outputs, never inputs.
        var published = Directory.EnumerateFiles(wwwroot, "*", SearchOption.AllDirectories).Where(f => Path.GetExtension(f) is not (".gz" or ".br"));
        foreach (var file in rewrittenFiles.Concat(published))
        {
            if (found.Count == digests.Count)
            {
                break;
            }
            // Rewritten files are named by their content's SHA-256; the published files must be hashed.
            var digest = Path.GetDirectoryName(file) == rewritten ? Path.GetFileName(file).Split('.')[0] : Sha256Hex(file);
            if (digests.Contains(digest))
            {
                found.TryAdd(digest, file);
            }
        }
        return [.. found.Values];
    }

    private static double CpuSeconds(byte[][] contents, Func<Stream, Stream> compressor)
    {
        var self = Process.GetCurrentProcess();
        var before = self.TotalProcessorTime;
        foreach (var content in contents)
        {
            using var compressing = compressor(Stream.Null);
            compressing.Write(content);
        }
        self.Refresh();
        return (self.TotalProcessorTime - before).TotalSeconds;
    }

    private static double BrotliCpuSeconds(byte[][] contents, int quality)
    {
        var self = Process.GetCurrentProcess();
        var before = self.TotalProcessorTime;
        foreach (var content in contents)
        {
            var output = new byte[BrotliEncoder.GetMaxCompressedLength(content.Length)];
            if (!BrotliEncoder.TryCompress(content, output, out _, quality, window: 22))
            {
                throw new InvalidOperationException("brotli failed");
            }
        }
        self.Refresh();
        return (self.TotalProcessorTime - before).TotalSeconds;
    }

    private static string Sha256Hex(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
