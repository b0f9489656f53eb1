using System.Runtime.InteropServices;

namespace StaticAssets.Integration.Tests.EndToEnd;

/// <summary>Which of the package's two task folders MSBuild loads, and that both publish.</summary>
[TestClass]
public sealed class TaskAssemblyTests
{
    private static readonly Regex UsingTask = new(@"Using ""PublishStaticAssets"" task from assembly ""(?<path>[^""]+)""");

    [TestMethod]
    public async Task LinuxX64LoadsThePrecompiledFolderAndStaticAssetsUseReadyToRunFalseTheIlOne()
    {
        using var project = await SampleProject.CreateAsync();

        // -v:d makes MSBuild name the assembly it loads the task from.
        var byDefault = (await project.PublishAsync("-v:d")).ShouldSucceed("publish with the default task folder");
        var expected = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? "net8.0-linux-x64"
            : "net8.0";
        Assert.AreEqual(expected, TaskFolder(byDefault.Output));
        StringAssert.Contains(byDefault.Output, "7 static assets:");

        File.AppendAllText(Path.Combine(project.WwwRoot, "css", "site.css"), "\nmain { margin: 0; }\n");
        var il = (await project.PublishAsync("-v:d", "-p:StaticAssetsUseReadyToRun=false")).ShouldSucceed("publish with the IL task folder");
        Assert.AreEqual("net8.0", TaskFolder(il.Output));
        StringAssert.Contains(il.Output, "7 static assets:");
    }

    private static string TaskFolder(string output)
    {
        var match = UsingTask.Match(output);
        Assert.IsTrue(match.Success, "MSBuild did not say where it loaded the task from:" + Environment.NewLine + output[^Math.Min(output.Length, 4000)..]);
        return Path.GetFileName(Path.GetDirectoryName(match.Groups["path"].Value))!;
    }
}
