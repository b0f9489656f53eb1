using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using StaticAssets.Bench;
using StaticAssets.Engine;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Publishing;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Storage.S3;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length > 0 && args[0] == "proxy")
{
    // Child mode: the delay proxy, in its own process so the bench process measures the engine alone.
    var upstream = new Uri(args[Array.IndexOf(args, "--upstream") + 1]);
    var rtt = int.Parse(args[Array.IndexOf(args, "--rtt") + 1], CultureInfo.InvariantCulture);
    return await ProxyProcess.RunChildAsync(upstream, rtt);
}

if (args.Length > 0 && args[0] == "selftest")
{
    // Checks the delay proxy's timing and ordering against a local echo server.
    var code = 0;
    foreach (var rtt in args.Length > 1 ? args[1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)) : [0, 40])
    {
        code |= await ProxySelfTest.RunAsync(rtt);
    }
    return code;
}

BenchOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(BenchOptions.Usage);
        return 0;
    }
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}\n\n{BenchOptions.Usage}");
    return 2;
}
return await new Bench(options).RunAsync();

internal sealed class Bench(BenchOptions options)
{
    private readonly List<RunResult> _results = [];

    public async Task<int> RunAsync()
    {
        var total = Stopwatch.StartNew();
        Console.WriteLine($"StaticAssets.Bench: {Environment.ProcessorCount} CPU(s), .NET {Environment.Version}, " +
                          $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, endpoint {options.Endpoint}");

        var treeRoot = Path.Combine(Path.GetTempPath(), $"staticassets-bench-{Environment.ProcessId}");
        var bucket = $"sa-bench-{Guid.NewGuid():N}"[..24];
        using var admin = new BucketAdmin(options.Endpoint);
        var bucketCreated = false;
        try
        {
            // 1. The tree.
            var clock = Stopwatch.StartNew();
            var files = TreeGenerator.Generate(treeRoot, options.Files, (long)(options.SizeMb * 1024 * 1024), options.Seed);
            DescribeTree(files, clock.Elapsed);
            var sources = TreeGenerator.ToSources(files, options.WithIntegrity);
            await MeasurePlanningAsync(files);

            await admin.CreateBucketAsync(bucket);
            bucketCreated = true;
            Console.WriteLine($"Bucket {bucket} (deleted at the end); each run writes a fresh prefix, deleted after it.");

            // 2. Warm-up (JIT, SDK initialisation) and the SDK probe, through an RTT 0 proxy.
            await using (var proxy = await ProxyProcess.StartAsync(options.Endpoint, 0))
            {
                await WarmUpAsync(proxy, admin, bucket, sources);
                await SettleAsync();
                if (options.Probe)
                {
                    await ProbeAsync(proxy, bucket, files);
                    await admin.DeletePrefixAsync(bucket, "probe/");
                }
            }

            // 3. The sweep: repetitions outermost (interleaved), concurrency order rotated per repetition.
            Console.WriteLine();
            Console.WriteLine("rep  RTT  conc   wall s  requests  conns  expect100  CPU s  server CPU s  other CPU s  peak RSS MB  re-run s  re-run reqs");
            var runIndex = 0;
            for (var rep = 1; rep <= options.Repetitions; rep++)
            {
                foreach (var rtt in options.RttMs)
                {
                    await using var proxy = await ProxyProcess.StartAsync(options.Endpoint, rtt);
                    var order = options.Concurrency.Skip((rep - 1) % options.Concurrency.Count)
                        .Concat(options.Concurrency.Take((rep - 1) % options.Concurrency.Count));
                    foreach (var concurrency in order)
                    {
                        var prefix = $"run{++runIndex:D3}-c{concurrency}-rtt{rtt}/";
                        var run = await RunOnceAsync(proxy, bucket, prefix, sources, files, concurrency, rtt, rep);
                        _results.Add(run);
                        Console.WriteLine(
                            $"{rep,3} {rtt,4} {concurrency,5} {run.WallSeconds,8:F2} {run.Requests,9} {run.Connections,6} {run.ExpectContinue,10} " +
                            $"{run.CpuSeconds,6:F2} {Format(run.ServerCpuSeconds, "F1"),13} {Format(run.OtherCpuSeconds, "F1"),12} {Format(run.PeakRssMb, "F0"),12} " +
                            $"{Format(run.RerunSeconds, "F2"),9} {Format(run.RerunRequests, "D"),12}" +
                            (run.Succeeded ? "" : "  FAILED") + (run.Note is null ? "" : "  " + run.Note));
                        var deleted = await admin.DeletePrefixAsync(bucket, prefix);
                        if (run.Succeeded && deleted != files.Count + 1)
                        {
                            Console.WriteLine($"    WARNING: {deleted} objects found under {prefix}, expected {files.Count + 1} (files + manifest)");
                        }
                    }
                }
            }

            PrintSummary(files);
            if (options.CsvPath is { } csv)
            {
                WriteCsv(csv);
            }
            Console.WriteLine($"\nTotal bench time {total.Elapsed.TotalMinutes:F1} min.");
            return _results.All(r => r.Succeeded) ? 0 : 1;
        }
        finally
        {
            if (bucketCreated)
            {
                try
                {
                    await admin.DeleteBucketAsync(bucket);
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"warning: could not delete bucket {bucket}: {e.Message}");
                }
            }
            if (Directory.Exists(treeRoot))
            {
                Directory.Delete(treeRoot, recursive: true);
            }
            foreach (var (pid, name) in ProcessStats.ServerProcesses(options.Endpoint))
            {
                Console.WriteLine($"  {name} (pid {pid}) RSS now {Format(ProcessStats.RssMb(pid), "F0")} MB");
            }
        }
    }

