using System.Runtime.InteropServices;

namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>Which of the package's two task folders MSBuild loads, that both publish, and that the precompiled one's
/// code is the code that runs (the runtime refuses ReadyToRun images an older runtime's crossgen2 made, silently: it
/// JIT-compiles their IL instead).</summary>
[TestClass]
public sealed class TaskAssemblyTests
{
    private static readonly Regex UsingTask = new(@"Using ""PublishStaticAssets"" task from assembly ""(?<path>[^""]+)""");

    /// <summary>A method of the engine the runtime compiled from IL at tier 0 (a first call), not one of its generic
    /// instantiations (over types of other assemblies: outside what ReadyToRun can hold) nor a hot method compiled again.</summary>
    private static readonly Regex EngineMethodJitted = new(@"JIT compiled StaticAssets\.Engine\.[^\[(]*\(.*\[Tier0,");

    [TestMethod]
    public async Task LinuxX64LoadsThePrecompiledFolderAndRunsItsCode_AndStaticAssetsUseReadyToRunFalseTheIlOne()
    {
        using var project = await SampleProject.CreateAsync();
        // The runtime's list of the methods it JIT-compiles (a release runtime writes it too).
        Dictionary<string, string?> ListingJit(string name) => new()
        {
            ["DOTNET_JitStdOutFile"] = Path.Combine(project.Root, name),
            ["DOTNET_JitDisasmSummary"] = "1",
        };

        // -v:d makes MSBuild name the assembly it loads the task from.
        var byDefault = (await project.PublishAsync(ListingJit("default.txt"), "-v:d")).ShouldSucceed("publish with the default task folder");
        var precompiled = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64
            && Environment.Version.Major >= 10;
        Assert.AreEqual(precompiled ? "net10.0-linux-x64" : "net8.0", TaskFolder(byDefault.Output));
        StringAssert.Contains(byDefault.Output, "7 static assets:");

        File.AppendAllText(Path.Combine(project.WwwRoot, "css", "site.css"), "\nmain { margin: 0; }\n");
        var il = (await project.PublishAsync(ListingJit("il.txt"), "-v:d", "-p:StaticAssetsUseReadyToRun=false")).ShouldSucceed("publish with the IL task folder");
        Assert.AreEqual("net8.0", TaskFolder(il.Output));
        StringAssert.Contains(il.Output, "7 static assets:");

        var fromIl = JittedEngineMethods(Path.Combine(project.Root, "il.txt"));
        Assert.IsGreaterThan(100, fromIl.Length, "the IL folder's publish JIT-compiles the engine (else this check could not fail)");
        if (precompiled)
        {
            var fromPrecompiled = JittedEngineMethods(Path.Combine(project.Root, "default.txt"));
            Assert.IsEmpty(fromPrecompiled, "the runtime refused the precompiled code of: " + string.Join(Environment.NewLine, fromPrecompiled.Take(10)));
        }
    }

    private static string[] JittedEngineMethods(string jitList)
    {
        Assert.IsTrue(File.Exists(jitList), "the runtime wrote no list of JIT-compiled methods: " + jitList);
        return [.. File.ReadLines(jitList).Where(line => EngineMethodJitted.IsMatch(line))];
    }

    private static string TaskFolder(string output)
    {
        var match = UsingTask.Match(output);
        Assert.IsTrue(match.Success, "MSBuild did not say where it loaded the task from:" + Environment.NewLine + output[^Math.Min(output.Length, 4000)..]);
        return Path.GetFileName(Path.GetDirectoryName(match.Groups["path"].Value))!;
    }
}
