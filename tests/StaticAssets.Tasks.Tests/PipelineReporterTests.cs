using StaticAssets.Tasks.Pipelines;

namespace StaticAssets.Tasks.Tests;

[TestClass]
public sealed class PipelineReporterTests
{
    private static readonly PublishSummary Summary = new(7, 19, 3, 16, 5 * 1048576, "s3://bucket/site/", "0123456789ab", 1.25, false);

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [TestMethod]
    public void AutoChoosesFromTheEnvironmentAndOtherwiseReportsNothing()
    {
        Assert.IsInstanceOfType<AzureDevOpsReporter>(PipelineReporter.Create("auto", Environment(("TF_BUILD", "True")), MSBuildPublishLog.PropertyNames));
        Assert.IsInstanceOfType<GitHubActionsReporter>(PipelineReporter.Create("", Environment(("GITHUB_ACTIONS", "true")), MSBuildPublishLog.PropertyNames));
        Assert.IsNull(PipelineReporter.Create("auto", Environment(), MSBuildPublishLog.PropertyNames));
        Assert.IsNull(PipelineReporter.Create("none", Environment(("TF_BUILD", "True")), MSBuildPublishLog.PropertyNames));
        Assert.IsInstanceOfType<GitHubActionsReporter>(PipelineReporter.Create("GitHubActions", Environment(), MSBuildPublishLog.PropertyNames));
    }

    [TestMethod]
    public void AnUnknownModeIsSA1011()
    {
        var e = Assert.ThrowsExactly<StaticAssetsException>(() => PipelineReporter.Create("jenkins", Environment(), MSBuildPublishLog.PropertyNames));
        Assert.AreEqual(DiagnosticCodes.InvalidPipelineReporting, e.Diagnostic.Code);
        Assert.Contains("StaticAssetsPipelineReporting", e.Diagnostic.Message);
    }

    [TestMethod]
    public void AzureDevOpsLinesAreLoggingCommandsWithEscapedData()
    {
        var lines = new List<string>();
        var reporter = new AzureDevOpsReporter();

        reporter.Issue(Diagnostic.Error("SA3005", "100% denied\r\nnext line"), lines.Add);
        reporter.Issue(Diagnostic.Warning("SA2001", "duplicate"), lines.Add);
        reporter.Progress(50, 200, lines.Add);
        reporter.Completed(Summary, lines.Add);

        CollectionAssert.AreEqual(
            new[]
            {
                "##vso[task.logissue type=error;code=SA3005]SA3005: 100%AZP25 denied%0D%0Anext line",
                "##vso[task.logissue type=warning;code=SA2001]SA2001: duplicate",
                "##vso[task.setprogress value=25;]Publishing static assets: 50 of 200 objects stored",
                "##vso[task.setvariable variable=StaticAssetsManifestHash;isOutput=true]0123456789ab",
                "##vso[task.setvariable variable=StaticAssetsDestination;isOutput=true]s3://bucket/site/",
                "##vso[task.setvariable variable=StaticAssetsObjectsWritten;isOutput=true]3",
            },
            lines);
    }

    [TestMethod]
    public void GitHubActionsAnnotatesAndWritesOutputsAndTheJobSummary()
    {
        var output = Path.GetTempFileName();
        var summary = Path.GetTempFileName();
        try
        {
            var lines = new List<string>();
            var reporter = new GitHubActionsReporter(output, summary);

            reporter.Issue(Diagnostic.Error("SA3004", "bucket 'x' missing: 50%\nfix it"), lines.Add);
            reporter.Issue(Diagnostic.Warning("SA2004", "case"), lines.Add);
            reporter.Progress(1, 2, lines.Add);
            reporter.Completed(Summary, lines.Add);

            CollectionAssert.AreEqual(
                new[] { "::error title=SA3004::bucket 'x' missing: 50%25%0Afix it", "::warning title=SA2004::case" },
                lines);
            Assert.AreEqual("manifest-hash=0123456789ab\ndestination=s3://bucket/site/\nobjects-written=3\n", File.ReadAllText(output));
            var markdown = File.ReadAllText(summary);
            Assert.Contains("### Static assets published", markdown);
            Assert.Contains("| 7 | 19 | 3 | 16 | 5.0 | 1.2 | `s3://bucket/site/` | `0123456789ab` |", markdown);
        }
        finally
        {
            File.Delete(output);
            File.Delete(summary);
        }
    }
}