    private async Task<RunResult> RunOnceAsync(
        ProxyProcess proxy, string bucket, string prefix, IReadOnlyList<AssetSource> sources, IReadOnlyList<GeneratedFile> files,
        int concurrency, int rtt, int rep)
    {
        var log = new BenchLog(options.Verbose);

        var waited = await WaitForQuietMachineAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ProcessStats.TryResetPeakRss();
        await proxy.ResetAsync();
        var before = await proxy.StatsAsync();
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        var server0 = ProcessStats.ServerCpuSeconds(options.Endpoint);
        var busy0 = ProcessStats.MachineBusySeconds();
        using var threads = new ThreadPoolSampler();

        var clock = Stopwatch.StartNew();
        PublishResult result;
        await using (var store = CreateStore(proxy.Url, bucket, prefix, concurrency))
        {
            result = await StaticAssetPublisher.PublishAsync(sources, store, new PublishOptions { MaxConcurrency = concurrency }, log, CancellationToken.None);
        }
        var wall = clock.Elapsed.TotalSeconds;

        self.Refresh();
        var cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        var allocMb = (GC.GetTotalAllocatedBytes(precise: false) - alloc0) / 1048576.0;
        var peakRss = ProcessStats.PeakRssMb();
        var server = ProcessStats.ServerCpuSeconds(options.Endpoint) - server0;
        var after = await proxy.StatsAsync();
        var proxyCpu = after.CpuSeconds - before.CpuSeconds;
        // Everything else the machine did meanwhile (other builds and tests share these CPUs): a noise indicator.
        var other = ProcessStats.MachineBusySeconds() - busy0 - cpu - proxyCpu - (server ?? 0);
        var peakThreads = threads.PeakThreads;

        double? rerunSeconds = null;
        int? rerunRequests = null;
        string? note = null;
        if (options.Rerun && result.Succeeded)
        {
            // A new client (as a new CI run would have): reads the manifest, finds nothing to do, writes nothing.
            await proxy.ResetAsync();
            var rerunLog = new BenchLog(options.Verbose);
            var rerunClock = Stopwatch.StartNew();
            await using (var store = CreateStore(proxy.Url, bucket, prefix, concurrency))
            {
                var rerun = await StaticAssetPublisher.PublishAsync(sources, store, new PublishOptions { MaxConcurrency = concurrency }, rerunLog, CancellationToken.None);
                if (!rerun.Succeeded || rerun.Written is not { Count: 0 })
                {
                    note = $"re-run wrote {rerun.Written?.Count.ToString(CultureInfo.InvariantCulture) ?? "?"} objects (expected 0)";
                }
            }
            rerunSeconds = rerunClock.Elapsed.TotalSeconds;
            rerunRequests = (await proxy.StatsAsync()).Proxy.Requests;
        }
        if (waited > 0)
        {
            note = $"waited {waited} s for other load to pass";
        }
        if (!result.Succeeded)
        {
            note = log.FirstError;
        }
        else if (result.Written?.Count != files.Count)
        {
            note = $"wrote {result.Written?.Count} objects, expected {files.Count}";
        }

        return new RunResult(
            rep, rtt, concurrency, files.Count, files.Sum(f => f.Size), result.Succeeded, wall,
            after.Proxy.Requests, after.Proxy.Connections, after.Proxy.PeakOpenConnections, after.Proxy.ExpectContinueRequests,
            after.Proxy.BytesUp, cpu, allocMb, peakRss, server, proxyCpu, other, peakThreads,
            string.Join(" ", after.Proxy.Statuses.Select(s => $"{s.Key}x{s.Value}")),
            rerunSeconds, rerunRequests, note);
    }

