namespace StaticAssets.Engine.Tests.Configuration;

[TestClass]
public sealed class OptionsReaderTests
{
    private static readonly string Project = Path.Combine(Path.GetTempPath(), "sa-project");
    private static readonly PublishContext Context = new(Project, "bin/publish/", "obj/Release/net10.0/");

    /// <summary>A command line's spelling, to show that messages name options the way the front end does.</summary>
    private static readonly OptionSpelling Flags = new(option => "--" + string.Concat(option.ToString().Select((c, i) =>
        char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())));

    private static PublishConfiguration Read(params (Option Option, string Value)[] values) =>
        new OptionsReader(Flags).Read(values.ToDictionary(v => v.Option, v => (string?)v.Value), Context);

    private static Diagnostic Refused(params (Option Option, string Value)[] values) =>
        Assert.ThrowsExactly<StaticAssetsException>(() => Read(values)).Diagnostic;

    [TestMethod]
    public void NothingSetGivesTheEngineDefaultsAndPlacesBesideTheOutput()
    {
        var (destination, options, store) = Read();

        Assert.AreEqual(new LocalFolderDestination(Path.Combine(Project, "bin", "publish", "static-assets")), destination);
        Assert.AreEqual(Path.Combine(Project, "bin", "publish", "staticassets.manifest.json"), options.LocalManifestPath);
        var defaults = new PublishOptions();
        Assert.AreEqual(defaults with { LocalManifestPath = options.LocalManifestPath, Plan = options.Plan }, options);
        Assert.AreEqual(Path.Combine(Project, "obj", "Release", "net10.0", "staticassets"), options.Plan.WorkDirectory);
        var plan = new PlanOptions();
        Assert.AreEqual(plan.FingerprintedNamePattern!.ToString(), options.Plan.FingerprintedNamePattern!.ToString());
        CollectionAssert.AreEqual(plan.Compression!.ToArray(), options.Plan.Compression!.ToArray());
        Assert.AreEqual(plan with
        {
            WorkDirectory = options.Plan.WorkDirectory,
            FingerprintedNamePattern = options.Plan.FingerprintedNamePattern,
            Compression = options.Plan.Compression,
        }, options.Plan);
        Assert.AreEqual(new StoreSettings { Spelling = Flags, S3 = store.S3, Azure = store.Azure }, store);
        Assert.AreEqual(new S3Settings(), store.S3);
        Assert.AreEqual(new AzureBlobSettings(), store.Azure);
    }

    [TestMethod]
    public void WithoutAnOutputFolderThereIsNoDefaultDestinationAndNoLocalCopy()
    {
        var reader = new OptionsReader(OptionSpelling.Plain);

        var e = Assert.ThrowsExactly<StaticAssetsException>(() => reader.Read(new Dictionary<Option, string?>(), new PublishContext(Project)));
        Assert.AreEqual(DiagnosticCodes.InvalidDestination, e.Diagnostic.Code);

        var (_, options, _) = reader.Read(new Dictionary<Option, string?> { [Option.Destination] = "out" }, new PublishContext(Project));
        Assert.IsNull(options.LocalManifestPath);
        Assert.IsNull(options.Plan.WorkDirectory, "a temporary folder is used");
    }

