namespace StaticAssets.Testing;

/// <summary>
/// The files beside throwaway projects (in their common folder) that make them restore our package from a local feed
/// into a packages folder of their own (never the user's ~/.nuget), and keep the repository's Directory.Build files
/// out of them.
/// </summary>
public static class LocalFeed
{
    /// <param name="onlyThisFeed">Clear every other package source (a project that needs nothing else).</param>
    /// <param name="properties">MSBuild properties every project in <paramref name="folder"/> gets.</param>
    public static void Configure(string folder, string feedDirectory, string packagesDirectory, bool onlyThisFeed,
        IReadOnlyDictionary<string, string>? properties = null)
    {
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>{(onlyThisFeed ? "\n    <clear />" : "")}
                <add key="staticassets-local" value="{feedDirectory}" />
              </packageSources>
            </configuration>
            """);
        var extra = string.Concat((properties ?? new Dictionary<string, string>()).Select(p => $"\n    <{p.Key}>{p.Value}</{p.Key}>"));
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>{extra}
                <RestorePackagesPath>{packagesDirectory}</RestorePackagesPath>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"), "<Project />");
    }
}
