using System.Diagnostics;

namespace StaticAssets.Bench.Soak;

/// <summary>How a file is changed in place (the open handle of an upload in progress sees the new bytes).</summary>
internal enum ChangeKind
{
    /// <summary>Same length, one byte flipped: the last one for small files (every planned byte but one could go
    /// out before the difference shows), one at 90% for a large file whose first parts are already uploading.</summary>
    FlipByte,

    /// <summary>Bytes appended: longer than planned.</summary>
    Append,

    /// <summary>Cut to half: shorter than planned.</summary>
    Truncate,
}

/// <summary>One file the soak changes during a publish, and a copy of its planned bytes to put back afterwards.</summary>
internal sealed record ChangedFile(GeneratedFile File, string Key, ChangeKind Kind, string Backup);

/// <summary>
/// Changes files on disk while a publish uploads, after planning: <see cref="ChangeSmallFilesLater"/> a fixed delay
/// after the engine logs its plan; <see cref="ChangeWhenOpenAsync"/> as soon as the engine has a large file open, so the
/// change lands while that file's first parts are in flight. <see cref="Restore"/> puts the planned bytes back.
/// </summary>
internal static class SourceChanger
{
    public static ChangedFile Prepare(GeneratedFile file, string key, ChangeKind kind, string backupFolder)
    {
        var backup = Path.Combine(backupFolder, Guid.NewGuid().ToString("N"));
        File.Copy(file.Path, backup);
        return new ChangedFile(file, key, kind, backup);
    }

    public static void Change(ChangedFile changed)
    {
        using var stream = new FileStream(changed.File.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        switch (changed.Kind)
        {
            case ChangeKind.FlipByte:
                var at = changed.File.Size >= 1024 * 1024 ? changed.File.Size * 9 / 10 : changed.File.Size - 1;
                stream.Position = at;
                var b = stream.ReadByte();
                stream.Position = at;
                stream.WriteByte((byte)(b ^ 0xFF));
                break;
            case ChangeKind.Append:
                stream.Seek(0, SeekOrigin.End);
                stream.Write("/* changed during the upload */"u8);
                break;
            case ChangeKind.Truncate:
                stream.SetLength(changed.File.Size / 2);
                break;
        }
    }

    public static void Restore(ChangedFile changed)
    {
        File.Copy(changed.Backup, changed.File.Path, overwrite: true);
        File.Delete(changed.Backup);
    }

    /// <summary>Changes <paramref name="files"/> <paramref name="delay"/> after <paramref name="planned"/> completes, and
    /// not before <paramref name="after"/> has (the large file's change, in a round that changes it: a small file's
    /// failure stops the publish, and the large file, opened 0.2-0.3 s into a 0.4 s smoke publish, would then never be).</summary>
    public static Task ChangeSmallFilesLater(IReadOnlyList<ChangedFile> files, TimeSpan delay, TaskCompletionSource planned, Task after) =>
        Task.Run(async () =>
        {
            await planned.Task;
            await Task.Delay(delay);
            await after;
            foreach (var file in files)
            {
                Change(file);
            }
        });

    /// <summary>Waits until this process (which hosts the engine) has <paramref name="changed"/>'s file open
    /// (<c>/proc/self/fd</c>), then changes it at once; returns how long after the call that was, or null if the file was
    /// not opened before <paramref name="stop"/>. The engine reads a large file part by part as slots for its parts free
    /// up (4 in flight, buffers from a 64 MB budget), so a byte changed at 90% of it is changed while its first parts
    /// upload and before it is read. (The read position in <c>/proc/self/fdinfo</c> cannot tell how far it is: the
    /// engine's asynchronous file stream reads with pread, and the position stays 0.)</summary>
    public static async Task<TimeSpan?> ChangeWhenOpenAsync(ChangedFile changed, CancellationToken stop)
    {
        var target = Path.GetFullPath(changed.File.Path);
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                string? linked;
                try
                {
                    linked = new FileInfo(fd).LinkTarget;
                }
                catch (IOException)
                {
                    continue; // closed meanwhile
                }
                if (linked == target)
                {
                    Change(changed);
                    return clock.Elapsed;
                }
            }
            try
            {
                await Task.Delay(2, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return null;
    }
}
