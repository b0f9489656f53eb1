namespace StaticAssets.Engine.Tests.Rewriting;

/// <summary>A file's key is the hash of its rewritten content, so keys change up the whole chain of references.</summary>
[TestClass]
public sealed class ReferenceGraphTests
{
    private const string A = "@import \"b.css\";\nbody { color: red; }\n";
    private const string B = ".x { background: url(../img/img.png); }\n";

    private static AssetTree Chain(byte[] image)
    {
        var tree = new AssetTree();
        tree.Add("css/a.css", A);
        tree.Add("css/b.css", B);
        tree.Add("img/img.png", image);
        tree.Add("img/other.png", [9, 9, 9]);
        return tree;
    }

    /// <summary>The keys and contents of the a.css → b.css → img.png chain, computed bottom up.</summary>
    private static (string Img, string B, string BText, string A, string AText) ExpectedChain(byte[] image)
    {
        var img = Expected.Key("img/img.png", image);
        var bText = B.Replace("../img/img.png", "../" + img, StringComparison.Ordinal);
        var b = Expected.Key("css/b.css", bText);
        var aText = A.Replace("\"b.css\"", "\"" + b["css/".Length..] + "\"", StringComparison.Ordinal);
        return (img, b, bText, Expected.Key("css/a.css", aText), aText);
    }

    private static void AssertChain(PublishPlan plan, byte[] image)
    {
        var expected = ExpectedChain(image);
        Assert.AreEqual(expected.Img, plan.KeyOf("img/img.png"));
        Assert.AreEqual(expected.BText, plan.TextOf("css/b.css"));
        Assert.AreEqual(expected.B, plan.KeyOf("css/b.css"));
        Assert.AreEqual(expected.AText, plan.TextOf("css/a.css"));
        Assert.AreEqual(expected.A, plan.KeyOf("css/a.css"));
    }

    [TestMethod]
    public async Task ChangingAnImageChangesTheKeysOfEveryStylesheetThatReachesIt()
    {
        byte[] before = [1, 2, 3, 4];
        byte[] after = [1, 2, 3, 5];
        using var tree = Chain(before);
        var log = new RecordingLog();

        var first = await tree.PlanAsync(tree.Options, log);
        AssertChain(first!, before);
        Assert.IsEmpty(log.Diagnostics, log.Dump());

        tree.Change("img/img.png", after);
        var second = await tree.PlanAsync(tree.Options, log);

        AssertChain(second!, after);
        foreach (var path in new[] { "img/img.png", "css/b.css", "css/a.css" })
        {
            Assert.AreNotEqual(first!.KeyOf(path), second!.KeyOf(path), $"'{path}' kept its key although what it reaches changed");
        }
        Assert.AreEqual(first!.KeyOf("img/other.png"), second!.KeyOf("img/other.png"));
    }

