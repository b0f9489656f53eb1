using System.Text.RegularExpressions;

namespace StaticAssets.Engine.Plan.References;

/// <summary>A URL written in a file: where it stands in the text, and the URL itself.</summary>
/// <param name="Module">A JavaScript import/export specifier, where a bare name ("react") is a package, not a file.</param>
public readonly record struct Reference(int Start, int Length, string Url, bool Module = false);

/// <summary>
/// Finds the URLs a CSS or JavaScript file refers to, the way Django's ManifestStaticFilesStorage does, but
/// skipping CSS comments (a commented-out url() is not a reference) and keeping exact positions so that only the
/// URL text is replaced.
/// </summary>
public static partial class ReferenceScanner
{
    // url(x), url('x'), url("x"); the URL group excludes the quotes.
    [GeneratedRegex(@"url\(\s*(?<q>['""]?)(?<url>[^'""\)\s]*?)\k<q>\s*\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CssUrl();

    // @import "x.css"; @import 'x.css' (the @import url(...) form is found by CssUrl).
    [GeneratedRegex(@"@import\s+(?<q>['""])(?<url>[^'""]+)\k<q>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CssImport();

    // /*# sourceMappingURL=x.css.map */ and //# sourceMappingURL=x.js.map (also the older //@ form).
    [GeneratedRegex(@"(?:/\*|//)[#@]\s*sourceMappingURL=(?<url>[^\s*]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SourceMap();

    // import x from "y"; import "y"; export {x} from "y"; import("y") — static specifiers only.
    [GeneratedRegex(@"(?:\bimport\s*(?:[\w*{}\s,$]+?\s*from\s*)?|\bexport\s*[\w*{}\s,$]+?\s*from\s*|\bimport\s*\(\s*)(?<q>['""])(?<url>[^'""\r\n]+)\k<q>", RegexOptions.CultureInvariant)]
    private static partial Regex JsModule();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex CssComment();

    public static IReadOnlyList<Reference> InCss(string css)
    {
        var comments = CssComment().Matches(css).Select(m => (m.Index, End: m.Index + m.Length)).ToArray();
        bool InComment(int at) => comments.Any(c => at >= c.Index && at < c.End);
        var found = new List<Reference>();
        foreach (var regex in new[] { CssUrl(), CssImport() })
        {
            foreach (Match match in regex.Matches(css))
            {
                if (!InComment(match.Index))
                {
                    var url = match.Groups["url"];
                    found.Add(new Reference(url.Index, url.Length, url.Value));
                }
            }
        }
        AddSourceMaps(css, found);
        return Sorted(found);
    }

    public static IReadOnlyList<Reference> InJavaScript(string js, bool modules)
    {
        var found = new List<Reference>();
        if (modules)
        {
            foreach (Match match in JsModule().Matches(js))
            {
                var url = match.Groups["url"];
                found.Add(new Reference(url.Index, url.Length, url.Value, Module: true));
            }
        }
        AddSourceMaps(js, found);
        return Sorted(found);
    }

    private static void AddSourceMaps(string text, List<Reference> found)
    {
        foreach (Match match in SourceMap().Matches(text))
        {
            var url = match.Groups["url"];
            found.Add(new Reference(url.Index, url.Length, url.Value));
        }
    }

    // One reference per position, in text order: rewriting walks them front to back.
    private static IReadOnlyList<Reference> Sorted(List<Reference> found) =>
        found.DistinctBy(r => r.Start).OrderBy(r => r.Start).ToArray();
}
