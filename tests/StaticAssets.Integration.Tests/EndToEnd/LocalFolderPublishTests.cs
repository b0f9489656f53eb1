using static StaticAssets.Testing.PublishedAssets;

namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>A real `dotnet publish` of the sample app with the packed package, onto the default local destination.</summary>
[TestClass]
public sealed class LocalFolderPublishTests
{
    private static readonly string[] SampleLogicalPaths =
    [
        "css/site.css", "js/site.js", "img/logo.svg", "fonts/sample.woff2", "robots.txt",
        "_content/SampleRazorLib/widget.js", "_content/SampleRazorLib/widget.css",
    ];

    [TestMethod]
    public async Task PublishStoresEveryAssetThenRepublishWritesNothingThenAChangeWritesOnlyThatAsset()
    {
        using var project = await SampleProject.CreateAsync();

        // 1. First publish: everything is stored under its fingerprinted key, with the right bytes.
        var first = (await project.PublishAsync()).ShouldSucceed("first publish");
        Assert.IsTrue(Directory.Exists(project.DefaultDestination), first.Output);
        var manifest = ReadManifest(project.LocalManifest);
        CollectionAssert.AreEqual(
            File.ReadAllBytes(project.LocalManifest),
            File.ReadAllBytes(Path.Combine(project.DefaultDestination, "staticassets.manifest.json")),
            "the manifest in the publish output and at the destination differ");
        AssertDestinationMatchesManifest(project.DefaultDestination, manifest);
        foreach (var logicalPath in SampleLogicalPaths)
        {
            var expected = ExpectedContent(project, logicalPath);
            var key = Expected.Key(logicalPath, expected);
            Assert.AreEqual(key, manifest.GetProperty("paths").GetProperty(logicalPath).GetString(), $"key of {logicalPath}");
            CollectionAssert.AreEqual(expected, File.ReadAllBytes(Path.Combine(project.DefaultDestination, key)), $"bytes of {logicalPath}");
            CollectionAssert.AreEqual(expected, File.ReadAllBytes(Path.Combine(project.DefaultDestination, logicalPath)), $"un-fingerprinted copy of {logicalPath}");
        }
        StringAssert.Contains(File.ReadAllText(Path.Combine(project.DefaultDestination, "css", "site.css")),
            $"url(\"../{Expected.KeyOfFile("fonts/sample.woff2", Path.Combine(project.WwwRoot, "fonts", "sample.woff2"))}\")",
            "site.css refers to the font's fingerprinted name");
        Assert.IsTrue(manifest.GetProperty("assets").GetProperty("css/site.css").GetProperty("encodings").TryGetProperty("br", out _),
            "the SDK's brotli copy of site.css was not kept as a variant");
        Assert.AreEqual("text/css", manifest.GetProperty("assets").GetProperty("css/site.css").GetProperty("contentType").GetString());
        var firstObjects = Snapshot(project.DefaultDestination);
        // Besides the objects: the manifest and the journal that vouches for the un-fingerprinted copies.
        var objectCount = firstObjects.Count - 2;
        Assert.IsTrue(firstObjects.ContainsKey("staticassets.manifest.pending.json"), "the journal of the un-fingerprinted copies");
        StringAssert.Matches(first.Output, new Regex($@"\b{SampleLogicalPaths.Length} static assets: {objectCount} objects written, 0 unchanged\b"));

        // 2. Nothing changed: nothing is written, not even the manifest.
        var second = (await project.PublishAsync()).ShouldSucceed("second publish");
        StringAssert.Matches(second.Output, new Regex($@"\b0 objects written, {objectCount} unchanged\b"));
        CollectionAssert.AreEquivalent(firstObjects.ToList(), Snapshot(project.DefaultDestination).ToList(), "the unchanged re-publish wrote to the destination");

        // 3. One file changed: exactly its objects (itself and its .gz/.br) are added; its un-fingerprinted copies and
        //    the manifest are replaced; nothing else is touched.
        File.AppendAllText(Path.Combine(project.WwwRoot, "css", "site.css"), "\nfooter { color: gray; }\n");
        var third = (await project.PublishAsync()).ShouldSucceed("publish after a change");
        var after = Snapshot(project.DefaultDestination);
        var newKey = Expected.Key("css/site.css", ExpectedContent(project, "css/site.css"));
        CollectionAssert.AreEquivalent(
            new[] { newKey, newKey + ".gz", newKey + ".br" },
            after.Keys.Except(firstObjects.Keys).ToArray(),
            "objects added by the change");
        CollectionAssert.AreEquivalent(
            new[] { "staticassets.manifest.json", "staticassets.manifest.pending.json", "css/site.css", "css/site.css.gz", "css/site.css.br" },
            after.Where(f => firstObjects.TryGetValue(f.Key, out var before) && before != f.Value).Select(f => f.Key).ToArray(),
            "existing files rewritten by the change");
        StringAssert.Matches(third.Output, new Regex(@"\b6 objects written\b"));
        var newManifest = ReadManifest(project.LocalManifest);
        Assert.AreEqual(newKey, newManifest.GetProperty("paths").GetProperty("css/site.css").GetString());
        AssertDestinationMatchesManifest(project.DefaultDestination, newManifest);
    }

