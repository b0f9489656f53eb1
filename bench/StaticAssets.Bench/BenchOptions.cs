using System.Globalization;

namespace StaticAssets.Bench;

internal sealed record BenchOptions
{
    public int Files { get; init; } = 3000;
    public double SizeMb { get; init; } = 150;
    public int Seed { get; init; } = 1;
    public IReadOnlyList<int> Concurrency { get; init; } = [8, 16, 32, 64, 128];
    public IReadOnlyList<int> RttMs { get; init; } = [0, 40];
    public int Repetitions { get; init; } = 3;
    public Uri Endpoint { get; init; } = new(Environment.GetEnvironmentVariable("STATICASSETS_S3_ENDPOINT") ?? "http://127.0.0.1:7480");
    public bool WithIntegrity { get; init; } = true;
    public bool Rerun { get; init; } = true;
    public bool Probe { get; init; } = true;
    public int WarmupFiles { get; init; } = 3000;
    public int QuietWaitSeconds { get; init; } = 20;
    public string? CsvPath { get; init; }
    public bool Verbose { get; init; }

    public const string Usage = """
        StaticAssets.Bench [options]         (usually through bench/run.sh)
        StaticAssets.Bench selftest [RTTs]   check the delay proxy's timing and ordering (default RTTs 0,40)
          --quick                 300 files / 15 MB, 1 repetition, --quiet-wait 0 (other options override it)
          --files N               files in the generated tree                     (default 3000)
          --size-mb M             their total size in MB                          (default 150)
          --seed S                tree generator seed                             (default 1)
          --concurrency A,B,...   StaticAssetsMaxConcurrency values               (default 8,16,32,64,128)
          --rtt A,B,...           round-trip times added by the proxy, in ms      (default 0,40)
          --reps N                repetitions, interleaved                        (default 3)
          --endpoint URL          S3 server (default $STATICASSETS_S3_ENDPOINT or http://127.0.0.1:7480)
          --no-integrity          let the planner hash every file (default: pass the SHA-256 as the SDK's
                                  static web assets do, so planning reads no file)
          --no-rerun              skip the no-change re-run after each upload
          --no-probe              skip the probe of how the AWS SDK reads request bodies
          --warmup-files N        files published before measuring, in passes over the tree, so the JIT
                                  has settled (default 3000; --quick 900; 0 = none)
          --quiet-wait S          before each run, wait up to S seconds for other processes on this machine
                                  to go idle (default 20; 0 = do not check)
          --csv PATH              also write every run as CSV
          --verbose               print the engine's progress messages
        Credentials: the AWS SDK default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        if (args.Contains("--quick"))
        {
            options = options with { Files = 300, SizeMb = 15, Repetitions = 1, WarmupFiles = 900, QuietWaitSeconds = 0 };
        }
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--quick" => options,
                "--files" => options with { Files = PositiveInt(Next()) },
                "--size-mb" => options with { SizeMb = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seed" => options with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--concurrency" => options with { Concurrency = IntList(Next()) },
                "--rtt" => options with { RttMs = IntList(Next()) },
                "--reps" => options with { Repetitions = PositiveInt(Next()) },
                "--endpoint" => options with { Endpoint = new Uri(Next()) },
                "--no-integrity" => options with { WithIntegrity = false },
                "--no-rerun" => options with { Rerun = false },
                "--no-probe" => options with { Probe = false },
                "--warmup-files" => options with { WarmupFiles = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--csv" => options with { CsvPath = Next() },
                "--quiet-wait" => options with { QuietWaitSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--verbose" => options with { Verbose = true },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }
        if (options.SizeMb <= 0 || options.Concurrency.Count == 0 || options.RttMs.Count == 0 || options.RttMs.Any(r => r < 0))
        {
            throw new ArgumentException("sizes, concurrency and RTT values must be positive (RTT may be 0)");
        }
        return options;
    }

    private static int PositiveInt(string value)
    {
        var n = int.Parse(value, CultureInfo.InvariantCulture);
        return n >= 1 ? n : throw new ArgumentException($"'{value}' must be at least 1");
    }

    private static IReadOnlyList<int> IntList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
