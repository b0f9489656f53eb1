using System.Globalization;
using StaticAssets.Engine.Core;
using static StaticAssets.Bench.Report;

namespace StaticAssets.Bench;

/// <summary>
/// The publish mode's report: medians per run kind, where the task's time went per run, the publish's extra time
/// against the peers, the no-change re-publish against its baseline, the targets of issue 14, and the RESULT-PUBLISH line
/// (the first app, RTT 40 ms if measured).
/// </summary>
internal sealed class PublishSummary(BenchOptions options, IReadOnlyList<PublishRun> runs, IReadOnlyList<WebApp> apps)
{
    /// <summary>Prints the report; returns the RESULT-PUBLISH line for the caller to print last.</summary>
    public string Print()
    {
        PrintMedians();
        PrintPhases();
        Console.WriteLine();
        Console.WriteLine("The publish's extra time = publish with the package - the same publish without it, per repetition (median).");
        foreach (var app in apps)
        {
            foreach (var rtt in options.RttMs)
            {
                PrintComparison(app.Label, rtt);
            }
        }
        PrintCompression();

        var (first, rtt40) = (apps[0].Label, options.RttMs.Contains(40) ? 40 : options.RttMs.Max());
        var extra = MedianExtra(first, rtt40);
        var aws = MedianWall(first, rtt40, PublishStep.Aws64);
        var rclone = MedianWall(first, rtt40, PublishStep.Rclone64);
        var noChange = MedianWall(first, rtt40, PublishStep.PackageNoChange);
        var noChangeBaseline = MedianWall(first, rtt40, PublishStep.BaselineNoChange);
        var packageRuns = Runs(first, rtt40, PublishStep.Package).Where(r => r.Task is not null).ToArray();
        int? files = packageRuns.Length > 0 ? (int)Median(packageRuns.Select(r => (double)r.Task!.Assets)) : null;
        int? objects = packageRuns.Length > 0 ? (int)Median(packageRuns.Select(r => (double)r.Task!.Written)) : null;

        Console.WriteLine();
        Console.WriteLine($"Targets (issue 14), {first}, RTT {rtt40} ms, medians:");
        Target("publish's extra time <= 0.6 x aws s3 sync (64)", extra / aws, 0.6);
        Target("publish's extra time <= 0.9 x rclone copy --transfers 64", extra / rclone, 0.9);
        Target("no-change re-publish <= 1.05 x the same re-publish without the package", noChange / noChangeBaseline, 1.05);

        return $"RESULT-PUBLISH rtt_ms={rtt40} files={Format(files, "D")} objects={Format(objects, "D")} extra_s={Format(extra, "F2")} " +
               $"aws64_s={Format(aws, "F2")} rclone64_s={Format(rclone, "F2")} ratio_aws={Format(extra / aws, "F2")} " +
               $"ratio_rclone={Format(extra / rclone, "F2")} nochange_s={Format(noChange, "F2")} " +
               $"nochange_baseline_s={Format(noChangeBaseline, "F2")} nochange_ratio={Format(noChange / noChangeBaseline, "F2")}";
    }

    private void PrintMedians()
    {
        Console.WriteLine();
        Console.WriteLine($"Summary: medians of {options.Repetitions} repetition(s). wall = process start to exit. requests = what the proxy saw. " +
                          "written = objects the task wrote (its summary line); stored = objects found under the prefix afterwards " +
                          "(the task's: written + manifest + journal). client CPU / peak RSS: GNU time of the command (dotnet publish with its " +
                          "MSBuild nodes, or the peer). server CPU: the Ceph daemons. other CPU: the rest of the machine meanwhile (noise).");
        Console.WriteLine();
        Console.WriteLine("| app | RTT ms | run | median wall s (min-max) | requests | by method | written | stored | client CPU s | server CPU s | proxy CPU s | other CPU s | peak RSS MB |");
        Console.WriteLine("|---|---:|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in runs.GroupBy(r => (r.App, r.RttMs, r.Step)).OrderBy(g => apps.ToList().FindIndex(a => a.Label == g.Key.App))
                     .ThenBy(g => g.Key.RttMs).ThenBy(g => g.Key.Step))
        {
            var all = group.ToArray();
            var wall = all.Select(r => r.Tool.WallSeconds).ToArray();
            Console.WriteLine(
                $"| {group.Key.App} | {group.Key.RttMs} | {group.Key.Step.Label()} | {Median(wall):F2} ({wall.Min():F2}-{wall.Max():F2})" +
                $"{(all.All(r => r.Succeeded) ? "" : " FAILED")} | {Median(all.Select(r => (double)r.Traffic.Requests)):F0} " +
                $"| {Methods(all[all.Length / 2].Traffic)} | {Format(MedianOf(all.Select(r => (double?)r.Task?.Written)), "F0")} " +
                $"| {Format(MedianOf(all.Select(r => (double?)r.StoredObjects)), "F0")} | {Format(MedianOf(all.Select(r => r.Tool.CpuSeconds)), "F2")} " +
                $"| {Format(MedianOf(all.Select(r => r.ServerCpuSeconds)), "F1")} | {Median(all.Select(r => r.ProxyCpuSeconds)):F1} " +
                $"| {Format(MedianOf(all.Select(r => r.OtherCpuSeconds)), "F1")} | {Format(all.Max(r => r.Tool.PeakRssMb), "F0")} |");
        }
        var notes = runs.Where(r => r.Notes.Count > 0).Select(r => $"  rep {r.Repetition} {r.App} RTT {r.RttMs} {r.Step.Label()}: {string.Join("; ", r.Notes)}").ToArray();
        if (notes.Length > 0)
        {
            Console.WriteLine("Notes:");
            foreach (var note in notes)
            {
                Console.WriteLine(note);
            }
        }
    }

