using static StaticAssets.Testing.PublishedAssets;

namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>Real `dotnet publish` runs with the environment Azure Pipelines or GitHub Actions sets.</summary>
[TestClass]
public sealed class PipelineReportingTests
{
    private static SampleProject? _project;

    private static SampleProject Project => _project ?? throw new InvalidOperationException("ClassInitialize did not run");

    [ClassInitialize]
    public static async Task CreateProjectAsync(TestContext context) => _project = await SampleProject.CreateAsync();

    [ClassCleanup]
    public static void DeleteProject() => _project?.Dispose();

    private static Dictionary<string, string?> Ci(params (string Name, string? Value)[] set)
    {
        // Whatever the machine running the tests has, each test decides which CI it pretends to be.
        var environment = new Dictionary<string, string?> { ["TF_BUILD"] = null, ["GITHUB_ACTIONS"] = null };
        foreach (var (name, value) in set)
        {
            environment[name] = value;
        }
        return environment;
    }

    private static string[] Lines(string output) => output.Split('\n').Select(l => l.Trim()).ToArray();

    [TestMethod]
    public async Task AzureDevOpsGetsIssuesAndOutputVariables()
    {
        var failed = await Project.PublishAsync(Ci(("TF_BUILD", "True")), "-p:StaticAssetsDestination=ftp://example/x");
        Assert.AreNotEqual(0, failed.ExitCode);
        CollectionAssert.Contains(Lines(failed.Output),
            "##vso[task.logissue type=error;code=SA1008]SA1008: StaticAssetsDestination 'ftp://example/x' has the scheme 'ftp://', which is not supported. Use a folder path, a file:// URI, s3://bucket/prefix/ or an Azure Blob container URL.");

        var destination = Path.Combine(Project.Root, "azdo-destination");
        var published = (await Project.PublishAsync(Ci(("TF_BUILD", "True")), $"-p:StaticAssetsDestination={destination}")).ShouldSucceed("publish");
        var hash = ReadManifest(Path.Combine(destination, "staticassets.manifest.json")).GetProperty("hash").GetString();
        CollectionAssert.Contains(Lines(published.Output), $"##vso[task.setvariable variable=StaticAssetsManifestHash;isOutput=true]{hash}");
        CollectionAssert.Contains(Lines(published.Output), $"##vso[task.setvariable variable=StaticAssetsDestination;isOutput=true]{destination}{Path.DirectorySeparatorChar}");
    }

    [TestMethod]
    public async Task GitHubActionsGetsAnnotationsOutputsAndASummary()
    {
        var outputFile = Path.Combine(Project.Root, "github-output");
        var summaryFile = Path.Combine(Project.Root, "github-summary.md");
        var environment = Ci(("GITHUB_ACTIONS", "true"), ("GITHUB_OUTPUT", outputFile), ("GITHUB_STEP_SUMMARY", summaryFile));

        var failed = await Project.PublishAsync(environment, "-p:StaticAssetsMaxConcurrency=0");
        Assert.AreNotEqual(0, failed.ExitCode);
        CollectionAssert.Contains(Lines(failed.Output), "::error title=SA1002::StaticAssetsMaxConcurrency is '0'; it must be a whole number from 1 to 512.");

        var destination = Path.Combine(Project.Root, "gha-destination");
        (await Project.PublishAsync(environment, $"-p:StaticAssetsDestination={destination}")).ShouldSucceed("publish");
        var hash = ReadManifest(Path.Combine(destination, "staticassets.manifest.json")).GetProperty("hash").GetString();
        StringAssert.Contains(File.ReadAllText(outputFile), $"manifest-hash={hash}\n");
        StringAssert.Contains(File.ReadAllText(summaryFile), $"`{hash}` |");
    }

    [TestMethod]
    public async Task OutsideAPipelineNothingOfThisIsPrinted()
    {
        var failed = await Project.PublishAsync(Ci(), "-p:StaticAssetsDestination=ftp://example/x");

        Assert.AreNotEqual(0, failed.ExitCode);
        StringAssert.Contains(failed.Output, "error SA1008");
        Assert.DoesNotContain("##vso[", failed.Output);
        Assert.DoesNotContain("::error", failed.Output);
    }
}
