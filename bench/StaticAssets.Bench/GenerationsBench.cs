using System.Diagnostics;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Generations;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Publishing;
using StaticAssets.Testing;

namespace StaticAssets.Bench;

/// <summary>
/// `bench/run.sh generations [--rtt 40] [--files 3000] [--change-every 10] [--stale 30000] [--concurrency N] [--rollbacks 6] [--process-rollbacks 4] [--msbuild-rollbacks 4] [--package PATH.nupkg] [--hold FILE]`: what rollback and prune
/// cost on Ceph RGW through the delay proxy. Rollback: a 3,000-file tree (150 MB, the package's defaults for S3:
/// compressed copies, un-fingerprinted copies) published twice (every 10th file changed the second time), then rolled
/// back to the first (the copies whose bytes differ are restored); then `--rollbacks` more, to the second and the first
/// in turn (each the same work), for the median and the CPU time each process spent per rollback; then
/// `--process-rollbacks` more, each in a fresh process of this program (the engine and the SDK start cold); then
/// `--msbuild-rollbacks` more as users run them, `dotnet msbuild -t:RollbackStaticAssets` with the package packed from
/// this repository (its task loaded in MSBuild, as a CI job does). Prune: a generation of
/// `--stale` tiny files replaced by another, then pruned keeping 1 with no minimum age (its prefix listed page after page
/// and as the prune lists it, side by side, first). Listing: the rollback's prefix listed plainly and in key ranges, side
/// by side; the history listing's requests and bytes. Publishes go to the server
/// directly; only the measured operation goes through the proxy, whose counters give its requests. Without
/// `--concurrency`, each operation runs at the package's default for it (a rollback's on S3: 128; a prune's: 64).
/// </summary>
internal static class GenerationsBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => Array.IndexOf(args, name) is var at and >= 0 ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
        var rtt = Arg("--rtt", 40);
        var files = Arg("--files", 3000);
        var stale = Arg("--stale", 30000);
        // Every how-many-th file the second version changes (1: all of them).
        var every = Arg("--change-every", 10);
        // The rollback's and the prune's concurrency: the package's defaults unless given (on S3 a rollback's 128, the rest 64).
        int? concurrency = Array.IndexOf(args, "--concurrency") >= 0 ? Arg("--concurrency", 0) : null;
        var rollbacks = Arg("--rollbacks", 6);
        var processRollbacks = Arg("--process-rollbacks", 4);
        var msbuildRollbacks = Arg("--msbuild-rollbacks", 4);
        // The package those use: this repository's, packed, unless a .nupkg is given.
        var package = Array.IndexOf(args, "--package") is var packageAt and >= 0 ? args[packageAt + 1] : null;
        var endpoint = new Uri(Environment.GetEnvironmentVariable("STATICASSETS_S3_ENDPOINT") ?? "http://127.0.0.1:7480");
        var bucket = $"sa-bench-gen-{Guid.NewGuid():N}"[..30];
        using var admin = new BucketAdmin(endpoint);
        await admin.CreateBucketAsync(bucket);
        var root = Directory.CreateTempSubdirectory("staticassets-bench-gen-").FullName;
        try
        {
            await using var proxy = await ProxyProcess.StartAsync(endpoint, rtt);

            // Rollback.
            var v1 = Path.Combine(root, "v1");
            var tree = TreeGenerator.Generate(v1, files, files * 50_000L, seed: 11);
            var v2 = Path.Combine(root, "v2");
            var changed = TreeGenerator.Generate(v2, files, files * 50_000L, seed: 12)
                .Select((f, i) => i % every == 0 ? f with { LogicalPath = tree[i].LogicalPath } : tree[i]).ToArray();
            var log = new BenchLog(verbose: false);
            await using (var direct = Stores.Create(endpoint, bucket, "site/", 64))
            {
                foreach (var version in new[] { tree, changed })
                {
                    var published = await StaticAssetPublisher.PublishAsync(TreeGenerator.ToSources(version, withIntegrity: false), direct,
                        new PublishOptions
                        {
                            // The package's defaults for S3 (no compressed copies of the un-fingerprinted copies).
                            Plan = new PlanOptions { CompressOriginals = false },
                            Source = new Engine.Manifest.GenerationSource("Bench", null, Environment.MachineName),
                        }, log, CancellationToken.None);
                    if (!published.Succeeded)
                    {
                        throw new InvalidOperationException("publish failed: " + log.FirstError);
                    }
                    await Task.Delay(5);
                }
            }
            await proxy.ResetAsync();
            RollbackResult rollback;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await using (var store = Stores.CreateForRollback(proxy.Url, bucket, "site/", concurrency))
            {
                rollback = await GenerationRollback.RollbackAsync(store, new RollbackOptions { Source = new Engine.Manifest.GenerationSource("Bench") }, new BenchLog(verbose: true), CancellationToken.None);
            }
            var rollbackSeconds = clock.Elapsed.TotalSeconds;
            var rollbackCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var rollbackStats = (await proxy.StatsAsync()).Proxy;
            Console.WriteLine($"RESULT-ROLLBACK files={files} changed=1/{every} rtt={rtt}ms succeeded={rollback.Succeeded} wall={rollbackSeconds:F2}s cpu={rollbackCpu:F2}s requests={rollbackStats.Requests} " +
                $"({string.Join(", ", rollbackStats.Methods.OrderBy(m => m.Key).Select(m => $"{m.Key} {m.Value}"))}) verified={rollback.Verified} copies={rollback.Copied} " +
                $"bytesUp={rollbackStats.BytesUp} {log.FirstError}");

            // The history listing after the rollback (three entries, each carrying a manifest of the whole tree).
            await proxy.ResetAsync();
            clock.Restart();
            GenerationList? history;
            await using (var store = Stores.Create(proxy.Url, bucket, "site/", concurrency))
            {
                history = await GenerationListing.ListAsync(store, Engine.Manifest.AssetManifest.DefaultName, new BenchLog(verbose: false), CancellationToken.None);
            }
            var historySeconds = clock.Elapsed.TotalSeconds;
            var historyStats = (await proxy.StatsAsync()).Proxy;
            Console.WriteLine($"RESULT-HISTORY entries={history?.NewestFirst.Count ?? -1} rtt={rtt}ms wall={historySeconds:F2}s requests={historyStats.Requests} bytesDown={historyStats.BytesDown}");

            // The same prefix listed plainly (pages one after another) and in key ranges split as rollback and prune
            // split it (the current manifest's and the journal's keys), interleaved, 3 rounds each, the median reported.
            var plainTimes = new List<double>();
            var rangedTimes = new List<double>();
            int listed;
            await using (var store = Stores.Create(proxy.Url, bucket, "site/", concurrency))
            {
                var known = (await DestinationHistory.ReadAsync(store, Engine.Manifest.AssetManifest.DefaultName, CancellationToken.None)).ListingSplitKeys.ToArray();
                listed = (await Engine.Storage.AssetStoreExtensions.ListAllAsync(store, "", CancellationToken.None)).Count;
                for (var round = 0; round < 3; round++)
                {
                    clock.Restart();
                    await Engine.Storage.AssetStoreExtensions.ListAllAsync(store, "", CancellationToken.None);
                    plainTimes.Add(clock.Elapsed.TotalSeconds);
                    clock.Restart();
                    await Engine.Storage.KeyRangeListing.ListAllAsync(store, "", known, CancellationToken.None);
                    rangedTimes.Add(clock.Elapsed.TotalSeconds);
                }
            }
            Console.WriteLine($"RESULT-LISTING keys={listed} rtt={rtt}ms plain_s={Report.Median(plainTimes):F3} ranged_s={Report.Median(rangedTimes):F3} " +
                $"ratio={Report.Median(rangedTimes) / Report.Median(plainTimes):F2}");

            // --hold FILE: keep the bucket and the proxy up until FILE exists, for `StaticAssets.Bench rollback`
            // processes of other builds to be compared against the same bucket, interleaved (bench/README.md).
            if (Array.IndexOf(args, "--hold") is var holdAt and >= 0 && rollback.Succeeded)
            {
                Console.WriteLine($"HOLD proxy={proxy.Url} bucket={bucket} first={rollback.Target!.Hash} second={await SecondGenerationAsync(proxy, bucket, concurrency)}");
                while (!File.Exists(args[holdAt + 1]))
                {
                    await Task.Delay(500);
                }
            }

            // Then the same rollback again and again (after the history and the listing above, which it would grow).
            if (rollbacks > 0 && rollback.Succeeded)
            {
                await RepeatRollbacksAsync(proxy, bucket, rollbacks, concurrency, rtt, rollback.Target!.Hash);
            }
            if (processRollbacks > 0 && rollback.Succeeded)
            {
                await ProcessRollbacksAsync(proxy, bucket, processRollbacks, concurrency, rtt, rollback.Target!.Hash);
            }
            if (msbuildRollbacks > 0 && rollback.Succeeded)
            {
                await MSBuildRollbacksAsync(proxy, bucket, msbuildRollbacks, concurrency, rtt, rollback.Target!.Hash, root, package);
            }

            if (stale == 0)
            {
                return rollback.Succeeded ? 0 : 1;
            }

            // Prune.
            var staleRoot = Path.Combine(root, "stale");
            var staleSources = Enumerable.Range(0, stale).Select(i =>
            {
                var logical = $"chunks/d{i % 100}/c{i}.js";
                var path = Path.Combine(staleRoot, logical);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, $"chunk({i});");
                return new AssetSource(path, logical);
            }).ToArray();
            var plan = new PlanOptions { Compression = null, KeepOriginalNames = false, RewriteReferences = false, FingerprintedNamePattern = null };
            await using (var direct = Stores.Create(endpoint, bucket, "prune/", 128))
            {
                foreach (var sources in new[] { staleSources, staleSources.Take(10).ToArray() })
                {
                    var published = await StaticAssetPublisher.PublishAsync(sources, direct,
                        new PublishOptions { Plan = plan, Source = new Engine.Manifest.GenerationSource("Bench") }, log, CancellationToken.None);
                    if (!published.Succeeded)
                    {
                        throw new InvalidOperationException("publish failed: " + log.FirstError);
                    }
                    await Task.Delay(5);
                }
            }
            // The prune's listing side by side, 3 interleaved rounds each, the median reported: page after page (the
            // current manifest names 10 keys, nothing to split by: what the prune did before it learned to split by
            // the older entries' keys) and as the prune lists now (split by those keys once they are read meanwhile).
            var pagedTimes = new List<double>();
            var splitTimes = new List<double>();
            var pruneKeys = 0;
            await using (var store = Stores.Create(proxy.Url, bucket, "prune/", concurrency))
            {
                var pruneHistory = await DestinationHistory.ReadAsync(store, Engine.Manifest.AssetManifest.DefaultName, CancellationToken.None);
                for (var round = 0; round < 3; round++)
                {
                    clock.Restart();
                    pruneKeys = (await Engine.Storage.AssetStoreExtensions.ListAllAsync(store, "", CancellationToken.None)).Count;
                    pagedTimes.Add(clock.Elapsed.TotalSeconds);
                    clock.Restart();
                    await pruneHistory.WithWholeListingAsync(store, pruneHistory.Entries, CancellationToken.None);
                    splitTimes.Add(clock.Elapsed.TotalSeconds);
                }
            }
            Console.WriteLine($"RESULT-PRUNE-LISTING keys={pruneKeys} rtt={rtt}ms paged_s={Report.Median(pagedTimes):F3} split_s={Report.Median(splitTimes):F3} " +
                $"ratio={Report.Median(splitTimes) / Report.Median(pagedTimes):F2}");

            await proxy.ResetAsync();
            PruneResult prune;
            clock.Restart();
            await using (var store = Stores.Create(proxy.Url, bucket, "prune/", concurrency))
            {
                // Verbose: its summary and "Where the time went" go to stderr, into the run's log.
                log = new BenchLog(verbose: true);
                prune = await GenerationPrune.PruneAsync(store, new PruneOptions { KeepGenerations = 1, MinAge = TimeSpan.Zero, MaxDeletes = int.MaxValue, Project = "Bench" },
                    log, CancellationToken.None);
            }
            var pruneSeconds = clock.Elapsed.TotalSeconds;
            var pruneStats = (await proxy.StatsAsync()).Proxy;
            Console.WriteLine($"RESULT-PRUNE stale={stale} rtt={rtt}ms succeeded={prune.Succeeded} wall={pruneSeconds:F2}s deleted={prune.Deleted.Count} " +
                $"entries={prune.EntriesDeleted.Count} requests={pruneStats.Requests} ({string.Join(", ", pruneStats.Methods.OrderBy(m => m.Key).Select(m => $"{m.Key} {m.Value}"))}) {log.FirstError}");
            return rollback.Succeeded && prune.Succeeded ? 0 : 1;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            await admin.DeletePrefixAsync(bucket, "");
            await admin.DeleteBucketAsync(bucket);
        }
    }

    /// <summary>
    /// Rolls back <paramref name="count"/> more times, to the second generation and the first in turn (300 copies each,
    /// as the first), each with a store of its own as a fresh process has; prints the wall times' median and range and the
    /// CPU time per rollback of this process, the proxy and the server's daemons (radosgw, ceph-osd: those started with
    /// the bench server's configuration). Their sum against the wall time says how much of the machine a rollback occupies.
    /// </summary>
    private static async Task RepeatRollbacksAsync(ProxyProcess proxy, string bucket, int count, int? concurrency, int rtt, string first)
    {
        var second = await SecondGenerationAsync(proxy, bucket, concurrency);
        // The bench server's daemons only (another Ceph on this machine, e.g. the tests' on port 7480, is not ours):
        // those started with its configuration file (tests/servers/ceph-rgw.sh: $STATICASSETS_RGW_DIR/ceph.conf).
        var conf = Path.Combine(Environment.GetEnvironmentVariable("STATICASSETS_RGW_DIR") ?? "/tmp/staticassets-rgw", "ceph.conf");
        var daemons = Process.GetProcessesByName("radosgw").Concat(Process.GetProcessesByName("ceph-osd"))
            .Where(p => File.Exists($"/proc/{p.Id}/cmdline") && File.ReadAllText($"/proc/{p.Id}/cmdline").Split('\0').Contains(conf))
            .ToArray();
        TimeSpan Server() => daemons.Aggregate(TimeSpan.Zero, (sum, p) =>
        {
            p.Refresh();
            return sum + p.TotalProcessorTime;
        });
        var walls = new List<double>();
        var (client, proxied, server) = (Process.GetCurrentProcess().TotalProcessorTime, proxy.ProcessorTime, Server());
        for (var i = 0; i < count; i++)
        {
            await proxy.ResetAsync();
            var clock = Stopwatch.StartNew();
            await using var store = Stores.CreateForRollback(proxy.Url, bucket, "site/", concurrency);
            var result = await GenerationRollback.RollbackAsync(store,
                new RollbackOptions { Generation = i % 2 == 0 ? second : first, Source = new Engine.Manifest.GenerationSource("Bench") },
                new BenchLog(verbose: false), CancellationToken.None);
            walls.Add(clock.Elapsed.TotalSeconds);
            if (!result.Succeeded || result.Copied == 0)
            {
                throw new InvalidOperationException($"rollback {i + 2} did not restore copies (succeeded={result.Succeeded}, copies={result.Copied})");
            }
        }
        double PerRollback(TimeSpan spent) => spent.TotalSeconds / count;
        var (clientCpu, proxyCpu, serverCpu) = (PerRollback(Process.GetCurrentProcess().TotalProcessorTime - client),
            PerRollback(proxy.ProcessorTime - proxied), PerRollback(Server() - server));
        Console.WriteLine($"RESULT-ROLLBACKS count={count} rtt={rtt}ms median={Report.Median(walls):F2}s min={walls.Min():F2}s max={walls.Max():F2}s " +
            $"cpu_per_rollback client={clientCpu:F2}s proxy={proxyCpu:F2}s server={serverCpu:F2}s sum={clientCpu + proxyCpu + serverCpu:F2}s " +
            $"daemons={daemons.Length} cpus={Environment.ProcessorCount}");
    }

    /// <summary>The second publish's generation (the rollbacks go back and forth between it and the first).</summary>
    private static async Task<string> SecondGenerationAsync(ProxyProcess proxy, string bucket, int? concurrency)
    {
        await using var store = Stores.Create(proxy.Url, bucket, "site/", concurrency);
        var history = await DestinationHistory.ReadAsync(store, Engine.Manifest.AssetManifest.DefaultName, CancellationToken.None);
        return history.Entries.Last(e => e.Kind == Engine.Manifest.GenerationKind.Publish).HashPrefix;
    }

    /// <summary>
    /// <paramref name="count"/> more rollbacks, each in a fresh process of this program (`rollback`, <see cref="ChildRollback"/>),
    /// to the second generation and the first in turn: the wall time from starting the process to its exit, the
    /// rollback's own time inside it, the runtime's start until Main, the store's creation, its CPU and JIT time and the
    /// methods it compiled (medians).
    /// </summary>
    private static async Task ProcessRollbacksAsync(ProxyProcess proxy, string bucket, int count, int? concurrency, int rtt, string first)
    {
        var second = await SecondGenerationAsync(proxy, bucket, concurrency);
        var (walls, starts, stores, insides, cpus, jits) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>());
        var methods = new List<double>();
        for (var i = 0; i < count; i++)
        {
            await proxy.ResetAsync();
            var start = ThisProgram.StartInfo(["rollback", "--endpoint", proxy.Url.ToString(), "--bucket", bucket, "--prefix", "site/",
                "--generation", i % 2 == 0 ? second : first, "--verbose", // its summary and "Where the time went" go to stderr, into the run's log
                .. (concurrency is { } limit ? ["--concurrency", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)] : Array.Empty<string>())]);
            start.RedirectStandardOutput = true;
            var clock = Stopwatch.StartNew();
            using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start a rollback process");
            var output = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            walls.Add(clock.Elapsed.TotalSeconds);
            var copies = System.Text.RegularExpressions.Regex.Match(output, @"copies (\d+) succeeded True");
            var timings = System.Text.RegularExpressions.Regex.Match(output,
                @"start-to-main (\d+) ms, create store (\d+) ms, rollback (\d+) ms, CPU (\d+) ms, of which JIT (\d+) ms \((\d+) methods compiled\)");
            if (child.ExitCode != 0 || !copies.Success || copies.Groups[1].Value == "0" || !timings.Success)
            {
                throw new InvalidOperationException($"rollback process {i + 1} failed (exit {child.ExitCode}): {output}");
            }
            double Seconds(int group) => double.Parse(timings.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture) / 1000;
            starts.Add(Seconds(1));
            stores.Add(Seconds(2));
            insides.Add(Seconds(3));
            cpus.Add(Seconds(4));
            jits.Add(Seconds(5));
            methods.Add(double.Parse(timings.Groups[6].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        Console.WriteLine($"RESULT-ROLLBACK-PROCESS count={count} rtt={rtt}ms wall={Report.Median(walls):F2}s rollback={Report.Median(insides):F2}s " +
            $"rollback_min={insides.Min():F2}s rollback_max={insides.Max():F2}s start={Report.Median(starts):F2}s store={Report.Median(stores):F2}s " +
            $"cpu={Report.Median(cpus):F2}s jit={Report.Median(jits):F2}s methods={Report.Median(methods):F0}");
    }

    /// <summary>
    /// <paramref name="count"/> more rollbacks the way users run them: <c>dotnet msbuild -t:RollbackStaticAssets</c> of a
    /// project named as the bench's publishes record (Bench) that references the package, packed from this repository
    /// (<see cref="PackageFeed"/>), each its own MSBuild process as a CI job starts one (<see cref="DotnetCli"/>: no node
    /// reuse), to the second generation and the first in turn. Reports the task's own time (its "Where the time went"
    /// line) and the RollbackStaticAssets target's (MSBuild's performance summary: the task's loading included), medians.
    /// </summary>
    private static async Task MSBuildRollbacksAsync(
        ProxyProcess proxy, string bucket, int count, int? concurrency, int rtt, string first, string root, string? packagePath)
    {
        var second = await SecondGenerationAsync(proxy, bucket, concurrency);
        // The rollbacks before these may have left either generation current: begin with the other.
        await using (var store = Stores.Create(proxy.Url, bucket, "site/", concurrency))
        {
            var current = (await DestinationHistory.ReadAsync(store, Engine.Manifest.AssetManifest.DefaultName, CancellationToken.None)).ManifestSha256;
            if (current?.StartsWith(second, StringComparison.Ordinal) == true)
            {
                (first, second) = (second, first);
            }
        }
        var folder = Path.Combine(root, "msbuild");
        var project = Path.Combine(folder, "Bench");
        Directory.CreateDirectory(project);
        var package = await PackageFeed.PrepareAsync(folder, packagePath);
        LocalFeed.Configure(folder, package.FeedDirectory, package.PackagesDirectory, onlyThisFeed: true);
        File.WriteAllText(Path.Combine(project, "Bench.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="StaticAssets.Tasks" Version="{package.Version}" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """);
        var restore = await DotnetCli.RunAsync(project, ["restore"]);
        if (!restore.Succeeded)
        {
            throw new InvalidOperationException($"dotnet restore of the rollback project failed: {restore.Note}");
        }
        var (tasks, targets) = (new List<double>(), new List<double>());
        for (var i = 0; i < count; i++)
        {
            await proxy.ResetAsync();
            var logFile = Path.Combine(folder, $"rollback-{i + 1}.log");
            var run = await DotnetCli.RunAsync(project, ["msbuild", "-t:RollbackStaticAssets", "-p:Configuration=Release",
                $"-p:StaticAssetsDestination=s3://{bucket}/site/", $"-p:StaticAssetsS3ServiceUrl={proxy.Url}",
                $"-p:StaticAssetsMaxConcurrency={concurrency}", $"-p:StaticAssetsGeneration={(i % 2 == 0 ? second : first)}", // empty: the package's default
                $"-flp:{PublishLog.LoggerParameters};logfile={logFile}"]);
            var log = File.Exists(logFile) ? File.ReadAllText(logFile) : "";
            var own = System.Text.RegularExpressions.Regex.Match(log, @"Where the time went: (?<phases>.*); (?<total>[\d.]+) s in all\.");
            var target = System.Text.RegularExpressions.Regex.Match(log, @"(?m)^\s+(?<ms>\d+) ms\s+RollbackStaticAssets\s+1 calls");
            if (!run.Succeeded || !own.Success || !target.Success || !log.Contains("un-fingerprinted copies restored", StringComparison.Ordinal)
                || log.Contains(" 0 un-fingerprinted copies restored", StringComparison.Ordinal))
            {
                var errors = log.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(5);
                throw new InvalidOperationException($"msbuild rollback {i + 1} failed or restored no copies ({run.Note}):\n{string.Join("\n", errors)}\n{run.Output?[^Math.Min(run.Output.Length, 2000)..]}");
            }
            tasks.Add(double.Parse(own.Groups["total"].Value, System.Globalization.CultureInfo.InvariantCulture));
            targets.Add(double.Parse(target.Groups["ms"].Value, System.Globalization.CultureInfo.InvariantCulture) / 1000);
            var requests = (await proxy.StatsAsync()).Proxy.Requests;
            Console.Error.WriteLine($"    msbuild rollback {i + 1}: {own.Groups["phases"].Value}; {tasks[^1]:F2} s in all, target {targets[^1]:F2} s, {requests} requests");
        }
        Console.WriteLine($"RESULT-ROLLBACK-MSBUILD count={count} rtt={rtt}ms task={Report.Median(tasks):F2}s task_min={tasks.Min():F2}s task_max={tasks.Max():F2}s " +
            $"target={Report.Median(targets):F2}s package={package.Version}");
    }
}
