using System.Globalization;

namespace StaticAssets.Bench;

/// <summary>What an invocation measures.</summary>
internal enum BenchMode
{
    /// <summary>Our engine against aws s3 sync and rclone on one tree; ends with the RESULT line.</summary>
    Compare,

    /// <summary>A small tree plus one very large file: peak RSS of each tool.</summary>
    Memory,

    /// <summary>The same tools on a tree and on one <see cref="BenchOptions.ScaleFactor"/> times larger.</summary>
    Scaling,

    /// <summary><c>dotnet publish</c> of a generated web app with the package's defaults against the same publish without
    /// it and the peers on its published wwwroot; ends with the RESULT-PUBLISH line.</summary>
    Publish,

    /// <summary>Many publishes through our engine, some with files changed during the upload: every failed request
    /// explained, every stored object checked; ends with the RESULT-SOAK line.</summary>
    Soak,
}

internal sealed record BenchOptions
{
    public static readonly IReadOnlyList<string> AllTools = [Tool.Ours, Tool.OursProcess, Tool.Aws, Tool.Aws64, Tool.Rclone64];

    /// <summary>The tools of the publish mode: "ours" is the publish with the package (and without it, its baseline).</summary>
    public static readonly IReadOnlyList<string> PublishTools = [Tool.Ours, Tool.Aws64, Tool.Rclone64];

    public BenchMode Mode { get; init; } = BenchMode.Compare;
    public bool Quick { get; init; }
    public int Files { get; init; } = 3000;
    public double SizeMb { get; init; } = 150;
    public int Seed { get; init; } = 1;
    public IReadOnlyList<string> Tools { get; init; } = AllTools;
    public IReadOnlyList<int> Concurrency { get; init; } = [64];
    public IReadOnlyList<int> RttMs { get; init; } = [0, 40];
    public int Repetitions { get; init; } = 3;
    public Uri Endpoint { get; init; } = new(Environment.GetEnvironmentVariable("STATICASSETS_S3_ENDPOINT") ?? "http://127.0.0.1:7480");
    public bool WithIntegrity { get; init; } = true;
    public bool Rerun { get; init; } = true;
    public bool Probe { get; init; } = true;
    public int WarmupFiles { get; init; } = 3000;
    public int QuietWaitSeconds { get; init; } = 10;
    public long BigFileMb { get; init; }
    public int ScaleFactor { get; init; } = 10;
    public string AwsPath { get; init; } = FirstExisting("/usr/bin/aws", "aws");
    public string RclonePath { get; init; } = FirstExisting("/usr/bin/rclone", "rclone");
    public string? CsvPath { get; init; }

    /// <summary>Publish mode: files generated into each app's wwwroot besides the template's, one app per entry.</summary>
    public IReadOnlyList<int> AppFiles { get; init; } = [957, 3000];

    /// <summary>Publish mode: a StaticAssets.Tasks .nupkg to reference instead of packing the repository's.</summary>
    public string? PackagePath { get; init; }
    public bool Verbose { get; init; }

    /// <summary>Soak mode: publishes, each into a fresh prefix (and then completed by a second publish).</summary>
    public int Rounds { get; init; } = 4;

    /// <summary>Soak mode: small files changed on disk in each round while the upload runs.</summary>
    public int ChangedFiles { get; init; } = 8;

    /// <summary>Soak mode: how long after planning the small files are changed.</summary>
    public int ChangeAfterMs { get; init; } = 300;

    /// <summary>Soak mode: sizes of the multi-MB files added to the tree; the largest (over the S3 store's multipart
    /// threshold of 64 MB) is changed while its parts upload in every other round.</summary>
    public IReadOnlyList<int> LargeFilesMb { get; init; } = [72, 12, 6, 3];

