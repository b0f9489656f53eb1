namespace StaticAssets.Engine.Tests.Generations;

[TestClass]
public sealed class GenerationRecordTests
{
    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes("{\n  \"paths\": {\n    \"a.css\": \"a.0123456789ab.css\"\n  },\n  \"version\": \"1.1\"\n}\n");

    [TestMethod]
    public void AnEntryHoldsTheManifestVerbatim_AndReadsBackWithItsRecord()
    {
        var source = new GenerationSource("SampleApp", "1.2.3", "build-7", new CiRun("GitHubActions", "42", "https://github.com/o/r/actions/runs/42"));
        var record = GenerationRecord.For(GenerationKind.Rollback, Manifest, "old"u8.ToArray(), new DateTimeOffset(2026, 5, 1, 12, 0, 0, 123, TimeSpan.Zero), source);

        var bytes = record.Serialize(Manifest);

        Assert.IsTrue(GenerationRecord.TryRead(bytes, out var read, out var manifest), Encoding.UTF8.GetString(bytes));
        CollectionAssert.AreEqual(Manifest, manifest);
        Assert.AreEqual(record with { Source = read.Source }, read);
        Assert.AreEqual(source, read.Source);
        Assert.AreEqual(Sha256Digest.Compute("old"u8.ToArray()).Hex, read.Replaces);
        Assert.AreEqual($"site.generations/20260501T120000123Z-{Sha256Digest.Compute(Manifest).Hex[..12]}-rollback.json", record.KeyIn("site.json"));
        Assert.AreEqual(GenerationKind.Rollback, GenerationName.TryParse("site.generations/", record.KeyIn("site.json"))!.Kind);
        StringAssert.Contains(Encoding.UTF8.GetString(bytes), "\"kind\": \"rollback\"");
        StringAssert.Contains(Encoding.UTF8.GetString(bytes), "\"publishedAt\": \"2026-05-01T12:00:00.123Z\"");
    }

    [TestMethod]
    public void TheRecordReadsFromTheStartOfAnEntry_WithoutTheManifestAfterIt()
    {
        // A manifest of 3,000 assets (~1 MB) after a record with every optional field.
        var manifest = Encoding.UTF8.GetBytes("{\n  \"paths\": {\n" + string.Join(",\n", Enumerable.Range(0, 3000).Select(i => $"    \"lib/f{i}.js\": \"lib/f{i}.0123456789ab.js\"")) + "\n  }\n}\n");
        var source = new GenerationSource("SampleApp", "1.2.3", "build-7", new CiRun("AzureDevOps", "4711", "https://dev.azure.com/org/" + new string('p', 200) + "/_build/results?buildId=4711"));
        var record = GenerationRecord.For(GenerationKind.Publish, manifest, Manifest, new DateTimeOffset(2026, 5, 1, 12, 0, 0, 123, TimeSpan.Zero), source);
        var bytes = record.Serialize(manifest);

        Assert.IsTrue(GenerationRecord.TryReadStart(bytes.AsSpan(0, GenerationRecord.RecordBytes), whole: false, out var read));
        Assert.AreEqual(record with { Source = read.Source }, read);
        Assert.AreEqual(source, read.Source);
        Assert.IsTrue(GenerationRecord.TryReadStart(bytes, whole: true, out _), "the whole entry reads too");
        // Cut inside the record: not readable from this much (the listing then reads the entry whole).
        var recordLength = Encoding.UTF8.GetString(bytes).IndexOf("\"manifest\"", StringComparison.Ordinal);
        Assert.IsFalse(GenerationRecord.TryReadStart(bytes.AsSpan(0, recordLength - 20), whole: false, out _));
        Assert.IsFalse(GenerationRecord.TryReadStart("{\"generation\": {}}"u8, whole: true, out _));
        Assert.IsFalse(GenerationRecord.TryReadStart("{\"manifest\": {}, \"generation\": {}}"u8, whole: true, out _), "the record comes first");
        Assert.IsFalse(GenerationRecord.TryReadStart("not json"u8, whole: false, out _));
    }

    [TestMethod]
    public void AnEntryWhoseManifestIsNotTheOneItsHashNamesIsNeverUsed()
    {
        var bytes = GenerationRecord.For(GenerationKind.Publish, Manifest, null, DateTimeOffset.UtcNow, new()).Serialize(Manifest);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("a.0123456789ab.css", "a.0123456789ac.css"));