    [TestMethod]
    public void EverySettingIsReadTrimmedAndPathsResolveAgainstTheBaseFolder()
    {
        var (destination, options, store) = Read(
            (Option.Destination, " s3://my-bucket/site/ "),
            (Option.ManifestName, "assets.json"),
            (Option.LocalManifestPath, "out/m.json"),
            (Option.MaxConcurrency, "32"),
            (Option.MaxAttempts, "7"),
            (Option.VerifyRemote, "True"),
            (Option.CacheControl, "public, max-age=60"),
            (Option.OriginalsCacheControl, "no-cache"),
            (Option.RewriteReferences, "false"),
            (Option.RewriteJsImports, "true"),
            (Option.Strict, "TRUE"),
            (Option.KeepOriginalNames, "false"),
            (Option.FingerprintPattern, "-[0-9a-f]{8}\\."),
            (Option.Compression, "br"),
            (Option.BrotliQuality, "11"),
            (Option.WorkDirectory, "cache"),
            (Option.S3ServiceUrl, "http://127.0.0.1:7480"),
            (Option.S3Region, "eu-west-1"),
            (Option.S3ForcePathStyle, "true"),
            (Option.S3ChecksumMode, "WhenRequired"),
            (Option.AzureSasVariable, "MY_SAS"));

        Assert.AreEqual(new S3Destination("my-bucket", "site/"), destination);
        Assert.AreEqual("assets.json", options.ManifestName);
        Assert.AreEqual(Path.Combine(Project, "out", "m.json"), options.LocalManifestPath);
        Assert.AreEqual(32, store.MaxConcurrency);
        Assert.AreEqual(7, store.MaxAttempts);
        Assert.IsTrue(options.VerifyRemote);
        Assert.AreEqual("public, max-age=60", options.Plan.CacheControl);
        Assert.AreEqual("no-cache", options.Plan.OriginalsCacheControl);
        Assert.IsFalse(options.Plan.RewriteReferences);
        Assert.IsTrue(options.Plan.RewriteJavaScriptModules);
        Assert.IsTrue(options.Plan.Strict);
        Assert.IsFalse(options.Plan.KeepOriginalNames);
        Assert.AreEqual("-[0-9a-f]{8}\\.", options.Plan.FingerprintedNamePattern!.ToString());
        CollectionAssert.AreEqual(new[] { "br" }, options.Plan.Compression!.ToArray());
        Assert.AreEqual(11, options.Plan.BrotliQuality);
        Assert.AreEqual(Path.Combine(Project, "cache"), options.Plan.WorkDirectory);
        Assert.AreEqual(new S3Settings { ServiceUrl = new Uri("http://127.0.0.1:7480"), Region = "eu-west-1", ForcePathStyle = true, ChecksumMode = S3ChecksumMode.WhenRequired }, store.S3);
        Assert.AreEqual("MY_SAS", store.Azure.SasTokenVariable);
    }

    [TestMethod]
    public void ADryRunWritesNoLocalCopy()
    {
        Assert.IsNull(Read((Option.DryRun, "true")).Options.LocalManifestPath);
    }

    [TestMethod]
    [DataRow("none", new string[0])]
    [DataRow("gzip", new[] { "gzip" })]
    [DataRow("BR ; gzip", new[] { "br", "gzip" })]
    [DataRow("gzip,br,gzip", new[] { "gzip", "br" })]
    public void CompressionListsTheEncodingsToMake(string value, string[] expected)
    {
        CollectionAssert.AreEqual(expected, Read((Option.Compression, value)).Options.Plan.Compression!.ToArray());
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("-1")]
    [DataRow("abc")]
    [DataRow("513")]
    [DataRow("2147483648")]
    public void ConcurrencyOutsideOneTo512IsSA1002(string value)
    {
        var error = Refused((Option.MaxConcurrency, value));

        Assert.AreEqual(DiagnosticCodes.InvalidConcurrency, error.Code);
        Assert.AreEqual($"--max-concurrency is '{value}'; it must be a whole number from 1 to 512.", error.Message);
    }

    [TestMethod]
    [DataRow("1")]
    [DataRow("512")]
    public void ConcurrencyFromOneTo512IsTheStoresLimit(string value)
    {
        Assert.AreEqual(int.Parse(value), Read((Option.MaxConcurrency, value)).Store.MaxConcurrency);
    }

