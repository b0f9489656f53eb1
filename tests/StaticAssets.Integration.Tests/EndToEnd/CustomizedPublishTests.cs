using static StaticAssets.Testing.PublishedAssets;

namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>Settings and items a user puts in the project file, on one project built once for the class.</summary>
[TestClass]
public sealed class CustomizedPublishTests
{
    private static SampleProject? _project;

    private static SampleProject Project => _project ?? throw new InvalidOperationException("ClassInitialize did not run");

    [ClassInitialize]
    public static async Task CreateProjectAsync(TestContext context)
    {
        _project = await SampleProject.CreateAsync();
        // A user adds files from outside wwwroot and drops one the SDK found, with ordinary item operations.
        Directory.CreateDirectory(Path.Combine(Project.ProjectDirectory, "extra", "docs"));
        File.WriteAllText(Path.Combine(Project.ProjectDirectory, "extra", "docs", "guide.txt"), "read me\n");
        Project.AddToProject("""
              <PropertyGroup>
                <StaticAssetsDestination>custom-destination</StaticAssetsDestination>
                <StaticAssetsMaxConcurrency>2</StaticAssetsMaxConcurrency>
              </PropertyGroup>
              <ItemGroup>
                <StaticAsset Include="extra/**" />
              </ItemGroup>
              <Target Name="DropRobots" AfterTargets="CollectStaticAssets">
                <ItemGroup>
                  <StaticAsset Remove="@(StaticAsset)" Condition="'%(StaticAsset.LogicalPath)' == 'robots.txt'" />
                </ItemGroup>
              </Target>
              <Target Name="ShowWrittenAssets" AfterTargets="PublishStaticAssets">
                <Message Importance="high" Text="Output manifest: @(StaticAssetsManifestFile)" />
                <Message Importance="high" Text="Output written: %(StaticAssetsWritten.LogicalPath) as %(StaticAssetsWritten.Identity)" />
              </Target>
            """);
    }

    [ClassCleanup]
    public static void DeleteProject() => _project?.Dispose();

    [TestMethod]
    public async Task ProjectPropertiesAndItemsShapeThePublish()
    {
        var result = (await Project.PublishAsync()).ShouldSucceed("publish");

        var destination = Path.Combine(Project.ProjectDirectory, "custom-destination");
        var manifest = ReadManifest(Path.Combine(destination, "staticassets.manifest.json"));
        AssertDestinationMatchesManifest(destination, manifest);
        var paths = manifest.GetProperty("paths");
        Assert.AreEqual(
            Expected.KeyOfFile("docs/guide.txt", Path.Combine(Project.ProjectDirectory, "extra", "docs", "guide.txt")),
            paths.GetProperty("docs/guide.txt").GetString(),
            "an item added in the project is published under its path below the wildcard");
        Assert.IsFalse(paths.TryGetProperty("robots.txt", out _), "an item removed in the project was published");
        Assert.IsFalse(Directory.Exists(Project.DefaultDestination), "the default destination was used despite the property");
        StringAssert.Contains(result.Output, $"Output manifest: {Project.LocalManifest}");
        StringAssert.Contains(result.Output, $"Output written: docs/guide.txt as {paths.GetProperty("docs/guide.txt").GetString()}");
    }

    [TestMethod]
    public async Task TheSameInputsGiveByteIdenticalManifests()
    {
        var first = Path.Combine(Project.Root, "out-a");
        var second = Path.Combine(Project.Root, "out-b");

        (await Project.PublishAsync($"-p:StaticAssetsDestination={first}", "-p:StaticAssetsMaxConcurrency=1")).ShouldSucceed("publish A");
        (await Project.PublishAsync($"-p:StaticAssetsDestination={second}", "-p:StaticAssetsMaxConcurrency=64")).ShouldSucceed("publish B");

        CollectionAssert.AreEqual(
            File.ReadAllBytes(Path.Combine(first, "staticassets.manifest.json")),
            File.ReadAllBytes(Path.Combine(second, "staticassets.manifest.json")));
    }

    [TestMethod]
    public async Task ABadSettingFailsThePublishWithACodedError()
    {
        var unknownScheme = await Project.PublishAsync("-p:StaticAssetsDestination=ftp://files.example/static");
        Assert.AreNotEqual(0, unknownScheme.ExitCode, unknownScheme.Output);
        StringAssert.Contains(unknownScheme.Output, "error SA1008");

        var badConcurrency = await Project.PublishAsync("-p:StaticAssetsMaxConcurrency=lots");
        Assert.AreNotEqual(0, badConcurrency.ExitCode, badConcurrency.Output);
        StringAssert.Contains(badConcurrency.Output, "error SA1002");
    }
}