        Assert.IsFalse(GenerationRecord.TryRead(tampered, out _, out _));
        Assert.IsFalse(GenerationRecord.TryRead("{\"generation\": {}}"u8.ToArray(), out _, out _));
        Assert.IsFalse(GenerationRecord.TryRead("not json"u8.ToArray(), out _, out _));
        var text = Encoding.UTF8.GetString(bytes);
        Assert.IsFalse(GenerationRecord.TryRead(Encoding.UTF8.GetBytes(text.TrimEnd() + " {}"), out _, out _), "something after the entry");
        Assert.IsFalse(GenerationRecord.TryRead(Encoding.UTF8.GetBytes(text[..^20]), out _, out _), "cut short");
        Assert.IsFalse(GenerationRecord.TryRead(Encoding.UTF8.GetBytes(text.Replace("\"manifest\":", "\"manifest\": [], \"other\":")), out _, out _), "a manifest that is not an object");
    }

    [TestMethod]
    public void AnEntryReadsWhateverOrderItsPropertiesComeIn_AndIgnoresOnesItDoesNotKnow()
    {
        var record = GenerationRecord.For(GenerationKind.Publish, Manifest, null, new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero), new("App"));
        using var written = JsonDocument.Parse(record.Serialize(Manifest));
        var generation = written.RootElement.GetProperty("generation").GetRawText();
        var manifest = Encoding.UTF8.GetString(Manifest).TrimEnd('\n');
        var reordered = Encoding.UTF8.GetBytes($"{{\"note\": {{\"a\": [1, {{}}]}}, \"manifest\": {manifest}, \"generation\": {generation}}}\n");

        Assert.IsTrue(GenerationRecord.TryRead(reordered, out var read, out var readManifest));
        Assert.AreEqual(record, read);
        CollectionAssert.AreEqual(Manifest, readManifest, "the manifest's bytes exactly, with its final newline");
    }

    [TestMethod]
    [DataRow("staticassets.manifest.json", "staticassets.manifest.generations/")]
    [DataRow("app1.manifest.json", "app1.manifest.generations/")]
    [DataRow("manifest", "manifest.generations/")]
    public void EachManifestNameHasAHistoryFolderOfItsOwn(string name, string folder)
    {
        Assert.AreEqual(folder, GenerationRecord.FolderFor(name));
        Assert.AreEqual(name.EndsWith(".json", StringComparison.Ordinal) ? name : name + ".json", GenerationRecord.ManifestNameFor(folder));
    }

    [TestMethod]
    public void NamesParseToTheirTimeAndHash_OtherKeysDoNot()
    {
        var name = GenerationName.TryParse("s.generations/", "s.generations/20260501T120000123Z-0123456789ab.json")!;
        Assert.AreEqual(new DateTimeOffset(2026, 5, 1, 12, 0, 0, 123, TimeSpan.Zero), name.PublishedAt);
        Assert.AreEqual("0123456789ab", name.HashPrefix);
        Assert.IsNull(GenerationName.TryParse("s.generations/", "s.generations/notes.txt"));
        Assert.IsNull(GenerationName.TryParse("s.generations/", "s.generations/20260501T120000123Z-0123.json"));
        Assert.IsNull(GenerationName.TryParse("s.generations/", "t.generations/20260501T120000123Z-0123456789ab.json"));
    }

    [TestMethod]
    public void CiRunsAreRecognisedFromTheirEnvironment()
    {
        var azure = CiRun.FromEnvironment(new Dictionary<string, string?>
        {
            ["TF_BUILD"] = "True", ["BUILD_BUILDID"] = "77", ["SYSTEM_COLLECTIONURI"] = "https://dev.azure.com/org/", ["SYSTEM_TEAMPROJECT"] = "My Project",
        }.GetValueOrDefault);
        Assert.AreEqual(new CiRun("AzureDevOps", "77", "https://dev.azure.com/org/My%20Project/_build/results?buildId=77"), azure);
        var github = CiRun.FromEnvironment(new Dictionary<string, string?>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = "9", ["GITHUB_SERVER_URL"] = "https://github.com", ["GITHUB_REPOSITORY"] = "o/r",
        }.GetValueOrDefault);
        Assert.AreEqual(new CiRun("GitHubActions", "9", "https://github.com/o/r/actions/runs/9"), github);
        Assert.IsNull(CiRun.FromEnvironment(_ => null));
    }
}
