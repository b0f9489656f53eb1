using System.Text;
using System.Text.Json.Nodes;

namespace StaticAssets.Engine.Tests.Manifest;

[TestClass]
public sealed class AssetManifestTests
{
    private static readonly string[] Names =
        ["css/site.css", "js/app.js", "js/app.min.js", "img/logo.png", "Z/upper.txt", "fonts/ünï cødé.woff2", "a+b#c%.css", "LICENSE"];

    /// <summary>Sources in a fixed order; js/app.js also has gzip and br copies.</summary>
    private static List<AssetSource> CreateSources(TempDirectory temp)
    {
        var sources = new List<AssetSource>();
        foreach (var name in Names)
        {
            var path = temp.Write("wwwroot/" + name, "content of " + name);
            var variants = name == "js/app.js"
                ? new[]
                {
                    new AssetVariantSource(temp.Write("wwwroot/" + name + ".gz", "gz of " + name), "gzip"),
                    new AssetVariantSource(temp.Write("wwwroot/" + name + ".br", "br of " + name), "br"),
                }
                : [];
            sources.Add(new AssetSource(path, name, Variants: variants));
        }
        return sources;
    }

    private static async Task<PublishPlan> PlanAsync(IReadOnlyList<AssetSource> sources)
    {
        var plan = await AssetPlanner.PlanAsync(sources, Plans.OneObjectPerFile, new RecordingLog(), CancellationToken.None);
        Assert.IsNotNull(plan);
        return plan;
    }

    [TestMethod]
    public async Task Serialize_IsByteIdenticalWhateverTheOrderOfTheSources()
    {
        using var temp = new TempDirectory();
        var sources = CreateSources(temp);
        var expected = AssetManifest.Serialize(await PlanAsync(sources));
        var random = new Random(12345);

        for (var round = 0; round < 5; round++)
        {
            var shuffled = sources
                .Select(s => s with { Variants = s.Variants!.OrderBy(_ => random.Next()).ToArray() })
                .OrderBy(_ => random.Next())
                .ToList();
            var actual = AssetManifest.Serialize(await PlanAsync(shuffled));
            CollectionAssert.AreEqual(expected, actual, $"round {round}");
        }
    }

