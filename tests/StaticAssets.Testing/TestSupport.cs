using System.Collections.Concurrent;

namespace StaticAssets.Testing;

/// <summary>A unique folder under the system temp folder, deleted (with everything in it) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sa-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Full path of <paramref name="relative"/> ('/'-separated) inside this folder; nothing is created.</summary>
    public string Combine(string relative) =>
        System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public string Write(string relative, string content) => Write(relative, Encoding.UTF8.GetBytes(content));

    public string Write(string relative, byte[] content)
    {
        var full = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a test that failed may still hold a handle.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Records every diagnostic and message the engine reports; safe to call from any thread.</summary>
public sealed class RecordingLog : IPublishLog
{
    private readonly ConcurrentQueue<Diagnostic> _diagnostics = new();
    private readonly ConcurrentQueue<(LogImportance Importance, string Text)> _messages = new();

    public IReadOnlyList<Diagnostic> Diagnostics => _diagnostics.ToArray();

    public IReadOnlyList<Diagnostic> Errors => _diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();

    public IReadOnlyList<Diagnostic> Warnings => _diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ToArray();

    public IReadOnlyList<(LogImportance Importance, string Text)> Messages => _messages.ToArray();

    public void Report(Diagnostic diagnostic) => _diagnostics.Enqueue(diagnostic);

    public void Message(LogImportance importance, string message) => _messages.Enqueue((importance, message));
}

/// <summary>Plan options tests start from.</summary>
public static class Plans
{
    /// <summary>One object per file under its fingerprinted key, as given: no rewriting, no compressed or
    /// un-fingerprinted copies, every name fingerprinted. (The package's defaults do all of those.)</summary>
    public static PlanOptions OneObjectPerFile { get; } = new()
    {
        RewriteReferences = false,
        Compression = null,
        KeepOriginalNames = false,
        FingerprintedNamePattern = null,
    };
}

public static class TestData
{
    /// <summary>A table of single-value rows for [DynamicData].</summary>
    public static IEnumerable<object[]> Rows(params string[] values) => values.Select(v => new object[] { v });

    /// <summary>Lowercase hex SHA-256, computed independently of the engine's Sha256Digest.</summary>
    public static string HexSha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static string HexSha256(string text) => HexSha256(Encoding.UTF8.GetBytes(text));

    public static string HexSha256OfFile(string path) => HexSha256(File.ReadAllBytes(path));

    /// <summary>The SDK's Integrity metadata form: base64 of the raw digest.</summary>
    public static string Base64Sha256(byte[] bytes) => Convert.ToBase64String(SHA256.HashData(bytes));

    public static string Base64Sha256(string text) => Base64Sha256(Encoding.UTF8.GetBytes(text));

    /// <summary>An object whose content is never opened (for fake stores that do not read it).</summary>
    public static PlannedObject UnreadObject(string key) => new(
        key, "/nonexistent/" + key, 1, Sha256Digest.Compute(Encoding.UTF8.GetBytes(key)), "text/plain", null, "no-cache");

    /// <summary>Every file under <paramref name="root"/>, as '/'-separated relative paths.</summary>
    public static string[] FilesUnder(string root) => Directory.Exists(root)
        ? Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray()
        : [];

    public static async IAsyncEnumerable<T> ToAsyncEnumerable<T>(this IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            yield return item;
        }
        await Task.CompletedTask;
    }

    /// <summary>Guards a test against hanging forever on a bug; not a timing assertion.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(15);

    public static Task<T> Guard<T>(this Task<T> task) => task.WaitAsync(HangGuard);

    public static Task Guard(this Task task) => task.WaitAsync(HangGuard);
}
