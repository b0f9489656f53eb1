namespace StaticAssets.AspNetCore.Linking;

/// <summary>The pre-compressed encodings a request accepts (from its Accept-Encoding header).</summary>
[Flags]
internal enum ContentCodings
{
    None = 0,
    Gzip = 1,
    Brotli = 2,
    Zstd = 4,
    /// <summary>One more than the largest combination: the number of distinct values.</summary>
    Combinations = 8,
}

internal static class AcceptEncoding
{
    /// <summary>
    /// Reads "gzip, deflate, br;q=1.0, zstd" without allocating. A coding with q=0 is refused; "*" accepts all.
    /// </summary>
    public static ContentCodings Parse(ReadOnlySpan<char> header)
    {
        var accepted = ContentCodings.None;
        var rest = header;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(',');
            var item = (end < 0 ? rest : rest[..end]).Trim();
            rest = end < 0 ? default : rest[(end + 1)..];
            var parameters = item.IndexOf(';');
            var coding = (parameters < 0 ? item : item[..parameters]).Trim();
            if (parameters >= 0 && IsRefused(item[(parameters + 1)..]))
            {
                continue;
            }
            if (coding.Equals("br", StringComparison.OrdinalIgnoreCase))
            {
                accepted |= ContentCodings.Brotli;
            }
            else if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
            {
                accepted |= ContentCodings.Gzip;
            }
            else if (coding.Equals("zstd", StringComparison.OrdinalIgnoreCase))
            {
                accepted |= ContentCodings.Zstd;
            }
            else if (coding is "*")
            {
                accepted |= ContentCodings.Brotli | ContentCodings.Gzip | ContentCodings.Zstd;
            }
        }
        return accepted;
    }

    private static bool IsRefused(ReadOnlySpan<char> parameters)
    {
        var rest = parameters;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(';');
            var parameter = (end < 0 ? rest : rest[..end]).Trim();
            rest = end < 0 ? default : rest[(end + 1)..];
            if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase))
            {
                var q = parameter[2..].Trim();
                return q is "0" || (q.StartsWith("0.") && q[2..].TrimEnd('0').IsEmpty);
            }
        }
        return false;
    }
}
