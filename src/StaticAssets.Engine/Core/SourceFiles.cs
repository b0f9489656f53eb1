namespace StaticAssets.Engine.Core;

internal static class SourceFiles
{
    // Small: the readers (hashing, the AWS SDK, CopyToAsync) bring their own buffers, and a large FileStream buffer
    // per file opened was most of the allocations of a 3,000-file publish (measured by the benchmark).
    internal const int BufferSize = 4096;

    /// <summary>Opens a file for one async pass from start to end, sharing it with readers (the build may still hold it).</summary>
    public static FileStream OpenSequentialRead(string path) => new(
        path,
        FileMode.Open,
        FileAccess.Read,
        FileShare.Read | FileShare.Delete,
        BufferSize,
        FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>The file a path names, following symbolic links to the final target; null if there is none.</summary>
    public static FileInfo? Resolve(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null)
        {
            // A link's own FileInfo describes the link (its length is the target path's): use what it points at.
            file = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        }
        return file is { Exists: true } ? file : null;
    }
}
