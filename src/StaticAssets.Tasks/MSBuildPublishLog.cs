using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using StaticAssets.Engine;

namespace StaticAssets.Tasks;

/// <summary>Routes the engine's reports to MSBuild's log (which accepts calls from any thread during Execute).</summary>
internal sealed class MSBuildPublishLog(TaskLoggingHelper log) : IPublishLog
{
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
    }

    public void Message(LogImportance importance, string message) => log.LogMessage(
        importance switch
        {
            LogImportance.High => MessageImportance.High,
            LogImportance.Normal => MessageImportance.Normal,
            _ => MessageImportance.Low,
        },
        message);
}
