namespace StaticAssets.Engine.Tests.Storage;

[TestClass]
public sealed class AzureBlobDestinationTests
{
    [TestMethod]
    [DataRow("https://myaccount.blob.core.windows.net/static/site/", "https://myaccount.blob.core.windows.net/", "static", "site/")]
    [DataRow("https://myaccount.blob.core.windows.net/static", "https://myaccount.blob.core.windows.net/", "static", "")]
    [DataRow("https://acct.blob.core.chinacloudapi.cn/web-assets/a/b", "https://acct.blob.core.chinacloudapi.cn/", "web-assets", "a/b/")]
    [DataRow("http://127.0.0.1:10000/devstoreaccount1/static/site", "http://127.0.0.1:10000/devstoreaccount1/", "static", "site/")]
    public void BlobUrlsAreAzureDestinations(string value, string service, string container, string prefix)
    {
        var destination = (AzureBlobDestination)Destination.Parse(value, "/");

        Assert.AreEqual(new Uri(service), destination.ServiceUri);
        Assert.AreEqual(container, destination.Container);
        Assert.AreEqual(prefix, destination.Prefix);
        Assert.AreEqual(64, destination.DefaultMaxConcurrency);
    }

    [TestMethod]
    [DataRow("https://myaccount.blob.core.windows.net/", DiagnosticCodes.InvalidDestination)]
    [DataRow("https://myaccount.blob.core.windows.net/Bad_Container/x", DiagnosticCodes.InvalidDestination)]
    [DataRow("https://myaccount.blob.core.windows.net/static/x?sv=2024&sig=abc", DiagnosticCodes.InvalidDestination)]
    [DataRow("https://myaccount.blob.core.windows.net/static/../x", DiagnosticCodes.InvalidDestination)]
    [DataRow("https://example.com/static/", DiagnosticCodes.UnsupportedDestinationScheme)]
    public void MalformedOrForeignUrlsAreCodedErrors(string value, string code)
    {
        var e = Assert.ThrowsExactly<StaticAssetsException>(() => Destination.Parse(value, "/"));

        Assert.AreEqual(code, e.Diagnostic.Code);
        Assert.DoesNotContain("sig=abc", e.Diagnostic.Message, "a SAS signature was echoed");
    }
}
