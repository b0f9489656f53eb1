namespace StaticAssets.Testing;

/// <summary>
/// A copy of samples/SampleWebApp (and its Razor class library) in a temporary folder, referencing the test
/// package through a local feed exactly as a user's project references the published package.
/// </summary>
public sealed class SampleProject : IDisposable
{
    private readonly TestPackage _package;

    private SampleProject(string root, TestPackage package)
    {
        Root = root;
        _package = package;
    }

    public string Root { get; }

    public string ProjectDirectory => Path.Combine(Root, "SampleWebApp");

    public string ProjectFile => Path.Combine(ProjectDirectory, "SampleWebApp.csproj");

    public string WwwRoot => Path.Combine(ProjectDirectory, "wwwroot");

    public string LibraryWwwRoot => Path.Combine(Root, "SampleRazorLib", "wwwroot");

    public string PublishDirectory => Path.Combine(ProjectDirectory, "bin", "Release", "net10.0", "publish");

    public string DefaultDestination => Path.Combine(PublishDirectory, "static-assets");

    public string LocalManifest => Path.Combine(PublishDirectory, "staticassets.manifest.json");

    public static async Task<SampleProject> CreateAsync()
    {
        var package = await TestPackage.GetAsync();
        var root = Path.Combine(package.Root, "projects", Guid.NewGuid().ToString("N")[..8]);
        var samples = Path.Combine(Dotnet.RepositoryRoot, "samples");
        foreach (var project in new[] { "SampleWebApp", "SampleRazorLib" })
        {
            CopyDirectory(Path.Combine(samples, project), Path.Combine(root, project));
        }
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="staticassets-test" value="{package.FeedDirectory}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <StaticAssetsTasksVersion>{package.Version}</StaticAssetsTasksVersion>
                <RestorePackagesPath>{package.PackagesDirectory}</RestorePackagesPath>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />");
        return new SampleProject(root, package);
    }

    public Task<CommandResult> PublishAsync(params string[] properties) => PublishAsync(null, properties);

    public Task<CommandResult> PublishAsync(IReadOnlyDictionary<string, string?>? environment, params string[] properties) =>
        Dotnet.RunAsync(ProjectDirectory, ["publish", "-c", "Release", "--nologo", .. properties], environment);

    /// <summary>Adds MSBuild content just before the project file's closing tag.</summary>
    public void AddToProject(string xml)
    {
        var text = File.ReadAllText(ProjectFile);
        File.WriteAllText(ProjectFile, text.Replace("</Project>", xml + Environment.NewLine + "</Project>"));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void CopyDirectory(string from, string to)
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
}
