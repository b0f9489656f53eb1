using System.Globalization;

namespace StaticAssets.Bench;

/// <summary>Cheap Linux process measurements from /proc; every method returns null where /proc is unavailable.</summary>
internal static class ProcessStats
{
    private const double ClockTicksPerSecond = 100; // USER_HZ, 100 on every mainstream Linux build

    private static readonly string[] ServerDaemons = ["radosgw", "ceph-osd", "ceph-mon"];

    /// <summary>Resets this process's peak RSS (VmHWM) to its current RSS (Linux 4.0+: "5" > clear_refs).</summary>
    public static bool TryResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Peak resident set size of this whole process (runtime, GC heap, everything) in MB.</summary>
    public static double? PeakRssMb() => StatusField("/proc/self/status", "VmHWM:") / 1024.0;

    public static double? RssMb(int pid) => StatusField($"/proc/{pid}/status", "VmRSS:") / 1024.0;

    /// <summary>User + system CPU seconds of the Ceph daemons (RGW, OSD, mon) of the cluster that serves
    /// <paramref name="endpoint"/> (other clusters on this machine, e.g. other test runs, are left out).</summary>
    public static double? ServerCpuSeconds(Uri endpoint)
    {
        double total = 0;
        var found = false;
        foreach (var (pid, _) in ServerProcesses(endpoint))
        {
            if (CpuSeconds(pid) is { } seconds)
            {
                total += seconds;
                found = true;
            }
        }
        return found ? total : null;
    }

    /// <summary>Busy CPU seconds of the whole machine (all CPUs, everything but idle and iowait), from /proc/stat.</summary>
    public static double? MachineBusySeconds()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...
            var values = fields.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return (values.Sum() - values[3] - values[4]) / ClockTicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The Ceph daemons started with the same ceph.conf as the RGW listening on <paramref name="endpoint"/>.</summary>
    public static IEnumerable<(int Pid, string Name)> ServerProcesses(Uri endpoint)
    {
        var daemons = new List<(int Pid, string Name, string Conf)>();
        foreach (var pid in ServerPids())
        {
            try
            {
                var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                var c = Array.IndexOf(args, "-c");
                var name = File.ReadAllText($"/proc/{pid}/comm").Trim();
                daemons.Add((pid, name, c >= 0 && c + 1 < args.Length ? args[c + 1] : ""));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        var ours = daemons.Select(d => d.Conf).Distinct().Where(conf => ServesEndpoint(conf, endpoint)).ToHashSet();
        return daemons.Where(d => ours.Contains(d.Conf)).Select(d => (d.Pid, d.Name)).ToArray();
    }

    /// <summary>The ceph.conf of the cluster whose RGW serves <paramref name="endpoint"/>, if it runs on this machine.</summary>
    public static string? ServerConf(Uri endpoint)
    {
        foreach (var (pid, name) in ServerProcesses(endpoint))
        {
            try
            {
                var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                var c = Array.IndexOf(args, "-c");
                if (name == "radosgw" && c >= 0 && c + 1 < args.Length)
                {
                    return args[c + 1];
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return null;
    }

    private static bool ServesEndpoint(string conf, Uri endpoint)
    {
        try
        {
            return File.ReadLines(conf).Any(line => line.Contains("rgw_frontends", StringComparison.Ordinal)
                && line.Contains($"endpoint={endpoint.Host}:{endpoint.Port}", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    private static IEnumerable<int> ServerPids()
    {
        if (!Directory.Exists("/proc"))
        {
            yield break;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string comm;
            try
            {
                comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (ServerDaemons.Contains(comm))
            {
                yield return pid;
            }
        }
    }

    private static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command (which is in parentheses and may contain spaces): state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static long? StatusField(string path, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture); // kB
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return null;
    }
}
