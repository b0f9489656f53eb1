using System.IO.Compression;
using System.Xml.Linq;

namespace StaticAssets.Tasks.Tests.EndToEnd;

/// <summary>The .nupkg, opened and read: the layout MSBuild needs to load the task (see DESIGN.md).</summary>
[TestClass]
public sealed class PackageLayoutTests
{
    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task PackageCarriesTheTaskAndItsDependenciesUnderTasksAndDeclaresNoDependencies()
    {
        var package = await TestPackage.GetAsync();
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToArray();

        CollectionAssert.IsSubsetOf(
            new[]
            {
                "build/StaticAssets.Tasks.props",
                "build/StaticAssets.Tasks.targets",
                "tasks/net8.0/StaticAssets.Tasks.dll",
                "tasks/net8.0/StaticAssets.Tasks.deps.json",
                "tasks/net8.0/StaticAssets.Engine.dll",
                "tasks/net8.0/AWSSDK.Core.dll",
                "tasks/net8.0/AWSSDK.S3.dll",
                "tasks/net8.0/AWSSDK.Extensions.Numerics.dll",
                "tasks/net8.0/System.IO.Hashing.dll",
                "tasks/net8.0/Azure.Core.dll",
                "tasks/net8.0/Azure.Identity.dll",
                "tasks/net8.0/Azure.Storage.Blobs.dll",
                "tasks/net8.0/Azure.Storage.Common.dll",
            },
            entries);
        Assert.IsFalse(entries.Any(e => e.StartsWith("lib/", StringComparison.Ordinal)), "nothing may flow into the app: no lib/ folder");
        Assert.IsFalse(entries.Any(e => Path.GetFileName(e).StartsWith("Microsoft.Build", StringComparison.Ordinal)),
            "MSBuild's own assemblies must come from the running MSBuild, not the package");

        var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.AreEqual("true", metadata.Elements().Single(e => e.Name.LocalName == "developmentDependency").Value);
        Assert.IsFalse(metadata.Elements().Any(e => e.Name.LocalName == "dependencies"), "the package must declare no dependencies");
    }
}
