using StaticAssets.AspNetCore.Linking;
using StaticAssets.AspNetCore.Manifest;
using StaticAssets.AspNetCore.Tests.Support;

namespace StaticAssets.AspNetCore.Tests.Manifest;

[TestClass]
public sealed class ManifestReaderTests
{
    private const string BaseUrl = "https://cdn.example.com/site/";

    [TestMethod]
    public void Reads_what_the_publish_writes()
    {
        var manifest = new TestManifest().Add("css/site.css", "br", "gzip").Add("js/app.js");

        var table = Read(manifest.ToJson(), withEncodings: true);

        Assert.AreEqual(2, table.Count);
        Assert.IsTrue(table.TryGet("css/site.css", out var css));
        Assert.AreEqual(BaseUrl + manifest["css/site.css"].Key, css.Url);
        Assert.AreEqual(manifest["css/site.css"].Integrity, css.Integrity);
        Assert.AreEqual(css.Url + ".br", css.UrlFor(ContentCodings.Brotli | ContentCodings.Gzip));
        Assert.AreEqual(css.Url + ".gz", css.UrlFor(ContentCodings.Gzip));
        Assert.IsTrue(table.TryGet("js/app.js", out var js));
        Assert.AreEqual(js.Url, js.UrlFor(ContentCodings.Brotli), "no compressed copy: the plain object");
    }

    [TestMethod]
    public void Compressed_copies_are_kept_only_when_they_will_be_linked()
    {
        var table = Read(new TestManifest().Add("css/site.css", "br").ToJson(), withEncodings: false);

        Assert.IsTrue(table.TryGet("css/site.css", out var css));
        Assert.AreEqual(css.Url, css.UrlFor(ContentCodings.Brotli));
    }

    [TestMethod]
    public void Without_integrity_or_compressed_copies_wanted_the_assets_section_is_not_parsed_but_must_be_complete()
    {
        var json = new TestManifest().Add("css/site.css", "br").ToJson();
        var damagedInside = json.Replace("\"size\": 100", "\"size\": ]");

        var table = Read(damagedInside, withEncodings: false, withIntegrity: false);

        Assert.IsTrue(table.TryGet("css/site.css", out var css));
        Assert.IsNull(css.Integrity, "integrities are read only with the Integrity option");
        Assert.AreEqual(css.Url, css.UrlFor(ContentCodings.Brotli));
        Assert.Throws<ManifestFormatException>(() => Read(json[..^40], withEncodings: false, withIntegrity: false), "truncated");
        Assert.Throws<ManifestFormatException>(() => Read(damagedInside, withEncodings: false, withIntegrity: true), "parsed when needed");
    }

    [TestMethod]
    public void A_django_style_manifest_with_paths_only_is_enough()
    {
        var table = Read("""{ "paths": { "css/site.css": "css/site.abc.css" }, "version": "1.1" }""");

        Assert.IsTrue(table.TryGet("css/site.css", out var css));
        Assert.AreEqual(BaseUrl + "css/site.abc.css", css.Url);
        Assert.IsNull(css.Integrity);
    }

    [TestMethod]
    public void Assets_without_paths_and_unknown_members_at_any_depth_are_read_and_skipped()
    {
        var table = Read("""
            {
              "future": { "nested": [1, { "deep": [] }], "x": "y" },
              "version": "1.7",
              "assets": {
                "js/app.js": {
                  "tags": ["a", { "b": {} }],
                  "key": "js/app.123.js",
                  "integrity": "sha256-x",
                  "encodings": { "lz4": { "key": "js/app.123.js.lz4", "more": {} }, "br": { "extra": [1], "key": "js/app.123.js.br" } }
                }
              },
              "trailing": [[], {}]
            }
            """, withEncodings: true);

        Assert.IsTrue(table.TryGet("js/app.js", out var js));
        Assert.AreEqual(BaseUrl + "js/app.123.js", js.Url);
        Assert.AreEqual("sha256-x", js.Integrity);
        Assert.AreEqual(BaseUrl + "js/app.123.js.br", js.UrlFor(ContentCodings.Brotli));
    }

