namespace StaticAssets.Engine.Tests.Core;

[TestClass]
public sealed class LogicalPathsTests
{
    [TestMethod]
    [DataRow("css/site.css")]
    [DataRow("favicon.ico")]
    [DataRow("img/my photo.png", DisplayName = "space")]
    [DataRow("fonts/ünïcødé/日本語.woff2", DisplayName = "unicode")]
    [DataRow("a#b.css", DisplayName = "hash sign")]
    [DataRow("100%.txt", DisplayName = "percent")]
    [DataRow("c++/x+y.js", DisplayName = "plus")]
    [DataRow(".well-known/.htaccess", DisplayName = "dot-files")]
    [DataRow("a..b/...c", DisplayName = "dots inside names")]
    [DataRow("..a/b../.c.", DisplayName = "dots at the ends of names")]
    [DataRow("_content/Lib/x-{0}-y.css", DisplayName = "braces")]
    public void Validate_AcceptsUsualUrlPaths(string path)
    {
        Assert.IsNull(LogicalPaths.Validate(path));
    }

    [TestMethod]
    [DataRow("", DisplayName = "empty")]
    [DataRow("..", DisplayName = "parent")]
    [DataRow("a/../b", DisplayName = "parent in the middle")]
    [DataRow("../x.css", DisplayName = "leading parent")]
    [DataRow(".", DisplayName = "dot")]
    [DataRow("./a.css", DisplayName = "leading dot segment")]
    [DataRow("a/./b.css", DisplayName = "dot segment")]
    [DataRow("a/..", DisplayName = "trailing parent")]
    [DataRow("a/b/.", DisplayName = "trailing dot segment")]
    [DataRow("/css/site.css", DisplayName = "leading slash")]
    [DataRow("css\\site.css", DisplayName = "backslash")]
    [DataRow("..\\x.css", DisplayName = "backslash parent")]
    [DataRow("C:/x", DisplayName = "drive path")]
    [DataRow("c:x", DisplayName = "drive-relative path")]
    [DataRow("a//b", DisplayName = "double slash")]
    [DataRow("css/", DisplayName = "trailing slash")]
    [DataRow("a\u0000b", DisplayName = "NUL")]
    [DataRow("a\nb", DisplayName = "newline")]
    [DataRow("a\tb", DisplayName = "tab")]
    [DataRow("a\u007fb", DisplayName = "DEL")]
    public void Validate_RejectsPathsThatAreNotRelativeUrlPaths(string path)
    {
        var problem = LogicalPaths.Validate(path);

        Assert.IsNotNull(problem);
        Assert.IsFalse(string.IsNullOrWhiteSpace(problem));
    }

    [TestMethod]
    [DataRow("a/../b", "it has a '..' segment")]
    [DataRow("a/b/.", "it has a '.' segment")]
    [DataRow("a//b", "it has an empty segment ('//' or a trailing '/')")]
    [DataRow("a/", "it has an empty segment ('//' or a trailing '/')")]
    public void Validate_SaysWhichSegmentIsWrong(string path, string problem)
    {
        Assert.AreEqual(problem, LogicalPaths.Validate(path));
    }

    [TestMethod]
    public void Validate_RejectsNull()
    {
        Assert.IsNotNull(LogicalPaths.Validate(null));
    }
}
