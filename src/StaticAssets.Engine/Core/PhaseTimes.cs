using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace StaticAssets.Engine.Core;

/// <summary>
/// Where a publish's (or a rollback's, a prune's) time went, phase by phase, for the normal-verbosity log line and the
/// benchmark. Phases may overlap (the destination is read while the tree is planned), so they need not add up to the
/// total.
/// </summary>
public sealed class PhaseTimes(IReadOnlyList<string> order)
{
    /// <summary>The phases in the order a publish runs them; the log line keeps this order.</summary>
    public static IReadOnlyList<string> Order { get; } =
        ["gather", "hash", "rewrite", "compress", "destination read", "upload", "switch", "copies", "journal"];

    private readonly ConcurrentDictionary<string, TimeSpan> _times = new(StringComparer.Ordinal);

    /// <summary>A publish's phases (<see cref="Order"/>).</summary>
    public PhaseTimes()
        : this(Order)
    {
    }

    /// <summary>Times the rest of a <c>using</c> block as <paramref name="phase"/> (added to it if it ran before).</summary>
    public Measurement Measure(string phase) => new(this, phase, Stopwatch.GetTimestamp());

    public void Add(string phase, TimeSpan elapsed) => _times.AddOrUpdate(phase, elapsed, (_, before) => before + elapsed);

    /// <summary>For phases that run one after another (a rollback's, a prune's): adds the time since the last lap, or
    /// since these times were made, to <paramref name="phase"/>. Called from one flow at a time.</summary>
    public void Lap(string phase)
    {
        var now = Stopwatch.GetTimestamp();
        Add(phase, Stopwatch.GetElapsedTime(_lapStarted, now));
        _lapStarted = now;
    }

    private long _lapStarted = Stopwatch.GetTimestamp();

    public TimeSpan? this[string phase] => _times.TryGetValue(phase, out var time) ? time : null;

    /// <summary><c>gather 0.01 s, hash 0.12 s, ...</c>: the phases that ran, in the order given.</summary>
    public override string ToString() => string.Join(", ", order.Where(_times.ContainsKey)
        .Select(phase => string.Create(CultureInfo.InvariantCulture, $"{phase} {_times[phase].TotalSeconds:F2} s")));

    public readonly struct Measurement(PhaseTimes times, string phase, long started) : IDisposable
    {
        public void Dispose() => times.Add(phase, Stopwatch.GetElapsedTime(started));
    }
}
