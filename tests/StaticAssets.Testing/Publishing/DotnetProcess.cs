using System.Diagnostics;

namespace StaticAssets.Testing;

/// <summary>
/// A dotnet command running in the background with its output captured, that a test can wait for, interrupt (Ctrl+C)
/// or kill: <see cref="Dotnet.RunAsync"/> waits for one; interruption tests start `dotnet publish` and stop it midway.
/// </summary>
public sealed class DotnetProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiting = [];

    private DotnetProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/> with the environment <see cref="Dotnet.StartInfo"/> gives. SIGINT is restored
    /// to its default for it, as a terminal's foreground process has it: a test runner started in the background by a
    /// non-interactive shell ignores SIGINT, and its children would inherit that, so a Ctrl+C test would test nothing.
    /// </summary>
    public static DotnetProcess Start(
        string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string program = "dotnet")
    {
        var start = Dotnet.StartInfo(workingDirectory, new[] { "--default-signal=INT", program }.Concat(arguments), environment, "env");
        var running = new DotnetProcess(new Process { StartInfo = start });
        running._process.OutputDataReceived += (_, e) => running.Append(e.Data);
        running._process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        running._process.Start();
        running._process.BeginOutputReadLine();
        running._process.BeginErrorReadLine();
        return running;
    }

    /// <summary>A `dotnet publish -c Release` of <paramref name="project"/> with extra properties.</summary>
    public static DotnetProcess Publish(SampleProject project, IReadOnlyDictionary<string, string?> environment, IEnumerable<string> properties) =>
        Start(project.ProjectDirectory, new[] { "publish", "-c", "Release", "--nologo" }.Concat(properties), environment);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
                foreach (var waiter in _waiting)
                {
                    if (waiter.Pattern.Match(line) is { Success: true } match)
                    {
                        waiter.Found.TrySetResult(match);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The first line of output, printed already or still to come, that <paramref name="pattern"/> matches (e.g. a
    /// server's "Now listening on: ..."); fails the test (after killing the process tree) if the process exits first
    /// or no such line comes within <paramref name="limit"/>.
    /// </summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan limit)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            foreach (var line in _output.ToString().Split(Environment.NewLine))
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }
            _waiting.Add((pattern, found));
        }
        await WhileRunningAsync(found.Task, limit, $"a line matching '{pattern}'");
        return await found.Task;
    }

    /// <summary>Ctrl+C: SIGINT to the process only (as a terminal sends it to the foreground process).</summary>
    public async Task InterruptAsync()
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        kill.ArgumentList.Add("-INT");
        kill.ArgumentList.Add(Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(kill)!;
        await process.WaitForExitAsync();
        Assert.AreEqual(0, process.ExitCode, $"kill -INT {Id} failed: {await process.StandardError.ReadToEndAsync()}");
    }

    public void KillTree() => _process.Kill(entireProcessTree: true);

    /// <summary>The exit code; fails the test (after killing the process tree) if it takes longer than <paramref name="limit"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"'{string.Join(' ', _process.StartInfo.ArgumentList.Skip(1))}' did not exit within {limit.TotalSeconds} s:\n{Output}");
        }
        _process.WaitForExit(); // drain the output events
        return _process.ExitCode;
    }

    /// <summary>Waits for <paramref name="task"/>, failing if the process exits first or it takes too long.</summary>
    public async Task WhileRunningAsync(Task task, TimeSpan limit, string what)
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(task, exited, Task.Delay(limit));
        if (first != task)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            Assert.Fail($"{what} did not happen {(first == exited ? "before the process exited" : $"within {limit.TotalSeconds} s")}:\n{Output}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
