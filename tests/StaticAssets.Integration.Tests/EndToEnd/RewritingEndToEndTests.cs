using static StaticAssets.Testing.PublishedAssets;

namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>A real `dotnet publish` of the sample with a small stylesheet graph added to its wwwroot.</summary>
[TestClass]
public sealed partial class RewritingEndToEndTests
{
    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"url\(\s*(?:""(?<u>[^""]*)""|'(?<u>[^']*)'|(?<u>[^)\s]*))\s*\)|@import\s+(?:""(?<u>[^""]*)""|'(?<u>[^']*)')", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();

    [TestMethod]
    public async Task EveryUrlInEveryPublishedStylesheetNamesAStoredFingerprintedObjectAndStrictFailsOnTheMissingMap()
    {
        using var project = await SampleProject.CreateAsync();
        File.WriteAllText(Path.Combine(project.WwwRoot, "css", "theme.css"), """
            @import "parts/buttons.css";
            body { background: url("../img/logo.svg") no-repeat; }
            @font-face { font-family: "Sample"; src: url(../fonts/sample.woff2?#iefix) format("woff2"); }
            .cdn { background: url(https://cdn.example.com/x.png); }
            """);
        Directory.CreateDirectory(Path.Combine(project.WwwRoot, "css", "parts"));
        File.WriteAllText(Path.Combine(project.WwwRoot, "css", "parts", "buttons.css"), """
            /* .old { background: url(commented-out.png); } */
            .btn { background: url(../../img/logo.svg); }
            .btn-icon { background: url('/img/logo.svg#icon'); }
            /*# sourceMappingURL=buttons.css.map */
            """);

        var result = (await project.PublishAsync()).ShouldSucceed("publish with a missing source map");

        StringAssert.Matches(result.Output, new Regex(@"warning SA2005: .*buttons\.css\.map"), "no SA2005 warning for the missing map");
        Assert.DoesNotContain("commented-out.png", result.Output, "a commented-out url() was reported");
        var destination = project.DefaultDestination;
        var manifest = ReadManifest(project.LocalManifest);
        AssertDestinationMatchesManifest(destination, manifest);
        var fingerprinted = manifest.GetProperty("paths").EnumerateObject().Select(p => p.Value.GetString()!).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("css/theme.css", manifest.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Contains("css/parts/buttons.css", manifest.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray());

        // Every stylesheet stored (fingerprinted and un-fingerprinted copies alike), read with a scanner of our own.
        var stylesheets = Directory.EnumerateFiles(destination, "*.css", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(destination, f).Replace('\\', '/'))
            .ToArray();
        Assert.IsGreaterThanOrEqualTo(8, stylesheets.Length, string.Join(", ", stylesheets));
        var checkedCount = 0;
        foreach (var stylesheet in stylesheets)
        {
            var text = Comment().Replace(File.ReadAllText(Path.Combine(destination, stylesheet)), "");
            foreach (Match match in Reference().Matches(text))
            {
                var url = match.Groups["u"].Value;
                if (url.Length == 0 || url.StartsWith('#') || url.StartsWith("//", StringComparison.Ordinal) || Regex.IsMatch(url, "^[a-zA-Z][a-zA-Z0-9+.-]*:"))
                {
                    continue;
                }
                var path = Uri.UnescapeDataString(url.Split('?', '#')[0]);
                var target = path.StartsWith('/')
                    ? path[1..]
                    : Path.GetRelativePath(destination, Path.GetFullPath(Path.Combine(destination, Path.GetDirectoryName(stylesheet)!, path))).Replace('\\', '/');
                Assert.IsTrue(File.Exists(Path.Combine(destination, target)), $"'{stylesheet}' refers to '{url}', which is not stored ('{target}')");
                Assert.Contains(target, fingerprinted, $"'{stylesheet}' refers to '{url}', which is not a fingerprinted key");
                checkedCount++;
            }
        }
        Assert.IsGreaterThanOrEqualTo(12, checkedCount, "too few references were checked: site.css, theme.css and buttons.css each come twice");

        var themeKey = manifest.GetProperty("paths").GetProperty("css/theme.css").GetString()!;
        var buttonsKey = manifest.GetProperty("paths").GetProperty("css/parts/buttons.css").GetString()!;
        StringAssert.Contains(File.ReadAllText(Path.Combine(destination, themeKey)), $"@import \"{buttonsKey["css/".Length..]}\";");
        StringAssert.Contains(File.ReadAllText(Path.Combine(destination, buttonsKey)), "/*# sourceMappingURL=buttons.css.map */", "the missing map's reference is left as written");

        // Strict: the missing map fails the publish, and the destination keeps its manifest.
        var manifestBefore = File.ReadAllBytes(Path.Combine(destination, "staticassets.manifest.json"));
        var strict = await project.PublishAsync("-p:StaticAssetsStrict=true");
        Assert.AreNotEqual(0, strict.ExitCode, "a strict publish with a missing reference succeeded\n" + strict.Output);
        StringAssert.Matches(strict.Output, new Regex(@"error SA1013: .*buttons\.css\.map"), strict.Output);
        CollectionAssert.AreEqual(manifestBefore, File.ReadAllBytes(Path.Combine(destination, "staticassets.manifest.json")));
    }
}
