using System.Diagnostics;
using System.Text.RegularExpressions;
using StaticAssets.Engine.Configuration;
using StaticAssets.Testing;

namespace StaticAssets.Bench;

/// <summary>
/// A web app as users have one: <c>dotnet new webapp</c> (the SDK's offline template: 63 files under wwwroot) plus
/// <see cref="TreeGenerator"/> files in its wwwroot, referencing the package from a local feed as the README tells users
/// to. The feed and packages settings sit beside the project folder, not in it: a nuget.config in a web project's
/// folder would be published with it.
/// </summary>
/// <param name="label">"webapp+957": the template plus 957 generated files.</param>
internal sealed class WebApp(string label, string projectDirectory, string targetFramework)
{
    /// <summary>The engine bench's 3,000-file / 150 MB tree's average, so every app has that tree's mix of sizes (an app
    /// of 3,000 generated files holds exactly that tree).</summary>
    private const long BytesPerGeneratedFile = 150L * 1024 * 1024 / 3000;

    private const string Name = "BenchApp";

    public string Label { get; } = label;

    public string ProjectDirectory { get; } = projectDirectory;

    public string PublishedWwwroot => Path.Combine(ProjectDirectory, "bin", "Release", targetFramework, "publish", "wwwroot");

    /// <summary>Where the task keeps its rewritten and compressed files between publishes (its cache).</summary>
    public string TaskWorkFolder => Path.Combine(ProjectDirectory, "obj", "Release", targetFramework, OptionsReader.WorkFolder);

    /// <summary>What the peers upload: the published wwwroot (the SDK's .gz/.br copies included). Set by <see cref="CountPublished"/>.</summary>
    public (int Files, long Bytes) Published { get; private set; }

    public static async Task<WebApp> CreateAsync(string root, int generatedFiles, int seed, PackageFeed package)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(root);
        var created = await DotnetCli.RunAsync(root, ["new", "webapp", "-o", Name, "-n", Name, "--no-restore"]);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException($"dotnet new webapp failed: {created.Note}");
        }
        var projectDirectory = Path.Combine(root, Name);
        var projectFile = Path.Combine(projectDirectory, Name + ".csproj");
        var wwwroot = Path.Combine(projectDirectory, "wwwroot");
        var templateFiles = Directory.GetFiles(wwwroot, "*", SearchOption.AllDirectories).Length;
        var generated = TreeGenerator.Generate(wwwroot, generatedFiles, generatedFiles * BytesPerGeneratedFile, seed);

        LocalFeed.Configure(root, package.FeedDirectory, package.PackagesDirectory, onlyThisFeed: true);
        var project = File.ReadAllText(projectFile);
        File.WriteAllText(projectFile, project.Replace("</Project>", $"""
              <ItemGroup>
                <PackageReference Include="StaticAssets.Tasks" Version="{package.Version}" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """));

        var targetFramework = Regex.Match(project, "<TargetFramework>([^<]+)</TargetFramework>").Groups[1].Value;
        var app = new WebApp($"webapp+{generatedFiles}", projectDirectory, targetFramework);
        Console.WriteLine($"App {app.Label}: `dotnet new webapp` ({templateFiles} files under wwwroot, {targetFramework}) + {generatedFiles:N0} generated files " +
                          $"({generated.Sum(f => f.Size) / 1048576.0:F1} MB), StaticAssets.Tasks {package.Version}; created in {clock.Elapsed.TotalSeconds:F1} s");
        return app;
    }

    /// <summary>
    /// <c>dotnet publish -c Release</c> in the project folder, as a user types it, plus <paramref name="properties"/>. Every
    /// publish, with the package or without, also logs to <paramref name="logFile"/> at normal verbosity (where the task's
    /// phase line is) with MSBuild's performance summary, so all pay the same for logging while the console stays at
    /// its default.
    /// </summary>
    public Task<ToolRun> PublishAsync(string logFile, IEnumerable<string> properties) =>
        DotnetCli.RunAsync(ProjectDirectory, ["publish", "-c", "Release", $"-flp:{PublishLog.LoggerParameters};logfile={logFile}", .. properties]);

    public void CountPublished()
    {
        var files = new DirectoryInfo(PublishedWwwroot).GetFiles("*", SearchOption.AllDirectories);
        Published = (files.Length, files.Sum(f => f.Length));
    }
}
