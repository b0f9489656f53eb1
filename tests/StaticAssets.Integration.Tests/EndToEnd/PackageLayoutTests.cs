using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>The .nupkg, opened and read: the layout MSBuild needs to load the task (see DESIGN.md).</summary>
[TestClass]
public sealed class PackageLayoutTests
{
    [TestMethod]
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

    [TestMethod]
    public async Task LinuxX64FolderHoldsTheSameAssembliesPrecompiledForNet10OnLinuxX64AndTheOtherFolderPlainIl()
    {
        var package = await TestPackage.GetAsync();
        using var zip = ZipFile.OpenRead(package.PackagePath);
        string[] Dlls(string folder) => [.. zip.Entries.Where(e => e.FullName.StartsWith(folder, StringComparison.Ordinal)
                && !e.FullName[folder.Length..].Contains('/') && e.Name.EndsWith(".dll", StringComparison.Ordinal))
            .Select(e => e.Name).Order(StringComparer.Ordinal)];

        var il = Dlls("tasks/net8.0/");
        var precompiled = Dlls("tasks/net10.0-linux-x64/");
        Assert.IsGreaterThanOrEqualTo(10, il.Length, string.Join(", ", il));
        Assert.IsEmpty(zip.Entries.Where(e => e.FullName.StartsWith("tasks/", StringComparison.Ordinal)
            && !e.FullName.StartsWith("tasks/net8.0/", StringComparison.Ordinal) && !e.FullName.StartsWith("tasks/net10.0-linux-x64/", StringComparison.Ordinal)),
            "two task folders, no more");
        // The .NET 10 runtime carries some of what a net8.0 task brings along (System.Text.Json, ...): the precompiled
        // folder leaves those out, and loads the runtime's.
        CollectionAssert.IsSubsetOf(precompiled, il, "the precompiled folder carries an assembly the IL one does not");
        foreach (var inBox in il.Except(precompiled))
        {
            Assert.IsTrue(File.Exists(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), inBox)),
                $"{inBox} is missing from tasks/net10.0-linux-x64/ but is not part of the .NET runtime");
        }
        Assert.IsNotNull(zip.GetEntry("tasks/net10.0-linux-x64/StaticAssets.Tasks.deps.json"));

        foreach (var name in il)
        {
            var plain = Headers(zip.GetEntry("tasks/net8.0/" + name)!);
            Assert.AreEqual(0, plain.ManagedNativeHeaderSize, $"tasks/net8.0/{name} must be IL only (it loads on every platform)");
        }
        foreach (var name in precompiled)
        {
            var r2r = Headers(zip.GetEntry("tasks/net10.0-linux-x64/" + name)!);
            if (r2r.ManagedNativeHeaderSize == 0)
            {
                // crossgen2 leaves a pure type-forwarding facade (e.g. Azure.Identity 1.21) as it is: it has no code.
                Assert.AreEqual(0, r2r.Methods, $"tasks/net10.0-linux-x64/{name} has code but no ReadyToRun code");
                continue;
            }
            // A ReadyToRun image's machine field is the architecture XOR an OS tag (Linux: 0x7B79).
            Assert.AreEqual((ushort)((ushort)Machine.Amd64 ^ 0x7B79), r2r.Machine, $"tasks/net10.0-linux-x64/{name} is not for linux-x64");
        }
    }

    private static (ushort Machine, int ManagedNativeHeaderSize, int Methods) Headers(ZipArchiveEntry entry)
    {
        using var buffer = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(buffer);
        }
        buffer.Position = 0;
        using var reader = new PEReader(buffer);
        return ((ushort)reader.PEHeaders.CoffHeader.Machine, reader.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size,
            reader.GetMetadataReader().MethodDefinitions.Count);
    }
}
