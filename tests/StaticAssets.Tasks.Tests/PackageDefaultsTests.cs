using System.Xml.Linq;

namespace StaticAssets.Tasks.Tests;

/// <summary>
/// The engine is the one place defaults live. These fail when the package (its props and targets, the task, the
/// README's property table) and the engine disagree about a default.
/// </summary>
[TestClass]
public sealed class PackageDefaultsTests
{
    private static readonly string Repository = Dotnet.RepositoryRoot;

    /// <summary>The only properties MSBuild itself acts on; every other one goes to the task as the user wrote it.</summary>
    private static readonly string[] MSBuildSwitches = ["StaticAssetsEnabled", "StaticAssetsUseReadyToRun"];

    private static XDocument Build(string file) => XDocument.Load(Path.Combine(Repository, "build", file));

    [TestMethod]
    public void ThePropsSetNothingButTheTwoSwitchesMSBuildActsOn()
    {
        var set = Build("StaticAssets.Tasks.props").Descendants().Where(e => e.Name.LocalName.StartsWith("StaticAssets", StringComparison.Ordinal))
            .Select(e => e.Name.LocalName).ToArray();

        CollectionAssert.AreEquivalent(MSBuildSwitches, set);
    }

    [TestMethod]
    public void TheTargetsGiveTheTaskEveryOptionAsTheUserWroteIt()
    {
        var targets = Build("StaticAssets.Tasks.targets");
        var assigned = targets.Descendants().Where(e => e.Parent?.Name.LocalName == "PropertyGroup" && e.Name.LocalName.StartsWith("StaticAssets", StringComparison.Ordinal))
            .Select(e => e.Name.LocalName).ToArray();
        // The one assignment: the earlier name of a setting, when the new one is not set.
        CollectionAssert.AreEqual(new[] { "StaticAssetsMaxAttempts" }, assigned);

        string[] Passed(string task) => targets.Descendants().Single(e => e.Name.LocalName == task && e.Parent?.Name.LocalName == "Target")
            .Attributes().Select(a => a.Value).Where(v => v.StartsWith("$(StaticAssets", StringComparison.Ordinal)).ToArray();
        // Every option but the rollback's choice of generation goes to the publish (which prunes after itself).
        var expected = Enum.GetValues<Option>().Except([Option.Generation]).Select(o => $"$(StaticAssets{o})").ToArray();
        CollectionAssert.AreEquivalent(expected, Passed("PublishStaticAssets"), "every option, and nothing but the options, is passed through");
        string[] store = ["Destination", "ManifestName", "MaxConcurrency", "MaxAttempts", "S3ServiceUrl", "S3Region", "S3ForcePathStyle", "S3ChecksumMode",
            "AzureConnectionStringVariable", "AzureSasVariable", "PipelineReporting"];
        CollectionAssert.AreEquivalent(store.Select(o => $"$(StaticAssets{o})").ToArray(), Passed("ListStaticAssetGenerations"));
        CollectionAssert.AreEquivalent(store.Concat(["AdoptManifest", "OriginalsCacheControl", "Generation"]).Select(o => $"$(StaticAssets{o})").ToArray(),
            Passed("RollbackStaticAssets"));
        CollectionAssert.AreEquivalent(store.Concat(["AdoptManifest", "KeepGenerations", "PruneMinAge", "MaxDeletes", "PruneDryRun"]).Select(o => $"$(StaticAssets{o})").ToArray(),
            Passed("PruneStaticAssets"));
    }

    [TestMethod]
    public async Task TheTaskWithNoSettingsPublishesExactlyWhatTheEngineDoesWithItsDefaults()
    {
        using var project = new TempDirectory();
        var css = project.Write("wwwroot/css/site.css", "@import \"base.css\";\nbody { background: url(../img/a.svg); }\n" + new string('x', 2000));
        var baseCss = project.Write("wwwroot/css/base.css", "html { color: #333; }\n" + new string('y', 2000));
        var svg = project.Write("wwwroot/img/a.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\">" + new string(' ', 3000) + "</svg>");
        var bundle = project.Write("wwwroot/js/app.3f9a1c2b77.js", "console.log(1);" + new string(' ', 2000));
        var items = new[] { (css, "css/site.css"), (baseCss, "css/base.css"), (svg, "img/a.svg"), (bundle, "js/app.3f9a1c2b77.js") };

        var engine = new FakeBuildEngine();
        var task = new PublishStaticAssets
        {
            BuildEngine = engine,
            Assets = items.Select(i => TaskProject.Item(i.Item1, ("LogicalPath", i.Item2))).ToArray(),
            ProjectDirectory = project.Path,
            PublishDirectory = project.Combine("publish/"),
            IntermediateDirectory = "obj/",
        };
        Assert.IsTrue(task.Execute(), engine.Describe());

        var sources = items.Select(i => new AssetSource(i.Item1, i.Item2)).ToArray();
        await using (var store = new LocalFolderStore(project.Combine("engine")))
        {
            var options = new PublishOptions { Plan = new PlanOptions { WorkDirectory = project.Combine("engine-work") } };
            var result = await StaticAssetPublisher.PublishAsync(sources, store, options, new RecordingLog(), CancellationToken.None);
            Assert.IsTrue(result.Succeeded);
        }

        var byTask = File.ReadAllBytes(project.Combine("publish/static-assets/" + AssetManifest.DefaultName));
        CollectionAssert.AreEqual(File.ReadAllBytes(project.Combine("engine/" + AssetManifest.DefaultName)), byTask);
        CollectionAssert.AreEqual(TestData.WithoutHistory(TestData.FilesUnder(project.Combine("engine"))), TestData.WithoutHistory(TestData.FilesUnder(project.Combine("publish/static-assets"))));
        CollectionAssert.AreEqual(byTask, File.ReadAllBytes(project.Combine("publish/" + AssetManifest.DefaultName)), "the local copy");
        Assert.IsTrue(Directory.Exists(project.Combine("obj/staticassets")), "the work folder defaults to the intermediate folder's");
    }

