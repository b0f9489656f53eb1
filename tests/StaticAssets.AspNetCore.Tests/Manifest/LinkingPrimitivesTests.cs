using StaticAssets.AspNetCore.Linking;

namespace StaticAssets.AspNetCore.Tests.Manifest;

[TestClass]
public sealed class LinkingPrimitivesTests
{
    [TestMethod]
    [DataRow("https://cdn.example.com/site", "https://cdn.example.com/site/")]
    [DataRow(" https://CDN.example.com/site/ ", "https://cdn.example.com/site/")]
    [DataRow("http://127.0.0.1:7680/bucket/prefix/", "http://127.0.0.1:7680/bucket/prefix/")]
    [DataRow("/static", "/static/")]
    [DataRow("/", "/")]
    public void Base_urls_are_normalized_to_end_in_a_slash(string configured, string expected)
    {
        Assert.AreEqual(expected, BaseUrl.Normalize(configured));
    }

    [TestMethod]
    [DataRow("gzip, deflate, br, zstd", "Gzip, Brotli, Zstd")]
    [DataRow("GZIP;q=0.5,BR", "Gzip, Brotli")]
    [DataRow("br;q=0, gzip;q=0.000", "None")]
    [DataRow("br;q=0.1", "Brotli")]
    [DataRow("*", "Gzip, Brotli, Zstd")]
    [DataRow("identity", "None")]
    [DataRow("", "None")]
    public void Accept_encoding_is_parsed_with_refusals(string header, string expected)
    {
        Assert.AreEqual(expected, AcceptEncoding.Parse(header).ToString());
    }

    [TestMethod]
    [DataRow("css/site.123.css", true)]
    [DataRow("_content/Lib/x.1.js", true)]
    [DataRow("a..b.css", true)]
    [DataRow("../x.css", false)]
    [DataRow("a/../../x.css", false)]
    [DataRow("/x.css", false)]
    [DataRow("a//x.css", false)]
    [DataRow("a\\x.css", false)]
    [DataRow("a/./x.css", false)]
    public void Keys_must_stay_below_the_base_url(string key, bool valid)
    {
        Assert.AreEqual(valid, UrlPath.IsValidKey(Encoding.UTF8.GetBytes(key)));
    }
}
