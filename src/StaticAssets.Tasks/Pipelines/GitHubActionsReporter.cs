using System.Globalization;
using System.Text;
using StaticAssets.Engine.Core;

namespace StaticAssets.Tasks.Pipelines;

/// <summary>GitHub Actions workflow commands (annotations), step outputs ($GITHUB_OUTPUT) and the job summary.</summary>
internal sealed class GitHubActionsReporter(string? outputFile, string? summaryFile) : PipelineReporter
{
    public override void Issue(Diagnostic diagnostic, Action<string> emit) =>
        emit($"::{(diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning")} title={EscapeProperty(diagnostic.Code)}::{EscapeData(diagnostic.Message)}");

    // Actions has no progress command: the normal-verbosity progress lines already show in the log.
    public override void Progress(int completed, int total, Action<string> emit)
    {
    }

    public override void Completed(PublishSummary summary, Action<string> emit)
    {
        if (!string.IsNullOrEmpty(outputFile))
        {
            File.AppendAllText(outputFile, string.Create(CultureInfo.InvariantCulture,
                $"manifest-hash={summary.ManifestHash}\ndestination={summary.Destination}\nobjects-written={summary.Written}\n"));
        }
        if (!string.IsNullOrEmpty(summaryFile))
        {
            var table = new StringBuilder()
                .AppendLine(summary.DryRun ? "### Static assets (dry run: nothing written)" : "### Static assets published")
                .AppendLine()
                .AppendLine("| assets | objects | written | unchanged | MB | seconds | destination | manifest hash |")
                .AppendLine("|---:|---:|---:|---:|---:|---:|---|---|")
                .AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {summary.Assets:N0} | {summary.Objects:N0} | {summary.Written:N0} | {summary.Unchanged:N0} | {summary.Bytes / 1048576.0:N1} | {summary.Seconds:N1} | `{summary.Destination}` | `{summary.ManifestHash}` |"));
            File.AppendAllText(summaryFile, table.ToString());
        }
    }

    private static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    private static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
