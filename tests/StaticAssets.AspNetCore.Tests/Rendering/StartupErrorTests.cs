using RazorPagesApp;
using StaticAssets.AspNetCore.Tests.Support;

namespace StaticAssets.AspNetCore.Tests.Rendering;

/// <summary>
/// Bad configuration fails the app's start with a coded error (docs/errors.md), before it serves anything: the
/// host does not start, so no request ever sees it.
/// </summary>
[TestClass]
public sealed class StartupErrorTests
{
    [TestMethod]
    [DataRow("cdn.example.com/site/")]
    [DataRow("ftp://cdn.example.com/site/")]
    [DataRow("https://cdn.example.com/site/?v=1")]
    [DataRow("//cdn.example.com/site/")]
    [DataRow("https://user:secret@cdn.example.com/")]
    public void A_base_url_that_is_neither_absolute_http_nor_root_relative_is_SA5001(string baseUrl)
    {
        var error = StartFailure(new() { ["StaticAssets:BaseUrl"] = baseUrl });

        Assert.AreEqual("SA5001", error.Code);
        Assert.DoesNotContain("secret", error.Message, "a credential in the URL is never echoed");
    }

    [TestMethod]
    public void A_configured_manifest_path_that_does_not_exist_is_SA5002()
    {
        var missing = Scratch.MissingFile("staticassets.manifest.json");
        var error = StartFailure(new() { ["StaticAssets:BaseUrl"] = "https://cdn.example.com/", ["StaticAssets:ManifestPath"] = missing });

        Assert.AreEqual("SA5002", error.Code);
        StringAssert.Contains(error.Message, missing);
    }

    [TestMethod]
    [DataRow("{ \"paths\": { \"css/site.css\": ", "truncated")]
    [DataRow("not json", "not JSON")]
    [DataRow("[]", "an array")]
    [DataRow("{ \"paths\": {} }", "no version")]
    [DataRow("{ \"version\": \"2.0\", \"paths\": {} }", "a version this package does not read")]
    [DataRow("{ \"version\": \"1.1\", \"paths\": { \"css/site.css\": \"../../etc/passwd\" } }", "a key climbing out of the destination")]
    [DataRow("{ \"version\": \"1.1\", \"paths\": { \"css/site.css\": \"/css/site.css\" } }", "an absolute key")]
    [DataRow("{ \"version\": \"1.1\", \"paths\": { \"css/site.css\": 42 } }", "a key that is not a string")]
    [DataRow("{ \"version\": \"1.1\", \"assets\": { \"css/site.css\": { \"size\": 1 } } }", "an asset without a key")]
    public void A_damaged_manifest_is_SA5003(string content, string what)
    {
        var path = Scratch.WriteManifest(content);

        var error = StartFailure(new() { ["StaticAssets:BaseUrl"] = "https://cdn.example.com/", ["StaticAssets:ManifestPath"] = path });

        Assert.AreEqual("SA5003", error.Code, what);
        StringAssert.Contains(error.Message, path);
    }

    [TestMethod]
    [DataRow("Integrity")]
    [DataRow("Strict")]
    [DataRow("PreferCompressed")]
    public void A_switch_that_is_not_true_or_false_is_SA5004_naming_it(string setting)
    {
        var error = StartFailure(new() { ["StaticAssets:BaseUrl"] = "https://cdn.example.com/", [$"StaticAssets:{setting}"] = "yes" });

        Assert.AreEqual("SA5004", error.Code);
        StringAssert.Contains(error.Message, $"StaticAssets:{setting}");
    }

    [TestMethod]
    public void Strict_with_a_base_url_but_no_manifest_is_SA5005()
    {
        var error = StartFailure(new() { ["StaticAssets:BaseUrl"] = "https://cdn.example.com/", ["StaticAssets:Strict"] = "true" });

        Assert.AreEqual("SA5005", error.Code);
    }

    private static StaticAssetsException StartFailure(Dictionary<string, string?> settings)
    {
        var error = Assert.Throws<Exception>(() => new TestApp<EntryPointMarker>(settings).Dispose());
        return Errors.Find(error);
    }
}
