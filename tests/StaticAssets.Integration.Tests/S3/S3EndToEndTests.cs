namespace StaticAssets.Integration.Tests.S3;

/// <summary>A real `dotnet publish` of the sample app to s3:// on Ceph RGW, observed through a counting proxy.</summary>
[TestClass]
public sealed class S3EndToEndTests
{
    [TestMethod]
    public async Task PublishToS3StoresEveryAssetWithHeadersManifestLastAndARepublishUploadsNothing()
    {
        var server = await S3Server.GetAsync();
        var bucket = await server.CreateBucketAsync("e2e");
        using var project = await SampleProject.CreateAsync();
        await using var proxy = new CountingProxy(server.Endpoint);
        string[] properties =
        [
            $"-p:StaticAssetsDestination=s3://{bucket}/site/",
            $"-p:StaticAssetsS3ServiceUrl={proxy.Url}",
            "-p:StaticAssetsS3ForcePathStyle=true",
            "-p:StaticAssetsS3ChecksumMode=WhenRequired",
            "-p:StaticAssetsMaxConcurrency=8",
            "-v:detailed",
        ];

        var first = (await project.PublishAsync(server.CredentialsEnvironment(), properties)).ShouldSucceed("publish to S3");

        Assert.IsFalse(first.Output.Contains(server.SecretKey, StringComparison.Ordinal), "the secret key appeared in the build log");
        var manifestBytes = File.ReadAllBytes(project.LocalManifest);
        var manifest = PublishedAssets.ReadManifest(project.LocalManifest);
        using var client = server.CreateClient();
        var (objectCount, fingerprinted) = await PublishedAssets.AssertRemoteMatchesManifestAsync(manifest, async key =>
        {
            using var stored = await client.GetObjectAsync(bucket, "site/" + key);
            using var bytes = new MemoryStream();
            await stored.ResponseStream.CopyToAsync(bytes);
            return new PublishedAssets.RemoteObject(bytes.ToArray(), stored.Headers.ContentType, stored.Headers.CacheControl, stored.Headers.ContentEncoding);
        });
        using (var storedManifest = await client.GetObjectAsync(bucket, "site/staticassets.manifest.json"))
        {
            Assert.AreEqual("no-cache", storedManifest.Headers.CacheControl);
            using var bytes = new MemoryStream();
            await storedManifest.ResponseStream.CopyToAsync(bytes);
            CollectionAssert.AreEqual(manifestBytes, bytes.ToArray(), "the stored manifest differs from the publish output's");
        }
        var puts = proxy.Requests.Where(r => r.StartsWith("PUT ", StringComparison.Ordinal)).ToArray();
        // Every object, the manifest and the journal of the un-fingerprinted copies, once each.
        Assert.HasCount(objectCount + 2, puts, string.Join("\n", proxy.Requests));
        // Order: every fingerprinted object, then the manifest (the switch), then the copies under plain names
        // (they overwrite live keys), then the journal that vouches for them.
        var manifestAt = Array.FindIndex(puts, p => p.StartsWith($"PUT /{bucket}/site/staticassets.manifest.json", StringComparison.Ordinal));
        Assert.IsTrue(puts.Take(manifestAt).All(p => fingerprinted.Any(k => p.Contains("/site/" + k, StringComparison.Ordinal))), "only fingerprinted objects go before the manifest:\n" + string.Join("\n", puts));
        Assert.AreEqual(fingerprinted.Count, manifestAt, "every fingerprinted object goes before the manifest");
        StringAssert.StartsWith(puts[^1], $"PUT /{bucket}/site/staticassets.manifest.pending.json", "the journal is written last");
        Assert.IsLessThanOrEqualTo(8, proxy.PeakOpenConnections);

        proxy.Reset();
        var second = (await project.PublishAsync(server.CredentialsEnvironment(), properties)).ShouldSucceed("re-publish to S3");
        CollectionAssert.AreEquivalent(
            new[] { $"GET /{bucket}/site/staticassets.manifest.json", $"GET /{bucket}/site/staticassets.manifest.pending.json" },
            proxy.Requests.ToArray(), "an unchanged re-publish: two small reads (sent together), no write");
        StringAssert.Contains(second.Output, $"0 objects written, {objectCount} unchanged");
    }

    [TestMethod]
    public async Task WrongCredentialsFailWithOneCodedErrorThatDoesNotShowTheSecret()
    {
        var server = await S3Server.GetAsync();
        var bucket = await server.CreateBucketAsync("denied");
        using var project = await SampleProject.CreateAsync();
        var wrongSecret = "wrong-secret-" + Guid.NewGuid().ToString("N");
        var environment = server.CredentialsEnvironment();
        environment["AWS_SECRET_ACCESS_KEY"] = wrongSecret;

        var result = await project.PublishAsync(environment,
            $"-p:StaticAssetsDestination=s3://{bucket}/site/", $"-p:StaticAssetsS3ServiceUrl={server.Endpoint}",
            "-p:StaticAssetsS3ForcePathStyle=true", "-p:StaticAssetsS3ChecksumMode=WhenRequired", "-p:StaticAssetsS3MaxAttempts=1");

        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        var errors = result.Output.Split('\n').Where(l => l.Contains("error SA", StringComparison.Ordinal)).Distinct().ToArray();
        Assert.HasCount(1, errors, result.Output);
        StringAssert.Contains(errors[0], "error SA3005");
        StringAssert.Contains(errors[0], "access was denied");
        Assert.IsFalse(result.Output.Contains(wrongSecret, StringComparison.Ordinal), "the secret appeared in the build log");
    }
}