    public const string Usage = """
        StaticAssets.Bench [options]         (usually through bench/run.sh)
        StaticAssets.Bench selftest [RTTs]   check the delay proxy's timing and ordering (default RTTs 0,40)

        Modes (default: compare our engine with aws s3 sync and rclone, 3,000 files / 150 MB, RTT 0 and 40 ms,
        3 repetitions, ending with the RESULT line):
          --quick                 300 files / 15 MB, RTT 40 ms, 1 repetition, no probe, --quiet-wait 0: < 1 minute
          --memory                300 files / 15 MB plus one 1 GB file (--big-file-mb), RTT 40 ms, 1 repetition,
                                  tools ours-process,ours,aws64,rclone64: peak RSS of each
          --scaling               the tree (default 3,000 files / 150 MB) and one 10x larger (30,000 files /
                                  1.5 GB), RTT 40 ms, 2 repetitions, tool ours: wall-time ratio
          --publish               what users run: `dotnet new webapp` plus generated files (--apps), the package
                                  packed into a local feed, `dotnet publish -c Release` with the package's defaults
                                  vs the same publish with StaticAssetsEnabled=false, vs aws64 and rclone64 on the
                                  published wwwroot, and a no-change re-publish; RTT 40 ms, 3 repetitions, tools
                                  ours,aws64,rclone64; ends with the RESULT-PUBLISH line
          --soak                  our engine only, 7,000 files / 60 MB plus multi-MB files (--large-mb), RTT 5 ms,
                                  concurrency 64, --rounds publishes into fresh prefixes while files change on
                                  disk (--changed), each completed by a second publish; counts every response at the
                                  proxy and every operation in the SDK, then lists and reads back every object;
                                  ends with the RESULT-SOAK line
        Options (they override the mode's defaults):
          --tools A,B,...         ours (engine in this process), ours-process (engine in a fresh process, as a CLI
                                  would run), aws (aws s3 sync, default concurrency 10), aws64 (64 concurrent
                                  requests), rclone64 (rclone copy --transfers 64)      (default all five;
                                  --publish: ours = the four publishes, always run, aws64, rclone64)
          --files N               files in the generated tree                     (default 3000)
          --size-mb M             their total size in MB                          (default 150)
          --big-file-mb M         add one file of M MB to the tree                (default 0; --memory 1024)
          --scale-factor K        --scaling: the large tree has K times the files and bytes   (default 10)
          --seed S                tree generator seed                             (default 1)
          --concurrency A,B,...   our StaticAssetsMaxConcurrency values (peers are fixed)  (default 64)
          --rtt A,B,...           round-trip times added by the proxy, in ms      (default 0,40)
          --reps N                repetitions, interleaved                        (default 3)
          --endpoint URL          S3 server (default $STATICASSETS_S3_ENDPOINT or http://127.0.0.1:7480)
          --aws PATH              the aws CLI                                     (default /usr/bin/aws)
          --rclone PATH           rclone                                          (default /usr/bin/rclone)
          --no-integrity          let the planner hash every file (default: pass the SHA-256 as the SDK's
                                  static web assets do, so planning reads no file)
          --no-rerun              skip the no-change re-run after each upload
          --no-probe, --probe     skip / run the probe of how the AWS SDK reads request bodies (default: run it,
                                  except with --quick)
          --warmup-files N        files our engine publishes (in this process) before measuring
                                  (default 3000; --quick 600, --memory 900; 0 = none)
          --quiet-wait S          before each run, wait up to S seconds for other processes on this machine
                                  to go idle (default 10; 0 = do not check)
          --csv PATH              also write every run as CSV (not in --publish)
          --apps A,B,...          --publish: files generated into each app's wwwroot besides the template's 63,
                                  50 KB each on average (the 3,000-file / 150 MB tree's mix)   (default 957,3000)
          --package PATH          --publish: reference this StaticAssets.Tasks .nupkg instead of packing
                                  src/StaticAssets.Tasks under a fresh version
          --rounds N              --soak: publishes (each with its completing re-publish)   (default 4)
          --changed N             --soak: small files changed after planning in each round   (default 8)
          --change-after-ms MS    --soak: when, after planning, they are changed              (default 300)
          --large-mb A,B,...      --soak: multi-MB files added to the tree; the largest (> 64 MB: a
                                  multipart upload) is changed while its parts upload in even rounds
                                  (default 72,12,6,3)
          --verbose               print the engine's progress messages
        Credentials: the AWS SDK default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), passed on to the CLIs.
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        if (args.Contains("--quick"))
        {
            options = options with
            {
                Quick = true, Files = 300, SizeMb = 15, RttMs = [40], Repetitions = 1, WarmupFiles = 600, QuietWaitSeconds = 0,
                Probe = false,
            };
        }
        if (args.Contains("--memory"))
        {
            options = options with
            {
                Mode = BenchMode.Memory, Files = 300, SizeMb = 15, BigFileMb = 1024, RttMs = [40], Repetitions = 1, WarmupFiles = 900,
                Tools = [Tool.OursProcess, Tool.Ours, Tool.Aws64, Tool.Rclone64],
            };
        }
        if (args.Contains("--scaling"))
        {
            options = options with { Mode = BenchMode.Scaling, RttMs = [40], Repetitions = 2, Tools = [Tool.Ours] };
        }
        if (args.Contains("--publish"))
        {
            options = options with { Mode = BenchMode.Publish, RttMs = [40], Tools = PublishTools };
        }
        if (args.Contains("--soak"))
        {
            options = options with
            {
                Mode = BenchMode.Soak, Files = 7_000, SizeMb = 60, RttMs = [5], Repetitions = 1, Tools = [Tool.Ours], QuietWaitSeconds = 0,
            };
        }
        if (args.Contains("--memory") && args.Contains("--scaling"))
        {
            throw new ArgumentException("--memory and --scaling are separate runs");
        }
        if (args.Contains("--publish") && (args.Contains("--quick") || args.Contains("--memory") || args.Contains("--scaling")))
        {
            throw new ArgumentException("--publish is a run of its own: it takes no --quick, --memory or --scaling");
        }
        if (args.Contains("--soak") && (args.Contains("--quick") || args.Contains("--memory") || args.Contains("--scaling") || args.Contains("--publish")))
        {
            throw new ArgumentException("--soak is a run of its own: it takes no --quick, --memory, --scaling or --publish");
        }
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--quick" or "--memory" or "--scaling" or "--publish" or "--soak" => options,
                "--tools" => options with { Tools = ToolList(Next()) },
                "--files" => options with { Files = PositiveInt(Next()) },
                "--size-mb" => options with { SizeMb = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--big-file-mb" => options with { BigFileMb = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--scale-factor" => options with { ScaleFactor = PositiveInt(Next()) },
                "--seed" => options with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = IntList(Next()) },
                "--rtt" => options with { RttMs = IntList(Next()) },
                "--reps" => options with { Repetitions = PositiveInt(Next()) },
                "--endpoint" => options with { Endpoint = new Uri(Next()) },
                "--aws" => options with { AwsPath = Next() },
                "--rclone" => options with { RclonePath = Next() },
                "--no-integrity" => options with { WithIntegrity = false },
                "--no-rerun" => options with { Rerun = false },
                "--no-probe" => options with { Probe = false },
                "--probe" => options with { Probe = true },
                "--warmup-files" => options with { WarmupFiles = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--csv" => options with { CsvPath = Next() },
                "--quiet-wait" => options with { QuietWaitSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--verbose" => options with { Verbose = true },
                "--apps" => options with { AppFiles = IntList(Next()) },
                "--package" => options with { PackagePath = Path.GetFullPath(Next()) },
                "--rounds" => options with { Rounds = PositiveInt(Next()) },
                "--changed" => options with { ChangedFiles = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--change-after-ms" => options with { ChangeAfterMs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--large-mb" => options with { LargeFilesMb = IntList(Next()) },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }
        if (options.SizeMb <= 0 || options.Concurrency.Count == 0 || options.RttMs.Count == 0 || options.RttMs.Any(r => r < 0)
            || options.Concurrency.Any(c => c < 1) || options.BigFileMb < 0)
        {
            throw new ArgumentException("sizes, concurrency and RTT values must be positive (RTT and --big-file-mb may be 0)");
        }
        if (options.Mode == BenchMode.Publish
            && (!options.Tools.Contains(Tool.Ours) || options.Tools.Except(PublishTools).Any() || options.AppFiles.Count == 0 || options.AppFiles.Any(n => n < 1)))
        {
            throw new ArgumentException($"--publish runs the tools {string.Join(",", PublishTools)} ({Tool.Ours} always) on apps of at least 1 generated file");
        }
        if (options.Mode == BenchMode.Soak
            && (!options.Tools.SequenceEqual([Tool.Ours]) || options.ChangedFiles < 0 || options.ChangeAfterMs < 0 || options.LargeFilesMb.Any(m => m < 1)))
        {
            throw new ArgumentException($"--soak runs the tool {Tool.Ours} only; --changed, --change-after-ms are at least 0, --large-mb sizes at least 1");
        }
        return options;
    }

    private static IReadOnlyList<string> ToolList(string value)
    {
        var tools = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        foreach (var tool in tools)
        {
            if (!AllTools.Contains(tool))
            {
                throw new ArgumentException($"unknown tool '{tool}' (known: {string.Join(", ", AllTools)})");
            }
        }
        return tools.Length > 0 ? tools : throw new ArgumentException("--tools needs at least one tool");
    }

    private static int PositiveInt(string value)
    {
        var n = int.Parse(value, CultureInfo.InvariantCulture);
        return n >= 1 ? n : throw new ArgumentException($"'{value}' must be at least 1");
    }

    private static IReadOnlyList<int> IntList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private static string FirstExisting(string path, string fallback) => File.Exists(path) ? path : fallback;
}
