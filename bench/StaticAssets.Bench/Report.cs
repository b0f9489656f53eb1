using System.Globalization;

namespace StaticAssets.Bench;

/// <summary>The numbers every mode prints the same way: medians, "n/a" for what did not run, PASS/FAIL lines.</summary>
internal static class Report
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double? MedianOf(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        return present.Length == 0 ? null : Median(present);
    }

    public static string Format(double? value, string format) =>
        value is { } v && !double.IsNaN(v) && !double.IsInfinity(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    public static string Format(int? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "n/a";

    public static void Target(string what, double? value, double limit, string format = "F2") =>
        Console.WriteLine($"  {(value is null || double.IsNaN(value.Value) ? "n/a " : value <= limit ? "PASS" : "FAIL")}  {what}: {Format(value, format)}");

    /// <summary>"PUT 3001 GET 2": requests by method, most first.</summary>
    public static string Methods(ProxyStats stats) => string.Join(" ", stats.Methods.OrderByDescending(m => m.Value).Select(m => $"{m.Key} {m.Value}"));

    public static string Truncate(string s, int length) => s.Length <= length ? s : s[..(length - 1)] + "…";
}
