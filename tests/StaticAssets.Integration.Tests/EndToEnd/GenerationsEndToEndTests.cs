namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>
/// The generation targets as a user runs them: three real `dotnet publish`es of the sample app (site.css edited
/// between them), then `dotnet msbuild -t:ListStaticAssetGenerations`, `-t:RollbackStaticAssets` and
/// `-t:PruneStaticAssets` with the same destination properties.
/// </summary>
[TestClass]
public sealed class GenerationsEndToEndTests
{
    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.Folder)]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task PublishThreeTimes_ListRollBackToThePreviousAndPrune(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "e2egen");
        using var project = await SampleProject.CreateAsync();
        var (destination, environment) = target.Publishing("site/");
        var css = Path.Combine(project.WwwRoot, "css", "site.css");
        var original = File.ReadAllText(css);
        var manifests = new List<byte[]>();
        for (var version = 1; version <= 3; version++)
        {
            File.WriteAllText(css, original + $"\n.generation-{version} {{ order: {version}; }}\n");
            (await project.PublishAsync(environment, [.. destination, $"-p:Version=1.0.{version}"])).ShouldSucceed($"publish {version}");
            manifests.Add(File.ReadAllBytes(project.LocalManifest));
            await Task.Delay(5);
        }
        var hashes = manifests.Select(m => Sha256Digest.Compute(m).Hex[..12]).ToArray();

        var listing = (await project.MSBuildAsync(environment, "ListStaticAssetGenerations", destination)).ShouldSucceed("list");
        StringAssert.Contains(listing.Output, "3 generation(s) of 'staticassets.manifest.json'");
        StringAssert.Matches(listing.Output, new Regex($@"{hashes[2]}  publish .* by SampleWebApp 1\.0\.3 on .*<- current"));
        StringAssert.Matches(listing.Output, new Regex($@"{hashes[0]}  publish .* by SampleWebApp 1\.0\.1"));

        var rollback = (await project.MSBuildAsync(environment, "RollbackStaticAssets", [.. destination, "-p:StaticAssetsGeneration=previous"])).ShouldSucceed("rollback");
        StringAssert.Contains(rollback.Output, $"Rolled 'staticassets.manifest.json' back to generation {hashes[1]}");
        CollectionAssert.AreEqual(manifests[1], await target.GetAsync("site/" + AssetManifest.DefaultName), "generation 2 is current");
        // The un-fingerprinted copy holds 2's (rewritten) stylesheet: its fingerprinted object's bytes.
        var key2 = JsonDocument.Parse(manifests[1]).RootElement.GetProperty("paths").GetProperty("css/site.css").GetString()!;
        var copy = Encoding.UTF8.GetString((await target.GetAsync("site/css/site.css"))!);
        Assert.AreEqual(Encoding.UTF8.GetString((await target.GetAsync("site/" + key2))!), copy);
        StringAssert.Contains(copy, ".generation-2 ");

        // An unknown generation is refused with its code, and changes nothing.
        var unknown = await project.MSBuildAsync(environment, "RollbackStaticAssets", [.. destination, "-p:StaticAssetsGeneration=ffffffffff"]);
        Assert.AreNotEqual(0, unknown.ExitCode, unknown.Output);
        StringAssert.Contains(unknown.Output, "error SA1016");

        var prune = (await project.MSBuildAsync(environment, "PruneStaticAssets",
            [.. destination, "-p:StaticAssetsKeepGenerations=1", "-p:StaticAssetsPruneMinAge=0"])).ShouldSucceed("prune");
        StringAssert.Matches(prune.Output, new Regex(@"Pruned [1-9][0-9]* objects \([0-9.]+ MB freed\)"));
        var left = await target.ListAsync("site/");
        // Generation 1's stylesheet went (3 is the one kept, 2 is current); 2's and 3's are complete.
        var key1 = Stored.ObjectsOf(manifests[0]).Single(o => o.Key.StartsWith("css/site.", StringComparison.Ordinal) && o.Key.EndsWith(".css", StringComparison.Ordinal)).Key;
        Assert.IsFalse(left.ContainsKey(key1), $"{key1} is still there");
        foreach (var manifest in manifests.Skip(1))
        {
            await target.AssertObjectsAsync("site/", Stored.ObjectsOf(manifest), "a kept generation");
        }
    }
}