    [TestMethod]
    public async Task ThePublishTargetCalledAloneAfterAPublishProducesTheSameManifest()
    {
        using var project = await SampleProject.CreateAsync();
        (await project.PublishAsync()).ShouldSucceed("publish");
        var other = Path.Combine(project.Root, "second-destination");

        var alone = (await Dotnet.RunAsync(project.ProjectDirectory,
            ["msbuild", "-t:PublishStaticAssets", "-p:Configuration=Release", "-nologo", $"-p:StaticAssetsDestination={other}"]))
            .ShouldSucceed("PublishStaticAssets alone");

        StringAssert.Contains(alone.Output, $"{SampleLogicalPaths.Length} static assets:");
        CollectionAssert.AreEqual(
            File.ReadAllBytes(Path.Combine(project.DefaultDestination, "staticassets.manifest.json")),
            File.ReadAllBytes(Path.Combine(other, "staticassets.manifest.json")),
            "the target called alone gathered other assets than the publish did");
        AssertDestinationMatchesManifest(other, ReadManifest(Path.Combine(other, "staticassets.manifest.json")));
    }

    /// <summary>What the published bytes of a sample asset must be, computed here from the sources: site.css
    /// refers to the font, so it is published with the font's fingerprinted name in its url(); site.js imports the
    /// library's widget from the web root, which comes out relative (the widget's un-fingerprinted copy).</summary>
    private static byte[] ExpectedContent(SampleProject project, string logicalPath)
    {
        var source = logicalPath.StartsWith("_content/SampleRazorLib/", StringComparison.Ordinal)
            ? Path.Combine(project.LibraryWwwRoot, logicalPath["_content/SampleRazorLib/".Length..])
            : Path.Combine(project.WwwRoot, logicalPath);
        var text = File.ReadAllText(source);
        return logicalPath switch
        {
            "css/site.css" => System.Text.Encoding.UTF8.GetBytes(text.Replace("../fonts/sample.woff2",
                "../" + Expected.KeyOfFile("fonts/sample.woff2", Path.Combine(project.WwwRoot, "fonts", "sample.woff2")), StringComparison.Ordinal)),
            "js/site.js" => System.Text.Encoding.UTF8.GetBytes(text.Replace("\"/_content/SampleRazorLib/widget.js\"",
                "\"../_content/SampleRazorLib/widget.js\"", StringComparison.Ordinal)),
            _ => File.ReadAllBytes(source),
        };
    }

    [TestMethod]
    [DataRow("-p:StaticAssetsDryRun=true", DisplayName = "A dry run reports the plan and writes nothing")]
    [DataRow("-p:StaticAssetsEnabled=false", DisplayName = "StaticAssetsEnabled=false: the app publishes, the package does nothing")]
    public async Task APublishThatMustNotWriteWritesNothing(string property)
    {
        using var project = await SampleProject.CreateAsync();

        var result = (await project.PublishAsync(property)).ShouldSucceed(property);

        if (property.Contains("DryRun", StringComparison.Ordinal))
        {
            StringAssert.Matches(result.Output, new Regex(@"Dry run: \d+ static assets: \d+ objects would be written, 0 unchanged"));
        }
        else
        {
            Assert.IsTrue(File.Exists(Path.Combine(project.PublishDirectory, "wwwroot", "css", "site.css")), "the app itself was not published");
            Assert.DoesNotMatchRegex(new Regex(@"\d static assets"), result.Output, "the package planned or reported a publish");
        }
        Assert.IsFalse(Directory.Exists(project.DefaultDestination), $"{property} created the destination");
        Assert.IsFalse(File.Exists(project.LocalManifest), $"{property} wrote the manifest");
    }
}
