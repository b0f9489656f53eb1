namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>
/// StaticAssets.Tasks and StaticAssets.AspNetCore packed once per test run into a feed of their own, under a version no
/// earlier run used (NuGet caches a package by id + version), and restored into a packages folder of its own.
/// </summary>
internal sealed class TestPackages
{
    private static readonly Lazy<Task<TestPackages>> Packed = new(PackAsync);

    private TestPackages(string root, string version)
    {
        Root = root;
        Version = version;
    }

    public string Root { get; }

    public string Version { get; }

    public string Feed => Path.Combine(Root, "feed");

    public string PackagesFolder => Path.Combine(Root, "packages");

    public static Task<TestPackages> GetAsync() => Packed.Value;

    private static async Task<TestPackages> PackAsync()
    {
        var version = $"0.1.0-aspnet.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var packages = new TestPackages(Path.Combine(Path.GetTempPath(), "staticassets-aspnet-e2e", version), version);
        foreach (var project in new[] { "StaticAssets.Tasks", "StaticAssets.AspNetCore" })
        {
            await Dotnet.RunAsync(Repository.Root,
                ["pack", Path.Combine(Repository.Root, "src", project, project + ".csproj"), "-c", "Release", "--nologo",
                 "-o", packages.Feed, $"-p:Version={version}"]);
            Assert.IsTrue(File.Exists(Path.Combine(packages.Feed, $"{project}.{version}.nupkg")), $"dotnet pack made no {project} package");
        }
        return packages;
    }
}
