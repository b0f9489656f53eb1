namespace StaticAssets.Bench;

/// <summary>
/// Runs the dotnet CLI as a CI agent does: no reused MSBuild nodes, MSBuild server or compiler server, so every command
/// ends with its processes (each publish loads the task afresh, as a new CI job would) and none is left running.
/// </summary>
internal static class DotnetCli
{
    private static readonly Dictionary<string, string?> CiEnvironment = new()
    {
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["UseSharedCompilation"] = "false",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_CLI_UI_LANGUAGE"] = "en",
        // Set by the MSBuild of `dotnet test` for its children: a bench started from a test must not build with them.
        ["MSBuildExtensionsPath"] = null,
        ["MSBuildSDKsPath"] = null,
        ["MSBUILD_EXE_PATH"] = null,
        ["MSBuildLoadMicrosoftTargetsReadOnly"] = null,
    };

    /// <summary>Measured like the peers (GNU time: wall, CPU of the process and its children, peak RSS).</summary>
    public static Task<ToolRun> RunAsync(string workingDirectory, IReadOnlyList<string> args) =>
        ExternalTools.RunMeasuredAsync("dotnet", args, CiEnvironment, workingDirectory);
}
