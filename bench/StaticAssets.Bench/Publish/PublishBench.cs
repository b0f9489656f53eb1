using System.Diagnostics;
using static StaticAssets.Bench.Report;

namespace StaticAssets.Bench;

/// <summary>
/// The publish mode: what users run. Generates web apps, packs the package, then times real <c>dotnet publish</c> runs
/// with the package's defaults against the same publish without it (<c>StaticAssetsEnabled=false</c>) and against the
/// peers uploading the same published wwwroot: same server, same delay proxy, interleaved repetitions, each upload into
/// a fresh prefix. Ends with the RESULT-PUBLISH line (<see cref="PublishSummary"/>).
/// </summary>
internal sealed class PublishBench(BenchOptions options) : IDisposable
{
    /// <summary>After a run stored this much, RGW's garbage collector runs at once (Ceph's memstore keeps deleted tails).</summary>
    private const long CollectGarbageAbove = 256L * 1024 * 1024;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"staticassets-bench-{Environment.ProcessId}-publish");
    private readonly string _bucket = $"sa-bench-{Guid.NewGuid():N}"[..24];
    private readonly List<PublishRun> _runs = [];
    private readonly ExternalTools _tools = new(options);
    private readonly BucketAdmin _admin = new(options.Endpoint);
    private int _prefixes;
    private int _logs;

    /// <summary>One repetition of one app at one RTT: the proxy that adds the delay.</summary>
    private sealed record Round(int Repetition, WebApp App, int RttMs, ProxyProcess Proxy);

    public async Task<int> RunAsync()
    {
        var total = Stopwatch.StartNew();
        Console.WriteLine($"StaticAssets.Bench (Publish): {Machine.Describe()}, endpoint {options.Endpoint}");
        try
        {
            foreach (var version in await _tools.PrepareAsync(options.Tools))
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
            Console.WriteLine("warning: /usr/bin/time (GNU time) is missing: CPU and peak RSS will show as n/a (apt-get install time).");
        }

        Directory.CreateDirectory(Path.Combine(_root, "logs"));
        var bucketCreated = false;
        string? resultLine = null;
        var code = 1;
        try
        {
            var package = await PackageFeed.PrepareAsync(_root, options.PackagePath);
            Console.WriteLine($"Package: StaticAssets.Tasks {package.Version} ({package.Origin})");
            var apps = new List<WebApp>();
            for (var i = 0; i < options.AppFiles.Count; i++)
            {
                apps.Add(await WebApp.CreateAsync(Path.Combine(_root, $"app{i + 1}"), options.AppFiles[i], options.Seed, package));
            }
            await _admin.CreateBucketAsync(_bucket);
            bucketCreated = true;
            Console.WriteLine($"Bucket {_bucket} (deleted at the end); each upload goes to a fresh prefix, deleted after it.");

            await using (var proxy = await ProxyProcess.StartAsync(options.Endpoint, 0))
            {
                foreach (var app in apps)
                {
                    await WarmUpAsync(proxy, app);
                }
                await WarmUpPeersAsync(proxy, apps[0]);
            }

            Console.WriteLine();
            Console.WriteLine("rep app            RTT run                        wall s  requests (by method)       written  stored  client CPU s  server CPU s  other CPU s  peak RSS MB");
            for (var rep = 1; rep <= options.Repetitions; rep++)
            {
                foreach (var app in apps)
                {
                    foreach (var rtt in options.RttMs)
                    {
                        await using var proxy = await ProxyProcess.StartAsync(options.Endpoint, rtt);
                        var round = new Round(rep, app, rtt, proxy);
                        var blocks = Blocks();
                        var shift = (rep - 1) % blocks.Count;
                        foreach (var block in blocks.Skip(shift).Concat(blocks.Take(shift)))
                        {
                            await block(round);
                        }
                    }
                }
            }

            resultLine = new PublishSummary(options, _runs, apps).Print();
            Console.WriteLine($"\nTotal bench time {total.Elapsed.TotalMinutes:F1} min.");
            code = _runs.All(r => r.Succeeded) ? 0 : 1;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
        }
        finally
        {
            if (bucketCreated)
            {
                await _admin.RemoveBucketAsync(_bucket);
            }
            Directory.Delete(_root, recursive: true);
        }

        // The mode's one summary line is the last line of the output.
        if (resultLine is not null)
        {
            Console.WriteLine();
            Console.WriteLine(resultLine);
        }
        return code;
    }

    /// <summary>The units a round runs, in an order rotated per repetition: the four publishes together (the re-publishes
    /// need the first), each peer alone.</summary>
    private List<Func<Round, Task>> Blocks()
    {
        var blocks = new List<Func<Round, Task>> { PublishesAsync };
        if (options.Tools.Contains(Tool.Aws64))
        {
            blocks.Add(round => PeerAsync(round, PublishStep.Aws64));
        }
        if (options.Tools.Contains(Tool.Rclone64))
        {
            blocks.Add(round => PeerAsync(round, PublishStep.Rclone64));
        }
        return blocks;
    }

    /// <summary>Package off, package on into a fresh prefix, the same again (nothing changed), package off again; then what
    /// landed under the prefix: every object the task says it wrote, its manifest, its history entry and its pending journal.</summary>
    private async Task PublishesAsync(Round round)
    {
        var prefix = NextPrefix("package", round);
        var baseline = await StepAsync(round, PublishStep.Baseline, NextPrefix("off", round));
        var first = await StepAsync(round, PublishStep.Package, prefix);
        var again = first.Succeeded ? await StepAsync(round, PublishStep.PackageNoChange, prefix) : null;
        var baselineAgain = await StepAsync(round, PublishStep.BaselineNoChange, NextPrefix("off", round));
        var (stored, bytes) = await CleanUpAsync(prefix, first.Succeeded);
        var notes = first.Notes.ToList();
        if (first.Task is { } task && stored != task.Written + 3)
        {
            notes.Add($"WARNING: {stored} objects ({bytes:N0} bytes) under {prefix}, expected the {task.Written} written + manifest, history entry and journal");
        }
        Record(baseline);
        Record(first with { StoredObjects = stored, Notes = notes });
        if (again is not null)
        {
            Record(again);
        }
        Record(baselineAgain);
    }

    /// <summary>A peer uploads the published wwwroot into a fresh prefix; it must hold every file, byte for byte in size.</summary>
    private async Task PeerAsync(Round round, PublishStep step)
    {
        var prefix = NextPrefix(step.ToString().ToLowerInvariant(), round);
        var run = await StepAsync(round, step, prefix);
        var (stored, bytes) = await CleanUpAsync(prefix, run.Succeeded);
        var notes = run.Notes.ToList();
        if (run.Succeeded && (stored, bytes) != round.App.Published)
        {
            notes.Add($"WARNING: {stored} objects / {bytes:N0} bytes under {prefix}, expected {round.App.Published.Files} / {round.App.Published.Bytes:N0}");
        }
        Record(run with { StoredObjects = stored, Notes = notes });
    }

    /// <summary>One timed command through the round's proxy, with the server's, the proxy's and the rest of the machine's CPU
    /// around it.</summary>
    private async Task<PublishRun> StepAsync(Round round, PublishStep step, string prefix)
    {
        var waited = await Machine.WaitForQuietAsync(options.Endpoint, options.QuietWaitSeconds);
        if (step == PublishStep.Package && Directory.Exists(round.App.TaskWorkFolder))
        {
            // A first publish: nothing compressed or rewritten by an earlier run to reuse, as on a fresh CI agent.
            Directory.Delete(round.App.TaskWorkFolder, recursive: true);
        }
        await round.Proxy.ResetAsync();
        var before = await round.Proxy.StatsAsync();
        var server0 = ProcessStats.ServerCpuSeconds(options.Endpoint);
        var busy0 = ProcessStats.MachineBusySeconds();
        var log = Path.Combine(_root, "logs", $"{++_logs:D3}-{round.App.Label}-{step}.log");

        var run = step switch
        {
            PublishStep.Aws64 => await _tools.AwsSyncAsync(round.App.PublishedWwwroot, round.Proxy.Url, _bucket, prefix, concurrency64: true),
            PublishStep.Rclone64 => await _tools.RcloneCopyAsync(round.App.PublishedWwwroot, round.Proxy.Url, _bucket, prefix),
            _ => await round.App.PublishAsync(log, PublishProperties(round.Proxy.Url, prefix, packageOn: step.RunsTask())),
        };

        var server = ProcessStats.ServerCpuSeconds(options.Endpoint) - server0;
        var after = await round.Proxy.StatsAsync();
        var proxyCpu = after.CpuSeconds - before.CpuSeconds;
        // Everything else the machine did meanwhile (other builds and tests share these CPUs): a noise indicator.
        var other = ProcessStats.MachineBusySeconds() - busy0 - (run.CpuSeconds ?? 0) - proxyCpu - (server ?? 0);
        var task = step.RunsTask() ? PublishLog.Read(log) : null;

        var notes = new List<string>();
        if (run.Note is not null)
        {
            notes.Add(run.Note);
        }
        if (step.RunsTask() && run.Succeeded && task is null)
        {
            notes.Add($"the task's summary or phase line is missing from {log}");
        }
        if (step.IsPublish() && !step.RunsTask() && after.Proxy.Requests > 0)
        {
            notes.Add($"{after.Proxy.Requests} request(s) with the package off, expected none");
        }
        if (step == PublishStep.PackageNoChange && after.Proxy.Methods.TryGetValue("PUT", out var puts) && puts > 0)
        {
            notes.Add($"the no-change re-publish sent {puts} PUT(s), expected none");
        }
        if (waited > 0)
        {
            notes.Add($"waited {waited} s for other load to pass");
        }
        return new PublishRun(round.Repetition, round.App.Label, round.RttMs, step, run, after.Proxy, server, proxyCpu, other, task) { Notes = notes };
    }

    /// <summary>The command line's settings: the package's defaults, the destination through the proxy, and what Ceph RGW 16
    /// needs (path-style addressing, checksums only when required); credentials come from the environment.</summary>
    private string[] PublishProperties(Uri proxy, string prefix, bool packageOn) =>
    [
        $"-p:StaticAssetsDestination=s3://{_bucket}/{prefix}",
        $"-p:StaticAssetsS3ServiceUrl={proxy}",
        "-p:StaticAssetsS3ForcePathStyle=true",
        "-p:StaticAssetsS3ChecksumMode=WhenRequired",
        .. packageOn ? Array.Empty<string>() : ["-p:StaticAssetsEnabled=false"],
    ];

    private string NextPrefix(string what, Round round) => $"run{++_prefixes:D3}-{round.App.Label}-{what}-rtt{round.RttMs}/";

    /// <summary>Counts and deletes what a run stored (directly on the server, not through the proxy), and frees Ceph's memory.</summary>
    private async Task<(int Count, long Bytes)> CleanUpAsync(string prefix, bool succeeded)
    {
        var stored = await _admin.DeletePrefixAsync(_bucket, prefix);
        if (!succeeded)
        {
            await _admin.AbortUploadsAsync(_bucket, prefix);
        }
        if (stored.Bytes > CollectGarbageAbove || !succeeded)
        {
            await BucketAdmin.CollectGarbageAsync(options.Endpoint);
        }
        return stored;
    }

    private void Record(PublishRun run)
    {
        _runs.Add(run);
        Console.WriteLine(
            $"{run.Repetition,3} {run.App,-14} {run.RttMs,4} {run.Step.Label(),-24} {run.Tool.WallSeconds,8:F2}  {run.Traffic.Requests,6} " +
            $"{Truncate(Methods(run.Traffic), 20),-20} {Format(run.Task?.Written, "D"),7} {Format(run.StoredObjects, "D"),7} " +
            $"{Format(run.Tool.CpuSeconds, "F2"),13} {Format(run.ServerCpuSeconds, "F1"),13} {Format(run.OtherCpuSeconds, "F1"),12} " +
            $"{Format(run.Tool.PeakRssMb, "F0"),12}" + (run.Succeeded ? "" : "  FAILED") + (run.Notes.Count > 0 ? "  " + string.Join("; ", run.Notes) : ""));
    }

    /// <summary>Not measured: the first publish (restore, build, the SDK's compression of wwwroot) and one with the package
    /// at RTT 0, so the measured runs find the build up to date and the task's files in the page cache, as a CI job
    /// finds them right after its restore and build.</summary>
    private async Task WarmUpAsync(ProxyProcess proxy, WebApp app)
    {
        const string prefix = "warmup/";
        var build = await app.PublishAsync(Path.Combine(_root, "logs", $"{app.Label}-build.log"), PublishProperties(proxy.Url, prefix, packageOn: false));
        if (!build.Succeeded)
        {
            throw new InvalidOperationException($"{app.Label}: the first publish failed: {build.Note}");
        }
        app.CountPublished();
        var warmLog = Path.Combine(_root, "logs", $"{app.Label}-warmup.log");
        var warm = await app.PublishAsync(warmLog, PublishProperties(proxy.Url, prefix, packageOn: true));
        var task = PublishLog.Read(warmLog);
        await _admin.DeletePrefixAsync(_bucket, prefix);
        if (!warm.Succeeded || task is null)
        {
            throw new InvalidOperationException($"{app.Label}: the first publish with the package failed: {warm.Note ?? "no summary in " + warmLog}");
        }
        Console.WriteLine($"Warm-up {app.Label} (RTT 0, not measured): first publish, package off (restore, build, the SDK's compression) " +
                          $"{build.WallSeconds:F1} s: {app.Published.Files:N0} files / {app.Published.Bytes / 1048576.0:F1} MB in the published wwwroot; " +
                          $"with the package {warm.WallSeconds:F1} s: {task.Assets:N0} static assets, {task.Written:N0} objects");
    }

    /// <summary>Each peer uploads 50 small published files once, so its program is in the page cache when measured.</summary>
    private async Task WarmUpPeersAsync(ProxyProcess proxy, WebApp app)
    {
        var peers = options.Tools.Where(t => t != Tool.Ours).ToArray();
        if (peers.Length == 0)
        {
            return;
        }
        var folder = Path.Combine(_root, "warmup-peers");
        foreach (var file in new DirectoryInfo(app.PublishedWwwroot).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.Length < 64 * 1024).Take(50))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(app.PublishedWwwroot, file.FullName));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            file.CopyTo(target);
        }
        var lines = new List<string>();
        foreach (var peer in peers)
        {
            var prefix = $"warmup-{peer}/";
            var run = peer == Tool.Aws64
                ? await _tools.AwsSyncAsync(folder, proxy.Url, _bucket, prefix, concurrency64: true)
                : await _tools.RcloneCopyAsync(folder, proxy.Url, _bucket, prefix);
            lines.Add($"{peer} {run.WallSeconds:F2} s{(run.Succeeded ? "" : " FAILED: " + run.Note)}");
            await _admin.DeletePrefixAsync(_bucket, prefix);
        }
        Console.WriteLine($"Warm-up of the peers (50 small files each, RTT 0, not measured): {string.Join(", ", lines)}");
    }

    public void Dispose()
    {
        _tools.Dispose();
        _admin.Dispose();
    }
}
