namespace StaticAssets.Integration.Tests.AzureBlob;

/// <summary>A real `dotnet publish` of the sample app to Azure Blob Storage (Azurite), observed through a counting proxy.</summary>
[TestClass]
public sealed class AzureBlobEndToEndTests
{
    [TestMethod]
    public async Task PublishToAzureBlobStoresEveryAssetWithHeadersManifestLastAndARepublishUploadsNothing()
    {
        var server = await AzuriteServer.GetAsync();
        var container = await server.CreateContainerAsync("e2e");
        using var project = await SampleProject.CreateAsync();
        await using var proxy = new CountingProxy(server.Endpoint);
        var endpoint = new Uri(proxy.Url, server.Endpoint.AbsolutePath);
        // The pipeline maps its secret to an environment variable; the project names only the variable.
        var environment = new Dictionary<string, string?> { ["SA_TEST_AZURE_STORAGE"] = server.ConnectionStringFor(endpoint) };
        string[] properties =
        [
            $"-p:StaticAssetsDestination={endpoint}/{container}/site/",
            "-p:StaticAssetsAzureConnectionStringVariable=SA_TEST_AZURE_STORAGE",
            "-p:StaticAssetsMaxConcurrency=8",
            "-v:detailed",
        ];

        var first = (await project.PublishAsync(environment, properties)).ShouldSucceed("publish to Azure Blob");

        Assert.DoesNotContain("AccountKey", first.Output, "the connection string appeared in the build log");
        var manifestBytes = File.ReadAllBytes(project.LocalManifest);
        var manifest = PublishedAssets.ReadManifest(project.LocalManifest);
        var blobs = server.CreateClient().GetBlobContainerClient(container);
        var (objectCount, fingerprinted) = await PublishedAssets.AssertRemoteMatchesManifestAsync(manifest, async key =>
        {
            var blob = blobs.GetBlobClient("site/" + key);
            var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
            var stored = (await blob.GetPropertiesAsync()).Value;
            return new PublishedAssets.RemoteObject(bytes, stored.ContentType, stored.CacheControl, stored.ContentEncoding);
        });
        var storedManifest = blobs.GetBlobClient("site/staticassets.manifest.json");
        CollectionAssert.AreEqual(manifestBytes, (await storedManifest.DownloadContentAsync()).Value.Content.ToArray());
        Assert.AreEqual("no-cache", (await storedManifest.GetPropertiesAsync()).Value.CacheControl);
        var puts = proxy.Requests.Where(r => r.StartsWith("PUT ", StringComparison.Ordinal)).ToArray();
        // Every object, the manifest and the journal of the un-fingerprinted copies, once each.
        Assert.HasCount(objectCount + 2, puts, string.Join("\n", proxy.Requests));
        // Order: every fingerprinted object, then the manifest (the switch), then the copies under plain names
        // (they overwrite live keys), then the journal that vouches for them.
        var manifestAt = Array.FindIndex(puts, p => p.StartsWith($"PUT {server.Endpoint.AbsolutePath}/{container}/site/staticassets.manifest.json", StringComparison.Ordinal));
        Assert.IsTrue(puts.Take(manifestAt).All(p => fingerprinted.Any(k => p.Contains("/site/" + k, StringComparison.Ordinal))), "only fingerprinted objects go before the manifest:\n" + string.Join("\n", puts));
        Assert.AreEqual(fingerprinted.Count, manifestAt, "every fingerprinted object goes before the manifest");
        StringAssert.StartsWith(puts[^1], $"PUT {server.Endpoint.AbsolutePath}/{container}/site/staticassets.manifest.pending.json", "the journal is written last");
        Assert.IsLessThanOrEqualTo(8, proxy.PeakOpenConnections);

        proxy.Reset();
        var second = (await project.PublishAsync(environment, properties)).ShouldSucceed("re-publish to Azure Blob");
        Assert.IsEmpty(proxy.Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal)).ToArray(), "an unchanged re-publish wrote: " + string.Join("\n", proxy.Requests));
        Assert.HasCount(2, proxy.Requests, "an unchanged re-publish reads the manifest and the pending journal");
        StringAssert.Contains(second.Output, $"0 objects written, {objectCount} unchanged");
    }
}
