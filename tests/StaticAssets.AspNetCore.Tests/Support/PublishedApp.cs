namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>
/// A web app in a temporary folder that consumes both packages from the test feed (<see cref="TestPackage"/>), as a
/// user's app would, published with its static assets sent to a bucket on the test S3 server.
/// </summary>
internal sealed partial class PublishedApp : IDisposable
{
    private readonly string _root;

    private PublishedApp(string root, string name, TestPackage package)
    {
        _root = root;
        Name = name;
        Package = package;
    }

    public string Name { get; }

    public string ProjectDirectory => Path.Combine(_root, Name);

    public string PublishDirectory => Path.Combine(_root, "publish");

    public TestPackage Package { get; }

    /// <summary>`dotnet new TEMPLATE`, plus what the README asks a user to add: the two package references and one line.</summary>
    public static async Task<PublishedApp> FromTemplateAsync(string template, string name)
    {
        var app = await CreateAsync(name);
        (await Dotnet.RunAsync(app._root, ["new", template, "-n", name, "-o", app.ProjectDirectory, "--no-restore"]))
            .ShouldSucceed($"dotnet new {template}");
        var project = Path.Combine(app.ProjectDirectory, name + ".csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", $"""
              <ItemGroup>
            {app.PackageReferences}
              </ItemGroup>
            </Project>
            """));
        var program = Path.Combine(app.ProjectDirectory, "Program.cs");
        const string builderLine = "var builder = WebApplication.CreateBuilder(args);";
        var code = File.ReadAllText(program);
        Assert.Contains(builderLine, code, "the template's Program.cs changed shape");
        File.WriteAllText(program, code.Replace(builderLine, builderLine + "\nbuilder.Services.AddPublishedStaticAssets();"));
        return app;
    }

    /// <summary>samples/SampleWebApp and its Razor class library, as they are in the repository.</summary>
    public static Task<PublishedApp> FromSampleAsync() =>
        CopiedAsync(Path.Combine(Dotnet.RepositoryRoot, "samples"), "SampleWebApp", "SampleRazorLib");

    /// <summary>One of the test apps (Apps/), its reference to src/ replaced by the packages.</summary>
    public static async Task<PublishedApp> FromTestAppAsync(string name)
    {
        var app = await CopiedAsync(Path.Combine(Dotnet.RepositoryRoot, "tests", "StaticAssets.AspNetCore.Tests", "Apps"), name, "TestRazorLib");
        var project = Path.Combine(app.ProjectDirectory, name + ".csproj");
        var text = File.ReadAllText(project);
        var sourceReference = SourceReference().Match(text);
        Assert.IsTrue(sourceReference.Success, $"{project} has no reference to src/StaticAssets.AspNetCore");
        File.WriteAllText(project, text.Replace(sourceReference.Value, app.PackageReferences));
        return app;
    }

    /// <summary>`dotnet publish` with the assets sent to <paramref name="bucket"/> under <paramref name="prefix"/>.</summary>
    public async Task PublishAsync(S3Server server, string bucket, string prefix)
    {
        (await Dotnet.RunAsync(ProjectDirectory,
            ["publish", "-c", "Release", "--nologo", "-o", PublishDirectory,
             $"-p:StaticAssetsDestination=s3://{bucket}/{prefix}",
             $"-p:StaticAssetsS3ServiceUrl={server.Endpoint}",
             "-p:StaticAssetsS3ForcePathStyle=true",
             "-p:StaticAssetsS3ChecksumMode=WhenRequired"],
            server.CredentialsEnvironment())).ShouldSucceed($"dotnet publish {Name}");
        Assert.IsTrue(File.Exists(ManifestPath), "the publish wrote no manifest beside the app");
    }

    /// <summary>Where the publish stored <paramref name="logicalPath"/>: its key in the manifest written beside the app.</summary>
    public string Key(string logicalPath) =>
        PublishedAssets.ReadManifest(ManifestPath).GetProperty("paths").GetProperty(logicalPath).GetString()!;

    /// <summary>Runs the published app on Kestrel (127.0.0.1, a free port) with <paramref name="settings"/> as environment variables.</summary>
    public async Task<RunningApp> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var environment = new Dictionary<string, string?>(settings) { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        var process = DotnetProcess.Start(PublishDirectory, [Name + ".dll", "--urls", "http://127.0.0.1:0"], environment);
        try
        {
            var listening = await process.WaitForLineAsync(ListeningOn(), TimeSpan.FromSeconds(60));
            return new RunningApp(process, new Uri(listening.Groups[1].Value));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string ManifestPath => Path.Combine(PublishDirectory, "staticassets.manifest.json");

    private string PackageReferences => $"""
            <PackageReference Include="StaticAssets.Tasks" Version="{Package.Version}" PrivateAssets="all" />
            <PackageReference Include="StaticAssets.AspNetCore" Version="{Package.Version}" />
        """;

    private static async Task<PublishedApp> CreateAsync(string name)
    {
        var package = await TestPackage.GetAsync();
        return new PublishedApp(package.CreateConsumerFolder(name), name, package);
    }

    /// <summary>The project <paramref name="name"/> and the Razor class library it references, copied from <paramref name="folder"/>.</summary>
    private static async Task<PublishedApp> CopiedAsync(string folder, string name, string library)
    {
        var app = await CreateAsync(name);
        TestPackage.CopyProject(Path.Combine(folder, name), app.ProjectDirectory);
        TestPackage.CopyProject(Path.Combine(folder, library), Path.Combine(app._root, library));
        return app;
    }

    [GeneratedRegex("""<ProjectReference Include="[^"]*StaticAssets\.AspNetCore\.csproj" />""")]
    private static partial Regex SourceReference();

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}

/// <summary>A published app running in its own process; disposing stops that process.</summary>
internal sealed class RunningApp(DotnetProcess process, Uri url) : IDisposable
{
    public Uri Url { get; } = url;

    public void Dispose() => process.Dispose();
}
