using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Task = System.Threading.Tasks.Task;
using StaticAssets.Tasks;

namespace StaticAssets.Testing;

/// <summary>A project folder in temp for running the MSBuild task directly: sources under it, destination bin/static-assets.</summary>
public sealed class TaskProject : IDisposable
{
    private readonly TempDirectory _temp = new();

    public string Dir => _temp.Combine("proj");

    public string Dest => _temp.Combine("proj/bin/static-assets");

    public string DestManifest => Path.Combine(Dest, AssetManifest.DefaultName);

    public string LocalManifest => _temp.Combine("proj/bin/publish/" + AssetManifest.DefaultName);

    public string Write(string relative, string content) => _temp.Write("proj/" + relative, content);

    public string Write(string relative, byte[] content) => _temp.Write("proj/" + relative, content);

    /// <summary>A task publishing to the local destination, logging into a fresh engine.</summary>
    public (PublishStaticAssets Task, FakeBuildEngine Log) Task(params ITaskItem[] assets)
    {
        var engine = new FakeBuildEngine();
        return (new PublishStaticAssets
        {
            BuildEngine = engine,
            Assets = assets,
            Destination = "bin/static-assets",
            ProjectDirectory = Dir,
            LocalManifestPath = "bin/publish/" + AssetManifest.DefaultName,
            MaxConcurrency = "4",
            // One object per file (the files here are too small to compress): what a test expects stays short.
            KeepOriginalNames = "false",
        }, engine);
    }

    /// <summary>Publishes <paramref name="assets"/> successfully, as the previous generation.</summary>
    public void PublishBaseline(params ITaskItem[] assets)
    {
        var (task, log) = Task(assets);
        Assert.IsTrue(task.Execute(), log.Describe());
        Assert.IsEmpty(log.Errors, log.Describe());
        Assert.IsTrue(File.Exists(DestManifest), "the baseline publish wrote no manifest");
    }

    public static ITaskItem Item(string spec, params (string Name, string Value)[] metadata)
    {
        var item = new TaskItem(spec);
        foreach (var (name, value) in metadata)
        {
            item.SetMetadata(name, value);
        }
        return item;
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>Every file under a folder with its bytes, to show that a failed publish damaged nothing.</summary>
public static class Snapshot
{
    public static Dictionary<string, byte[]> Of(string root) =>
        TestData.FilesUnder(root).ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(root, f)), StringComparer.Ordinal);

    public static void AssertUnchanged(Dictionary<string, byte[]> before, string root, string because)
    {
        var after = Of(root);
        CollectionAssert.AreEqual(before.Keys.Order(StringComparer.Ordinal).ToArray(), after.Keys.Order(StringComparer.Ordinal).ToArray(),
            $"{because}: the destination's files changed");
        foreach (var (file, bytes) in before)
        {
            CollectionAssert.AreEqual(bytes, after[file], $"{because}: '{file}' changed");
        }
    }
}

/// <summary>Checks that no secret value shows up in anything logged.</summary>
public static class Secrets
{
    /// <summary>The secrets this process knows: the AWS secret and session token in its environment, and <paramref name="more"/>.</summary>
    public static void AssertAbsent(string loggedText, params string?[] more)
    {
        var secrets = more
            .Append(Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"))
            .Append(Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN"))
            .OfType<string>()
            .Where(s => s.Length > 0);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, loggedText, $"a secret ('{secret[..Math.Min(4, secret.Length)]}...') appeared in the log");
        }
    }

    public static string TextOf(RecordingLog log) => string.Join('\n',
        log.Diagnostics.Select(d => d.ToString()).Concat(log.Messages.Select(m => $"{m.Importance}: {m.Text}")));
}

/// <summary>A tmpfs mounted on a folder (root only; chmod does not stop root, a read-only or full file system does).</summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string folder) => Folder = folder;

    public string Folder { get; }

    public static Tmpfs Mount(string folder, string options)
    {
        Directory.CreateDirectory(folder);
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", folder);
        return new Tmpfs(folder);
    }

    public void Remount(string options) => Run("mount", "-o", "remount," + options, Folder);

    public void Dispose() => Run("umount", Folder);

    private static void Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"'{command} {string.Join(' ', arguments)}' failed (exit {process.ExitCode}): {stderr.Trim()}. " +
                "These tests need to mount a tmpfs (run as root, or in a container with CAP_SYS_ADMIN).");
        }
    }
}

public static class Ports
{
    /// <summary>A 127.0.0.1 port that nothing listens on (taken from the OS, then released).</summary>
    public static int Closed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
