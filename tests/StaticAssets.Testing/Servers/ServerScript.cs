using System.Diagnostics;

namespace StaticAssets.Testing;

/// <summary>The scripts under tests/servers/ that install, start and describe the test servers.</summary>
public static class ServerScript
{
    /// <summary>
    /// Runs <c>tests/servers/<paramref name="script"/></c>: <c>start</c> when <paramref name="runningWhenSet"/> is not in
    /// the environment (build/test.sh started the server already otherwise), else <c>env</c>. Returns the variables
    /// of the <c>export</c> lines it prints.
    /// </summary>
    public static async Task<Dictionary<string, string>> StartAsync(string script, string runningWhenSet)
    {
        var command = Environment.GetEnvironmentVariable(runningWhenSet) is null ? "start" : "env";
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Dotnet.RepositoryRoot, "tests", "servers", script));
        start.ArgumentList.Add(command);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.AreEqual(0, process.ExitCode, $"tests/servers/{script} {command} failed:\n{await stderr}");
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("export ", StringComparison.Ordinal))
            .Select(line => line["export ".Length..].Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim('"', '\''));
    }
}
