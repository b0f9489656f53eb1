namespace StaticAssets.Testing;

/// <summary>
/// A copy of samples/SampleWebApp (and its Razor class library) in a temporary folder, referencing the test
/// package through a local feed exactly as a user's project references the published package.
/// </summary>
public sealed class SampleProject : IDisposable
{
    private SampleProject(string root) => Root = root;

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
        var root = package.CreateConsumerFolder("sample");
        foreach (var project in new[] { "SampleWebApp", "SampleRazorLib" })
        {
            TestPackage.CopyProject(Path.Combine(Dotnet.RepositoryRoot, "samples", project), Path.Combine(root, project));
        }
        return new SampleProject(root);
    }

    public Task<CommandResult> PublishAsync(params string[] properties) => PublishAsync(null, properties);

    public Task<CommandResult> PublishAsync(IReadOnlyDictionary<string, string?>? environment, params string[] properties) =>
        Dotnet.RunAsync(ProjectDirectory, ["publish", "-c", "Release", "--nologo", .. properties], environment);

    /// <summary>`dotnet msbuild -t:<paramref name="target"/>` in the project's folder (Release, as published).</summary>
    public Task<CommandResult> MSBuildAsync(IReadOnlyDictionary<string, string?>? environment, string target, params string[] properties) =>
        Dotnet.RunAsync(ProjectDirectory, ["msbuild", "-t:" + target, "-p:Configuration=Release", "-nologo", .. properties], environment);

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
}
