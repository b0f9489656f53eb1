using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StaticAssets.AspNetCore.Bench;

if (args.Contains("--quick"))
{
    Quick.Run();
    return;
}
// In-process: no separate build per benchmark (2-core machines); the numbers are BenchmarkDotNet's usual ones.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(ManifestStartup).Assembly).RunAll(config, args);

/// <summary>A Stopwatch + GC.GetAllocatedBytesForCurrentThread pass over the same code, in seconds.</summary>
internal static class Quick
{
    public static void Run()
    {
        foreach (var preferCompressed in new[] { false, true })
        {
            var startup = new ManifestStartup { Assets = 30_000, PreferCompressed = preferCompressed };
            startup.Setup();
            startup.ReadManifest(); // JIT
            var (ms, bytes) = Measure(() => startup.ReadManifest(), 5);
            Console.WriteLine($"manifest 30,000 assets, PreferCompressed={preferCompressed}: {ms:F1} ms, {bytes / 1e6:F1} MB allocated");
        }
        var links = new LinkResolution();
        links.Setup();
        foreach (var (name, resolve) in new (string, Func<string>)[] { ("link", links.Resolve), ("link, PreferCompressed", links.ResolveCompressed) })
        {
            const int count = 1_000_000;
            for (var i = 0; i < 1000; i++)
            {
                resolve();
            }
            var (ms, bytes) = Measure(() => { for (var i = 0; i < count; i++) resolve(); }, 3);
            Console.WriteLine($"{name}: {ms * 1e6 / count:F0} ns, {bytes / (double)count:F1} bytes allocated");
        }
    }

    /// <summary>The best of <paramref name="runs"/> runs, and the bytes that run allocated.</summary>
    private static (double Milliseconds, long Bytes) Measure(Action action, int runs)
    {
        var best = (Milliseconds: double.MaxValue, Bytes: 0L);
        for (var run = 0; run < runs; run++)
        {
            GC.Collect();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            action();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
            if (elapsed < best.Milliseconds)
            {
                best = (elapsed, bytes);
            }
        }
        return best;
    }
}
