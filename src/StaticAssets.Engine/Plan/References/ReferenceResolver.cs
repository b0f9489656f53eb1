namespace StaticAssets.Engine.Plan.References;

/// <summary>What a URL in an asset points at.</summary>
public enum ReferenceKind
{
    /// <summary>Not ours: data:, absolute http(s)/protocol-relative URLs, #fragment-only, bare module names, empty.</summary>
    External,

    /// <summary>A path that is (or would be) a logical path; <see cref="ResolvedReference.LogicalPath"/> is set.</summary>
    Asset,

    /// <summary>A relative path that climbs above the web root.</summary>
    OutsideRoot,
}

public readonly record struct ResolvedReference(ReferenceKind Kind, string? LogicalPath, string PathPart, string Suffix)
{
    /// <summary>Written from the web root (<c>/img/a.png</c>): right only where the site is served from a host's root.</summary>
    public bool IsRootAbsolute => Kind == ReferenceKind.Asset && PathPart.StartsWith('/');
}

public static class ReferenceResolver
{
    /// <summary>
    /// Resolves <paramref name="url"/> found in the asset at <paramref name="fromLogicalPath"/>: relative URLs
    /// against its folder, root-relative ones against the web root. Query and fragment are split off (kept as
    /// <see cref="ResolvedReference.Suffix"/>); percent-escapes are decoded for the lookup.
    /// </summary>
    public static ResolvedReference Resolve(string fromLogicalPath, string url, bool bareNamesAreModules)
    {
        var split = url.IndexOfAny(['?', '#']);
        var path = split < 0 ? url : url[..split];
        var suffix = split < 0 ? "" : url[split..];
        if (path.Length == 0 || url.StartsWith("//", StringComparison.Ordinal) || HasScheme(url)
            || (bareNamesAreModules && !path.StartsWith('.') && !path.StartsWith('/')))
        {
            return new ResolvedReference(ReferenceKind.External, null, path, suffix);
        }
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(path);
        }
        catch (UriFormatException)
        {
            decoded = path;
        }
        var segments = new List<string>();
        if (!decoded.StartsWith('/'))
        {
            segments.AddRange(fromLogicalPath.Split('/')[..^1]);
        }
        if (!Walk(segments, decoded))
        {
            return new ResolvedReference(ReferenceKind.OutsideRoot, null, path, suffix);
        }
        return new ResolvedReference(ReferenceKind.Asset, string.Join('/', segments), path, suffix);
    }

    private static bool HasScheme(string url)
    {
        var colon = url.IndexOf(':');
        return colon > 0 && char.IsAsciiLetter(url[0]) && url[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
    }

    /// <summary>
    /// The root-absolute URL path <paramref name="rootPath"/> (as written, percent-escapes kept, which resolves to
    /// <paramref name="targetLogicalPath"/>) relative to the file at <paramref name="fromLogicalPath"/>: <c>./</c> or
    /// <c>../</c> first, so that a JavaScript module specifier stays a path. Unchanged when its segments do not match
    /// the logical path's one for one (an escaped slash).
    /// </summary>
    public static string RelativeTo(string fromLogicalPath, string rootPath, string targetLogicalPath)
    {
        var segments = new List<string>();
        Walk(segments, rootPath); // never above the root: the path resolved inside it
        var target = targetLogicalPath.Split('/');
        if (segments.Count != target.Length)
        {
            return rootPath;
        }
        var folder = fromLogicalPath.Split('/')[..^1];
        var common = 0;
        while (common < folder.Length && common < target.Length - 1 && folder[common] == target[common])
        {
            common++;
        }
        var up = folder.Length - common;
        return (up == 0 ? "./" : string.Concat(Enumerable.Repeat("../", up))) + string.Join('/', segments.Skip(common));
    }

    /// <summary>Applies <paramref name="path"/>'s segments to <paramref name="segments"/> ("" and "." change nothing, ".." goes up
    /// one); false if it climbs above the root.</summary>
    private static bool Walk(List<string> segments, string path)
    {
        foreach (var segment in path.Split('/'))
        {
            switch (segment)
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count == 0)
                    {
                        return false;
                    }
                    segments.RemoveAt(segments.Count - 1);
                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }
        return true;
    }
}
