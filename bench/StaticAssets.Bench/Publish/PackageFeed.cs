namespace StaticAssets.Bench;

/// <summary>
/// The package the generated apps reference, in a local feed: the repository's src/StaticAssets.Tasks packed under a
/// version no earlier run used (NuGet caches a package by id + version: a reused version would restore an old
/// build), or a given .nupkg. Restored into a packages folder of the bench's own, so ~/.nuget is neither read nor written.
/// </summary>
/// <param name="Origin">Where the package came from, for the report.</param>
internal sealed record PackageFeed(string FeedDirectory, string Version, string PackagesDirectory, string Origin)
{
    private const string Id = "StaticAssets.Tasks";

    public static async Task<PackageFeed> PrepareAsync(string root, string? packagePath)
    {
        var packages = Path.Combine(root, "packages");
        if (packagePath is not null)
        {
            var name = Path.GetFileNameWithoutExtension(packagePath);
            if (!File.Exists(packagePath) || !name.StartsWith(Id + ".", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"--package {packagePath}: not an existing {Id}.<version>.nupkg");
            }
            return new PackageFeed(Path.GetDirectoryName(packagePath)!, name[(Id.Length + 1)..], packages, $"given: {packagePath}");
        }

        var version = $"0.1.0-bench.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var feed = Path.Combine(root, "feed");
        var repository = RepositoryRoot();
        var project = Path.Combine(repository, "src", Id, Id + ".csproj");
        // From the repository's folder: packed from elsewhere (e.g. /tmp) NuGet fails with NU5129, not finding
        // build/StaticAssets.Tasks.props|targets in the package.
        var pack = await DotnetCli.RunAsync(repository,
            ["pack", project, "-c", "Release", "--nologo", "-o", feed, $"-p:Version={version}", "-v", "q", "-clp:ErrorsOnly"]);
        if (!pack.Succeeded)
        {
            throw new InvalidOperationException($"dotnet pack {project} failed: {pack.Note}");
        }
        return new PackageFeed(feed, version, packages, $"packed from {project} in {pack.WallSeconds:F0} s");
    }

    /// <summary>The repository this harness was built from (its output lies under bench/StaticAssets.Bench/bin).</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "src", Id, Id + ".csproj")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"src/{Id} not found above {AppContext.BaseDirectory}: pass --package PATH.nupkg");
    }
}
