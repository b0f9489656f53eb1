namespace StaticAssets.Engine.Core;

public enum LogImportance
{
    /// <summary>Shown at minimal verbosity: the one-line summary.</summary>
    High,

    /// <summary>Shown at normal verbosity: progress of long runs, phase times.</summary>
    Normal,

    /// <summary>Shown at detailed verbosity: one line per object, retries.</summary>
    Low,
}

/// <summary>Where the engine reports. Implementations must accept calls from any thread.</summary>
public interface IPublishLog
{
    void Report(Diagnostic diagnostic);

    void Message(LogImportance importance, string message);

    /// <summary>How the front end behind this log spells the options that messages name.</summary>
    OptionSpelling Spelling => OptionSpelling.Plain;

    /// <summary>Whether messages of this importance go anywhere: callers skip building per-object messages nobody reads.</summary>
    bool Logs(LogImportance importance) => true;

    /// <summary>Upload progress, at most every couple of seconds during long uploads (for CI progress bars).</summary>
    void Progress(int completed, int total)
    {
    }
}
