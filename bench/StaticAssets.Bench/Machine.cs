using System.Runtime;
using StaticAssets.Engine.Publishing;

namespace StaticAssets.Bench;

/// <summary>The machine the bench runs on: what the header line says of it, and waiting for it to be quiet.</summary>
internal static class Machine
{
    /// <summary>"2 CPU(s) (model), 8 GB RAM, .NET 10.0.0, workstation GC, engine ReadyToRun".</summary>
    public static string Describe() =>
        $"{Environment.ProcessorCount} CPU(s) ({CpuModel()}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0:F0} GB RAM, " +
        $".NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, engine {CodeKind()}";

    /// <summary>Other processes (builds, test runs) share these CPUs: before a run, wait until the machine, not counting
    /// the S3 server behind <paramref name="endpoint"/>, is nearly idle for a second (at most <paramref name="maxSeconds"/>).
    /// Returns seconds waited.</summary>
    public static async Task<int> WaitForQuietAsync(Uri endpoint, int maxSeconds)
    {
        if (maxSeconds <= 0)
        {
            return 0;
        }
        for (var waited = 0; ; waited++)
        {
            var busy0 = ProcessStats.MachineBusySeconds();
            var server0 = ProcessStats.ServerCpuSeconds(endpoint) ?? 0;
            await Task.Delay(1000);
            var busy = ProcessStats.MachineBusySeconds() - busy0 - ((ProcessStats.ServerCpuSeconds(endpoint) ?? 0) - server0);
            if (busy is null || busy < 0.3 || waited >= maxSeconds)
            {
                return waited;
            }
        }
    }

    /// <summary>Whether the engine runs from precompiled (ReadyToRun) code, as the package ships it for linux-x64.</summary>
    private static string CodeKind()
    {
        using var reader = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(typeof(StaticAssetPublisher).Assembly.Location));
        return reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0 ? "ReadyToRun" : "IL";
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
