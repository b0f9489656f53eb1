using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace StaticAssets.Tasks.Tests;

/// <summary>The SDK's publish assets become @(StaticAsset) items: URL path from the target path, compressed alternatives
/// as ContentEncoding copies, other alternatives left out, every other metadata kept.</summary>
[TestClass]
public sealed class StaticAssetsFromWebAssetsTests
{
    private static ITaskItem WebAsset(string path, string targetPath, string role = "Primary", string traitName = "", string traitValue = "") =>
        new TaskItem(path, new Dictionary<string, string>
        {
            ["TargetPath"] = targetPath,
            ["AssetRole"] = role,
            ["AssetTraitName"] = traitName,
            ["AssetTraitValue"] = traitValue,
            ["Integrity"] = "abc=",
        });

    [TestMethod]
    public void TargetPathsBelowThePrefixBecomeLogicalPathsAndCompressedAlternativesCopies()
    {
        var task = new StaticAssetsFromWebAssets
        {
            BuildEngine = new FakeBuildEngine(),
            PathPrefix = "wwwroot",
            WebAssets =
            [
                WebAsset("/app/wwwroot/css/site.css", "wwwroot\\css\\site.css"),
                WebAsset("/app/obj/compressed/x.gz", "wwwroot/css/site.css.gz", "Alternative", "Content-Encoding", "gzip"),
                WebAsset("/app/obj/compressed/y.br", "wwwroot/_content/Lib/lib.js.br", "Alternative", "Content-Encoding", "br"),
                WebAsset("/app/wwwroot/img/logo.svg", "wwwroot/img/logo.svg", "Related"),
                WebAsset("/app/wwwroot/css/site.rtl.css", "wwwroot/css/site.css", "Alternative", "Direction", "rtl"),
                WebAsset("/app/wwwroot/100%.css", "wwwroot/100%.css"),
            ],
        };

        Assert.IsTrue(task.Execute());

        CollectionAssert.AreEqual(
            new[]
            {
                "css/site.css|", "css/site.css.gz|gzip", "_content/Lib/lib.js.br|br", "img/logo.svg|", "100%.css|",
            },
            task.Assets.Select(a => a.GetMetadata("LogicalPath") + "|" + a.GetMetadata("ContentEncoding")).ToArray());
        Assert.AreEqual("/app/obj/compressed/x.gz", task.Assets[1].ItemSpec);
        Assert.IsTrue(task.Assets.All(a => a.GetMetadata("Integrity") == "abc="), "the SDK's metadata is kept");
    }

    [TestMethod]
    public void WithABasePathInThePrefixTheLogicalPathKeepsIt()
    {
        var task = new StaticAssetsFromWebAssets
        {
            BuildEngine = new FakeBuildEngine(),
            PathPrefix = "wwwroot",
            WebAssets = [WebAsset("/app/wwwroot/css/site.css", "wwwroot/site-base/css/site.css")],
        };

        Assert.IsTrue(task.Execute());

        Assert.AreEqual("site-base/css/site.css", task.Assets.Single().GetMetadata("LogicalPath"));
    }
}
