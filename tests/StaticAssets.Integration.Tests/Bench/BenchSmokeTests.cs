namespace StaticAssets.Integration.Tests.Bench;

/// <summary>
/// The benchmark harness still runs end to end: bench/run.sh on a tiny tree, our engine only (the peers' Debian
/// packages are the benchmark's business, not the suite's), against the test server. No timing is asserted.
/// The publish mode likewise on a tiny app, with the suite's package (packing is the slow part), the peers only
/// where they are installed already; the soak mode on a tiny tree with one multipart file.
/// </summary>
[TestClass]
public sealed class BenchSmokeTests
{
    [TestMethod]
    public async Task QuickRunOnATinyTreeCompletesAndPrintsTheResultLine()
    {
        var result = await Dotnet.RunAsync(
            Dotnet.RepositoryRoot,
            [Path.Combine("bench", "run.sh"), "--quick", "--files", "40", "--size-mb", "1", "--tools", "ours,ours-process", "--rtt", "10"],
            timeout: TimeSpan.FromMinutes(8),
            program: "bash");
        result.ShouldSucceed("bench/run.sh --quick");

        Assert.DoesNotContain("FAILED", result.Output, "a run failed");
        Assert.DoesNotContain("WARNING:", result.Output, "objects or bytes at the destination do not match the tree");
        Assert.DoesNotContain("re-run failed", result.Output);
        // Both of our rows ran, every file arrived (the harness counts the objects after each run), and the summary
        // line is there with numbers where the engine ran and n/a for the peers that did not.
        StringAssert.Matches(result.Output, new Regex(@"\| ours \(bench process\) \| 64 \| 10 \| 40 \|"));
        StringAssert.Matches(result.Output, new Regex(@"\| ours \(fresh process\) \| 64 \| 10 \| 40 \|"));
        var lastLine = result.Output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
        StringAssert.Matches(lastLine, new Regex(
            @"^RESULT rtt_ms=10 ours_s=\d+\.\d+ rclone64_s=n/a aws64_s=n/a floor_s=\d+\.\d+ ratio_rclone=n/a ratio_aws=n/a ratio_floor=\d+\.\d+$"),
            "the RESULT line must end the output");
    }

    [TestMethod]
    public async Task PublishModeOnATinyAppCompletesAndPrintsTheResultPublishLine()
    {
        var package = await TestPackage.GetAsync();
        var peers = File.Exists("/usr/bin/aws") && File.Exists("/usr/bin/rclone");
        var result = await Dotnet.RunAsync(
            Dotnet.RepositoryRoot,
            [Path.Combine("bench", "run.sh"), "--publish", "--apps", "20", "--reps", "1", "--rtt", "0", "--quiet-wait", "0",
             "--package", package.PackagePath, "--tools", peers ? "ours,aws64,rclone64" : "ours"],
            timeout: TimeSpan.FromMinutes(8),
            program: "bash");
        result.ShouldSucceed("bench/run.sh --publish");

        Assert.DoesNotContain("FAILED", result.Output, "a run failed");
        Assert.DoesNotContain("WARNING:", result.Output, "objects at the destination do not match what was published");
        // The task's phase line was read for both publishes with the package, and the summary line ends the output,
        // with numbers for the publishes and, for the peers, numbers where they ran and n/a where they did not.
        StringAssert.Matches(result.Output, new Regex(@"\| 1 \| webapp\+20 \| 0 \| publish, package \| \d+\.\d\d \|"));
        StringAssert.Matches(result.Output, new Regex(@"\| 1 \| webapp\+20 \| 0 \| re-publish, package \| \d+\.\d\d \|"));
        var peer = peers ? @"-?\d+\.\d+" : "n/a";
        var lastLine = result.Output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
        StringAssert.Matches(lastLine, new Regex(
            $@"^RESULT-PUBLISH rtt_ms=0 files=\d+ objects=\d+ extra_s=-?\d+\.\d+ aws64_s={peer} rclone64_s={peer} ratio_aws={peer} " +
            $@"ratio_rclone={peer} nochange_s=\d+\.\d+ nochange_baseline_s=\d+\.\d+ nochange_ratio=\d+\.\d+$"),
            "the RESULT-PUBLISH line must end the output");
    }

