using System.Reflection;

namespace StaticAssets.AspNetCore.Tests.Rendering;

/// <summary>README's and docs/aspnetcore.md's option tables list every option of the runtime package, with its default.</summary>
[TestClass]
public sealed class OptionsDocumentationTests
{
    [TestMethod]
    [DataRow("README.md", @"^\| `StaticAssets:(\w+)` \| ([^|]+) \|")]
    [DataRow("docs/aspnetcore.md", @"^\| `(\w+)` \| ([^|]+) \|")]
    public void Every_option_is_listed_with_its_default(string file, string row)
    {
        var rows = File.ReadAllLines(Path.Combine(Dotnet.RepositoryRoot, file))
            .Select(line => Regex.Match(line, row))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
        var defaults = new StaticAssetsOptions();
        var options = typeof(StaticAssetsOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();

        CollectionAssert.AreEquivalent(options.Select(p => p.Name).ToArray(), rows.Keys.ToArray(), $"{file}'s option table and StaticAssetsOptions differ");
        foreach (var option in options)
        {
            var expected = option.GetValue(defaults) switch
            {
                bool value => $"`{(value ? "true" : "false")}`",
                null when option.Name == nameof(StaticAssetsOptions.ManifestPath) => $"`{StaticAssetsOptions.DefaultManifestName}` beside the app",
                null => "*(none: links stay local)*",
                var value => throw new AssertFailedException($"{option.Name}: no documented form for its default {value}"),
            };
            StringAssert.StartsWith(rows[option.Name], expected, $"{file}: the default of {option.Name}");
        }
    }
}
