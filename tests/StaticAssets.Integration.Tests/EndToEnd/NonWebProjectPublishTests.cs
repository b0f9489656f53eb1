using static StaticAssets.Testing.PublishedAssets;

namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>A project without the Web SDK's static web assets: the files it publishes under wwwroot are taken.</summary>
[TestClass]
public sealed class NonWebProjectPublishTests
{
    [TestMethod]
    public async Task PublishedWwwrootFilesAreCollectedWhenTheProjectHasNoStaticWebAssets()
    {
        var package = await TestPackage.GetAsync();
        var root = Path.Combine(package.Root, "projects", "console-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(root, "wwwroot", "css"));
        File.WriteAllText(Path.Combine(root, "wwwroot", "css", "app.css"), "body { margin: 0; }\n");
        File.WriteAllText(Path.Combine(root, "wwwroot", "index.html"), "<!doctype html><title>x</title>\n");
        File.WriteAllText(Path.Combine(root, "Program.cs"), "System.Console.WriteLine(\"hi\");\n");
        File.WriteAllText(Path.Combine(root, "ConsoleApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RestorePackagesPath>{package.PackagesDirectory}</RestorePackagesPath>
                <RestoreAdditionalProjectSources>{package.FeedDirectory}</RestoreAdditionalProjectSources>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="StaticAssets.Tasks" Version="{package.Version}" PrivateAssets="all" />
                <Content Include="wwwroot/**" CopyToPublishDirectory="PreserveNewest" />
              </ItemGroup>
            </Project>
            """);
        try
        {
            (await Dotnet.RunAsync(root, ["publish", "-c", "Release", "--nologo"])).ShouldSucceed("publish");

            var publish = Path.Combine(root, "bin", "Release", "net10.0", "publish");
            var manifest = ReadManifest(Path.Combine(publish, "staticassets.manifest.json"));
            AssertDestinationMatchesManifest(Path.Combine(publish, "static-assets"), manifest);
            CollectionAssert.AreEquivalent(
                new[] { "css/app.css", "index.html" },
                manifest.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray());
            Assert.AreEqual(
                Expected.KeyOfFile("css/app.css", Path.Combine(root, "wwwroot", "css", "app.css")),
                manifest.GetProperty("paths").GetProperty("css/app.css").GetString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
