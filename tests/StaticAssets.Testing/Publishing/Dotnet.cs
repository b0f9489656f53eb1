using System.Diagnostics;
using System.Reflection;

namespace StaticAssets.Testing;

public sealed record CommandResult(int ExitCode, string Output)
{
    public CommandResult ShouldSucceed(string what)
    {
        Assert.AreEqual(0, ExitCode, $"{what} failed:{Environment.NewLine}{Output}");
        return this;
    }
}

/// <summary>Runs the real dotnet CLI, as a user or CI would.</summary>
public static class Dotnet
{
    public static string RepositoryRoot { get; } = typeof(Dotnet).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static async Task<CommandResult> RunAsync(
        string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null, string program = "dotnet")
    {
        using var process = DotnetProcess.Start(workingDirectory, arguments, environment, program);
        var exitCode = await process.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(5));
        return new CommandResult(exitCode, process.Output);
    }

    /// <summary>A `dotnet` command (or a script that runs dotnet) as the tests run it, output redirected.</summary>
    public static ProcessStartInfo StartInfo(
        string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, string program = "dotnet")
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // No build servers or reused nodes: each test's build ends with its process, and loads the package it restored.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // Not inherited from the test runner: the MSBuild of `dotnet test` sets these for its own children.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }
        return start;
    }
}
