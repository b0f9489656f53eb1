using System.Diagnostics;
using System.Text.RegularExpressions;

namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>
/// A web app in a temporary folder that consumes both packages from the test feed, as a user's app would, published
/// with its static assets sent to a bucket.
/// </summary>
internal sealed partial class PublishedApp : IDisposable
{
    private readonly string _root;

    private PublishedApp(string root, string projectDirectory, string name, TestPackages packages)
    {
        _root = root;
        ProjectDirectory = projectDirectory;
        Name = name;
        Packages = packages;
    }

    public string Name { get; }

    public string ProjectDirectory { get; }

    public string PublishDirectory => Path.Combine(_root, "publish");

    public TestPackages Packages { get; }

    /// <summary>`dotnet new TEMPLATE`, plus what the README asks a user to add: the two package references and one line.</summary>
    public static async Task<PublishedApp> FromTemplateAsync(string template, string name)
    {
        var app = await CreateAsync(name);
        await Dotnet.RunAsync(app._root, ["new", template, "-n", name, "-o", app.ProjectDirectory, "--no-restore"]);
        var project = Path.Combine(app.ProjectDirectory, name + ".csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", $"""
              <ItemGroup>
                <PackageReference Include="StaticAssets.Tasks" Version="{app.Packages.Version}" PrivateAssets="all" />
                <PackageReference Include="StaticAssets.AspNetCore" Version="{app.Packages.Version}" />
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
    public static async Task<PublishedApp> FromSampleAsync()
    {
        var app = await CreateAsync("SampleWebApp");
        CopyDirectory(Path.Combine(Repository.Root, "samples", "SampleWebApp"), app.ProjectDirectory);
        CopyDirectory(Path.Combine(Repository.Root, "samples", "SampleRazorLib"), Path.Combine(app._root, "SampleRazorLib"));
        return app;
    }

    /// <summary>One of the test apps (Apps/), its reference to src/ replaced by the packages.</summary>
    public static async Task<PublishedApp> FromTestAppAsync(string name)
    {
        var app = await CreateAsync(name);
        var apps = Path.Combine(Repository.Root, "tests", "StaticAssets.AspNetCore.Tests", "Apps");
        CopyDirectory(Path.Combine(apps, name), app.ProjectDirectory);
        CopyDirectory(Path.Combine(apps, "TestRazorLib"), Path.Combine(app._root, "TestRazorLib"));
        var project = Path.Combine(app.ProjectDirectory, name + ".csproj");
        var text = File.ReadAllText(project);
        var sourceReference = SourceReference().Match(text);
        Assert.IsTrue(sourceReference.Success, $"{project} has no reference to src/StaticAssets.AspNetCore");
        File.WriteAllText(project, text.Replace(sourceReference.Value, $"""
            <PackageReference Include="StaticAssets.Tasks" Version="{app.Packages.Version}" PrivateAssets="all" />
                <PackageReference Include="StaticAssets.AspNetCore" Version="{app.Packages.Version}" />
            """));
        return app;
    }

    /// <summary>`dotnet publish` with the assets sent to <paramref name="bucket"/> under <paramref name="prefix"/>.</summary>
    public async Task PublishAsync(Bucket bucket, string prefix)
    {
        await Dotnet.RunAsync(ProjectDirectory,
            ["publish", "-c", "Release", "--nologo", "-o", PublishDirectory,
             $"-p:StaticAssetsDestination=s3://{bucket.Name}/{prefix}",
             $"-p:StaticAssetsS3ServiceUrl={bucket.Endpoint}",
             "-p:StaticAssetsS3ForcePathStyle=true",
             "-p:StaticAssetsS3ChecksumMode=WhenRequired"],
            bucket.Credentials);
        Assert.IsTrue(File.Exists(Path.Combine(PublishDirectory, "staticassets.manifest.json")), "the publish wrote no manifest beside the app");
    }

    /// <summary>Runs the published app on Kestrel (127.0.0.1, a free port) with <paramref name="settings"/> as environment variables.</summary>
    public Task<RunningApp> StartAsync(IReadOnlyDictionary<string, string?> settings) =>
        RunningApp.StartAsync(PublishDirectory, Name + ".dll", settings);

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

    private static async Task<PublishedApp> CreateAsync(string name)
    {
        var packages = await TestPackages.GetAsync();
        var root = Path.Combine(packages.Root, "apps", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(root);
        // Beside the projects, not inside them (a nuget.config in a web project's folder would be published).
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="staticassets-test" value="{packages.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <StaticAssetsTasksVersion>{packages.Version}</StaticAssetsTasksVersion>
                <RestorePackagesPath>{packages.PackagesFolder}</RestorePackagesPath>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />");
        return new PublishedApp(root, Path.Combine(root, name), name, packages);
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

    [GeneratedRegex("""<ProjectReference Include="[^"]*StaticAssets\.AspNetCore\.csproj" />""")]
    private static partial Regex SourceReference();
}

/// <summary>A published app running in its own process; disposing stops that process.</summary>
internal sealed partial class RunningApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output;

    private RunningApp(Process process, System.Text.StringBuilder output, Uri url)
    {
        _process = process;
        _output = output;
        Url = url;
    }

    public Uri Url { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<RunningApp> StartAsync(string directory, string assembly, IReadOnlyDictionary<string, string?> settings)
    {
        var environment = new Dictionary<string, string?>(settings) { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        var start = Dotnet.StartInfo("dotnet", directory, [assembly, "--urls", "http://127.0.0.1:0"], environment);
        var process = new Process { StartInfo = start };
        var output = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (output)
            {
                output.AppendLine(line);
            }
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new AssertFailedException($"The app exited before listening:{Environment.NewLine}{output}"));
        process.EnableRaisingEvents = true;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var app = new RunningApp(process, output, null!);
        try
        {
            var url = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return new RunningApp(process, output, url);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}

/// <summary>The manifest a publish wrote beside the app: where each logical path was stored.</summary>
internal static class PublishedManifest
{
    public static string Key(PublishedApp app, string logicalPath)
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(app.PublishDirectory, "staticassets.manifest.json")));
        return manifest.RootElement.GetProperty("paths").GetProperty(logicalPath).GetString()!;
    }
}
