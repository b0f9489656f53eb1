namespace StaticAssets.Engine.Tests.Storage;

[TestClass]
public sealed class LocalFolderStoreTests
{
    private static StoreWrite WriteOf(string key, byte[] bytes) =>
        new(key, bytes.Length, Sha256Digest.Compute(bytes), "text/plain", null, "no-cache", () => new MemoryStream(bytes, writable: false));

    private static StoreWrite WriteOf(string key, string text) => WriteOf(key, Encoding.UTF8.GetBytes(text));

    private static bool IsTemporary(string relativePath) => relativePath.EndsWith(".tmp", StringComparison.Ordinal);

    [TestMethod]
    public async Task WriteAsync_CreatesNestedFoldersAndStoresTheExactBytes()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("dest");
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        await using var store = new LocalFolderStore(root);

        await store.WriteAsync(WriteOf("a/b/c/data.0123456789ab.bin", bytes), CancellationToken.None);

        CollectionAssert.AreEqual(bytes, File.ReadAllBytes(Path.Combine(root, "a", "b", "c", "data.0123456789ab.bin")));
        CollectionAssert.AreEqual(new[] { "a/b/c/data.0123456789ab.bin" }, TestData.FilesUnder(root));
    }

    [TestMethod]
    public async Task WriteAsync_OverwriteReplacesTheFileByRename_NotInPlace()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("dest");
        await using var store = new LocalFolderStore(root);
        await store.WriteAsync(WriteOf("m.json", "old generation"), CancellationToken.None);
        var path = Path.Combine(root, "m.json");

        // A reader holding the old file open keeps seeing the old bytes only if the new ones went to another file
        // that was renamed over it; a write in place would show it a mix or the new bytes.
        await using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        await store.WriteAsync(WriteOf("m.json", "the new generation"), CancellationToken.None);

        Assert.AreEqual("the new generation", File.ReadAllText(path));
        using var oldView = new StreamReader(reader);
        Assert.AreEqual("old generation", await oldView.ReadToEndAsync());
        CollectionAssert.AreEqual(new[] { "m.json" }, TestData.FilesUnder(root));
    }

    [TestMethod]
    public async Task TryReadAsync_ReturnsTheStoredBytes_OrNullWhenMissing()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("dest");
        await using var store = new LocalFolderStore(root);

        Assert.IsNull(await store.TryReadAsync("manifest.json", CancellationToken.None), "root folder does not exist yet");
        await store.WriteAsync(WriteOf("x/manifest.json", "{}"), CancellationToken.None);

        CollectionAssert.AreEqual("{}"u8.ToArray(), await store.TryReadAsync("x/manifest.json", CancellationToken.None));
        Assert.IsNull(await store.TryReadAsync("manifest.json", CancellationToken.None), "missing file");
        Assert.IsNull(await store.TryReadAsync("y/z/manifest.json", CancellationToken.None), "missing folder");
    }

    /// <summary>Keys that would escape the destination folder, or are not keys at all.</summary>
    public static IEnumerable<object[]> KeysThatWouldLeaveTheFolder => TestData.Rows("../outside.txt", "a/../../outside.txt", "..", "a/./b.txt", "/outside.txt", "..\\outside.txt",
        "C:/outside.txt", "a//b.txt", "");

    [TestMethod]
    [DynamicData(nameof(KeysThatWouldLeaveTheFolder))]
    public async Task InvalidKeys_AreArgumentExceptionsAndNothingIsWritten(string key)
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("deep/dest");
        Directory.CreateDirectory(root);
        await using var store = new LocalFolderStore(root);

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(WriteOf(key, "evil"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryReadAsync(key, CancellationToken.None));

        CollectionAssert.AreEqual(Array.Empty<string>(), TestData.FilesUnder(temp.Path), "no file anywhere in or around the root");
    }

    [TestMethod]
    public async Task AbsoluteKeyPointingAtARealFile_IsRejectedAndTheFileUntouched()
    {
        using var temp = new TempDirectory();
        var victim = temp.Write("victim.txt", "precious");
        await using var store = new LocalFolderStore(temp.Combine("dest"));

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(WriteOf(victim, "overwritten"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryReadAsync(victim, CancellationToken.None));

        Assert.AreEqual("precious", File.ReadAllText(victim));
    }

    [TestMethod]
    public async Task ContentThatThrowsSourceChanged_LeavesNoFinalFileAndNoTemporaryFile()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("dest");
        await using var store = new LocalFolderStore(root);
        var write = WriteOf("css/site.abc.css", "ignored") with
        {
            OpenContent = () => new FailingStream(100_000, new SourceChangedException(Messages.FileChanged("src/site.css", "changed under us"))),
        };

        var e = await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));
        Assert.AreEqual(DiagnosticCodes.SourceChanged, e.Code, "the store keeps its contract: a coded StoreException");

        Assert.IsEmpty(TestData.FilesUnder(root));
    }

    [TestMethod]
    public async Task FailedOverwrite_KeepsTheOldObject()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("dest");
        await using var store = new LocalFolderStore(root);
        await store.WriteAsync(WriteOf("m.json", "old"), CancellationToken.None);
        var write = WriteOf("m.json", "ignored") with { OpenContent = () => new FailingStream(10, new IOException("boom")) };

        await Assert.ThrowsExactlyAsync<StoreException>(() => store.WriteAsync(write, CancellationToken.None));

        Assert.AreEqual("old", File.ReadAllText(Path.Combine(root, "m.json")));
        CollectionAssert.AreEqual(new[] { "m.json" }, TestData.FilesUnder(root));
    }

    [TestMethod]
    public async Task CanceledWrite_LeavesNoTemporaryFile()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("dest");
        await using var store = new LocalFolderStore(root);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(
            () => store.WriteAsync(WriteOf("a/b.txt", RandomNumberGenerator.GetBytes(10_000)), cts.Token));

        Assert.IsEmpty(TestData.FilesUnder(root));
    }

    [TestMethod]
    public async Task ManyConcurrentWritesIntoTheSameNewNestedFolder_AllSucceed()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("dest");
        await using var store = new LocalFolderStore(root);
        const int count = 64;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var contents = Enumerable.Range(0, count).Select(i => $"object {i}").ToArray();

        // Every write waits on the same gate, then they all race to create deep/new/folder at once.
        var writes = Enumerable.Range(0, count)
            .Select(i => Task.Run(async () =>
            {
                await start.Task;
                await store.WriteAsync(WriteOf($"deep/new/folder/f{i}.txt", contents[i]), CancellationToken.None);
            }))
            .ToArray();
        start.SetResult();
        await Task.WhenAll(writes).Guard();

        var files = TestData.FilesUnder(root);
        Assert.HasCount(count, files);
        Assert.IsFalse(files.Any(IsTemporary));
        for (var i = 0; i < count; i++)
        {
            Assert.AreEqual(contents[i], File.ReadAllText(Path.Combine(root, "deep", "new", "folder", $"f{i}.txt")));
        }
    }

    [TestMethod]
    public async Task ConcurrentWritesOfTheSameKey_LeaveOneCompleteObjectAndNoTemporaryFiles()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("dest");
        await using var store = new LocalFolderStore(root);
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var writes = Enumerable.Range(0, 16)
            .Select(_ => Task.Run(async () =>
            {
                await start.Task;
                await store.WriteAsync(WriteOf("same/key.bin", bytes), CancellationToken.None);
            }))
            .ToArray();
        start.SetResult();
        await Task.WhenAll(writes).Guard();

        CollectionAssert.AreEqual(new[] { "same/key.bin" }, TestData.FilesUnder(root));
        CollectionAssert.AreEqual(bytes, File.ReadAllBytes(Path.Combine(root, "same", "key.bin")));
    }

    [TestMethod]
    public void Description_IsTheFullRootFolder()
    {
        using var temp = new TempDirectory();
        var store = new LocalFolderStore(temp.Combine("dest"));

        Assert.StartsWith(temp.Combine("dest"), store.Description);
    }

    /// <summary>Yields <c>length</c> bytes of zeros, then throws the given exception.</summary>
    private sealed class FailingStream(int length, Exception failure) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= length)
            {
                throw failure;
            }
            var n = Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
