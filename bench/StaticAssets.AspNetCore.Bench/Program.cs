using System.Diagnostics;
using System.Runtime;
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
if (args is ["--cold", var option])
{
    Quick.Cold(option);
    return;
}
// In-process: no separate build per benchmark (2-core machines); the numbers are BenchmarkDotNet's usual ones.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(ManifestStartup).Assembly).RunAll(config, args);

/// <summary>
/// A Stopwatch + GC.GetAllocatedBytesForCurrentThread pass over the same code, in seconds: the manifest read once in a
/// fresh process (what an app's start-up pays), then warm; one link resolved a million times.
/// </summary>
internal static class Quick
{
    private static readonly string[] Options = ["default", "Integrity", "PreferCompressed"];

    public static void Run()
    {
        GeneratedManifest.Write(30_000);
        GeneratedManifest.Write(1);
        // "one asset": what any manifest pays in a fresh process (JIT, the JSON reader's and file APIs' first use).
        foreach (var option in Options.Prepend("one asset"))
        {
            // Run by the apphost or by `dotnet <dll>`: either way, the same program in a new process.
            var host = Environment.ProcessPath!;
            string[] arguments = Path.GetFileNameWithoutExtension(host) == "dotnet"
                ? [typeof(Quick).Assembly.Location, "--cold", option]
                : ["--cold", option];
            var child = Process.Start(new ProcessStartInfo(host, arguments) { RedirectStandardOutput = true })!;
            Console.Write(child.StandardOutput.ReadToEnd());
            child.WaitForExit();
        }
        foreach (var option in Options)
        {
            var startup = Startup(option);
            startup.ReadManifest();
            var (ms, bytes) = Measure(() => startup.ReadManifest(), 5);
            Console.WriteLine($"manifest 30,000 assets, {option}, warm (best of 5): {ms:F1} ms, {bytes / 1e6:F1} MB allocated");
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

    /// <summary>The first read in this process: JIT, cold caches, as at an app's start.</summary>
    public static void Cold(string option)
    {
        var startup = option == "one asset" ? new ManifestStartup { Assets = 1 } : Startup(option);
        startup.Setup();
        var (methods, jit, collections) = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime(), GC.CollectionCount(0));
        var (ms, bytes) = Measure(() => startup.ReadManifest(), 1);
        (methods, jit) = (JitInfo.GetCompiledMethodCount() - methods, JitInfo.GetCompilationTime() - jit);
        var size = option == "one asset" ? "1 asset" : "30,000 assets, " + option;
        Console.WriteLine($"manifest {size}, fresh process: {ms:F1} ms, {bytes / 1e6:F1} MB allocated; " +
            $"of which JIT: {methods} methods, {jit.TotalMilliseconds:F1} ms; {GC.CollectionCount(0) - collections - 1} gen0 GCs");
    }

    private static ManifestStartup Startup(string option)
    {
        var startup = new ManifestStartup { Assets = 30_000, Integrity = option == "Integrity", PreferCompressed = option == "PreferCompressed" };
        startup.Setup();
        return startup;
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
