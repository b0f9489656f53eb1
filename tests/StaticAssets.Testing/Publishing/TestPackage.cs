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
    /// as a user's projects do: a nuget.config naming the test feed (beside the projects, not inside them: a
    /// nuget.config in a web project's folder would be published with it), a Directory.Build.props giving the version
    /// (<c>StaticAssetsTasksVersion</c>, as samples/ reads it) and the packages folder, and an empty
    /// Directory.Build.targets, so nothing of the repository's build settings is inherited.
    /// </summary>
    public string CreateConsumerFolder(string name)
    {
        var folder = Path.Combine(Root, "projects", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="staticassets-test" value="{FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <StaticAssetsTasksVersion>{Version}</StaticAssetsTasksVersion>
                <RestorePackagesPath>{PackagesDirectory}</RestorePackagesPath>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"), "<Project />");
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
