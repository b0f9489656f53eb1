namespace StaticAssets.Engine.Tests.Generations;

/// <summary>What rollback and prune read of a destination before they list it.</summary>
[TestClass]
public sealed class DestinationHistoryTests
{
    [TestMethod]
    public async Task TheListingIsSplitByKeysThatExist_WhileEveryKeyTheManifestNamesIsProtected()
    {
        // Compressed copies, un-fingerprinted copies, but no compressed un-fingerprinted copies (a bucket's default).
        using var tree = new AssetTree();
        for (var i = 0; i < 5; i++)
        {
            tree.Add($"css/site{i}.css", string.Concat(Enumerable.Repeat($"body {{ margin: {i}px; }} ", 200)));
        }
        var store = new InMemoryStore();
        var log = new RecordingLog();
        var plan = new PlanOptions { RewriteReferences = false, CompressOriginals = false };
        Assert.IsTrue((await StaticAssetPublisher.PublishAsync(tree.Sources, store, new PublishOptions { Plan = plan }, log, CancellationToken.None)).Succeeded, log.Dump());

        var history = await DestinationHistory.ReadAsync(store, AssetManifest.DefaultName, CancellationToken.None);

        var split = history.ListingSplitKeys.Distinct().ToArray();
        Assert.HasCount(5 * 3, split, "each stylesheet, its .gz and its .br");
        CollectionAssert.IsSubsetOf(split, store.Objects.Keys.ToArray(), "a key the listing is split by is not stored: one range too many");
        // The prune's protection names more: the compressed un-fingerprinted copies a publish with them would write.
        CollectionAssert.IsSubsetOf(new[] { "css/site0.css", "css/site0.css.gz", "css/site0.css.br" }, history.ManifestKeys.ToArray());
        Assert.IsFalse(store.Objects.ContainsKey("css/site0.css.gz"));
    }
}
