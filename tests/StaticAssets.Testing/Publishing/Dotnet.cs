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
        using var process = new Process { StartInfo = StartInfo(workingDirectory, arguments, environment, program) };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{program} {string.Join(' ', arguments)}' did not finish in time:{Environment.NewLine}{output}");
        }
        process.WaitForExit(); // drain the output events
        lock (output)
        {
            return new CommandResult(process.ExitCode, output.ToString());
        }
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