    [TestMethod]
    public void Keys_are_escaped_as_url_paths_and_json_escapes_are_decoded()
    {
        var table = Read("""
            { "version": "1.1", "paths": {
                "img/my logo.png": "img/my logo.1.png",
                "img/caf\u00e9.png": "img/café.2.png",
                "css\/a.css": "css\/a%b.3.css" } }
            """);

        Assert.IsTrue(table.TryGet("img/my logo.png", out var spaced));
        Assert.AreEqual(BaseUrl + "img/my%20logo.1.png", spaced.Url);
        Assert.IsTrue(table.TryGet("img/café.png", out var accented));
        Assert.AreEqual(BaseUrl + "img/caf%C3%A9.2.png", accented.Url);
        Assert.IsTrue(table.TryGet("css/a.css", out var percent));
        Assert.AreEqual(BaseUrl + "css/a%25b.3.css", percent.Url);
    }

    [TestMethod]
    public void A_manifest_far_larger_than_one_read_block_is_read_whole()
    {
        var manifest = new TestManifest();
        for (var i = 0; i < 3000; i++)
        {
            manifest.Add($"assets/folder{i % 17}/file{i}.js", "br", "gzip");
        }
        var json = manifest.ToJson();
        Assert.IsGreaterThan(10 * 64 * 1024, json.Length, "the test needs many 64 KB blocks");

        var table = Read(json, withEncodings: true);

        Assert.AreEqual(3000, table.Count);
        for (var i = 0; i < 3000; i++)
        {
            var logical = $"assets/folder{i % 17}/file{i}.js";
            Assert.IsTrue(table.TryGet(logical, out var asset), logical);
            Assert.AreEqual(BaseUrl + manifest[logical].Key + ".br", asset.UrlFor(ContentCodings.Brotli));
        }
    }

    [TestMethod]
    public void A_single_value_longer_than_a_read_block_is_read()
    {
        var longValue = new string('x', 200_000);
        var table = Read($$"""{ "version": "1.1", "note": "{{longValue}}", "assets": { "a.js": { "key": "a.1.js", "integrity": "sha256-{{longValue}}" } } }""");

        Assert.IsTrue(table.TryGet("a.js", out var asset));
        Assert.AreEqual("sha256-" + longValue, asset.Integrity);
    }

    [TestMethod]
    public void A_byte_order_mark_is_accepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{ "version": "1.1", "paths": { "a.css": "a.1.css" } }""")).ToArray();

        var table = ManifestReader.Read(new MemoryStream(bytes), BaseUrl, withEncodings: false, withIntegrity: false);

        Assert.AreEqual(1, table.Count);
    }

    [TestMethod]
    [DataRow("""{ "version": "1.1", "paths": { "a.css": "a//b.css" } }""")]
    [DataRow("""{ "version": "1.1", "paths": { "a.css": "a\\b.css" } }""")]
    [DataRow("""{ "version": "1.1", "paths": { "a.css": "./a.css" } }""")]
    [DataRow("""{ "version": "1.1", "paths": { "a.css": "css/" } }""")]
    [DataRow("""{ "version": "1.1", "paths": { "a.css": "" } }""")]
    [DataRow("""{ "version": "1.1", "paths": { "a.css": "a\u0000.css" } }""")]
    [DataRow("""{ "version": "1.1", "assets": { "a.css": "a.css" } }""")]
    [DataRow("""{ "version": "1.1", "assets": { "a.css": { "key": "a.1.css", "encodings": [] } } }""")]
    [DataRow("""{ "version": 1.1, "paths": {} }""")]
    [DataRow("""{ "version": "1.1" }""")]
    [DataRow("""{ "version": "1.1", "paths": {} } {}""")]
    public void Damaged_manifests_are_refused(string json)
    {
        Assert.Throws<ManifestFormatException>(() => Read(json));
    }

    private static AssetTable Read(string json, bool withEncodings = false, bool withIntegrity = true) =>
        ManifestReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), BaseUrl, withEncodings, withIntegrity);
}
