using System.Diagnostics;
using System.Globalization;
using System.Text;
using StaticAssets.Bench;
using static StaticAssets.Bench.Report;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Publishing;
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

if (args.Length > 0 && args[0] == "publish")
{
    // Child mode: one publish through the engine in a fresh process (the "ours-process" tool).
    return await ChildPublish.RunAsync(args);
}

if (args.Length > 0 && args[0] == "rollback")
{
    // Child mode: one rollback through the engine in a fresh process (GenerationsBench's RESULT-ROLLBACK-PROCESS).
    return await ChildRollback.RunAsync(args);
}

if (args.Length > 0 && args[0] == "generations")
{
    // Rollback and prune on Ceph RGW through the delay proxy (GenerationsBench).
    return await GenerationsBench.RunAsync(args);
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
if (options.Mode == BenchMode.Publish)
{
    using var publishBench = new PublishBench(options);
    return await publishBench.RunAsync();
}
if (options.Mode == BenchMode.Soak)
{
    return await new StaticAssets.Bench.Soak.SoakBench(options).RunAsync();
}
return await new Bench(options).RunAsync();

/// <summary>One generated tree and what the tools need of it.</summary>
internal sealed record BenchTree(string Label, string Root, IReadOnlyList<GeneratedFile> Files, IReadOnlyList<AssetSource> Sources, string? SourceList)
{
    public long Bytes { get; } = Files.Sum(f => f.Size);

    /// <summary>What our publish stores for this tree with the package's defaults (compressed and un-fingerprinted
    /// copies included), besides the manifest and the pending journal: the plan's objects.</summary>
    public (int Count, long Bytes) OursObjects { get; init; }
}

/// <summary>A tool at a concurrency.</summary>
internal sealed record ToolEntry(string Tool, int Concurrency)
{
    public string Label => StaticAssets.Bench.Tool.Label(Tool, Concurrency);
}

internal sealed class Bench(BenchOptions options)
{
    private readonly List<RunResult> _results = [];
    private string? _summaryLine;

    public async Task<int> RunAsync()
    {
        var total = Stopwatch.StartNew();
        Console.WriteLine($"StaticAssets.Bench ({options.Mode}{(options.Quick ? ", quick" : "")}): {Machine.Describe()}, endpoint {options.Endpoint}");

        using var tools = new ExternalTools(options);
        try
        {
            foreach (var version in await tools.PrepareAsync(options.Tools))
            {
                Console.WriteLine($"Peer: {version}");
            }
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        if (!ExternalTools.HasGnuTime)
        {
            Console.WriteLine("warning: /usr/bin/time (GNU time) is missing: peak RSS and CPU of the CLIs will show as n/a (apt-get install time).");
        }

        var bucket = $"sa-bench-{Guid.NewGuid():N}"[..24];
        using var admin = new BucketAdmin(options.Endpoint);
        var trees = new List<BenchTree>();
        var bucketCreated = false;
        var code = 1;
        try
        {
            // 1. The tree(s).
            trees.Add(MakeTree(tools, $"{options.Files:N0} files", options.Files, options.SizeMb, options.BigFileMb, "a"));
            if (options.Mode == BenchMode.Scaling)
            {
                trees.Add(MakeTree(tools, $"{options.Files * options.ScaleFactor:N0} files", options.Files * options.ScaleFactor,
                    options.SizeMb * options.ScaleFactor, options.BigFileMb, "b"));
            }
            await MeasurePlanningAsync(trees[0].Files);

            await admin.CreateBucketAsync(bucket);
            bucketCreated = true;
            Console.WriteLine($"Bucket {bucket} (deleted at the end); each run writes a fresh prefix, deleted right after it.");

            // 2. Warm-up (JIT, SDK initialisation, the CLIs' files in the page cache) and the SDK probe, through an RTT 0 proxy.
            await using (var proxy = await ProxyProcess.StartAsync(options.Endpoint, 0))
            {
                await WarmUpAsync(proxy, admin, bucket, trees[0], tools);
                await SettleAsync();
                if (options.Probe)
                {
                    await ProbeAsync(proxy, bucket, trees[0].Files.Where(f => f.Size < SmallFileLimit).ToArray());
                    await admin.DeletePrefixAsync(bucket, "probe/");
                }
            }

            // 3. The runs: repetitions outermost (interleaved), then trees, RTTs, and the tools in an order rotated per repetition.
            var entries = options.Tools.SelectMany(tool => tool switch
            {
                Tool.Ours or Tool.OursProcess => options.Concurrency.Select(c => new ToolEntry(tool, c)),
                Tool.Aws => [new ToolEntry(tool, Tool.AwsDefaultConcurrency)],
                _ => [new ToolEntry(tool, 64)],
            }).ToArray();
            Console.WriteLine();
            Console.WriteLine("rep tree           RTT tool                  conc   wall s  requests (by method)             conns  client CPU s  server CPU s  other CPU s  peak RSS MB  re-run s  re-run requests");
            var runIndex = 0;
            for (var rep = 1; rep <= options.Repetitions; rep++)
            {
                foreach (var tree in trees)
                {
                    foreach (var rtt in options.RttMs)
                    {
                        await using var proxy = await ProxyProcess.StartAsync(options.Endpoint, rtt);
                        var shift = (rep - 1) % entries.Length;
                        foreach (var entry in entries.Skip(shift).Concat(entries.Take(shift)))
                        {
                            var prefix = $"run{++runIndex:D3}-{entry.Tool}-c{entry.Concurrency}-rtt{rtt}/";
                            var run = await RunOnceAsync(proxy, admin, bucket, prefix, tree, tools, entry, rtt, rep);
                            _results.Add(run);
                            Console.WriteLine(
                                $"{rep,3} {tree.Label,-13} {rtt,4} {entry.Tool,-20} {entry.Concurrency,5} {run.WallSeconds,8:F2}  {run.Requests,6} {Truncate(run.Methods, 24),-24} " +
                                $"{run.Connections,6} {Format(run.ClientCpuSeconds, "F2"),13} {Format(run.ServerCpuSeconds, "F1"),13} {Format(run.OtherCpuSeconds, "F1"),12} " +
                                $"{Format(run.PeakRssMb, "F0"),12} {Format(run.RerunSeconds, "F2"),9} {Format(run.RerunRequests, "D"),8} {Truncate(run.RerunMethods ?? "", 16)}" +
                                (run.Succeeded ? "" : "  FAILED") + (run.Note is null ? "" : "  " + run.Note));
                        }
                    }
                }
            }

            PrintSummary(trees, entries);
            if (options.CsvPath is { } csv)
            {
                WriteCsv(csv);
            }
            Console.WriteLine($"\nTotal bench time {total.Elapsed.TotalMinutes:F1} min.");
            code = _results.All(r => r.Succeeded) ? 0 : 1;
        }
        finally
        {
            if (bucketCreated)
            {
                await admin.RemoveBucketAsync(bucket);
            }
            foreach (var tree in trees)
            {
                if (Directory.Exists(tree.Root))
                {
                    Directory.Delete(tree.Root, recursive: true);
                }
            }
            foreach (var (pid, name) in ProcessStats.ServerProcesses(options.Endpoint))
            {
                Console.WriteLine($"  {name} (pid {pid}) RSS now {Format(ProcessStats.RssMb(pid), "F0")} MB");
            }
        }

        // The mode's one summary line (RESULT / MEMORY / SCALING) is the last line of the output.
        if (_summaryLine is not null)
        {
            Console.WriteLine();
            Console.WriteLine(_summaryLine);
        }
        return code;
    }

    private BenchTree MakeTree(ExternalTools tools, string label, int files, double sizeMb, long bigFileMb, string suffix)
    {
        var root = Path.Combine(Path.GetTempPath(), $"staticassets-bench-{Environment.ProcessId}-{suffix}");
        var clock = Stopwatch.StartNew();
        var generated = TreeGenerator.Generate(root, files, (long)(sizeMb * 1024 * 1024), options.Seed, bigFileMb * 1024 * 1024);
        DescribeTree(generated, clock.Elapsed);
        var sources = TreeGenerator.ToSources(generated, options.WithIntegrity);
        var list = options.Tools.Contains(Tool.OursProcess) ? tools.WriteSourceList(sources) : null;
        var plan = AssetPlanner.PlanAsync(sources, Stores.BucketPlan, new BenchLog(verbose: false), CancellationToken.None).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("the generated tree could not be planned");
        return new BenchTree(label, root, generated, sources, list) { OursObjects = (plan.Objects.Count, plan.TotalBytes) };
    }

    private async Task<RunResult> RunOnceAsync(
        ProxyProcess proxy, BucketAdmin admin, string bucket, string prefix, BenchTree tree, ExternalTools tools, ToolEntry entry, int rtt, int rep)
    {
        var inProcess = Tool.InProcess(entry.Tool);
        var waited = await Machine.WaitForQuietAsync(options.Endpoint, options.QuietWaitSeconds);
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

        var run = await ExecuteAsync(entry, tree, tools, proxy.Url, bucket, prefix);

        self.Refresh();
        var benchCpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        var allocMb = (GC.GetTotalAllocatedBytes(precise: false) - alloc0) / 1048576.0;
        var benchRss = ProcessStats.PeakRssMb();
        var server = ProcessStats.ServerCpuSeconds(options.Endpoint) - server0;
        var after = await proxy.StatsAsync();
        var proxyCpu = after.CpuSeconds - before.CpuSeconds;
        var clientCpu = inProcess ? benchCpu : run.CpuSeconds;
        // Everything else the machine did meanwhile (other builds and tests share these CPUs): a noise indicator.
        var other = ProcessStats.MachineBusySeconds() - busy0 - benchCpu - proxyCpu - (server ?? 0) - (inProcess ? 0 : run.CpuSeconds ?? 0);
        var peakThreads = threads.PeakThreads;
        var notes = new List<string>();
        if (run.Note is not null)
        {
            notes.Add(run.Note);
        }
        if (run.Output?.Split('\n').FirstOrDefault(l => l.StartsWith("timings ", StringComparison.Ordinal)) is { } timings)
        {
            notes.Add(timings.Trim());
        }

        double? rerunSeconds = null, rerunServer = null, rerunCpu = null;
        int? rerunRequests = null;
        string? rerunMethods = null;
        if (options.Rerun && run.Succeeded)
        {
            // A new client (as a new CI run would have): it must find nothing to do and write nothing.
            await proxy.ResetAsync();
            var rerunServer0 = ProcessStats.ServerCpuSeconds(options.Endpoint);
            var rerunCpu0 = self.TotalProcessorTime;
            var rerun = await ExecuteAsync(entry, tree, tools, proxy.Url, bucket, prefix);
            self.Refresh();
            rerunSeconds = rerun.WallSeconds;
            rerunCpu = inProcess ? (self.TotalProcessorTime - rerunCpu0).TotalSeconds : rerun.CpuSeconds;
            rerunServer = ProcessStats.ServerCpuSeconds(options.Endpoint) - rerunServer0;
            var stats = (await proxy.StatsAsync()).Proxy;
            rerunRequests = stats.Requests;
            rerunMethods = Methods(stats);
            if (!rerun.Succeeded)
            {
                notes.Add("re-run failed: " + rerun.Note);
            }
            if (stats.Methods.TryGetValue("PUT", out var puts) && puts > 0)
            {
                notes.Add($"re-run sent {puts} PUT(s) (expected none)");
            }
        }

        // Check what landed, then free Ceph's memory at once.
        // Ours: the plan's objects, the manifest, its history entry and the pending journal (it lists the un-fingerprinted copies).
        var (expected, expectedBytes) = Tool.IsOurs(entry.Tool) ? (tree.OursObjects.Count + 3, tree.OursObjects.Bytes) : (tree.Files.Count, tree.Bytes);
        var (stored, storedBytes) = await admin.DeletePrefixAsync(bucket, prefix);
        if (run.Succeeded && (stored != expected || storedBytes < expectedBytes || (!Tool.IsOurs(entry.Tool) && storedBytes != expectedBytes)))
        {
            notes.Add($"WARNING: {stored} objects / {storedBytes:N0} bytes under {prefix}, expected {expected} / {expectedBytes:N0}{(Tool.IsOurs(entry.Tool) ? " + manifest, history entry and journal" : "")}");
        }
        if (!run.Succeeded)
        {
            await admin.AbortUploadsAsync(bucket, prefix);
        }
        if (storedBytes > 256L * 1024 * 1024 || !run.Succeeded)
        {
            // Free the deleted objects' tails in Ceph's memory now, not in RGW's next garbage-collection round.
            await BucketAdmin.CollectGarbageAsync(options.Endpoint);
        }
        if (waited > 0)
        {
            notes.Add($"waited {waited} s for other load to pass");
        }

        return new RunResult(
            rep, tree.Label, entry.Tool, entry.Label, rtt, entry.Concurrency, tree.Files.Count, tree.Bytes, run.Succeeded, run.WallSeconds,
            after.Proxy.Requests, Methods(after.Proxy), after.Proxy.Connections, after.Proxy.PeakOpenConnections, after.Proxy.ExpectContinueRequests,
            after.Proxy.BytesUp, clientCpu, inProcess ? allocMb : null, inProcess ? benchRss : run.PeakRssMb, server, proxyCpu, other,
            inProcess ? peakThreads : null, string.Join(" ", after.Proxy.Statuses.Select(s => $"{s.Key}x{s.Value}")),
            rerunSeconds, rerunRequests, rerunMethods, rerunCpu, rerunServer, notes.Count > 0 ? string.Join("; ", notes) : null);
    }

    /// <summary>One upload (or no-change re-run) by one tool into bucket/prefix through the proxy.</summary>
    private async Task<ToolRun> ExecuteAsync(ToolEntry entry, BenchTree tree, ExternalTools tools, Uri url, string bucket, string prefix)
    {
        switch (entry.Tool)
        {
            case Tool.Ours:
                var log = new BenchLog(options.Verbose);
                var clock = Stopwatch.StartNew();
                PublishResult result;
                var (ours, defaults) = Stores.Read(url, bucket, prefix, entry.Concurrency);
                await using (var store = ours)
                {
                    result = await StaticAssetPublisher.PublishAsync(tree.Sources, store, defaults, log, CancellationToken.None);
                }
                return new ToolRun(result.Succeeded, clock.Elapsed.TotalSeconds, null, null, result.Succeeded ? null : log.FirstError, null);
            case Tool.OursProcess:
                return await tools.OursProcessAsync(tree.SourceList!, url, bucket, prefix, entry.Concurrency);
            case Tool.Aws:
            case Tool.Aws64:
                return await tools.AwsSyncAsync(tree.Root, url, bucket, prefix, concurrency64: entry.Tool == Tool.Aws64);
            case Tool.Rclone64:
                return await tools.RcloneCopyAsync(tree.Root, url, bucket, prefix);
            default:
                throw new ArgumentException(entry.Tool);
        }
    }

    /// <summary>Publishes <see cref="BenchOptions.WarmupFiles"/> files through our engine in this process, in passes over the
    /// tree, unmeasured except for the first pass, which is what a fresh process pays: JIT and SDK start-up. Then runs
    /// each external tool once on a few files, so their programs are in the page cache.</summary>
    private async Task WarmUpAsync(ProxyProcess proxy, BucketAdmin admin, string bucket, BenchTree tree, ExternalTools tools)
    {
        var self = Process.GetCurrentProcess();
        // Small files only: a 1 GB file in every pass would only fill Ceph's memory (the JIT needs no more of it).
        var sources = tree.Sources.Where((_, i) => tree.Files[i].Size < SmallFileLimit).ToArray();
        for (int pass = 1, left = options.Tools.Any(Tool.InProcess) ? options.WarmupFiles : 0; left > 0; pass++, left -= sources.Length)
        {
            var batch = sources.Take(left).ToArray();
            var prefix = $"warmup{pass}/";
            await proxy.ResetAsync();
            var cpu0 = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var (warmup, defaults) = Stores.Read(proxy.Url, bucket, prefix, 32);
            await using (var store = warmup)
            {
                var result = await StaticAssetPublisher.PublishAsync(batch, store, defaults, new BenchLog(options.Verbose), CancellationToken.None);
                self.Refresh();
                Console.WriteLine($"Warm-up pass {pass} (RTT 0, concurrency 32, not measured): {batch.Length} files " +
                                  $"{(result.Succeeded ? "published" : "FAILED")} in {clock.Elapsed.TotalSeconds:F2} s, " +
                                  $"{(self.TotalProcessorTime - cpu0).TotalSeconds:F2} s CPU{(pass == 1 ? " (cold process: JIT, SDK start-up)" : "")}");
            }
            await admin.DeletePrefixAsync(bucket, prefix);
        }

        var external = options.Tools.Where(t => !Tool.InProcess(t)).ToArray();
        if (external.Length == 0)
        {
            return;
        }
        var small = Path.Combine(Path.GetTempPath(), $"staticassets-bench-{Environment.ProcessId}-warmup");
        var picked = tree.Files.Where(f => f.Size < 64 * 1024).Take(50).ToArray();
        foreach (var file in picked)
        {
            var target = Path.Combine(small, file.LogicalPath);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file.Path, target);
        }
        var warmSources = picked.Select(f => new AssetSource(Path.Combine(small, f.LogicalPath), f.LogicalPath, f.Integrity)).ToArray();
        var warmTree = new BenchTree("warm-up", small, picked, warmSources,
            external.Contains(Tool.OursProcess) ? tools.WriteSourceList(warmSources) : null);
        try
        {
            var lines = new List<string>();
            foreach (var tool in external)
            {
                var prefix = $"warmup-{tool}/";
                var run = await ExecuteAsync(new ToolEntry(tool, 64), warmTree, tools, proxy.Url, bucket, prefix);
                lines.Add($"{tool} {run.WallSeconds:F2} s{(run.Succeeded ? "" : " FAILED: " + run.Note)}");
                await admin.DeletePrefixAsync(bucket, prefix);
                await admin.AbortUploadsAsync(bucket, prefix);
            }
            Console.WriteLine($"Warm-up of the other tools ({picked.Length} small files each, RTT 0, not measured): {string.Join(", ", lines)}");
        }
        finally
        {
            Directory.Delete(small, recursive: true);
        }
    }

    /// <summary>Files at least this large are left out of the warm-up and the probe (their uploads are multipart, read once).</summary>
    private const long SmallFileLimit = 64L * 1024 * 1024;

    /// <summary>Lets the JIT's background tier-up finish (it otherwise lands, as CPU time, in the first runs).</summary>
    private static async Task SettleAsync()
    {
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(3));
        self.Refresh();
        Console.WriteLine($"Settled 3 s after the warm-up: {(self.TotalProcessorTime - cpu0).TotalSeconds:F2} s CPU meanwhile (background JIT).");
    }

    private async Task ProbeAsync(ProxyProcess proxy, string bucket, IReadOnlyList<GeneratedFile> files)
    {
        await proxy.ResetAsync();
        IReadOnlyList<string> lines;
        await using (var store = Stores.Create(proxy.Url, bucket, "probe/", 4))
        {
            lines = await SdkProbe.RunAsync(store, files);
        }
        // The SDK's default checksums (what the engine uses on AWS unless told otherwise): how often the SDK reads
        // the body before sending shows here too.
        await using (var sdkDefault = Stores.Create(proxy.Url, bucket, "probe/", 4, checksumMode: "SdkDefault"))
        {
            lines = [.. lines, .. (await SdkProbe.RunAsync(sdkDefault, files)).Select(l => l + "  [ChecksumMode=SdkDefault]")];
        }
        var stats = (await proxy.StatsAsync()).Proxy;
        Console.WriteLine($"SDK probe (the engine store's WriteAsync with a counting stream, through the proxy):");
        foreach (var line in lines)
        {
            Console.WriteLine("  " + line);
        }
        Console.WriteLine($"  on the wire: {stats.Requests} request(s) ({Methods(stats)}), " +
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
        await AssetPlanner.PlanAsync(given, new PlanOptions(), log, CancellationToken.None); // warm the JIT
        var clock = Stopwatch.StartNew();
        await AssetPlanner.PlanAsync(given, new PlanOptions(), log, CancellationToken.None);
        var givenSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        await AssetPlanner.PlanAsync(hashed, new PlanOptions(), log, CancellationToken.None);
        Console.WriteLine($"Planning alone: {givenSeconds:F2} s with the SHA-256 given, {clock.Elapsed.TotalSeconds:F2} s hashing every file " +
                          $"(page cache warm). Runs below {(options.WithIntegrity ? "give" : "do not give")} the SHA-256.");
    }

    private void PrintSummary(IReadOnlyList<BenchTree> trees, IReadOnlyList<ToolEntry> entries)
    {
        Console.WriteLine();
        Console.WriteLine($"Summary: medians of {options.Repetitions} repetition(s). floor = files x RTT / concurrency. " +
                          "requests = what the proxy saw. client CPU / peak RSS: the tool's process (GNU time) -- for 'ours (bench process)' " +
                          "the whole bench process, which hosts the engine (and the harness, the generated file list, the JIT); " +
                          "'ours (fresh process)' runs the engine alone in a new process per run, like the CLIs. server CPU: the Ceph daemons.");
        Console.WriteLine();
        Console.WriteLine("| tree | tool | concurrency | RTT ms | files | MB | median wall s (min-max) | floor s | requests | by method | TCP conns | client CPU s (ms/file) | server CPU s (ms/request) | proxy CPU s | other CPU s | peak RSS MB | re-run s | re-run requests | re-run client CPU s | re-run server CPU s |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---|---:|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in Groups())
        {
            var runs = group.ToArray();
            var first = runs[0];
            var wall = Median(runs.Select(r => r.WallSeconds));
            var cpu = MedianOf(runs.Select(r => r.ClientCpuSeconds));
            var server = MedianOf(runs.Select(r => r.ServerCpuSeconds));
            var requests = Median(runs.Select(r => (double)r.Requests));
            var rss = runs.Where(r => r.PeakRssMb is not null).Select(r => r.PeakRssMb!.Value).DefaultIfEmpty(double.NaN).Max();
            Console.WriteLine(
                $"| {first.Tree} | {first.ToolLabel} | {first.Concurrency} | {first.RttMs} | {first.Files} | {first.Bytes / 1048576.0:F0} " +
                $"| {wall:F2} ({runs.Min(r => r.WallSeconds):F2}-{runs.Max(r => r.WallSeconds):F2}){(runs.All(r => r.Succeeded) ? "" : " FAILED")} " +
                $"| {Floor(first):F2} | {requests:F0} | {runs[runs.Length / 2].Methods} | {Median(runs.Select(r => (double)r.Connections)):F0} " +
                $"| {Format(cpu, "F2")} ({Format(cpu * 1000 / first.Files, "F2")}) | {Format(server, "F1")} ({Format(server * 1000 / requests, "F2")}) " +
                $"| {Median(runs.Select(r => r.ProxyCpuSeconds)):F1} | {Format(MedianOf(runs.Select(r => r.OtherCpuSeconds)), "F1")} | {(double.IsNaN(rss) ? "n/a" : rss.ToString("F0"))} " +
                $"| {Format(MedianOf(runs.Select(r => r.RerunSeconds)), "F2")} | {Format(MedianOf(runs.Select(r => (double?)r.RerunRequests)), "F0")} " +
                $"| {Format(MedianOf(runs.Select(r => r.RerunClientCpuSeconds)), "F2")} " +
                $"| {Format(MedianOf(runs.Select(r => r.RerunServerCpuSeconds)), "F2")} |");
        }
        var statuses = _results.Select(r => $"{r.Tool}: {r.Statuses}").Distinct().ToArray();
        Console.WriteLine();
        Console.WriteLine($"HTTP statuses per run: {string.Join(" | ", statuses)}");
        Console.WriteLine($"Expect: 100-continue requests per run: {string.Join(", ", _results.GroupBy(r => r.Tool).Select(g => $"{g.Key} {string.Join("/", g.Select(r => r.ExpectContinue).Distinct())}"))}");
        foreach (var ours in _results.Where(r => Tool.InProcess(r.Tool)).GroupBy(r => (r.Tree, r.Tool)).Select(g => g.ToArray()))
        {
            Console.WriteLine($"{ours[0].ToolLabel}, {ours[0].Tree}: alloc {Median(ours.Select(r => r.AllocMb ?? double.NaN)):F0} MB managed per run " +
                              $"({Median(ours.Select(r => (r.AllocMb ?? double.NaN) * 1024 / r.Files)):F1} KB/file), " +
                              $"peak thread-pool threads {ours.Max(r => r.PeakThreads ?? 0)}");
        }
        var notes = _results.Where(r => r.Note is not null).Select(r => $"  {r.Tool} rep {r.Repetition} RTT {r.RttMs} {r.Tree}: {r.Note}").ToArray();
        if (notes.Length > 0)
        {
            Console.WriteLine("Notes:");
            foreach (var note in notes)
            {
                Console.WriteLine(note);
            }
        }

        switch (options.Mode)
        {
            case BenchMode.Compare:
                PrintComparison(trees[0]);
                break;
            case BenchMode.Memory:
                PrintMemory(trees[0]);
                break;
            case BenchMode.Scaling:
                PrintScaling(trees, entries);
                break;
        }
    }

    private IEnumerable<IGrouping<(string Tree, string Tool, int Concurrency, int RttMs), RunResult>> Groups() =>
        _results.GroupBy(r => (r.Tree, r.Tool, r.Concurrency, r.RttMs))
            .OrderBy(g => _results.FindIndex(r => r.Tree == g.Key.Tree)).ThenBy(g => g.Key.RttMs)
            .ThenBy(g => Array.IndexOf(BenchOptions.AllTools.ToArray(), g.Key.Tool)).ThenBy(g => g.Key.Concurrency);

    private static double Floor(RunResult r) => r.Files * r.RttMs / 1000.0 / r.Concurrency;

    /// <summary>Median wall time (or re-run time) of one tool at one RTT on one tree, or null if it did not run.</summary>
    private double? MedianWall(string tree, string tool, int rtt, int? concurrency = null, bool rerun = false)
    {
        var runs = _results.Where(r => r.Tree == tree && r.Tool == tool && r.RttMs == rtt && r.Succeeded
                                       && (concurrency is null || r.Concurrency == concurrency)).ToArray();
        return runs.Length == 0 ? null : rerun ? MedianOf(runs.Select(r => r.RerunSeconds)) : Median(runs.Select(r => r.WallSeconds));
    }

    private double? MedianRerunRequests(string tree, string tool, int rtt, int concurrency) =>
        MedianOf(_results.Where(r => r.Tree == tree && r.Tool == tool && r.RttMs == rtt && r.Concurrency == concurrency).Select(r => (double?)r.RerunRequests));

    /// <summary>Ratios ours ÷ each peer and ÷ the latency floor, the targets of the benchmark issue, and the RESULT line.</summary>
    private void PrintComparison(BenchTree tree)
    {
        var concurrency = options.Concurrency.Contains(64) ? 64 : options.Concurrency[0];
        // Every tool is measured as a fresh process from start to exit where that was run: the headline uses it.
        var headline = _results.Any(r => r.Tool == Tool.OursProcess) ? Tool.OursProcess : Tool.Ours;
        Console.WriteLine();
        Console.WriteLine($"Ratios at concurrency {concurrency} (medians; < 1 = ours faster). Headline 'ours' = {Tool.Label(headline, concurrency)}.");
        foreach (var rtt in options.RttMs)
        {
            var floor = tree.Files.Count * rtt / 1000.0 / concurrency;
            foreach (var ours in new[] { Tool.OursProcess, Tool.Ours })
            {
                if (MedianWall(tree.Label, ours, rtt, concurrency) is not { } t)
                {
                    continue;
                }
                var parts = new List<string> { $"{t:F2} s" };
                foreach (var (peer, name) in new[] { (Tool.Rclone64, "rclone64"), (Tool.Aws64, "aws64"), (Tool.Aws, "aws(10)") })
                {
                    if (MedianWall(tree.Label, peer, rtt) is { } p)
                    {
                        parts.Add($"÷ {name} {p:F2} s = {t / p:F2}");
                    }
                }
                if (rtt > 0)
                {
                    parts.Add($"÷ floor {floor:F2} s = {t / floor:F2}");
                }
                var rerun = MedianWall(tree.Label, ours, rtt, concurrency, rerun: true);
                var awsNoChange = MedianWall(tree.Label, Tool.Aws64, rtt, rerun: true);
                if (rerun is { } r)
                {
                    parts.Add($"no-change {r:F2} s / {Format(MedianRerunRequests(tree.Label, ours, rtt, concurrency), "F0")} request(s)" +
                              (awsNoChange is { } a ? $" ÷ aws64 no-change {a:F2} s = {r / a:F2}" : ""));
                }
                Console.WriteLine($"  RTT {rtt,3} ms, {Tool.Label(ours, concurrency)}: {string.Join(", ", parts)}");
            }
        }

        var resultRtt = options.RttMs.Contains(40) ? 40 : options.RttMs.Max();
        var oursSeconds = MedianWall(tree.Label, headline, resultRtt, concurrency);
        var rclone = MedianWall(tree.Label, Tool.Rclone64, resultRtt);
        var aws64 = MedianWall(tree.Label, Tool.Aws64, resultRtt);
        var floorSeconds = tree.Files.Count * resultRtt / 1000.0 / concurrency;
        var oursRerun = MedianWall(tree.Label, headline, resultRtt, concurrency, rerun: true);
        var oursRerunRequests = MedianRerunRequests(tree.Label, headline, resultRtt, concurrency);
        var awsRerun = MedianWall(tree.Label, Tool.Aws64, resultRtt, rerun: true);

        Console.WriteLine();
        Console.WriteLine($"Targets (benchmark issue), RTT {resultRtt} ms, {tree.Files.Count:N0} files, {Tool.Label(headline, concurrency)}:");
        Target("ours <= 0.7 x rclone copy --transfers 64", oursSeconds / rclone, 0.7);
        Target("ours <= 0.35 x aws s3 sync (64)", oursSeconds / aws64, 0.35);
        Target("ours <= 2 x latency floor", oursSeconds / floorSeconds, 2);
        Target("no-change re-publish <= 2 requests", oursRerunRequests, 2, "F0");
        Target("no-change re-publish <= 0.2 x aws s3 sync (64) no-change", oursRerun / awsRerun, 0.2);

        _summaryLine = $"RESULT rtt_ms={resultRtt} ours_s={Format(oursSeconds, "F2")} rclone64_s={Format(rclone, "F2")} aws64_s={Format(aws64, "F2")} " +
                       $"floor_s={floorSeconds:F2} ratio_rclone={Format(oursSeconds / rclone, "F2")} ratio_aws={Format(oursSeconds / aws64, "F2")} " +
                       $"ratio_floor={Format(oursSeconds / floorSeconds, "F2")}";
    }

    private void PrintMemory(BenchTree tree)
    {
        Console.WriteLine();
        var big = tree.Files.MaxBy(f => f.Size)!;
        Console.WriteLine($"Peak RSS with one {big.Size / 1048576.0:F0} MB file in the tree ({tree.Files.Count:N0} files, {tree.Bytes / 1048576.0:F0} MB):");
        var line = new StringBuilder($"MEMORY big_file_mb={big.Size / 1048576}");
        foreach (var group in _results.GroupBy(r => (r.Tool, r.Concurrency)))
        {
            var rss = group.Where(r => r.PeakRssMb is not null).Select(r => r.PeakRssMb!.Value).DefaultIfEmpty(double.NaN).Max();
            var wall = Median(group.Select(r => r.WallSeconds));
            Console.WriteLine($"  {group.First().ToolLabel,-22} c{group.Key.Concurrency,-3} peak RSS {rss,6:F0} MB, wall {wall:F2} s");
            line.Append($" {group.Key.Tool.Replace('-', '_')}_rss_mb={rss:F0}");
        }
        var ours = _results.Where(r => r.Tool == (_results.Any(x => x.Tool == Tool.OursProcess) ? Tool.OursProcess : Tool.Ours)).ToArray();
        if (ours.Length > 0)
        {
            Target($"peak RSS of our engine's process < 200 MB ({ours[0].ToolLabel})", ours.Max(r => r.PeakRssMb), 199.99, "F0");
        }
        _summaryLine = line.Append(" target_mb=200").ToString();
    }

    private void PrintScaling(IReadOnlyList<BenchTree> trees, IReadOnlyList<ToolEntry> entries)
    {
        Console.WriteLine();
        var (small, large) = (trees[0], trees[1]);
        var line = new StringBuilder($"SCALING files={small.Files.Count},{large.Files.Count}");
        foreach (var rtt in options.RttMs)
        {
            foreach (var entry in entries)
            {
                if (MedianWall(small.Label, entry.Tool, rtt, entry.Concurrency) is not { } a
                    || MedianWall(large.Label, entry.Tool, rtt, entry.Concurrency) is not { } b)
                {
                    continue;
                }
                Console.WriteLine($"  RTT {rtt} ms, {entry.Label} c{entry.Concurrency}: {small.Label} {a:F2} s, {large.Label} {b:F2} s: " +
                                  $"{b / a:F2}x for {(double)large.Files.Count / small.Files.Count:F0}x the files");
                if (Tool.IsOurs(entry.Tool))
                {
                    Target($"{large.Label} <= 11 x {small.Label} ({entry.Label}, RTT {rtt} ms)", b / a, 11);
                }
                line.Append($" {entry.Tool.Replace('-', '_')}_rtt{rtt}_s={a:F2},{b:F2} {entry.Tool.Replace('-', '_')}_rtt{rtt}_ratio={b / a:F2}");
            }
        }
        _summaryLine = line.Append(" target_ratio=11").ToString();
    }

    private void WriteCsv(string path)
    {
        var csv = new StringBuilder("rep,tree,tool,rtt_ms,concurrency,files,bytes,succeeded,wall_s,requests,methods,connections,peak_open_connections,expect_continue," +
                                    "bytes_up,client_cpu_s,alloc_mb,peak_rss_mb,server_cpu_s,proxy_cpu_s,other_cpu_s,peak_pool_threads,rerun_s,rerun_requests," +
                                    "rerun_methods,rerun_client_cpu_s,rerun_server_cpu_s,note\n");
        foreach (var r in _results)
        {
            csv.AppendLine(string.Join(",",
                r.Repetition, Quote(r.Tree), r.Tool, r.RttMs, r.Concurrency, r.Files, r.Bytes, r.Succeeded, r.WallSeconds.ToString("F3"), r.Requests,
                Quote(r.Methods), r.Connections, r.PeakOpenConnections, r.ExpectContinue, r.BytesUp, Format(r.ClientCpuSeconds, "F3"),
                Format(r.AllocMb, "F1"), Format(r.PeakRssMb, "F1"), Format(r.ServerCpuSeconds, "F2"), r.ProxyCpuSeconds.ToString("F2"),
                Format(r.OtherCpuSeconds, "F2"), Format(r.PeakThreads, "D"), Format(r.RerunSeconds, "F3"), Format(r.RerunRequests, "D"),
                Quote(r.RerunMethods ?? ""), Format(r.RerunClientCpuSeconds, "F3"), Format(r.RerunServerCpuSeconds, "F2"), Quote(r.Note ?? "")));
        }
        File.WriteAllText(path, csv.ToString());
        Console.WriteLine($"Wrote {path}");

        static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
    }

}

internal sealed record RunResult(
    int Repetition, string Tree, string Tool, string ToolLabel, int RttMs, int Concurrency, int Files, long Bytes, bool Succeeded, double WallSeconds,
    int Requests, string Methods, int Connections, int PeakOpenConnections, int ExpectContinue, long BytesUp,
    double? ClientCpuSeconds, double? AllocMb, double? PeakRssMb, double? ServerCpuSeconds, double ProxyCpuSeconds, double? OtherCpuSeconds, int? PeakThreads,
    string Statuses, double? RerunSeconds, int? RerunRequests, string? RerunMethods, double? RerunClientCpuSeconds, double? RerunServerCpuSeconds,
    string? Note);

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
        if (Logs(importance))
        {
            Console.Error.WriteLine("    " + message);
        }
    }

    public bool Logs(LogImportance importance) => verbose && importance != LogImportance.Low;
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