    /// <summary>The task's phase line per run, then the medians; beside it MSBuild's times of the package's two targets, and
    /// extra = the run's wall time - its package-off twin's in the same repetition. What extra holds beyond the targets
    /// is the package's share of evaluation and restore, and noise.</summary>
    private void PrintPhases()
    {
        var taskRuns = runs.Where(r => r.Task is not null).ToArray();
        if (taskRuns.Length == 0)
        {
            return;
        }
        Console.WriteLine();
        Console.WriteLine("Where the task's time went (seconds, from its \"Where the time went\" line; phases overlap -- the destination is read " +
                          "while planning -- so they need not add up to its total):");
        Console.WriteLine();
        Console.WriteLine("task total = the task's own clock; MSBuild's performance summary: collect = the CollectStaticAssets target (the " +
                          "items), task = the PublishStaticAssets target (loading the task included); extra = wall - the same run's " +
                          "package-off twin in that repetition.");
        Console.WriteLine();
        Console.WriteLine($"| rep | app | RTT ms | run | {string.Join(" | ", PhaseTimes.Order)} | task total | collect | task | extra | wall |");
        Console.WriteLine($"|---|---|---:|---|{string.Concat(PhaseTimes.Order.Select(_ => "---:|"))}---:|---:|---:|---:|---:|");
        foreach (var run in taskRuns)
        {
            PrintPhaseRow(run.Repetition.ToString(CultureInfo.InvariantCulture), run.App, run.RttMs, run.Step, [run]);
        }
        foreach (var group in taskRuns.GroupBy(r => (r.App, r.RttMs, r.Step)))
        {
            PrintPhaseRow("median", group.Key.App, group.Key.RttMs, group.Key.Step, [.. group]);
        }
    }

    private void PrintPhaseRow(string rep, string app, int rtt, PublishStep step, IReadOnlyList<PublishRun> group)
    {
        var phases = PhaseTimes.Order.Select(phase => Format(MedianOf(group.Select(r => r.Task!.Phases.TryGetValue(phase, out var s) ? s : (double?)null)), "F2"));
        Console.WriteLine($"| {rep} | {app} | {rtt} | {step.Label()} | {string.Join(" | ", phases)} | {Median(group.Select(r => r.Task!.TotalSeconds)):F2} " +
                          $"| {Format(MedianOf(group.Select(r => r.Task!.CollectTargetSeconds)), "F2")} " +
                          $"| {Format(MedianOf(group.Select(r => r.Task!.PublishTargetSeconds)), "F2")} " +
                          $"| {Format(MedianOf(group.Select(Extra)), "F2")} | {Median(group.Select(r => r.Tool.WallSeconds)):F2} |");
    }

    private void PrintComparison(string app, int rtt)
    {
        var extra = MedianExtra(app, rtt);
        var parts = new List<string>
        {
            $"publish {Format(MedianWall(app, rtt, PublishStep.Package), "F2")} s with the package, {Format(MedianWall(app, rtt, PublishStep.Baseline), "F2")} s without: " +
            $"extra {Format(extra, "F2")} s",
        };
        foreach (var (peer, name) in new[] { (PublishStep.Aws64, "aws64"), (PublishStep.Rclone64, "rclone64") })
        {
            if (MedianWall(app, rtt, peer) is { } seconds)
            {
                parts.Add($"÷ {name} {seconds:F2} s = {Format(extra / seconds, "F2")}");
            }
        }
        var noChange = MedianWall(app, rtt, PublishStep.PackageNoChange);
        var noChangeBaseline = MedianWall(app, rtt, PublishStep.BaselineNoChange);
        parts.Add($"no-change re-publish {Format(noChange, "F2")} s ÷ {Format(noChangeBaseline, "F2")} s without the package = {Format(noChange / noChangeBaseline, "F2")}");
        Console.WriteLine($"  {app}, RTT {rtt} ms: {string.Join(", ", parts)}");
    }

    /// <summary>Brotli's and gzip's shares of the compression the task did in its last first publish of each app.</summary>
    private void PrintCompression()
    {
        Console.WriteLine();
        Console.WriteLine("Compression alone (what the task compressed in its last first publish, again in this process, one thread, at the task's levels):");
        foreach (var app in apps)
        {
            var phase = MedianOf(runs.Where(r => r.App == app.Label && r.Step == PublishStep.Package).Select(r => r.Task?.Phases.GetValueOrDefault("compress")));
            Console.WriteLine($"  {app.Label}: {CompressionShare.Describe(app) ?? "nothing compressed"}; the task's compress phase: median {Format(phase, "F2")} s " +
                              $"on {Environment.ProcessorCount} CPU(s)");
        }
    }

    private IEnumerable<PublishRun> Runs(string app, int rtt, PublishStep step) =>
        runs.Where(r => r.App == app && r.RttMs == rtt && r.Step == step && r.Succeeded);

    private double? MedianWall(string app, int rtt, PublishStep step) => MedianOf(Runs(app, rtt, step).Select(r => (double?)r.Tool.WallSeconds));

    private double? MedianExtra(string app, int rtt) => MedianOf(Runs(app, rtt, PublishStep.Package).Select(Extra));

    /// <summary>A package run's wall time minus its package-off twin's (same app, RTT and repetition).</summary>
    private double? Extra(PublishRun run)
    {
        var twin = run.Step == PublishStep.Package ? PublishStep.Baseline : PublishStep.BaselineNoChange;
        return Runs(run.App, run.RttMs, twin).FirstOrDefault(r => r.Repetition == run.Repetition) is { } baseline
            ? run.Tool.WallSeconds - baseline.Tool.WallSeconds
            : null;
    }
}
