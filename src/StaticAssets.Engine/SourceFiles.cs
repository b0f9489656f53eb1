namespace StaticAssets.Engine;

internal static class SourceFiles
{
    // Small: the readers (hashing, the AWS SDK, CopyToAsync) bring their own buffers, and a large FileStream buffer
    // per file opened was most of the allocations of a 3,000-file publish (measured by the benchmark).
    private const int BufferSize = 4096;

    /// <summary>Opens a file for one async pass from start to end, sharing it with readers (the build may still hold it).</summary>
    public static FileStream OpenSequentialRead(string path) => new(
        path,
        FileMode.Open,
        FileAccess.Read,
        FileShare.Read | FileShare.Delete,
        BufferSize,
        FileOptions.Asynchronous | FileOptions.SequentialScan);
}