    [TestMethod]
    public async Task GenerationsModeRollsBackListsInRangesAndPrunes_PrintingItsResultLines()
    {
        // 600 files are ~1,500 content-addressed objects: enough known keys for the listing to go in 3 ranges.
        var package = await TestPackage.GetAsync();
        var result = await Dotnet.RunAsync(
            Dotnet.RepositoryRoot,
            [Path.Combine("bench", "run.sh"), "generations", "--files", "600", "--stale", "200", "--rtt", "0", "--rollbacks", "2", "--process-rollbacks", "1",
             "--msbuild-rollbacks", "1", "--package", package.PackagePath],
            timeout: TimeSpan.FromMinutes(8),
            program: "bash");
        result.ShouldSucceed("bench/run.sh generations");

        // Every 10th of the 600 files changed: 60 un-fingerprinted copies restored, no content uploaded but the
        // manifest, its entry and the journal; the listing in ranges found what the plain one did; the prune deleted
        // the 190 objects only the replaced generation named.
        StringAssert.Matches(result.Output, new Regex(@"(?m)^RESULT-ROLLBACK files=600 changed=1/10 rtt=0ms succeeded=True wall=\d+\.\d+s cpu=\d+\.\d+s requests=\d+ .* verified=1\d{3} copies=60 "));
        StringAssert.Matches(result.Output, new Regex(@"(?m)^RESULT-HISTORY entries=3 rtt=0ms wall=\d+\.\d+s requests=\d+ bytesDown=\d+$"));
        StringAssert.Matches(result.Output, new Regex(@"(?m)^RESULT-LISTING keys=[1-9]\d{3} rtt=0ms plain_s=\d+\.\d+ ranged_s=\d+\.\d+ ratio=\d+\.\d+$"));
        // Two more rollbacks (to the second generation and back), each restoring copies, with each process's CPU.
        StringAssert.Matches(result.Output, new Regex(@"(?m)^RESULT-ROLLBACKS count=2 rtt=0ms median=\d+\.\d+s min=\d+\.\d+s max=\d+\.\d+s " +
            @"cpu_per_rollback client=\d+\.\d+s proxy=\d+\.\d+s server=\d+\.\d+s sum=\d+\.\d+s daemons=2 cpus=\d+$"));
        // One more in a fresh process (as the MSBuild task runs one), with its own timings.
        StringAssert.Matches(result.Output, new Regex(@"(?m)^RESULT-ROLLBACK-PROCESS count=1 rtt=0ms wall=\d+\.\d+s rollback=\d+\.\d+s " +
            @"rollback_min=\d+\.\d+s rollback_max=\d+\.\d+s start=\d+\.\d+s store=\d+\.\d+s cpu=\d+\.\d+s jit=\d+\.\d+s methods=\d+$"));
        // One more through `dotnet msbuild -t:RollbackStaticAssets` with the package, its task's time and its target's.
        StringAssert.Matches(result.Output, new Regex(@"(?m)^RESULT-ROLLBACK-MSBUILD count=1 rtt=0ms task=\d+\.\d+s task_min=\d+\.\d+s task_max=\d+\.\d+s " +
            @"target=\d+\.\d+s package=\S+$"));
        var lastLine = result.Output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
        StringAssert.Matches(lastLine, new Regex(@"^RESULT-PRUNE stale=200 rtt=0ms succeeded=True wall=\d+\.\d+s deleted=190 entries=1 requests=\d+ "),
            "the RESULT-PRUNE line must end the output");
    }

    [TestMethod]
    public async Task SoakModeOnATinyTreeExplainsEveryFailedRequestAndPrintsTheResultSoakLine()
    {
        // Files change right after planning (a 300-file publish can be over in 300 ms, the default delay); the 65 MB
        // file is a 9-part upload, changed in round 2 as soon as the engine has it open.
        var result = await Dotnet.RunAsync(
            Dotnet.RepositoryRoot,
            [Path.Combine("bench", "run.sh"), "--soak", "--files", "300", "--size-mb", "2", "--large-mb", "65", "--rounds", "2", "--changed", "3",
             "--change-after-ms", "0"],
            timeout: TimeSpan.FromMinutes(8),
            program: "bash");
        result.ShouldSucceed("bench/run.sh --soak");

        Assert.DoesNotContain("UNEXPLAINED", result.Output);
        Assert.DoesNotContain("NOTE:", result.Output, "a round found something other than expected");
        // Round 1 changed small files only; round 2 also the large file, during its multipart upload; each first publish
        // failed with SA3003 alone and left no manifest, each second one wrote the plan's.
        StringAssert.Matches(result.Output, new Regex(@"round 1 soak01/: publish 1 \(3 small changed\) .* diagnostics SA3003x1; .* manifest absent"));
        StringAssert.Matches(result.Output, new Regex(@"round 2 soak02/: publish 1 \(3 small \+ 1 large changed\) .* diagnostics SA3003x1; .* manifest absent, .*large file changed"));
        Assert.HasCount(2, Regex.Matches(result.Output, "manifest = the plan's"));
        var lastLine = result.Output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
        StringAssert.Matches(lastLine, new Regex(
            @"^RESULT-SOAK rounds=2 concurrency=64 rtt_ms=5 puts=[1-9]\d* requests=\d+ failed_explained=\d+ canceled_by_stop=\d+ failed_unexplained=0 " +
            @"diagnostics=SA3003x2 unexpected_outcomes=0 misdirected=0 verified=[1-9]\d* wrong=0 problems=0 wall_s=\d+\.\d$"),
            "the RESULT-SOAK line must end the output");
    }
}
