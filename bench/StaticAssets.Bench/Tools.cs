using System.Diagnostics;
using System.Globalization;
using System.Text;
using StaticAssets.Engine.Configuration;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Publishing;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Storage.S3;

namespace StaticAssets.Bench;

/// <summary>The tools the bench compares, by the names <c>--tools</c> takes.</summary>
internal static class Tool
{
    /// <summary>Our engine, in the bench process (JIT warmed up; process CPU and RSS include the harness).</summary>
    public const string Ours = "ours";

    /// <summary>Our engine in a fresh process per run (this program's "publish" command), measured like the CLIs.</summary>
    public const string OursProcess = "ours-process";

    /// <summary><c>aws s3 sync</c> at its default concurrency (10 requests).</summary>
    public const string Aws = "aws";

    /// <summary><c>aws s3 sync</c> with <c>s3.max_concurrent_requests = 64</c>.</summary>
    public const string Aws64 = "aws64";

    /// <summary><c>rclone copy --transfers 64</c>.</summary>
    public const string Rclone64 = "rclone64";

    public static bool IsOurs(string tool) => tool is Ours or OursProcess;

    /// <summary>Runs inside the bench process (its CPU and RSS are the bench process's).</summary>
    public static bool InProcess(string tool) => tool is Ours;

    public const int AwsDefaultConcurrency = 10;

    public static string Label(string tool, int concurrency) => tool switch
    {
        Ours => "ours (bench process)",
        OursProcess => "ours (fresh process)",
        Aws => "aws s3 sync",
        Aws64 => "aws s3 sync",
        Rclone64 => "rclone copy",
        _ => tool,
    };
}

/// <summary>How one invocation of a tool went, measured from outside where possible.</summary>
/// <param name="CpuSeconds">User + system CPU of the tool's process (with its waited-for children).</param>
/// <param name="PeakRssMb">Peak resident set size of the tool's process (GNU time's %M: ru_maxrss).</param>
/// <param name="Output">What the tool printed on stdout.</param>
internal sealed record ToolRun(bool Succeeded, double WallSeconds, double? CpuSeconds, double? PeakRssMb, string? Note, string? Output);

/// <summary>
/// Runs the peers (Debian's awscli and rclone) and our engine in a fresh process, each under GNU time for its peak
/// RSS and CPU time. Everything they need lives in a private temp folder: an AWS CLI config made with
/// <c>aws configure set</c> through <c>AWS_CONFIG_FILE</c> (~/.aws is never read or written), an empty rclone
/// config with the remote given as <c>RCLONE_CONFIG_BENCH_*</c> variables, and our engine's source lists.
/// Credentials come from the environment (the bench's own AWS SDK default chain), never from files.
/// </summary>
internal sealed class ExternalTools : IDisposable
{
    private const string TimeBinary = "/usr/bin/time";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(15);

