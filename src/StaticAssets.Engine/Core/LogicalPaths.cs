namespace StaticAssets.Engine.Core;

/// <summary>
/// Rules for logical paths (URL paths relative to the web root). Keys are derived only from paths that pass,
/// so no key can escape the destination's prefix or root folder.
/// </summary>
public static class LogicalPaths
{
    /// <summary>The diagnostic code for an invalid path: absolute paths and backslashes get codes of their own.</summary>
    public static string ErrorCode(string? path) =>
        string.IsNullOrEmpty(path) ? DiagnosticCodes.InvalidLogicalPath
        : path[0] == '/' || (path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0])) ? DiagnosticCodes.AbsoluteLogicalPath
        : path.Contains('\\') ? DiagnosticCodes.BackslashInLogicalPath
        : DiagnosticCodes.InvalidLogicalPath;

    /// <summary>Returns null when <paramref name="path"/> is a valid logical path, else why it is not.</summary>
    public static string? Validate(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "it is empty";
        }
        if (path.Contains('\\'))
        {
            return "it contains a backslash; logical paths are URL paths separated by '/'";
        }
        if (path[0] == '/')
        {
            return "it starts with '/'; logical paths are relative to the web root";
        }
        if (path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0]))
        {
            return "it looks like an absolute Windows path";
        }
        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                return "it contains a control character";
            }
        }
        // Segment by segment without splitting: manifests validate thousands of keys each read.
        var rest = path.AsSpan();
        while (true)
        {
            var end = rest.IndexOf('/');
            var segment = end < 0 ? rest : rest[..end];
            if (segment.Length == 0)
            {
                return "it has an empty segment ('//' or a trailing '/')";
            }
            if (segment is "." or "..")
            {
                return $"it has a '{segment}' segment";
            }
            if (end < 0)
            {
                return null;
            }
            rest = rest[(end + 1)..];
        }
    }
}