    /// <summary>Publishes <see cref="BenchOptions.WarmupFiles"/> files in passes over the tree, unmeasured except for the
    /// first pass, which is what a fresh process (a real <c>dotnet publish</c>) pays: JIT and SDK start-up.</summary>
    private async Task WarmUpAsync(ProxyProcess proxy, BucketAdmin admin, string bucket, IReadOnlyList<AssetSource> sources)
    {
        var self = Process.GetCurrentProcess();
        for (int pass = 1, left = options.WarmupFiles; left > 0; pass++, left -= sources.Count)
        {
            var batch = sources.Take(left).ToArray();
            var prefix = $"warmup{pass}/";
            await proxy.ResetAsync();
            var cpu0 = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await using (var store = CreateStore(proxy.Url, bucket, prefix, 32))
            {
                var result = await StaticAssetPublisher.PublishAsync(batch, store, new PublishOptions { MaxConcurrency = 32 }, new BenchLog(options.Verbose), CancellationToken.None);
                self.Refresh();
                Console.WriteLine($"Warm-up pass {pass} (RTT 0, concurrency 32, not measured): {batch.Length} files " +
                                  $"{(result.Succeeded ? "published" : "FAILED")} in {clock.Elapsed.TotalSeconds:F2} s, " +
                                  $"{(self.TotalProcessorTime - cpu0).TotalSeconds:F2} s CPU{(pass == 1 ? " (cold process: JIT, SDK start-up)" : "")}");
            }
            await admin.DeletePrefixAsync(bucket, prefix);
        }
    }

