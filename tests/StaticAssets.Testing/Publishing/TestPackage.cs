namespace StaticAssets.Testing;

/// <summary>
/// The package under test, packed once per test run into a temporary feed under a version no earlier run used
/// (NuGet caches by id + version), and restored into a packages folder of its own.
/// </summary>
public sealed class TestPackage
{
    private static readonly Lazy<Task<TestPackage>> Packed = new(PackAsync);

    private TestPackage(string root, string version)
    {
        Root = root;
        Version = version;
    }

    public string Root { get; }

    public string Version { get; }

    public string FeedDirectory => Path.Combine(Root, "feed");

    public string PackagesDirectory => Path.Combine(Root, "packages");

    public string PackagePath => Path.Combine(FeedDirectory, $"StaticAssets.Tasks.{Version}.nupkg");

    public static Task<TestPackage> GetAsync() => Packed.Value;

    private static async Task<TestPackage> PackAsync()
    {
        var version = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var package = new TestPackage(Path.Combine(Path.GetTempPath(), "staticassets-e2e", version), version);
        Directory.CreateDirectory(package.FeedDirectory);
        // The sample also references StaticAssets.AspNetCore, packed with the same version.
        foreach (var project in new[] { "StaticAssets.Tasks", "StaticAssets.AspNetCore" })
        {
            (await Dotnet.RunAsync(
                Dotnet.RepositoryRoot,
                ["pack", Path.Combine(Dotnet.RepositoryRoot, "src", project, project + ".csproj"),
                 "-c", "Release", "--nologo", "-o", package.FeedDirectory, $"-p:Version={version}"]))
                .ShouldSucceed($"dotnet pack {project}");
        }
        Assert.IsTrue(File.Exists(package.PackagePath), $"dotnet pack did not produce {package.PackagePath}");
        return package;
    }
}
