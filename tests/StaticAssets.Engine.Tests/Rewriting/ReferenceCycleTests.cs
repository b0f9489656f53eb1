namespace StaticAssets.Engine.Tests.Rewriting;

/// <summary>Files that refer to each other: no hang, a warning, keys that are deterministic and still track content.</summary>
[TestClass]
public sealed class ReferenceCycleTests
{
    private const string A = "@import \"b.css\";\n.a { background: url(../img/i.png); }\n";
    private const string B = ".b { color: blue; }\n@import url(a.css);\n";
    private const string Self = "@import \"self.css\";\n.s { color: red; }\n";

    private static AssetTree Cycle()
    {
        var tree = new AssetTree();
        tree.Add("css/a.css", A);
        tree.Add("css/b.css", B);
        tree.Add("css/self.css", Self);
        tree.Add("img/i.png", [1, 2, 3]);
        return tree;
    }

    private static void AssertFingerprinted(string logicalPath, string key) =>
        StringAssert.Matches(key, new Regex("^" + Regex.Escape(logicalPath[..^4]) + @"\.[0-9a-f]{12}\.css$"), $"key of '{logicalPath}'");

    /// <summary>Each member's published content names the other's final key (and the image's).</summary>
    private static void AssertContents(PublishPlan plan, AssetTree tree)
    {
        var a = plan.KeyOf("css/a.css")["css/".Length..];
        var b = plan.KeyOf("css/b.css")["css/".Length..];
        var self = plan.KeyOf("css/self.css")["css/".Length..];
        var img = Expected.Key("img/i.png", tree.Read("img/i.png"));
        string Source(string path) => File.ReadAllText(tree.SourceOf(path));
        Assert.AreEqual(img, plan.KeyOf("img/i.png"));
        Assert.AreEqual(Source("css/a.css").Replace("\"b.css\"", $"\"{b}\"", StringComparison.Ordinal).Replace("../img/i.png", "../" + img, StringComparison.Ordinal),
            plan.TextOf("css/a.css"));
        Assert.AreEqual(Source("css/b.css").Replace("url(a.css)", $"url({a})", StringComparison.Ordinal), plan.TextOf("css/b.css"));
        Assert.AreEqual(Source("css/self.css").Replace("\"self.css\"", $"\"{self}\"", StringComparison.Ordinal), plan.TextOf("css/self.css"));
        foreach (var path in new[] { "css/a.css", "css/b.css", "css/self.css" })
        {
            AssertFingerprinted(path, plan.KeyOf(path));
            plan.Asset(path).Object.AssertDescribesItsFile();
        }
    }

    [TestMethod]
    public async Task ACycleAndASelfReferenceFinishWithAWarningAndNameEachOthersFinalKeys()
    {
        using var tree = Cycle();
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsNotNull(plan, log.Dump());
        AssertContents(plan, tree);
        var cycles = log.WithCode(DiagnosticCodes.ReferenceCycle);
        Assert.IsTrue(cycles.All(d => d.Severity == DiagnosticSeverity.Warning), log.Dump());
        Assert.IsTrue(cycles.Any(d => d.Message.Contains("css/a.css", StringComparison.Ordinal) && d.Message.Contains("css/b.css", StringComparison.Ordinal)),
            "no SA2006 warning names the a.css/b.css cycle\n" + log.Dump());
        Assert.IsTrue(cycles.Any(d => d.Message.Contains("css/self.css", StringComparison.Ordinal)), "no SA2006 warning names self.css\n" + log.Dump());
        Assert.IsEmpty(log.Errors, log.Dump());
        Assert.IsEmpty(log.WithCode(DiagnosticCodes.MissingReference), log.Dump());
    }

    [TestMethod]
    public async Task CycleKeysAreTheSameAcrossRunsWorkFoldersAndInputOrders()
    {
        using var tree = Cycle();
        var reference = (await tree.PlanAsync(tree.Options, new RecordingLog()))!;

        using var other = Cycle();
        var fresh = (await other.PlanAsync(other.Options, new RecordingLog()))!;
        CollectionAssert.AreEquivalent(reference.Keys().ToList(), fresh.Keys().ToList(), "a second tree with the same files gave other keys");
        CollectionAssert.AreEqual(reference.Manifest(), fresh.Manifest());

        for (var seed = 1; seed <= 6; seed++)
        {
            var plan = (await tree.PlanAsync(tree.Options, new RecordingLog(), tree.Shuffled(seed)))!;
            CollectionAssert.AreEqual(reference.Manifest(), plan.Manifest(), $"input order seed {seed} gave another manifest");
            AssertContents(plan, tree);
        }
    }

    [TestMethod]
    [DataRow("css/a.css")]
    [DataRow("css/b.css")]
    [DataRow("img/i.png")]
    public async Task AChangeToAnyMemberOrWhatItReachesChangesBothKeys(string changed)
    {
        using var tree = Cycle();
        var before = (await tree.PlanAsync(tree.Options, new RecordingLog()))!;

        if (changed.EndsWith(".png", StringComparison.Ordinal))
        {
            tree.Change(changed, [1, 2, 4]);
        }
        else
        {
            tree.Change(changed, File.ReadAllText(tree.SourceOf(changed)) + ".added { color: green; }\n");
        }
        var after = (await tree.PlanAsync(tree.Options, new RecordingLog()))!;

        AssertContents(after, tree);
        Assert.AreNotEqual(before.KeyOf("css/a.css"), after.KeyOf("css/a.css"), $"a.css kept its key after a change to {changed}");
        Assert.AreNotEqual(before.KeyOf("css/b.css"), after.KeyOf("css/b.css"), $"b.css kept its key after a change to {changed}");
        Assert.AreEqual(before.KeyOf("css/self.css"), after.KeyOf("css/self.css"), "self.css is not connected to the change");
    }

    [TestMethod]
    public async Task AStylesheetImportingACycleGetsAKeyFromTheCyclesFinalKeys()
    {
        using var tree = Cycle();
        tree.Add("css/top.css", "@import \"a.css\";\n");

        var plan = (await tree.PlanAsync(tree.Options, new RecordingLog()))!;

        var top = $"@import \"{plan.KeyOf("css/a.css")["css/".Length..]}\";\n";
        Assert.AreEqual(top, plan.TextOf("css/top.css"));
        Assert.AreEqual(Expected.Key("css/top.css", top), plan.KeyOf("css/top.css"));
    }

    [TestMethod]
    public async Task ALargeRingOfImportsFinishesWithoutOverflowOrHang()
    {
        const int size = 3000;
        using var tree = new AssetTree();
        for (var i = 0; i < size; i++)
        {
            tree.Add($"css/r{i:D4}.css", $"@import \"r{(i + 1) % size:D4}.css\";\n");
        }
        var log = new RecordingLog();

        var plan = await tree.PlanAsync(tree.Options, log);

        Assert.IsNotNull(plan);
        Assert.HasCount(1, log.WithCode(DiagnosticCodes.ReferenceCycle), "one ring is one cycle");
        Assert.AreEqual($"@import \"{plan.KeyOf("css/r0001.css")["css/".Length..]}\";\n", plan.TextOf("css/r0000.css"));
        Assert.AreEqual($"@import \"{plan.KeyOf("css/r0000.css")["css/".Length..]}\";\n", plan.TextOf($"css/r{size - 1:D4}.css"));
        Assert.HasCount(size, plan.Assets.Select(a => a.Object.Key).Distinct());
    }
}
