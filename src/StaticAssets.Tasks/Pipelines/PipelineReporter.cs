using StaticAssets.Engine.Core;

namespace StaticAssets.Tasks.Pipelines;

/// <summary>What a finished publish tells the pipeline (output variables, job summary).</summary>
internal sealed record PublishSummary(
    int Assets, int Objects, int Written, int Unchanged, long Bytes, string Destination, string ManifestHash, double Seconds, bool DryRun);

/// <summary>
/// Speaks a CI system's own log protocol, so errors become pipeline issues/annotations and results become output
/// variables. Lines go through MSBuild's log at high importance (both agents accept the command after the logger's
/// indentation). Nothing here ever sees a secret: it only repeats what the task logs anyway.
/// </summary>
internal abstract class PipelineReporter
{
    public const string AutoMode = "auto";
    public const string NoneMode = "none";

    public abstract void Issue(Diagnostic diagnostic, Action<string> emit);

    public abstract void Progress(int completed, int total, Action<string> emit);

    public abstract void Completed(PublishSummary summary, Action<string> emit);

    /// <summary>The reporter for <paramref name="mode"/> (auto: from the environment); null for none. Throws SA1011.</summary>
    public static PipelineReporter? Create(string? mode, Func<string, string?> environment, OptionSpelling spelling)
    {
        switch ((string.IsNullOrWhiteSpace(mode) ? AutoMode : mode.Trim()).ToLowerInvariant())
        {
            case AutoMode:
                if (string.Equals(environment("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase))
                {
                    return new AzureDevOpsReporter();
                }
                if (string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
                {
                    return new GitHubActionsReporter(environment("GITHUB_OUTPUT"), environment("GITHUB_STEP_SUMMARY"));
                }
                return null;
            case NoneMode:
                return null;
            case "azuredevops":
                return new AzureDevOpsReporter();
            case "githubactions":
                return new GitHubActionsReporter(environment("GITHUB_OUTPUT"), environment("GITHUB_STEP_SUMMARY"));
            default:
                throw Messages.PipelineReportingUnknown(spelling, mode!).AsException();
        }
    }
}
