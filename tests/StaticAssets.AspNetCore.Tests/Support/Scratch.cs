namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>What the in-process tests write (manifests): one temporary folder, deleted when the test run ends.</summary>
[TestClass]
public sealed class Scratch
{
    private static readonly TempDirectory Folder = new();

    /// <summary>Writes <paramref name="content"/> as staticassets.manifest.json in a folder of its own; returns its path.</summary>
    public static string WriteManifest(string content) => Folder.Write($"{Guid.NewGuid():N}/staticassets.manifest.json", content);

    /// <summary>A path in a folder that does not exist.</summary>
    public static string MissingFile(string name) => Folder.Combine($"missing-{Guid.NewGuid():N}/{name}");

    [AssemblyCleanup]
    public static void Delete() => Folder.Dispose();
}