    [TestMethod]
    public void TheReadmeListsEveryOptionWithTheEnginesDefault()
    {
        var rows = File.ReadAllLines(Path.Combine(Repository, "README.md"))
            .Select(line => Regex.Match(line, @"^\| `(StaticAssets\w+)` \| ([^|]+) \|"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        var documented = Enum.GetValues<Option>().Select(o => "StaticAssets" + o).Concat(MSBuildSwitches).ToArray();
        CollectionAssert.AreEquivalent(documented, rows.Keys.ToArray(), "README's property table and the options differ");

        var plan = new PlanOptions();
        var expected = new Dictionary<Option, string>
        {
            [Option.Destination] = $"`$(PublishDir){OptionsReader.DefaultDestinationFolder}`",
            [Option.MaxConcurrency] = $"`{new LocalFolderDestination("x").DefaultMaxConcurrency}` for a folder, `{new S3Destination("b", "").DefaultMaxConcurrency}` for S3 and Azure Blob " +
                $"(`{new S3Destination("b", "").DefaultRollbackConcurrency}` for a rollback on S3)",
            [Option.MaxAttempts] = $"`{StoreSettings.DefaultMaxAttempts}`",
            [Option.DryRun] = $"`{Switch(new PublishOptions().DryRun)}`",
            [Option.VerifyRemote] = $"`{Switch(new PublishOptions().VerifyRemote)}`",
            [Option.ManifestName] = $"`{new PublishOptions().ManifestName}`",
            [Option.LocalManifestPath] = "`$(PublishDir)$(StaticAssetsManifestName)`",
            [Option.WorkDirectory] = $"`$(IntermediateOutputPath){OptionsReader.WorkFolder}/`",
            [Option.CacheControl] = $"`{plan.CacheControl}`",
            [Option.OriginalsCacheControl] = $"`{plan.OriginalsCacheControl}`",
            [Option.RewriteReferences] = $"`{Switch(plan.RewriteReferences)}`",
            [Option.RewriteJsImports] = $"`{Switch(plan.RewriteJavaScriptModules)}`",
            [Option.Strict] = $"`{Switch(plan.Strict)}`",
            [Option.KeepOriginalNames] = $"`{Switch(plan.KeepOriginalNames)}`",
            [Option.CompressOriginals] = $"`{Switch(new LocalFolderDestination("x").DefaultCompressOriginals)}` for a folder, `{Switch(new S3Destination("b", "").DefaultCompressOriginals)}` for S3 and Azure Blob",
            [Option.FingerprintPattern] = $"`{plan.FingerprintedNamePattern}`",
            [Option.Compression] = $"`{string.Join(';', plan.Compression!)}`",
            [Option.BrotliQuality] = $"`{plan.BrotliQuality}`",
            [Option.S3ForcePathStyle] = $"`{Switch(new S3Settings().ForcePathStyle)}`",
            [Option.S3ChecksumMode] = $"`{new S3Settings().ChecksumMode}`",
            [Option.AdoptManifest] = $"`{Switch(new PublishOptions().AdoptManifest)}`",
            [Option.Generation] = $"`{new StaticAssets.Engine.Generations.RollbackOptions().Generation}`",
            [Option.PruneMinAge] = $"`{new StaticAssets.Engine.Generations.PruneOptions().MinAge.TotalDays:0}d`",
            [Option.MaxDeletes] = $"`{new StaticAssets.Engine.Generations.PruneOptions().MaxDeletes}`",
            [Option.PruneDryRun] = $"`{Switch(new StaticAssets.Engine.Generations.PruneOptions().DryRun)}`",
        };
        foreach (var (option, text) in expected)
        {
            Assert.AreEqual(text, rows["StaticAssets" + option], $"README's default of StaticAssets{option}");
        }

        static string Switch(bool value) => value ? "true" : "false";
    }
}
