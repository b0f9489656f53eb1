namespace StaticAssets.Integration.Tests.Remote;

/// <summary>
/// A real `dotnet publish` of the sample app to each remote backend — S3 (Ceph RGW) and Azure Blob (Azurite) — seen
/// through a counting proxy: every object stored with its headers, in the order that keeps readers on a complete
/// generation, no secret in the log, and a republish that only reads.
/// </summary>
[TestClass]
public sealed class RemoteEndToEndTests
{
    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    public async Task EveryAssetIsStoredWithItsHeadersTheManifestAfterThemAndARepublishOnlyReads(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "e2e");
        await using var proxy = new CountingProxy(target.Endpoint!);
        using var project = await SampleProject.CreateAsync();
        var (destination, environment) = target.Publishing("site/", proxy);
        string[] properties = [.. destination, "-p:StaticAssetsMaxConcurrency=8", "-v:detailed"];

        var first = (await project.PublishAsync(environment, properties)).ShouldSucceed($"publish to {backend}");

        Assert.DoesNotContain(target.Secret, first.Output, "the secret appeared in the build log");
        var manifestBytes = File.ReadAllBytes(project.LocalManifest);
        // A remote destination's default: no compressed copies of the un-fingerprinted copies (no server there picks them).
        var (objectCount, fingerprinted) = await PublishedAssets.AssertRemoteMatchesManifestAsync(
            PublishedAssets.ReadManifest(project.LocalManifest), key => target.GetCopyAsync("site/" + key), compressedOriginals: false);
        var storedManifest = await target.GetCopyAsync("site/" + AssetManifest.DefaultName) ?? throw new AssertFailedException("no manifest was stored");
        CollectionAssert.AreEqual(manifestBytes, storedManifest.Bytes, "the stored manifest differs from the publish output's");
        Assert.AreEqual("no-cache", storedManifest.CacheControl);
        var puts = proxy.Requests.Where(r => r.StartsWith("PUT ", StringComparison.Ordinal)).ToArray();
        // Every object, the manifest and the journal of the un-fingerprinted copies, once each.
        Assert.HasCount(objectCount + 2, puts, string.Join("\n", proxy.Requests));
        // Order: every fingerprinted object, then the manifest (the switch), then the copies under plain names
        // (they overwrite live keys), then the journal that vouches for them.
        var manifestAt = Array.FindIndex(puts, p => p.StartsWith($"PUT {target.RequestPath("site/")}{AssetManifest.DefaultName}", StringComparison.Ordinal));
        Assert.IsTrue(puts.Take(manifestAt).All(p => fingerprinted.Any(k => p.Contains("/site/" + k, StringComparison.Ordinal))), "only fingerprinted objects go before the manifest:\n" + string.Join("\n", puts));
        Assert.AreEqual(fingerprinted.Count, manifestAt, "every fingerprinted object goes before the manifest");
        StringAssert.StartsWith(puts[^1], $"PUT {target.RequestPath("site/")}{Stored.Journal}", "the journal is written last");
        Assert.IsLessThanOrEqualTo(8, proxy.PeakOpenConnections);

        proxy.Reset();
        var second = (await project.PublishAsync(environment, properties)).ShouldSucceed($"re-publish to {backend}");
        CollectionAssert.AreEquivalent(
            new[] { $"GET {target.RequestPath("site/")}{AssetManifest.DefaultName}", $"GET {target.RequestPath("site/")}{Stored.Journal}" },
            proxy.Requests.Select(r => r.Split('?')[0]).ToArray(), "an unchanged re-publish: two small reads (sent together), no write");
        StringAssert.Matches(second.Output, new Regex($@"\b0 objects written, {objectCount} unchanged\b"));
    }

    [TestMethod]
    [DataRow(StoreTarget.S3)]
    [DataRow(StoreTarget.AzureBlob)]
    public async Task AWrongSecretIsOneSA3005ThatDoesNotShowTheSecret(string backend)
    {
        var target = await StoreTarget.CreateAsync(backend, "denied");
        await using var proxy = new CountingProxy(target.Endpoint!);
        using var project = await SampleProject.CreateAsync();
        var wrongSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var (destination, environment) = target.Publishing("site/", proxy, wrongSecret);

        var result = await project.PublishAsync(environment, [.. destination, "-p:StaticAssetsMaxAttempts=1", "-v:detailed"]);

        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        // MSBuild repeats an error in its summary, and -v:detailed prefixes lines with the node: count distinct ones.
        var errors = Regex.Matches(result.Output, @"error (SA\d{4}): [^\r\n\[]*").Select(m => m.Value.Trim()).Distinct().ToArray();
        Assert.HasCount(1, errors, result.Output);
        StringAssert.Contains(errors[0], "error SA3005");
        StringAssert.Contains(errors[0], "access was denied");
        Assert.DoesNotContain(wrongSecret, result.Output, "the secret appeared in the build log");
        Assert.IsEmpty(proxy.Requests.Where(r => r.StartsWith("PUT ", StringComparison.Ordinal)).ToArray(), "something was written");
    }

    [TestMethod]
    public async Task WithNoAwsCredentialsAnywhereThePublishIsOneSA3012ThatSaysWhatToSet()
    {
        var target = await StoreTarget.CreateAsync(StoreTarget.S3, "nocreds");
        await using var proxy = new CountingProxy(target.Endpoint!);
        using var project = await SampleProject.CreateAsync();
        using var home = new TempDirectory();
        // Nothing in the environment, no ~/.aws, and no instance metadata to ask (the machine's network is closed).
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = null, ["AWS_SECRET_ACCESS_KEY"] = null, ["AWS_SESSION_TOKEN"] = null, ["AWS_PROFILE"] = null,
            ["HOME"] = home.Path, ["DOTNET_CLI_HOME"] = home.Path, ["AWS_EC2_METADATA_DISABLED"] = "true",
        };

        var destination = target.Publishing("site/", proxy).Properties;
        var quiet = await project.PublishAsync(environment, destination);
        var detailed = await project.PublishAsync(environment, [.. destination, "-v:detailed"]);

        Assert.AreNotEqual(0, quiet.ExitCode, quiet.Output);
        var errors = Regex.Matches(quiet.Output, @"error (SA\d{4}): [^\r\n\[]*").Select(m => m.Value.Trim()).Distinct().ToArray();
        Assert.HasCount(1, errors, quiet.Output);
        StringAssert.StartsWith(errors[0], "error SA3012: ");
        foreach (var says in new[] { "no AWS credentials were found", "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "-v:d" })
        {
            StringAssert.Contains(errors[0], says);
        }
        Assert.DoesNotContain("webIdentityTokenFile", quiet.Output, "the SDK's provider list is for the detailed log only");
        StringAssert.Contains(detailed.Output, "Failed to resolve AWS credentials", "the SDK's account is in the detailed log");
        Assert.IsEmpty(proxy.Requests, "a request was sent without credentials");
    }
}