    [TestMethod]
    public async Task AnUnrelatedChangeLeavesTheChainsKeysAlone()
    {
        byte[] image = [1, 2, 3, 4];
        using var tree = Chain(image);
        var first = await tree.PlanAsync(tree.Options, new RecordingLog());

        tree.Change("img/other.png", [7, 7, 7]);
        var second = await tree.PlanAsync(tree.Options, new RecordingLog());

        AssertChain(second!, image);
        foreach (var path in new[] { "img/img.png", "css/b.css", "css/a.css" })
        {
            Assert.AreEqual(first!.KeyOf(path), second!.KeyOf(path), $"'{path}' changed key although nothing it reaches changed");
        }
        Assert.AreNotEqual(first!.KeyOf("img/other.png"), second!.KeyOf("img/other.png"));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public async Task ALongChainResolvesInDependencyOrderWhateverTheInputOrder(int order)
    {
        const int depth = 25;
        byte[] image = [0xAB, 0xCD];
        using var tree = new AssetTree();
        string Name(int level) => $"css/l{level:D2}.css";
        string Source(int level) => level == depth - 1
            ? $".leaf {{ background: url(../img/leaf.png); }}\n"
            : $"@import url(l{level + 1:D2}.css);\n.l{level} {{ color: red; }}\n";
        var levels = Enumerable.Range(0, depth).ToArray();
        var inputOrder = order switch
        {
            0 => levels,
            1 => levels.Reverse().ToArray(),
            2 => levels.Where(l => l % 2 == 0).Concat(levels.Where(l => l % 2 == 1)).ToArray(),
            _ => levels.OrderBy(l => (l * 7919) % 31).ToArray(),
        };
        tree.Add("img/leaf.png", image);
        foreach (var level in inputOrder)
        {
            tree.Add(Name(level), Source(level));
        }

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        // Bottom up, independently: each level's text names the next level's final key.
        var keyBelow = Expected.Key("img/leaf.png", image);
        for (var level = depth - 1; level >= 0; level--)
        {
            var text = level == depth - 1
                ? Source(level).Replace("../img/leaf.png", "../" + keyBelow, StringComparison.Ordinal)
                : Source(level).Replace($"l{level + 1:D2}.css", keyBelow["css/".Length..], StringComparison.Ordinal);
            Assert.AreEqual(text, plan!.TextOf(Name(level)), $"content of {Name(level)}");
            keyBelow = Expected.Key(Name(level), text);
            Assert.AreEqual(keyBelow, plan.KeyOf(Name(level)), $"key of {Name(level)}");
        }
    }

    [TestMethod]
    public async Task ADiamondGivesEachFileOneKeyAndTheTopNamesBothBranches()
    {
        byte[] image = [5, 6, 7];
        using var tree = new AssetTree();
        tree.Add("css/top.css", "@import \"left.css\";\n@import \"right.css\";\n");
        tree.Add("css/left.css", ".l { background: url(../img/i.png); }\n");
        tree.Add("css/right.css", ".r { background: url('/img/i.png'); }\n");
        tree.Add("img/i.png", image);

        var plan = await tree.PlanAsync(tree.Options, new RecordingLog());

        var img = Expected.Key("img/i.png", image);
        var left = $".l {{ background: url(../{img}); }}\n";
        var right = $".r {{ background: url('../{img}'); }}\n";
        var top = $"@import \"{Expected.Key("left.css", left)}\";\n@import \"{Expected.Key("right.css", right)}\";\n";
        Assert.AreEqual(top, plan!.TextOf("css/top.css"));
        Assert.AreEqual(Expected.Key("css/top.css", top), plan.KeyOf("css/top.css"));
    }

    [TestMethod]
    public async Task TheManifestIsByteIdenticalForShuffledInputOrders()
    {
        using var tree = new AssetTree();
        tree.Add("img/i.png", [1, 2, 3]);
        tree.Add("img/j.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\">" + string.Concat(Enumerable.Repeat("<g/>", 200)) + "</svg>");
        tree.Add("css/top.css", "@import \"left.css\";\n@import \"right.css\";\n" + string.Concat(Enumerable.Repeat(".pad { margin: 0; }\n", 50)));
        tree.Add("css/left.css", ".l { background: url(../img/i.png); }\n");
        tree.Add("css/right.css", ".r { background: url(../img/j.svg); }\n@import \"left.css\";\n");
        tree.Add("css/cycle-a.css", "@import \"cycle-b.css\";\n.a { background: url(../img/i.png); }\n");
        tree.Add("css/cycle-b.css", "@import \"cycle-a.css\";\n");
        tree.Add("js/app.js", "console.log('app');\n//# sourceMappingURL=app.js.map\n");
        tree.Add("js/app.js.map", "{\"version\":3,\"file\":\"app.js\",\"sources\":[],\"mappings\":\"\"}");
        var options = tree.Options with { Compression = ["gzip", "br"], KeepOriginalNames = true };

        var reference = (await tree.PlanAsync(options, new RecordingLog()))!.Manifest();
        for (var seed = 1; seed <= 8; seed++)
        {
            var plan = await tree.PlanAsync(options, new RecordingLog(), tree.Shuffled(seed));
            CollectionAssert.AreEqual(reference, plan!.Manifest(), $"the manifest differs for input order seed {seed}");
        }
    }
}