    /// <summary>Lets the JIT's background tier-up finish (it otherwise lands, as CPU time, in the first runs).</summary>
    private static async Task SettleAsync()
    {
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(3));
        self.Refresh();
        Console.WriteLine($"Settled 3 s after the warm-up: {(self.TotalProcessorTime - cpu0).TotalSeconds:F2} s CPU meanwhile (background JIT).");
    }

    /// <summary>Other processes (builds, test runs) share these CPUs: before a run, wait until the machine, not counting
    /// our S3 server, is nearly idle for a second (at most <see cref="BenchOptions.QuietWaitSeconds"/>). Returns seconds waited.</summary>
    private async Task<int> WaitForQuietMachineAsync()
    {
        if (options.QuietWaitSeconds <= 0)
        {
            return 0;
        }
        for (var waited = 0; ; waited++)
        {
            var busy0 = ProcessStats.MachineBusySeconds();
            var server0 = ProcessStats.ServerCpuSeconds(options.Endpoint) ?? 0;
            await Task.Delay(1000);
            var busy = ProcessStats.MachineBusySeconds() - busy0 - ((ProcessStats.ServerCpuSeconds(options.Endpoint) ?? 0) - server0);
            if (busy is null || busy < 0.3 || waited >= options.QuietWaitSeconds)
            {
                return waited;
            }
        }
    }

    /// <summary>The engine's S3 store: the same code path as the MSBuild task.</summary>
    private static IAssetStore CreateStore(Uri url, string bucket, string prefix, int concurrency) =>
        new S3AssetStore(new S3Destination(bucket, prefix),
            new S3Settings { ServiceUrl = url, ForcePathStyle = true, ChecksumMode = S3ChecksumMode.WhenRequired },
            concurrency);

    private async Task ProbeAsync(ProxyProcess proxy, string bucket, IReadOnlyList<GeneratedFile> files)
    {
        await proxy.ResetAsync();
        IReadOnlyList<string> lines;
        await using (var store = CreateStore(proxy.Url, bucket, "probe/", 4))
        {
            lines = await SdkProbe.RunAsync(store, files);
        }
        // The SDK's default checksums (what the engine uses on AWS unless told otherwise): how often the SDK reads
        // the body before sending shows here too.
        await using (var sdkDefault = new S3AssetStore(new S3Destination(bucket, "probe/"),
            new S3Settings { ServiceUrl = proxy.Url, ForcePathStyle = true, ChecksumMode = S3ChecksumMode.SdkDefault }, 4))
        {
            lines = [.. lines, .. (await SdkProbe.RunAsync(sdkDefault, files)).Select(l => l + "  [ChecksumMode=SdkDefault]")];
        }
        var stats = (await proxy.StatsAsync()).Proxy;
        Console.WriteLine($"SDK probe (the engine store's WriteAsync with a counting stream, through the proxy):");
        foreach (var line in lines)
        {
            Console.WriteLine("  " + line);
        }
        Console.WriteLine($"  on the wire: {stats.Requests} request(s) ({string.Join(", ", stats.Methods.Select(m => $"{m.Key} {m.Value}"))}), " +
                          $"{stats.ExpectContinueRequests} with Expect: 100-continue, {stats.ContinueResponses} '100 Continue' response(s), " +
                          $"{stats.BytesUp:N0} bytes sent, statuses {string.Join(" ", stats.Statuses.Select(s => $"{s.Key}x{s.Value}"))}");
        if (stats.SampleHeads.Count > 0)
        {
            Console.WriteLine("  first request head seen:");
            foreach (var line in stats.SampleHeads[0].Split('\n'))
            {
                Console.WriteLine("    " + line);
            }
        }
        if (stats.SampleHeads.Count > 3)
        {
            Console.WriteLine("  request 4 (ChecksumMode=SdkDefault), body-related headers:");
            foreach (var line in stats.SampleHeads[3].Split('\n').Where(l =>
                l.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
                || l.StartsWith("Expect", StringComparison.OrdinalIgnoreCase) || l.StartsWith("Transfer-", StringComparison.OrdinalIgnoreCase)))
            {
                Console.WriteLine("    " + line);
            }
        }
    }

    private static void DescribeTree(IReadOnlyList<GeneratedFile> files, TimeSpan elapsed)
    {
        var sizes = files.Select(f => f.Size).Order().ToArray();
        var byExtension = files.GroupBy(f => Path.GetExtension(f.Path)).OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key} {g.Count()}");
        var depth = files.Max(f => f.LogicalPath.Count(c => c == '/'));
        Console.WriteLine($"Tree: {files.Count:N0} files, {sizes.Sum() / 1048576.0:F1} MB, median {sizes[sizes.Length / 2] / 1024.0:F1} KB, " +
                          $"p90 {sizes[(int)(sizes.Length * 0.9)] / 1024.0:F0} KB, largest {sizes[^1] / 1048576.0:F1} MB; " +
                          $"{files.Count(f => f.Size >= 1024 * 1024)} file(s) >= 1 MB; folders up to {depth} deep; " +
                          $"{string.Join(", ", byExtension)}; generated in {elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Planning alone: with the SHA-256 given (as from the SDK's Integrity metadata) and with hashing.</summary>
    private async Task MeasurePlanningAsync(IReadOnlyList<GeneratedFile> files)
    {
        var log = new BenchLog(verbose: false);
        var given = TreeGenerator.ToSources(files, withIntegrity: true);
        var hashed = TreeGenerator.ToSources(files, withIntegrity: false);
        await AssetPlanner.PlanAsync(hashed, new PlanOptions(), log, CancellationToken.None); // warm the JIT and the page cache
        var clock = Stopwatch.StartNew();
        await AssetPlanner.PlanAsync(given, new PlanOptions(), log, CancellationToken.None);
        var givenSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        await AssetPlanner.PlanAsync(hashed, new PlanOptions(), log, CancellationToken.None);
        Console.WriteLine($"Planning alone: {givenSeconds:F2} s with the SHA-256 given, {clock.Elapsed.TotalSeconds:F2} s hashing every file " +
                          $"(page cache warm). Runs below {(options.WithIntegrity ? "give" : "do not give")} the SHA-256.");
    }

    private void PrintSummary(IReadOnlyList<GeneratedFile> files)
    {
        var bytes = files.Sum(f => f.Size);
        Console.WriteLine();
        Console.WriteLine($"Summary: {files.Count:N0} files, {bytes / 1048576.0:F1} MB, medians of {options.Repetitions} repetition(s); " +
                          "floor = files x RTT / concurrency; CPU and peak RSS are the bench process's (the engine, the AWS SDK, " +
                          "the .NET runtime and the generated file list; the proxy runs in its own process).");
        Console.WriteLine();
        Console.WriteLine("| concurrency | RTT ms | files | MB | median wall s (min-max) | MB/s | floor s | requests | TCP conns | CPU s (ms/file) | server CPU s | proxy CPU s | other CPU s | alloc MB | peak RSS MB (process) | pool threads | re-run s | re-run requests |");
        Console.WriteLine("|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in _results.GroupBy(r => (r.RttMs, r.Concurrency)).OrderBy(g => g.Key.RttMs).ThenBy(g => g.Key.Concurrency))
        {
            var runs = group.ToArray();
            var (rtt, concurrency) = group.Key;
            var wall = Median(runs.Select(r => r.WallSeconds));
            var cpu = Median(runs.Select(r => r.CpuSeconds));
            var floor = files.Count * rtt / 1000.0 / concurrency;
            var rerun = runs.Where(r => r.RerunSeconds is not null).Select(r => r.RerunSeconds!.Value).ToArray();
            var rerunRequests = runs.Where(r => r.RerunRequests is not null).Select(r => (double)r.RerunRequests!.Value).ToArray();
            var server = runs.Where(r => r.ServerCpuSeconds is not null).Select(r => r.ServerCpuSeconds!.Value).ToArray();
            var rss = runs.Where(r => r.PeakRssMb is not null).Select(r => r.PeakRssMb!.Value).ToArray();
            Console.WriteLine(
                $"| {concurrency} | {rtt} | {files.Count} | {bytes / 1048576.0:F0} | {wall:F2} ({runs.Min(r => r.WallSeconds):F2}-{runs.Max(r => r.WallSeconds):F2})" +
                (runs.All(r => r.Succeeded) ? "" : " FAILED") +
                $" | {bytes / 1048576.0 / wall:F0} | {floor:F2} | {Median(runs.Select(r => (double)r.Requests)):F0} | {Median(runs.Select(r => (double)r.Connections)):F0} " +
                $"| {cpu:F2} ({cpu * 1000 / files.Count:F2}) | {(server.Length > 0 ? Median(server).ToString("F1") : "n/a")} " +
                $"| {Median(runs.Select(r => r.ProxyCpuSeconds)):F1} | {Median(runs.Select(r => r.OtherCpuSeconds ?? double.NaN)):F1} | {Median(runs.Select(r => r.AllocMb)):F0} " +
                $"| {(rss.Length > 0 ? rss.Max().ToString("F0") : "n/a")} | {runs.Max(r => r.PeakThreads)} " +
                $"| {(rerun.Length > 0 ? Median(rerun).ToString("F2") : "-")} | {(rerunRequests.Length > 0 ? Median(rerunRequests).ToString("F0") : "-")} |");
        }
        var statuses = _results.Select(r => r.Statuses).Distinct().ToArray();
        Console.WriteLine();
        Console.WriteLine($"HTTP statuses seen per run: {string.Join(" | ", statuses)}; " +
                          $"Expect: 100-continue requests per run: {string.Join(", ", _results.Select(r => r.ExpectContinue).Distinct())}; " +
                          $"bytes sent per run / tree bytes: {string.Join(", ", _results.Select(r => ((double)r.BytesUp / bytes).ToString("F3")).Distinct())}");
    }

    private void WriteCsv(string path)
    {
        var csv = new StringBuilder("rep,rtt_ms,concurrency,files,bytes,succeeded,wall_s,requests,connections,peak_open_connections,expect_continue," +
                                    "bytes_up,cpu_s,alloc_mb,peak_rss_mb,server_cpu_s,proxy_cpu_s,other_cpu_s,peak_pool_threads,rerun_s,rerun_requests\n");
        foreach (var r in _results)
        {
            csv.AppendLine(string.Join(",",
                r.Repetition, r.RttMs, r.Concurrency, r.Files, r.Bytes, r.Succeeded, r.WallSeconds.ToString("F3"), r.Requests, r.Connections,
                r.PeakOpenConnections, r.ExpectContinue, r.BytesUp, r.CpuSeconds.ToString("F3"), r.AllocMb.ToString("F1"),
                Format(r.PeakRssMb, "F1"), Format(r.ServerCpuSeconds, "F2"), r.ProxyCpuSeconds.ToString("F2"), Format(r.OtherCpuSeconds, "F2"), r.PeakThreads,
                Format(r.RerunSeconds, "F3"), Format(r.RerunRequests, "D")));
        }
        File.WriteAllText(path, csv.ToString());
        Console.WriteLine($"Wrote {path}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Format(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "n/a";

    private static string Format(int? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "n/a";
}

internal sealed record RunResult(
    int Repetition, int RttMs, int Concurrency, int Files, long Bytes, bool Succeeded, double WallSeconds,
    int Requests, int Connections, int PeakOpenConnections, int ExpectContinue, long BytesUp,
    double CpuSeconds, double AllocMb, double? PeakRssMb, double? ServerCpuSeconds, double ProxyCpuSeconds, double? OtherCpuSeconds, int PeakThreads,
    string Statuses, double? RerunSeconds, int? RerunRequests, string? Note);

/// <summary>Prints warnings and errors as they come; keeps the first error for the run's note.</summary>
internal sealed class BenchLog(bool verbose) : IPublishLog
{
    private string? _firstError;

    public string? FirstError => Volatile.Read(ref _firstError);

    public void Report(Diagnostic diagnostic)
    {
        if (diagnostic.Severity == DiagnosticSeverity.Error)
        {
            Interlocked.CompareExchange(ref _firstError, diagnostic.Code, null);
        }
        Console.Error.WriteLine("    " + diagnostic);
    }

    public void Message(LogImportance importance, string message)
    {
        if (verbose && importance != LogImportance.Low)
        {
            Console.Error.WriteLine("    " + message);
        }
    }
}

/// <summary>Samples the thread pool's size while a run goes (blocking in the client shows up as growth).</summary>
internal sealed class ThreadPoolSampler : IDisposable
{
    private readonly Timer _timer;
    private int _peak = ThreadPool.ThreadCount;

    public ThreadPoolSampler() => _timer = new Timer(_ => Sample(), null, 0, 50);

    public int PeakThreads
    {
        get
        {
            Sample();
            return Volatile.Read(ref _peak);
        }
    }

    private void Sample()
    {
        var now = ThreadPool.ThreadCount;
        for (var peak = Volatile.Read(ref _peak); now > peak; peak = Volatile.Read(ref _peak))
        {
            if (Interlocked.CompareExchange(ref _peak, now, peak) == peak)
            {
                break;
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