    private readonly BenchOptions _options;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"staticassets-bench-tools-{Environment.ProcessId}");
    private readonly string _awsDefaultConfig;
    private readonly string _aws64Config;
    private readonly string _awsCredentials;
    private readonly string _rcloneConfig;
    private int _lists;

    public ExternalTools(BenchOptions options)
    {
        _options = options;
        Directory.CreateDirectory(_dir);
        _awsDefaultConfig = Path.Combine(_dir, "aws-default.config");
        _aws64Config = Path.Combine(_dir, "aws-64.config");
        _awsCredentials = Path.Combine(_dir, "aws-credentials");
        _rcloneConfig = Path.Combine(_dir, "rclone.conf");
        File.WriteAllText(_awsCredentials, "");
        File.WriteAllText(_rcloneConfig, "");
    }

    public static bool HasGnuTime => File.Exists(TimeBinary);

    /// <summary>Writes the AWS CLI configs (path-style for both; 64 concurrent requests for one) with
    /// <c>aws configure set</c>, and returns the tool versions, or throws naming what is missing.</summary>
    public async Task<IReadOnlyList<string>> PrepareAsync(IEnumerable<string> tools)
    {
        var versions = new List<string>();
        var needed = tools.ToHashSet();
        if (needed.Contains(Tool.Aws) || needed.Contains(Tool.Aws64))
        {
            foreach (var (config, settings) in new[]
            {
                (_awsDefaultConfig, new[] { ("default.s3.addressing_style", "path") }),
                (_aws64Config, new[] { ("default.s3.addressing_style", "path"), ("default.s3.max_concurrent_requests", "64") }),
            })
            {
                foreach (var (key, value) in settings)
                {
                    var set = await RunCapturedAsync(_options.AwsPath, ["configure", "set", key, value], AwsEnvironment(config));
                    if (set.ExitCode != 0)
                    {
                        throw new InvalidOperationException($"'{_options.AwsPath} configure set {key} {value}' failed: {set.Output.Trim()}");
                    }
                }
            }
            versions.Add((await RunCapturedAsync(_options.AwsPath, ["--version"], AwsEnvironment(_awsDefaultConfig))).Output.Trim());
        }
        if (needed.Contains(Tool.Rclone64))
        {
            versions.Add((await RunCapturedAsync(_options.RclonePath, ["version"], RcloneEnvironment(_options.Endpoint))).Output
                .Split('\n')[0].Trim());
        }
        return versions;
    }

    /// <summary>What the CLIs' configuration says, for the report.</summary>
    public string DescribeAwsConfig() => File.ReadAllText(_aws64Config).ReplaceLineEndings(" ").Trim();

    /// <summary><c>aws s3 sync TREE s3://BUCKET/PREFIX --endpoint-url PROXY --only-show-errors</c>.</summary>
    public Task<ToolRun> AwsSyncAsync(string tree, Uri endpoint, string bucket, string prefix, bool concurrency64) =>
        RunMeasuredAsync(_options.AwsPath,
            ["s3", "sync", tree, $"s3://{bucket}/{prefix}", "--endpoint-url", endpoint.ToString().TrimEnd('/'), "--only-show-errors"],
            AwsEnvironment(concurrency64 ? _aws64Config : _awsDefaultConfig));

    /// <summary><c>rclone copy TREE bench:BUCKET/PREFIX --transfers 64</c>, remote = S3, provider Ceph, path style.</summary>
    public Task<ToolRun> RcloneCopyAsync(string tree, Uri endpoint, string bucket, string prefix) =>
        RunMeasuredAsync(_options.RclonePath,
            ["copy", tree, $"bench:{bucket}/{prefix.TrimEnd('/')}", "--transfers", "64"],
            RcloneEnvironment(endpoint));

    /// <summary>Our engine in a fresh process: this program's "publish" command.</summary>
    public Task<ToolRun> OursProcessAsync(string sourceList, Uri endpoint, string bucket, string prefix, int concurrency)
    {
        var (exe, first) = ThisProgram.Command();
        return RunMeasuredAsync(exe,
            [.. first, "publish", "--list", sourceList, "--endpoint", endpoint.ToString(), "--bucket", bucket, "--prefix", prefix,
             "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string?>());
    }

    /// <summary>Writes the engine's sources (path, logical path, integrity) for <see cref="OursProcessAsync"/>.</summary>
    public string WriteSourceList(IReadOnlyList<AssetSource> sources)
    {
        var path = Path.Combine(_dir, $"sources-{++_lists}.tsv");
        File.WriteAllLines(path, sources.Select(s => $"{s.SourcePath}\t{s.LogicalPath}\t{s.Integrity}"));
        return path;
    }

    private Dictionary<string, string?> AwsEnvironment(string config) => new()
    {
        ["AWS_CONFIG_FILE"] = config,
        ["AWS_SHARED_CREDENTIALS_FILE"] = _awsCredentials,
        ["AWS_PROFILE"] = null,
        ["AWS_DEFAULT_PROFILE"] = null,
        ["AWS_DEFAULT_REGION"] = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_PAGER"] = "",
        // Needed by awscli >= 2.23 against RGW 16 (its default checksums are rejected); older ones ignore them.
        ["AWS_REQUEST_CHECKSUM_CALCULATION"] = "when_required",
        ["AWS_RESPONSE_CHECKSUM_VALIDATION"] = "when_required",
        // A CA bundle set for the machine's own HTTPS traffic means nothing on plain-HTTP loopback.
        ["AWS_CA_BUNDLE"] = null,
    };

    private Dictionary<string, string?> RcloneEnvironment(Uri endpoint) => new()
    {
        ["RCLONE_CONFIG"] = _rcloneConfig,
        ["RCLONE_CONFIG_BENCH_TYPE"] = "s3",
        ["RCLONE_CONFIG_BENCH_PROVIDER"] = "Ceph",
        ["RCLONE_CONFIG_BENCH_ENDPOINT"] = endpoint.ToString().TrimEnd('/'),
        ["RCLONE_CONFIG_BENCH_ACCESS_KEY_ID"] = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? "",
        ["RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY"] = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? "",
        ["RCLONE_CONFIG_BENCH_REGION"] = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1",
        ["RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE"] = "true",
        // rclone 1.60 cannot load a CA bundle into its own transport ("LoadCustomCABundleError") and stops.
        ["AWS_CA_BUNDLE"] = null,
    };

    /// <summary>Runs a tool under GNU time: wall time from start to exit, peak RSS and CPU time of its process (and of the
    /// children it waited for).</summary>
    public static async Task<ToolRun> RunMeasuredAsync(
        string exe, IReadOnlyList<string> args, Dictionary<string, string?> environment, string? workingDirectory = null)
    {
        var stats = Path.GetTempFileName();
        try
        {
            var start = HasGnuTime
                ? new ProcessStartInfo(TimeBinary) { ArgumentList = { "-f", "%M %U %S", "-o", stats, exe } }
                : new ProcessStartInfo(exe);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            Apply(start, environment);
            start.WorkingDirectory = workingDirectory ?? "";
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {exe}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(RunTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            var wall = clock.Elapsed.TotalSeconds;
            var output = await stdout;
            var errors = await stderr;

            double? rss = null, cpu = null;
            // GNU time writes "Command exited with non-zero status N" before the format line when the tool fails.
            var last = File.Exists(stats) ? File.ReadLines(stats).LastOrDefault(l => l.Trim().Length > 0) : null;
            var fields = last?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is { Length: 3 }
                && long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb)
                && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var user)
                && double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var system))
            {
                rss = kb / 1024.0;
                cpu = user + system;
            }
            string? note = null;
            if (process.ExitCode != 0)
            {
                var why = (errors + output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(l => !l.StartsWith("Command exited", StringComparison.Ordinal)).TakeLast(2);
                note = $"{Path.GetFileName(exe)} exited with {process.ExitCode}: {string.Join(" / ", why)}";
            }
            return new ToolRun(process.ExitCode == 0, wall, cpu, rss, note, output);
        }
        finally
        {
            File.Delete(stats);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunCapturedAsync(string exe, IReadOnlyList<string> args, Dictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(exe);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Apply(start, environment);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {exe}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{exe}' could not be started ({e.Message}); install it (bench/run.sh does: " +
                                                "apt-get install -y awscli rclone) or leave it out with --tools", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    private static void Apply(ProcessStartInfo start, Dictionary<string, string?> environment)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = false;
        start.UseShellExecute = false;
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Creates our S3 store the way the MSBuild task does: the settings as text through the
/// <see cref="OptionsReader"/>, then <see cref="Destination.CreateStore"/>.</summary>
internal static class Stores
{
    /// <summary>A store as the MSBuild task makes one of these settings (<paramref name="concurrency"/> null: the package's default).</summary>
    public static IAssetStore Create(Uri endpoint, string bucket, string prefix, int? concurrency, string checksumMode = "WhenRequired") =>
        Read(endpoint, bucket, prefix, concurrency, checksumMode).Store;

    /// <summary>The store the RollbackStaticAssets task makes of these settings (its own default concurrency).</summary>
    public static IAssetStore CreateForRollback(Uri endpoint, string bucket, string prefix, int? concurrency)
    {
        var (destination, _, settings) = Configuration(endpoint, bucket, prefix, concurrency, "WhenRequired", null);
        return destination.CreateRollbackStore(settings);
    }

    /// <summary>The store and the publish options the MSBuild task would make of these settings (and of
    /// <paramref name="more"/>: other properties, as text). Every publish of the engine in the bench uses these
    /// options, the package's defaults for a bucket, not <c>new PublishOptions()</c>: those keep the compressed copies of
    /// the un-fingerprinted names (<c>CompressOriginals</c>), which only a folder destination writes by default.</summary>
    public static (IAssetStore Store, PublishOptions Options) Read(
        Uri endpoint, string bucket, string prefix, int? concurrency, string checksumMode = "WhenRequired", IReadOnlyDictionary<Option, string?>? more = null)
    {
        var (destination, options, settings) = Configuration(endpoint, bucket, prefix, concurrency, checksumMode, more);
        return (destination.CreateStore(settings), options);
    }

    /// <summary>The plan the package makes for a bucket with no other setting (what the bench expects to find stored).</summary>
    public static PlanOptions BucketPlan => Configuration(new Uri("http://127.0.0.1/"), "bench", "", 64, "WhenRequired", null).Options.Plan;

    private static PublishConfiguration Configuration(
        Uri endpoint, string bucket, string prefix, int? concurrency, string checksumMode, IReadOnlyDictionary<Option, string?>? more)
    {
        var values = new Dictionary<Option, string?>
        {
            [Option.Destination] = $"s3://{bucket}/{prefix}",
            [Option.S3ServiceUrl] = endpoint.ToString(),
            [Option.S3ForcePathStyle] = "true",
            [Option.S3ChecksumMode] = checksumMode,
            [Option.MaxConcurrency] = concurrency?.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (option, value) in more ?? new Dictionary<Option, string?>())
        {
            values[option] = value;
        }
        return new OptionsReader(OptionSpelling.Plain).Read(values, new PublishContext(Environment.CurrentDirectory));
    }
}

/// <summary>The "publish" command: one publish of a source list through our engine, in this fresh process, as the
/// MSBuild task would run it (minus MSBuild). Prints "written N" and exits 0 on success.</summary>
internal static class ChildPublish
{
    public static async Task<int> RunAsync(string[] args)
    {
        // Where a fresh process's time goes: runtime start-up until Main, reading the list, creating the store
        // (AWS SDK client), the publish itself (JIT of the engine and the SDK included).
        var sinceStart = ChildTimings.SinceStartMilliseconds();
        var clock = Stopwatch.StartNew();
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var sources = File.ReadLines(Arg("--list")).Select(line => line.Split('\t')).Select(f =>
            new AssetSource(f[0], f[1], f.Length > 2 && f[2].Length > 0 ? f[2] : null)).ToArray();
        var concurrency = int.Parse(Arg("--concurrency"), CultureInfo.InvariantCulture);
        var log = new BenchLog(verbose: args.Contains("--verbose"));
        var read = clock.Elapsed.TotalMilliseconds;
        double created;
        PublishResult result;
        var (ours, defaults) = Stores.Read(new Uri(Arg("--endpoint")), Arg("--bucket"), Arg("--prefix"), concurrency);
        await using (var store = ours)
        {
            created = clock.Elapsed.TotalMilliseconds;
            result = await StaticAssetPublisher.PublishAsync(sources, store, defaults, log, CancellationToken.None);
        }
        var published = clock.Elapsed.TotalMilliseconds;
        Console.Out.WriteLine(new StringBuilder("written ").Append(result.Written?.Count ?? -1));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timings start-to-main {sinceStart:F0} ms, read list {read:F0} ms, create store {created - read:F0} ms, publish {published - created:F0} ms, {ChildTimings.CpuAndJit()}"));
        return result.Succeeded ? 0 : 1;
    }
}

/// <summary>
/// `StaticAssets.Bench rollback --endpoint URL --bucket B --prefix P --generation G [--concurrency N]`: one rollback in a
/// fresh process, as `dotnet msbuild -t:RollbackStaticAssets` runs one (the engine and the AWS SDK start cold: JIT and
/// tiered compilation included). Prints the copies restored and where the process's time went. With
/// <c>--repeat N --other G2</c>: N rollbacks through the same store, to G, G2, G, ... (the first cold, the rest warm,
/// their connections kept: each one's phases, with <c>--verbose</c>, show what a cold start adds to which).
/// </summary>
internal static class ChildRollback
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sinceStart = ChildTimings.SinceStartMilliseconds();
        var clock = Stopwatch.StartNew();
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var log = new BenchLog(verbose: args.Contains("--verbose"));
        double created;
        StaticAssets.Engine.Generations.RollbackResult result;
        int? concurrency = args.Contains("--concurrency") ? int.Parse(Arg("--concurrency"), CultureInfo.InvariantCulture) : null;
        await using (var store = Stores.CreateForRollback(new Uri(Arg("--endpoint")), Arg("--bucket"), Arg("--prefix"), concurrency))
        {
            created = clock.Elapsed.TotalMilliseconds;
            var repeat = args.Contains("--repeat") ? int.Parse(Arg("--repeat"), CultureInfo.InvariantCulture) : 1;
            if (repeat > 1 && !args.Contains("--other"))
            {
                Console.Error.WriteLine("--repeat N needs --other G2: the generation to go back and forth with");
                return 2;
            }
            result = StaticAssets.Engine.Generations.RollbackResult.Failed;
            for (var i = 0; i < repeat; i++)
            {
                result = await StaticAssets.Engine.Generations.GenerationRollback.RollbackAsync(store,
                    new StaticAssets.Engine.Generations.RollbackOptions
                    {
                        Generation = i % 2 == 0 ? Arg("--generation") : Arg("--other"), Source = new StaticAssets.Engine.Manifest.GenerationSource("Bench"),
                    },
                    log, CancellationToken.None);
                if (!result.Succeeded)
                {
                    break;
                }
            }
        }
        var rolledBack = clock.Elapsed.TotalMilliseconds;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"copies {result.Copied} succeeded {result.Succeeded} {log.FirstError}"));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"timings start-to-main {sinceStart:F0} ms, create store {created:F0} ms, rollback {rolledBack - created:F0} ms, {ChildTimings.CpuAndJit()}"));
        return result.Succeeded ? 0 : 1;
    }
}

/// <summary>What the child modes (publish, rollback) report of their process in their "timings" line, one format the
/// parent's parsing relies on.</summary>
internal static class ChildTimings
{
    /// <summary>From the process's start (runtime start-up included) until now.</summary>
    public static double SinceStartMilliseconds() => (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;

    /// <summary><c>CPU 680 ms, of which JIT 150 ms (1170 methods compiled); GC 12/3/2, 95 MB allocated</c>, so far (GC:
    /// collections of generation 0, 1 and 2).</summary>
    public static string CpuAndJit() => string.Create(CultureInfo.InvariantCulture,
        $"CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds:F0} ms, of which JIT {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms ({System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled); " +
        $"GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, {GC.GetTotalAllocatedBytes() / 1e6:F0} MB allocated");
}
