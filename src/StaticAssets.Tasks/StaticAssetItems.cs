using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Plan;

namespace StaticAssets.Tasks;

/// <summary>
/// Everything the package knows about the .NET SDK's static web asset items and metadata, in one place (as the SDK
/// converts its StaticWebAsset type to and from task items in one place): <c>@(StaticAsset)</c> items become the
/// engine's <see cref="BuildFile"/>s, and what a publish wrote becomes output items.
/// </summary>
internal static class StaticAssetItems
{
    /// <summary>
    /// The engine's view of the items. Metadata read: <c>LogicalPath</c>, <c>Integrity</c>, <c>ContentType</c>,
    /// <c>ContentEncoding</c> + <c>RelatedAsset</c> (compressed copies), <c>RelativePath</c> (the SDK's target path
    /// pattern); a missing Content-Type is taken from the SDK's endpoints.
    /// </summary>
    public static IReadOnlyList<BuildFile> ToBuildFiles(ITaskItem[] assets, ITaskItem[] endpoints, string projectDirectory)
    {
        var contentTypes = ContentTypesFromEndpoints(endpoints, projectDirectory);
        return assets.Select(item =>
        {
            var fullPath = Path.GetFullPath(item.ItemSpec, projectDirectory);
            return new BuildFile(
                fullPath,
                // Only a missing one is missing: " " is a logical path, and an invalid one (SA1003).
                item.GetMetadata("LogicalPath") is { Length: > 0 } logicalPath ? logicalPath : null,
                NullIfEmpty(item.GetMetadata("Integrity")),
                NullIfEmpty(item.GetMetadata("ContentType")) ?? contentTypes.GetValueOrDefault(fullPath),
                NullIfEmpty(item.GetMetadata("ContentEncoding")),
                NullIfEmpty(item.GetMetadata("RelatedAsset")),
                // The SDK marks a fingerprint its target path must carry with "]!" (e.g. "Lib#[.{fingerprint}]!.bundle.scp.css").
                AlreadyFingerprinted: item.GetMetadata("RelativePath").Contains("]!", StringComparison.Ordinal));
        }).ToArray();
    }

    /// <summary>
    /// <c>@(StaticAsset)</c> items from the SDK's static web assets: each keeps its metadata and gets LogicalPath, its
    /// target path below <paramref name="pathPrefix"/> with '/' separators; a compressed alternative (AssetRole
    /// Alternative, trait Content-Encoding) also gets ContentEncoding; other alternatives are not assets of their own.
    /// </summary>
    public static ITaskItem[] FromWebAssets(ITaskItem[] webAssets, string pathPrefix)
    {
        var prefix = pathPrefix.Replace('\\', '/').Trim('/') is { Length: > 0 } p ? p + "/" : "";
        var assets = new List<ITaskItem>(webAssets.Length);
        foreach (var webAsset in webAssets)
        {
            string? encoding = null;
            if (webAsset.GetMetadata("AssetRole") == "Alternative")
            {
                if (webAsset.GetMetadata("AssetTraitName") != "Content-Encoding")
                {
                    continue;
                }
                encoding = webAsset.GetMetadata("AssetTraitValue");
            }
            var targetPath = webAsset.GetMetadata("TargetPath").Replace('\\', '/');
            var asset = new TaskItem(webAsset);
            asset.SetMetadata("LogicalPath", Escape(targetPath.StartsWith(prefix, StringComparison.Ordinal) ? targetPath[prefix.Length..] : targetPath));
            if (encoding is not null)
            {
                asset.SetMetadata("ContentEncoding", Escape(encoding));
            }
            assets.Add(asset);
        }
        return [.. assets];
    }

    /// <summary>One item per object written, its key as item spec; metadata SourcePath, LogicalPath, ContentEncoding, Sha256.</summary>
    public static ITaskItem[] ToWrittenItems(PublishPlan plan, IReadOnlyList<PlannedObject> written)
    {
        var logicalPathOf = plan.Assets
            .SelectMany(a => a.AllObjects.Select(o => (o.Key, a.LogicalPath)))
            .ToDictionary(x => x.Key, x => x.LogicalPath, StringComparer.Ordinal);
        return written.Select(o =>
        {
            var item = new TaskItem(Escape(o.Key));
            item.SetMetadata("SourcePath", Escape(o.SourcePath));
            item.SetMetadata("LogicalPath", Escape(logicalPathOf[o.Key]));
            item.SetMetadata("ContentEncoding", o.ContentEncoding ?? "");
            item.SetMetadata("Sha256", o.Sha256.Hex);
            return (ITaskItem)item;
        }).ToArray();
    }

    public static ITaskItem ToFileItem(string path) => new TaskItem(Escape(path));

    /// <summary>The SDK's endpoints know each asset's Content-Type (ResponseHeaders is a JSON array of Name/Value).</summary>
    private static Dictionary<string, string> ContentTypesFromEndpoints(ITaskItem[] endpoints, string projectDirectory)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            var assetFile = endpoint.GetMetadata("AssetFile");
            var headers = endpoint.GetMetadata("ResponseHeaders");
            if (string.IsNullOrEmpty(assetFile) || string.IsNullOrEmpty(headers))
            {
                continue;
            }
            var fullPath = Path.GetFullPath(assetFile, projectDirectory);
            if (types.ContainsKey(fullPath))
            {
                continue;
            }
            try
            {
                using var json = JsonDocument.Parse(headers);
                foreach (var header in json.RootElement.EnumerateArray())
                {
                    if (header.TryGetProperty("Name", out var name) && name.ValueEquals("Content-Type")
                        && header.TryGetProperty("Value", out var value) && value.GetString() is { Length: > 0 } type)
                    {
                        types[fullPath] = type;
                        break;
                    }
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // Not the shape we know (another SDK version): fall back to the extension table.
            }
        }
        return types;
    }

    /// <summary>TaskItem takes item specs and metadata MSBuild-escaped: a key such as "100%.css" must stay itself.</summary>
    private static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is '%' or '*' or '?' or '@' or '$' or '(' or ')' or ';' or '\'')
            {
                escaped.Append('%').Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }
        return escaped.ToString();
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
