using System.Globalization;
using System.Text.RegularExpressions;

namespace StaticAssets.Bench;

/// <summary>
/// What one publish's MSBuild file log says about the package: the task's summary line ("1,021 static assets: 3,663
/// objects written, 0 unchanged, in 8.9 s -> s3://..."), its phase line at normal verbosity ("Where the time went:
/// gather 0.01 s, hash 0.12 s, ...; 5.61 s in all.") and, from MSBuild's performance summary, the time of the package's
/// two targets: CollectStaticAssets (the items) and PublishStaticAssets (the task, loading included). The task's lines
/// are its human-readable messages, parsed as printed.
/// </summary>
/// <param name="Phases">Seconds per phase, for the phases that ran (they may overlap: destination read runs during planning).</param>
/// <param name="TotalSeconds">The task's own clock, from the start of planning to the end of its last write.</param>
internal sealed partial record PublishLog(
    int Assets, int Written, int Unchanged, IReadOnlyDictionary<string, double> Phases, double TotalSeconds,
    double? CollectTargetSeconds, double? PublishTargetSeconds)
{
    /// <summary>What MSBuild needs to write the performance summary into the file log.</summary>
    public const string LoggerParameters = "verbosity=normal;performancesummary";

    /// <summary>The log's lines, or null if the task did not log its summary and phases (it did not run, or failed).</summary>
    public static PublishLog? Read(string logFile)
    {
        if (!File.Exists(logFile))
        {
            return null;
        }
        Match? summary = null, phases = null;
        var targets = new Dictionary<string, double>(StringComparer.Ordinal);
        var inTargetSummary = false;
        foreach (var line in File.ReadLines(logFile))
        {
            summary = SummaryLine().Match(line) is { Success: true } s ? s : summary;
            phases = PhaseLine().Match(line) is { Success: true } p ? p : phases;
            // Task names repeat in the task summary below the target summary: read the target summary only.
            inTargetSummary = line.StartsWith("Target Performance Summary:", StringComparison.Ordinal)
                              || (inTargetSummary && !line.StartsWith("Task Performance Summary:", StringComparison.Ordinal));
            if (inTargetSummary && TargetTime().Match(line) is { Success: true } t)
            {
                targets[t.Groups["name"].Value] = Count(t.Groups["ms"].Value) / 1000.0;
            }
        }
        if (summary is null || phases is null)
        {
            return null;
        }
        var times = PhaseTime().Matches(phases.Groups["phases"].Value)
            .ToDictionary(m => m.Groups["name"].Value, m => Seconds(m.Groups["seconds"].Value), StringComparer.Ordinal);
        return new PublishLog(Count(summary.Groups["assets"].Value), Count(summary.Groups["written"].Value),
            Count(summary.Groups["unchanged"].Value), times, Seconds(phases.Groups["total"].Value),
            targets.TryGetValue("CollectStaticAssets", out var collect) ? collect : null,
            targets.TryGetValue("PublishStaticAssets", out var publish) ? publish : null);
    }

    private static int Count(string text) => int.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private static double Seconds(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?<assets>[\d,]+) static assets: (?<written>[\d,]+) objects written, (?<unchanged>[\d,]+) unchanged")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"Where the time went: (?<phases>.*); (?<total>[\d.]+) s in all\.")]
    private static partial Regex PhaseLine();

    [GeneratedRegex(@"(?<name>[a-z][a-z ]*) (?<seconds>[\d.]+) s")]
    private static partial Regex PhaseTime();

    [GeneratedRegex(@"^\s+(?<ms>\d+) ms\s+(?<name>\S+)\s+\d+ calls")]
    private static partial Regex TargetTime();
}
