using System.Collections;
using Microsoft.Build.Framework;

namespace StaticAssets.Testing;

/// <summary>
/// Records what a task logs, at every importance (as a detailed-verbosity logger would), reading each event's
/// Message as real loggers do so that formatting problems surface. Thread-safe: the engine logs from any thread.
/// </summary>
public sealed class FakeBuildEngine : IBuildEngine
{
    private readonly object _gate = new();
    private readonly List<(string? Code, string Message)> _errors = [];
    private readonly List<(string? Code, string Message)> _warnings = [];
    private readonly List<(MessageImportance Importance, string Message)> _messages = [];

    public IReadOnlyList<(string? Code, string Message)> Errors
    {
        get { lock (_gate) { return _errors.ToArray(); } }
    }

    public IReadOnlyList<(string? Code, string Message)> Warnings
    {
        get { lock (_gate) { return _warnings.ToArray(); } }
    }

    public IReadOnlyList<(MessageImportance Importance, string Message)> Messages
    {
        get { lock (_gate) { return _messages.ToArray(); } }
    }

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 0;

    public int ColumnNumberOfTaskNode => 0;

    public string ProjectFileOfTaskNode => "test.csproj";

    public void LogErrorEvent(BuildErrorEventArgs e)
    {
        var message = e.Message ?? "";
        lock (_gate)
        {
            _errors.Add((e.Code, message));
        }
    }

    public void LogWarningEvent(BuildWarningEventArgs e)
    {
        var message = e.Message ?? "";
        lock (_gate)
        {
            _warnings.Add((e.Code, message));
        }
    }

    public void LogMessageEvent(BuildMessageEventArgs e)
    {
        var message = e.Message ?? "";
        lock (_gate)
        {
            _messages.Add((e.Importance, message));
        }
    }

    public void LogCustomEvent(CustomBuildEventArgs e)
    {
    }

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) =>
        throw new NotSupportedException();

    public string Describe() => string.Join(Environment.NewLine,
        Errors.Select(e => $"error {e.Code}: {e.Message}")
            .Concat(Warnings.Select(w => $"warning {w.Code}: {w.Message}"))
            .Concat(Messages.Select(m => $"{m.Importance}: {m.Message}")));
}
