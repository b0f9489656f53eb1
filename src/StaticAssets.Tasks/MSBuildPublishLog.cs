using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using StaticAssets.Engine.Core;
using StaticAssets.Tasks.Pipelines;

namespace StaticAssets.Tasks;

/// <summary>
/// Routes the engine's reports to MSBuild's log (which accepts calls from any thread during Execute), and to the
/// CI system's own protocol when a pipeline reporter is active. Options are named as MSBuild properties.
/// </summary>
internal sealed class MSBuildPublishLog(TaskLoggingHelper log) : IPublishLog
{
    /// <summary>How the package's users spell an option: the MSBuild property <c>StaticAssets&lt;Option&gt;</c>.</summary>
    public static OptionSpelling PropertyNames { get; } = new(option => "StaticAssets" + option);

    public PipelineReporter? Pipeline { get; set; }

    public OptionSpelling Spelling => PropertyNames;

    public void Report(Diagnostic diagnostic)
    {
        // No message arguments: file names such as the SDK's "x-{0}-y.gz" must not be taken for format items.
        if (diagnostic.Severity == DiagnosticSeverity.Error)
        {
            log.LogError(null, diagnostic.Code, null, null, 0, 0, 0, 0, diagnostic.Message);
        }
        else
        {
            log.LogWarning(null, diagnostic.Code, null, null, 0, 0, 0, 0, diagnostic.Message);
        }
        Pipeline?.Issue(diagnostic, Emit);
    }

    public void Message(LogImportance importance, string message) => log.LogMessage(ToMSBuild(importance), message);

    // MSBuild knows whether any logger wants a message of that importance (at the default verbosity, low ones go
    // nowhere): per-object lines are then not even built.
    public bool Logs(LogImportance importance) => log.LogsMessagesOfImportance(ToMSBuild(importance));

    private static MessageImportance ToMSBuild(LogImportance importance) => importance switch
    {
        LogImportance.High => MessageImportance.High,
        LogImportance.Normal => MessageImportance.Normal,
        _ => MessageImportance.Low,
    };

    public void Progress(int completed, int total) => Pipeline?.Progress(completed, total, Emit);

    public void Completed(PublishSummary summary) => Pipeline?.Completed(summary, Emit);

    private void Emit(string line) => log.LogMessage(MessageImportance.High, line);
}