    [TestMethod]
    [DataRow(Option.MaxAttempts, "0", "a whole number from 1 to 20")]
    [DataRow(Option.MaxAttempts, "21", "a whole number from 1 to 20")]
    [DataRow(Option.S3ServiceUrl, "not a url", "an absolute http:// or https:// URL")]
    [DataRow(Option.S3ServiceUrl, "ftp://x", "an absolute http:// or https:// URL")]
    [DataRow(Option.S3Region, "EU WEST", "a region name such as eu-west-1")]
    [DataRow(Option.S3ForcePathStyle, "yes", "true or false")]
    [DataRow(Option.S3ChecksumMode, "sometimes", "SdkDefault or WhenRequired")]
    public void BadStoreSettingsAreSA1007NamingTheOption(Option option, string value, string expected)
    {
        var error = Refused((option, value));

        Assert.AreEqual(DiagnosticCodes.InvalidS3Setting, error.Code);
        StringAssert.StartsWith(error.Message, $"{Flags[option]} is '{value}'; it must be {expected}");
    }

    [TestMethod]
    public void AServiceUrlWithAPasswordIsRefusedWithoutEchoingIt()
    {
        var error = Refused((Option.S3ServiceUrl, "http://deploy:Pa55w0rd-9f3c7e@s3.example.com"));

        Assert.AreEqual(DiagnosticCodes.InvalidS3Setting, error.Code);
        Assert.DoesNotContain("Pa55w0rd", error.Message);
        Assert.Contains("***@s3.example.com", error.Message);
    }

    [TestMethod]
    public void AzureVariablesAreNamesNeverSecretsAndOnlyOneOfThem()
    {
        var both = Refused((Option.AzureConnectionStringVariable, "A"), (Option.AzureSasVariable, "B"));
        Assert.AreEqual(DiagnosticCodes.InvalidAzureSetting, both.Code);
        Assert.AreEqual("Both --azure-connection-string-variable and --azure-sas-variable are set; set only one of them.", both.Message);

        var pasted = Refused((Option.AzureConnectionStringVariable, "DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0"));
        Assert.AreEqual(DiagnosticCodes.InvalidAzureSetting, pasted.Code);
        Assert.DoesNotContain("c2VjcmV0", pasted.Message);
        StringAssert.StartsWith(pasted.Message, "--azure-connection-string-variable must be the NAME of an environment variable");
    }

    [TestMethod]
    [DataRow(Option.DryRun)]
    [DataRow(Option.VerifyRemote)]
    [DataRow(Option.RewriteReferences)]
    [DataRow(Option.RewriteJsImports)]
    [DataRow(Option.Strict)]
    [DataRow(Option.KeepOriginalNames)]
    public void ASwitchThatIsNotTrueOrFalseIsSA1015(Option option)
    {
        var error = Refused((option, "maybe"));

        Assert.AreEqual(DiagnosticCodes.InvalidSwitch, error.Code);
        Assert.AreEqual($"{Flags[option]} is 'maybe'; it must be true or false (or empty for its default).", error.Message);
    }

    [TestMethod]
    [DataRow(Option.Compression, "zip", "contains 'zip'")]
    [DataRow(Option.BrotliQuality, "12", "is '12'; it must be a whole number from 0")]
    [DataRow(Option.BrotliQuality, "-1", "is '-1'; it must be a whole number from 0")]
    [DataRow(Option.BrotliQuality, "high", "is 'high'; it must be a whole number from 0")]
    [DataRow(Option.FingerprintPattern, "[unclosed", "is not a valid regular expression")]
    public void BadPlanSettingsAreSA1014(Option option, string value, string says)
    {
        var error = Refused((option, value));

        Assert.AreEqual(DiagnosticCodes.InvalidPlanSetting, error.Code);
        StringAssert.StartsWith(error.Message, $"{Flags[option]} {says}");
    }

    [TestMethod]
    [DataRow("a/b.json")]
    [DataRow("..")]
    [DataRow("sub\\m.json")]
    public void AManifestNameThatIsNotAPlainFileNameIsSA1005(string name)
    {
        var error = Refused((Option.ManifestName, name));

        Assert.AreEqual(DiagnosticCodes.InvalidManifestName, error.Code);
        Assert.AreEqual($"--manifest-name '{name}' is not a valid file name. Use a plain name such as 'staticassets.manifest.json'.", error.Message);
    }
}
