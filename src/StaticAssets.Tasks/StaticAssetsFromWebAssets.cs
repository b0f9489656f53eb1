using Microsoft.Build.Framework;

namespace StaticAssets.Tasks;

/// <summary>
/// Gather: the SDK's publish-time static web assets (with their target paths) as <c>@(StaticAsset)</c> items. A task,
/// not item metadata expressions in the target: setting LogicalPath per item there makes MSBuild batch once per
/// distinct value, 60-100 ms on a 2,600-asset app, where this takes a few.
/// </summary>
public sealed class StaticAssetsFromWebAssets : Microsoft.Build.Utilities.Task
{
    /// <summary>The SDK's StaticWebAsset items with <c>TargetPath</c> (relative to the publish folder).</summary>
    public ITaskItem[] WebAssets { get; set; } = [];

    /// <summary>The folder the target paths start with (the SDK's is <c>wwwroot</c>): not part of the URL path.</summary>
    [Required]
    public string PathPrefix { get; set; } = "";

    [Output]
    public ITaskItem[] Assets { get; private set; } = [];

    public override bool Execute()
    {
        Assets = StaticAssetItems.FromWebAssets(WebAssets, PathPrefix);
        return true;
    }
}
