namespace StaticAssets.Testing;

/// <summary>
/// The packages under test, StaticAssets.Tasks and StaticAssets.AspNetCore, packed once per test run (test process)
/// into a temporary feed under one version no earlier run used (NuGet caches by id + version), and restored into a
/// packages folder of their own.
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

    public string AspNetCorePackagePath => Path.Combine(FeedDirectory, $"StaticAssets.AspNetCore.{Version}.nupkg");

    public static Task<TestPackage> GetAsync() => Packed.Value;

    /// <summary>
    /// A new folder (under <see cref="Root"/>, named <paramref name="name"/>-...) whose projects consume the packages
    /// as a user's projects do, from the test feed (<see cref="LocalFeed"/>), with their version in
    /// <c>StaticAssetsTasksVersion</c> (as samples/ reads it).
    /// </summary>
    public string CreateConsumerFolder(string name)
    {
        var folder = Path.Combine(Root, "projects", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(folder);
        LocalFeed.Configure(folder, FeedDirectory, PackagesDirectory, onlyThisFeed: false,
            new Dictionary<string, string> { ["StaticAssetsTasksVersion"] = Version });
        return folder;
    }

    /// <summary>Copies a project's folder, without its build output (bin/, obj/).</summary>
    public static void CopyProject(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
            {
                continue;
            }
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task<TestPackage> PackAsync()
    {
        var version = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var package = new TestPackage(Path.Combine(Path.GetTempPath(), "staticassets-e2e", version), version);
        Directory.CreateDirectory(package.FeedDirectory);
        // Apps (the sample among them) reference StaticAssets.AspNetCore too, under the same version.
        foreach (var project in new[] { "StaticAssets.Tasks", "StaticAssets.AspNetCore" })
        {
            (await Dotnet.RunAsync(
                Dotnet.RepositoryRoot,
                ["pack", Path.Combine(Dotnet.RepositoryRoot, "src", project, project + ".csproj"),
                 "-c", "Release", "--nologo", "-o", package.FeedDirectory, $"-p:Version={version}"]))
                .ShouldSucceed($"dotnet pack {project}");
        }
        Assert.IsTrue(File.Exists(package.PackagePath), $"dotnet pack did not produce {package.PackagePath}");
        Assert.IsTrue(File.Exists(package.AspNetCorePackagePath), $"dotnet pack did not produce {package.AspNetCorePackagePath}");
        return package;
    }
}
