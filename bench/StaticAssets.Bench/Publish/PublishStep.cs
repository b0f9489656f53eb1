namespace StaticAssets.Bench;

/// <summary>One timed command of the publish mode. A repetition runs the four publishes in this order (the re-publishes
/// need the first); the peers run as blocks of their own, the blocks' order rotated per repetition.</summary>
internal enum PublishStep
{
    /// <summary><c>dotnet publish</c> with <c>-p:StaticAssetsEnabled=false</c>: what the app's publish costs without the task.</summary>
    Baseline,

    /// <summary><c>dotnet publish</c> with the package's defaults into a fresh prefix, the task's work folder emptied first
    /// (a first publish: nothing to reuse, as on a fresh CI agent).</summary>
    Package,

    /// <summary>The same publish again into the same prefix, nothing changed.</summary>
    PackageNoChange,

    /// <summary>The package-off publish again, nothing changed: the no-change re-publish's baseline.</summary>
    BaselineNoChange,

    /// <summary><c>aws s3 sync</c> of the published wwwroot, 64 concurrent requests.</summary>
    Aws64,

    /// <summary><c>rclone copy --transfers 64</c> of the published wwwroot.</summary>
    Rclone64,
}

internal static class PublishSteps
{
    public static string Label(this PublishStep step) => step switch
    {
        PublishStep.Baseline => "publish, package off",
        PublishStep.Package => "publish, package",
        PublishStep.PackageNoChange => "re-publish, package",
        PublishStep.BaselineNoChange => "re-publish, package off",
        PublishStep.Aws64 => "aws s3 sync (64)",
        PublishStep.Rclone64 => "rclone copy (64)",
        _ => step.ToString(),
    };

    public static bool RunsTask(this PublishStep step) => step is PublishStep.Package or PublishStep.PackageNoChange;

    public static bool IsPublish(this PublishStep step) => step is not (PublishStep.Aws64 or PublishStep.Rclone64);
}

/// <summary>One timed command and what was measured around it.</summary>
/// <param name="Task">The task's summary and phase lines (package runs only).</param>
/// <param name="StoredObjects">Objects found under the run's prefix afterwards (for the package: after its re-publish).</param>
internal sealed record PublishRun(
    int Repetition, string App, int RttMs, PublishStep Step, ToolRun Tool, ProxyStats Traffic,
    double? ServerCpuSeconds, double ProxyCpuSeconds, double? OtherCpuSeconds, PublishLog? Task)
{
    public int? StoredObjects { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    public bool Succeeded => Tool.Succeeded && (!Step.RunsTask() || Task is not null);
}
