using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace StaticAssets.AspNetCore.Linking;

/// <summary>Turns a manifest key into the URL path appended to BaseUrl, and rejects keys that could leave it.</summary>
internal static class UrlPath
{
    // RFC 3986 pchar plus '/': everything else in a key is percent-encoded (as UTF-8), so a key such as
    // "img/my logo.png" links "img/my%20logo.png", which the store decodes back to the key.
    private static readonly SearchValues<char> Unescaped =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/");

    /// <summary>
    /// A key (as UTF-8) must stay below BaseUrl: relative, no empty, "." or ".." segments, no backslash or control
    /// characters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsValidKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || key[0] == '/' || key[^1] == '/' || key.Contains((byte)'\\') || key.IndexOf("//"u8) >= 0)
        {
            return false;
        }
        for (var i = 0; i < key.Length; i++)
        {
            // C0 controls and DEL, and the C1 controls (U+0080-U+009F, encoded C2 80-C2 9F).
            if (key[i] < 0x20 || key[i] == 0x7F || (key[i] == 0xC2 && i + 1 < key.Length && key[i + 1] is >= 0x80 and <= 0x9F))
            {
                return false;
            }
        }
        var rest = key;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'/');
            var segment = end < 0 ? rest : rest[..end];
            if (segment.SequenceEqual("."u8) || segment.SequenceEqual(".."u8))
            {
                return false;
            }
            rest = end < 0 ? default : rest[(end + 1)..];
        }
        return true;
    }

    /// <summary>BaseUrl + the escaped key, in one allocation when nothing needs escaping.</summary>
    public static string Combine(string baseUrl, ReadOnlySpan<char> key)
    {
        if (key.IndexOfAnyExcept(Unescaped) < 0)
        {
            return string.Concat(baseUrl.AsSpan(), key);
        }
        var builder = new StringBuilder(baseUrl, baseUrl.Length + key.Length * 3);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (Unescaped.Contains(c))
            {
                builder.Append(c);
                continue;
            }
            var length = char.IsHighSurrogate(c) && i + 1 < key.Length
                ? Encoding.UTF8.GetBytes(key.Slice(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(key.Slice(i, 1), utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
