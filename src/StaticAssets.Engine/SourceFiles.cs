namespace StaticAssets.Engine;

internal static class SourceFiles
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Opens a file for one async pass from start to end, sharing it with readers (the build may still hold it).</summary>
    public static FileStream OpenSequentialRead(string path) => new(
        path,
        FileMode.Open,
        FileAccess.Read,
        FileShare.Read | FileShare.Delete,
        BufferSize,
        FileOptions.Asynchronous | FileOptions.SequentialScan);
}
