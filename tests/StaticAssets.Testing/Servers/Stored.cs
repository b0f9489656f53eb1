using System.Diagnostics;
using Amazon.S3;

namespace StaticAssets.Testing;

/// <summary>What a backend gives back for a key, read with its own client (not the code under test).</summary>
public sealed record StoredCopy(byte[] Bytes, string? ContentType, string? CacheControl, string? ContentEncoding, string? Sha256);

/// <summary>A folder of generated files with deterministic content (seeded), published by the engine.</summary>
public sealed class GeneratedSite : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("staticassets-reliability-").FullName;

    /// <summary><paramref name="files"/> files under assets/, sizes from 1 KB to about 150 KB (several TCP chunks),
    /// content from a Random seeded with <paramref name="seed"/>.</summary>
    public GeneratedSite(int files, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < files; i++)
        {
            Write(PathOf(i), Bytes(random, 1024 + (i * 7919 % 150_000)));
        }
    }

    public static string PathOf(int i) => $"assets/dir{i % 7}/file{i}.bin";

    public static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public void Write(string logicalPath, byte[] content)
    {
        var path = Path.Combine(Root, logicalPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    public IReadOnlyList<AssetSource> Sources() => Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
        .Select(f => new AssetSource(f, Path.GetRelativePath(Root, f).Replace('\\', '/')))
        .ToArray();

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>Checks what the S3 server really stores, with the test's own client (not the code under test).</summary>
public static class Stored
{
    public const string Manifest = AssetManifest.DefaultName;

    public static readonly string Journal = PendingJournal.NameFor(AssetManifest.DefaultName);

    /// <summary>An object with its headers; null if there is none.</summary>
    public static async Task<StoredCopy?> GetCopyAsync(S3Server server, string bucket, string key)
    {
        using var client = server.CreateClient();
        try
        {
            using var response = await client.GetObjectAsync(bucket, key);
            using var bytes = new MemoryStream();
            await response.ResponseStream.CopyToAsync(bytes);
            return new StoredCopy(bytes.ToArray(), response.Headers.ContentType, response.Headers.CacheControl, response.Headers.ContentEncoding,
                response.Metadata["x-amz-meta-sha256"]);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static async Task<byte[]?> GetAsync(S3Server server, string bucket, string key) => (await GetCopyAsync(server, bucket, key))?.Bytes;

    /// <summary>Every listed object is stored under <paramref name="prefix"/> with exactly the recorded size and
    /// SHA-256 (read back whole, 16 at a time).</summary>
    public static async Task AssertObjectsAsync(S3Server server, string bucket, string prefix, IEnumerable<ManifestObject> objects, string what)
    {
        var list = objects.ToArray();
        Assert.IsNotEmpty(list, $"{what}: nothing to check");
        using var client = server.CreateClient();
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await Parallel.ForEachAsync(list, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (obj, cancellationToken) =>
        {
            try
            {
                using var response = await client.GetObjectAsync(bucket, prefix + obj.Key, cancellationToken);
                using var buffer = new MemoryStream();
                await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
                var bytes = buffer.ToArray();
                if (bytes.LongLength != obj.Size)
                {
                    problems.Enqueue($"'{obj.Key}' has {bytes.LongLength} bytes, not {obj.Size}");
                }
                else if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != obj.Sha256.Hex)
                {
                    problems.Enqueue($"'{obj.Key}' does not have SHA-256 {obj.Sha256.Hex}");
                }
            }
            catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                problems.Enqueue($"'{obj.Key}' is not stored");
            }
        });
        Assert.IsEmpty(problems, $"{what}: {problems.Count} of {list.Length} objects are wrong:\n{string.Join("\n", problems.Order(StringComparer.Ordinal))}");
    }

    /// <summary>The objects (primaries and compressed copies) a manifest names, read with the engine's own reader
    /// (which refuses anything incomplete).</summary>
    public static IReadOnlyList<ManifestObject> ObjectsOf(byte[] manifest)
    {
        Assert.IsTrue(AssetManifest.TryReadObjects(manifest, out var objects, out var problem), $"not a complete manifest: {problem}");
        return objects.Values.OrderBy(o => o.Key, StringComparer.Ordinal).ToArray();
    }

    public static IReadOnlyList<ManifestObject> JournalOf(byte[] journal)
    {
        Assert.IsTrue(PendingJournal.TryRead(journal, out var objects, out _), "the pending journal is not readable:\n" + Encoding.UTF8.GetString(journal));
        return objects;
    }

    /// <summary>Object keys (relative to <paramref name="prefix"/>) of the requests the proxy relayed untouched
    /// with <paramref name="method"/>.</summary>
    public static string[] Relayed(CountingProxy proxy, string method, string bucket, string prefix) =>
        proxy.Requests
            .Where(r => r.StartsWith(method + " ", StringComparison.Ordinal))
            .Select(r => r[(method.Length + 1)..])
            .Select(path => path.StartsWith($"/{bucket}/{prefix}", StringComparison.Ordinal) ? path[$"/{bucket}/{prefix}".Length..] : path)
            .ToArray();

    public static string[] Sorted(IEnumerable<string> keys) => keys.Order(StringComparer.Ordinal).ToArray();
}

/// <summary>Publishing with the engine, to a real store (usually through a proxy).</summary>
public static class EnginePublish
{
    public static async Task<(PublishResult Result, RecordingLog Log)> RunAsync(
        GeneratedSite site, StoreTarget target, string prefix, CountingProxy? proxy, int maxConcurrency,
        Func<StoreSettings, StoreSettings>? settings = null, CancellationToken cancellationToken = default, PlanOptions? plan = null)
    {
        var log = new RecordingLog();
        // As the task does: the store reports its retries to the publish's log.
        await using var store = target.Store(prefix, proxy, maxConcurrency, settings, log);
        var result = await StaticAssetPublisher.PublishAsync(
            site.Sources(), store, new PublishOptions { Plan = plan ?? Plans.OneObjectPerFile }, log, cancellationToken);
        return (result, log);
    }

    public static string Describe(RecordingLog log) =>
        string.Join("\n", log.Diagnostics.Select(d => d.ToString()).Concat(log.Messages.Select(m => $"  [{m.Importance}] {m.Text}")));
}