    [TestMethod]
    public async Task Serialize_PathsMapIsSortedOrdinallyAndMapsLogicalPathsToKeys()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));

        using var json = JsonDocument.Parse(AssetManifest.Serialize(plan));
        var paths = json.RootElement.GetProperty("paths").EnumerateObject().ToArray();

        CollectionAssert.AreEqual(Names.Order(StringComparer.Ordinal).ToArray(), paths.Select(p => p.Name).ToArray());
        foreach (var asset in plan.Assets)
        {
            Assert.AreEqual(asset.Object.Key, paths.Single(p => p.Name == asset.LogicalPath).Value.GetString());
        }
        // Top-level order keeps Django's staticfiles.json shape first.
        CollectionAssert.AreEqual(
            new[] { "paths", "version", "hash", "assets" },
            json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.AreEqual(AssetManifest.Version, json.RootElement.GetProperty("version").GetString());
    }

    [TestMethod]
    public async Task Serialize_KeepsNonAsciiAndPlusReadable()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));

        var text = Encoding.UTF8.GetString(AssetManifest.Serialize(plan));

        Assert.Contains("\"fonts/ünï cødé.woff2\"", text);
        Assert.Contains("\"a+b#c%.css\"", text);
    }

    [TestMethod]
    public async Task Serialize_AssetEntriesCarryKeySizeSha256IntegrityContentTypeAndEncodings()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));

        using var json = JsonDocument.Parse(AssetManifest.Serialize(plan));
        var app = plan.Assets.Single(a => a.LogicalPath == "js/app.js");
        var entry = json.RootElement.GetProperty("assets").GetProperty("js/app.js");

        Assert.AreEqual(app.Object.Key, entry.GetProperty("key").GetString());
        Assert.AreEqual(app.Object.Size, entry.GetProperty("size").GetInt64());
        Assert.AreEqual(TestData.HexSha256OfFile(app.Object.SourcePath), entry.GetProperty("sha256").GetString());
        Assert.AreEqual("sha256-" + TestData.Base64Sha256(File.ReadAllBytes(app.Object.SourcePath)), entry.GetProperty("integrity").GetString());
        Assert.AreEqual("text/javascript", entry.GetProperty("contentType").GetString());
        var encodings = entry.GetProperty("encodings");
        CollectionAssert.AreEqual(new[] { "br", "gzip" }, encodings.EnumerateObject().Select(e => e.Name).ToArray());
        Assert.AreEqual(app.Object.Key + ".gz", encodings.GetProperty("gzip").GetProperty("key").GetString());
    }

    [TestMethod]
    public void TheProjectAndHashAreReadFromTheTopLevelOnly_AndOnlyFromValidJson()
    {
        var manifest = Encoding.UTF8.GetBytes(
            "{\"assets\": {\"a.css\": {\"project\": \"Nested\", \"list\": [1, {\"hash\": \"x\"}]}}, \"project\": \"App\", \"hash\": \"0123456789ab\"}\n");

        Assert.AreEqual("App", AssetManifest.ProjectOf(manifest));
        Assert.AreEqual("0123456789ab", AssetManifest.HashOf(manifest));
        Assert.IsNull(AssetManifest.ProjectOf("{\"assets\": {\"project\": \"Nested\"}}"u8.ToArray()));
        Assert.IsNull(AssetManifest.ProjectOf("{\"project\": 7}"u8.ToArray()));
        Assert.AreEqual("B", AssetManifest.ProjectOf("{\"project\": \"A\", \"project\": \"B\"}"u8.ToArray()), "the last of duplicates, as a document's lookup");
        Assert.IsNull(AssetManifest.ProjectOf("{\"project\": \"App\", \"assets\": {"u8.ToArray()), "cut short");
        Assert.IsNull(AssetManifest.ProjectOf("{\"project\": \"App\"} {}"u8.ToArray()), "something after it");
        Assert.IsNull(AssetManifest.ProjectOf("[\"project\"]"u8.ToArray()));
        Assert.IsNull(AssetManifest.ProjectOf(null));
    }

    [TestMethod]
    public async Task Hash_IsTwelveHexDigitsAndStableForTheSameInputs()
    {
        using var temp = new TempDirectory();
        var sources = CreateSources(temp);
        var plan = await PlanAsync(sources);

        using var json = JsonDocument.Parse(AssetManifest.Serialize(plan));
        var hash = json.RootElement.GetProperty("hash").GetString();

        Assert.MatchesRegex("^[0-9a-f]{12}$", hash!);
        Assert.AreEqual(AssetManifest.PathsHash(plan), hash);
        Assert.AreEqual(hash, AssetManifest.PathsHash(await PlanAsync(sources.AsEnumerable().Reverse().ToList())));
    }

    [TestMethod]
    public async Task Hash_ChangesWhenAnyKeyChanges()
    {
        using var temp = new TempDirectory();
        var sources = CreateSources(temp);
        var original = AssetManifest.PathsHash(await PlanAsync(sources));
        var seen = new HashSet<string> { original };

        foreach (var source in sources)
        {
            var before = File.ReadAllBytes(source.SourcePath);
            File.AppendAllText(source.SourcePath, " changed");
            var changed = AssetManifest.PathsHash(await PlanAsync(sources));
            Assert.IsTrue(seen.Add(changed), $"changing {source.LogicalPath} did not give a new hash");
            File.WriteAllBytes(source.SourcePath, before);
        }

        Assert.AreEqual(original, AssetManifest.PathsHash(await PlanAsync(sources)));
    }

    [TestMethod]
    public async Task Hash_ChangesWhenALogicalPathIsRenamed()
    {
        using var temp = new TempDirectory();
        var sources = CreateSources(temp);
        var original = AssetManifest.PathsHash(await PlanAsync(sources));
        sources[0] = sources[0] with { LogicalPath = "css/renamed.css" };

        Assert.AreNotEqual(original, AssetManifest.PathsHash(await PlanAsync(sources)));
    }

    [TestMethod]
    public async Task TryReadObjects_RoundTripsEveryPrimaryAndVariantWithSizeAndSha256()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));

        Assert.IsTrue(AssetManifest.TryReadObjects(AssetManifest.Serialize(plan), out var objects, out var problem), problem);

        Assert.AreEqual("", problem);
        Assert.HasCount(plan.Objects.Count, objects);
        Assert.HasCount(Names.Length + 2, objects);
        foreach (var planned in plan.Objects)
        {
            Assert.IsTrue(objects.TryGetValue(planned.Key, out var read), planned.Key);
            Assert.AreEqual(planned.Key, read.Key);
            Assert.AreEqual(planned.Size, read.Size);
            Assert.AreEqual(planned.Sha256, read.Sha256);
            Assert.AreEqual(TestData.HexSha256OfFile(planned.SourcePath), read.Sha256.Hex);
        }
    }

    [TestMethod]
    public async Task TryReadObjects_RejectsTruncatedJson()
    {
        using var temp = new TempDirectory();
        var bytes = AssetManifest.Serialize(await PlanAsync(CreateSources(temp)));

        foreach (var length in new[] { 0, 1, bytes.Length / 3, bytes.Length / 2, bytes.Length - 3 })
        {
            AssertRejected(bytes[..length], $"truncated to {length} bytes");
        }
    }

    [TestMethod]
    [DataRow("[]")]
    [DataRow("42")]
    [DataRow("\"paths\"")]
    [DataRow("null")]
    [DataRow("{}")]
    [DataRow("{\"paths\":{}}")]
    [DataRow("{\"assets\":{}}")]
    [DataRow("{\"paths\":[],\"assets\":{}}")]
    [DataRow("{\"paths\":{},\"assets\":[]}")]
    [DataRow("not json")]
    public void TryReadObjects_RejectsDocumentsThatAreNotAManifest(string json)
    {
        AssertRejected(Encoding.UTF8.GetBytes(json), json);
    }

    /// <summary>A damaged manifest whose object key is not valid UTF-8 is not usable: rejected, not thrown.</summary>
    [TestMethod]
    public void TryReadObjects_RejectsAKeyThatIsNotValidUtf8_WithoutThrowing()
    {
        var sha = TestData.HexSha256("x");
        byte[] bytes =
        [
            .. "{\"paths\":{\"a.css\":\"a.0123456789ab.css\"},\"assets\":{\"a.css\":{\"key\":\"a."u8.ToArray(),
            0xC3, 0x28,
            .. Encoding.UTF8.GetBytes($".css\",\"size\":1,\"sha256\":\"{sha}\"}}}}}}"),
        ];

        AssertRejected(bytes, "invalid UTF-8 in a key");
    }

    [TestMethod]
    public async Task ObjectKeysOf_GivesTheKeysOfEveryObject_AsReadingTheAssetsDoes()
    {
        using var temp = new TempDirectory();
        // Every asset with an un-fingerprinted copy: "original" keys are not objects and must not come back.
        var manifest = AssetManifest.Serialize(await AssetPlanner.PlanAsync(CreateSources(temp), Plans.OneObjectPerFile with { KeepOriginalNames = true }, new RecordingLog(), CancellationToken.None)
            ?? throw new AssertFailedException("no plan"));
        Assert.IsTrue(AssetManifest.TryReadAssets(manifest, out var assets, out _));
        Assert.IsTrue(assets.Any(a => a.Original is not null), "the plan has un-fingerprinted copies");

        var keys = AssetManifest.ObjectKeysOf(manifest);

        CollectionAssert.AreEquivalent(AssetManifest.ObjectsOf(assets).Keys.ToArray(), keys.ToArray());
        Assert.HasCount(Names.Length + 2, keys, "each asset's object, and js/app.js's .gz and .br");
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("not json")]
    [DataRow("[1, 2]")]
    [DataRow("{\"assets\": [\"a\"]}")]
    [DataRow("{\"assets\": {\"a.css\": {\"key\": \"a.1.css\"}, \"b.css\": ")]
    public void ObjectKeysOf_IsEmptyForWhatIsNotAManifest(string text)
    {
        Assert.IsEmpty(AssetManifest.ObjectKeysOf(Encoding.UTF8.GetBytes(text)));
    }

    [TestMethod]
    public void ObjectKeysOf_TakesOnlyStringKeysOfAssetsAndTheirEncodings()
    {
        var manifest = """
            {"paths": {"key": "x"}, "key": "top",
             "assets": {
               "a.css": {"key": "a.1.css", "original": "a.css", "meta": {"key": "nested"}, "encodings": {"br": {"key": "a.1.css.br", "deeper": {"key": "no"}}, "gzip": "odd"}},
               "b.css": {"key": 7},
               "c.css": "odd"}}
            """u8;

        CollectionAssert.AreEqual(new[] { "a.1.css", "a.1.css.br" }, AssetManifest.ObjectKeysOf(manifest).ToArray());
    }

    [TestMethod]
    public void TryReadObjects_AcceptsAnEmptyManifest()
    {
        Assert.IsTrue(AssetManifest.TryReadObjects("{\"paths\":{},\"assets\":{}}"u8, out var objects, out _));
        Assert.IsEmpty(objects);
    }

    [TestMethod]
    [DataRow("remove key")]
    [DataRow("remove size")]
    [DataRow("remove sha256")]
    [DataRow("key ..")]
    [DataRow("key ../")]
    [DataRow("key absolute")]
    [DataRow("key backslash")]
    [DataRow("key number")]
    [DataRow("sha256 short")]
    [DataRow("sha256 not hex")]
    [DataRow("sha256 base64")]
    [DataRow("sha256 number")]
    [DataRow("size negative")]
    [DataRow("size fraction")]
    [DataRow("entry not object")]
    public async Task TryReadObjects_RejectsAnIncompleteOrUnsafePrimaryEntry(string mutation)
    {
        await AssertMutationRejectedAsync(mutation, entry => entry);
    }

    [TestMethod]
    [DataRow("remove key")]
    [DataRow("remove sha256")]
    [DataRow("key ..")]
    [DataRow("sha256 not hex")]
    [DataRow("entry not object")]
    public async Task TryReadObjects_RejectsAnIncompleteOrUnsafeVariantEntry(string mutation)
    {
        await AssertMutationRejectedAsync(mutation, entry => entry["encodings"]!.AsObject());
    }

    /// <summary>
    /// A destination manifest whose fields have the wrong JSON type (a string size, say, from another tool or a
    /// hand edit) is "not a complete manifest of this format": it must be rejected, not throw.
    /// </summary>
    [TestMethod]
    [DataRow("size string")]
    [DataRow("size object")]
    public async Task TryReadObjects_RejectsAWronglyTypedSize_WithoutThrowing(string mutation)
    {
        await AssertMutationRejectedAsync(mutation, entry => entry);
    }

    private static async Task AssertMutationRejectedAsync(string mutation, Func<JsonObject, JsonObject> select)
    {
        using var temp = new TempDirectory();
        var root = JsonNode.Parse(AssetManifest.Serialize(await PlanAsync(CreateSources(temp))))!.AsObject();
        var asset = root["assets"]!["js/app.js"]!.AsObject();
        var parent = select(asset);
        // For a variant, mutate the gzip entry; for the primary, the asset entry itself.
        var name = ReferenceEquals(parent, asset) ? null : "gzip";
        var entry = name is null ? asset : parent[name]!.AsObject();
        var key = entry["key"]!.GetValue<string>();
        var sha = entry["sha256"]!.GetValue<string>();
        switch (mutation)
        {
            case "remove key": entry.Remove("key"); break;
            case "remove size": entry.Remove("size"); break;
            case "remove sha256": entry.Remove("sha256"); break;
            case "key ..": entry["key"] = "js/../../" + key; break;
            case "key ../": entry["key"] = "../" + key; break;
            case "key absolute": entry["key"] = "/etc/" + key; break;
            case "key backslash": entry["key"] = "js\\" + key; break;
            case "key number": entry["key"] = 5; break;
            case "sha256 short": entry["sha256"] = sha[..63]; break;
            case "sha256 not hex": entry["sha256"] = "x" + sha[1..]; break;
            case "sha256 base64": entry["sha256"] = Convert.ToBase64String(Convert.FromHexString(sha)); break;
            case "sha256 number": entry["sha256"] = 12; break;
            case "size negative": entry["size"] = -1; break;
            case "size fraction": entry["size"] = 1.5; break;
            case "size string": entry["size"] = entry["size"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture); break;
            case "size object": entry["size"] = new JsonObject(); break;
            case "entry not object":
                if (name is null)
                {
                    root["assets"]!["js/app.js"] = "nope";
                }
                else
                {
                    parent[name] = "nope";
                }
                break;
            default: throw new ArgumentException(mutation);
        }

        AssertRejected(Encoding.UTF8.GetBytes(root.ToJsonString()), mutation);
    }

    private static void AssertRejected(byte[] utf8, string what)
    {
        bool accepted;
        string problem;
        try
        {
            accepted = AssetManifest.TryReadObjects(utf8, out _, out problem);
        }
        catch (Exception e)
        {
            Assert.Fail($"TryReadObjects threw for '{what}' instead of returning false: {e.GetType().Name}: {e.Message}");
            return;
        }
        Assert.IsFalse(accepted, what);
        Assert.IsFalse(string.IsNullOrWhiteSpace(problem), $"no problem text for '{what}'");
    }
}
