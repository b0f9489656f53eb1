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

public readonly record struct ResolvedReference(ReferenceKind Kind, string? LogicalPath, string PathPart, string Suffix);

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
        foreach (var segment in decoded.Split('/'))
        {
            switch (segment)
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count == 0)
                    {
                        return new ResolvedReference(ReferenceKind.OutsideRoot, null, path, suffix);
                    }
                    segments.RemoveAt(segments.Count - 1);
                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }
        return new ResolvedReference(ReferenceKind.Asset, string.Join('/', segments), path, suffix);
    }

    private static bool HasScheme(string url)
    {
        var colon = url.IndexOf(':');
        return colon > 0 && char.IsAsciiLetter(url[0]) && url[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');
    }
}
