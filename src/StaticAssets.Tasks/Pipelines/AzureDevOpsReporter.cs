using System.Globalization;
using StaticAssets.Engine.Core;

namespace StaticAssets.Tasks.Pipelines;

/// <summary>
/// Azure Pipelines logging commands. `DotNetCoreCLI@2` attaches its MSBuild logger only to `build`, so for
/// `publish` these lines are what turns an error into a pipeline issue.
/// </summary>
internal sealed class AzureDevOpsReporter : PipelineReporter
{
    public override void Issue(Diagnostic diagnostic, Action<string> emit) =>
        emit($"##vso[task.logissue type={(diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning")};code={diagnostic.Code}]" +
             EscapeData($"{diagnostic.Code}: {diagnostic.Message}"));

    public override void Progress(int completed, int total, Action<string> emit) =>
        emit($"##vso[task.setprogress value={(total == 0 ? 100 : completed * 100 / total).ToString(CultureInfo.InvariantCulture)};]" +
             EscapeData($"Publishing static assets: {completed:N0} of {total:N0} objects stored"));

    public override void Completed(PublishSummary summary, Action<string> emit)
    {
        emit($"##vso[task.setvariable variable=StaticAssetsManifestHash;isOutput=true]{EscapeData(summary.ManifestHash)}");
        emit($"##vso[task.setvariable variable=StaticAssetsDestination;isOutput=true]{EscapeData(summary.Destination)}");
        emit($"##vso[task.setvariable variable=StaticAssetsObjectsWritten;isOutput=true]{summary.Written.ToString(CultureInfo.InvariantCulture)}");
    }

    // The agent's escaping for a command's data: %, CR and LF (and ] would end nothing in data, but ; and ] matter
    // in properties, which we only ever fill with fixed words and codes).
    private static string EscapeData(string value) =>
        value.Replace("%", "%AZP25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);
}
