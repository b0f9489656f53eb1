namespace StaticAssets.Engine.Tests.Upload;

[TestClass]
public sealed class VerifyingReadStreamTests
{
    /// <summary>Plans <paramref name="path"/> as it is now, as the planner would.</summary>
    private static PlannedObject PlanFile(string path) => new(
        "k/" + Path.GetFileName(path),
        path,
        new FileInfo(path).Length,
        Sha256Digest.Compute(File.ReadAllBytes(path)),
        "application/octet-stream",
        null,
        PlanOptions.ImmutableCacheControl);

    /// <summary>Reads to the end in small chunks; returns the bytes delivered before the end (or before it threw).</summary>
    private static async Task<(byte[] Bytes, Exception? Error)> ReadAllAsync(Stream stream, int chunk = 1000)
    {
        var delivered = new MemoryStream();
        var buffer = new byte[chunk];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                delivered.Write(buffer, 0, n);
            }
            return (delivered.ToArray(), null);
        }
        catch (Exception e)
        {
            return (delivered.ToArray(), e);
        }
    }

    /// <summary>Overwrites the first bytes of a file in place (same inode, so an open handle sees it).</summary>
    private static void OverwriteInPlace(string path, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        file.Write(bytes);
    }

    [TestMethod]
    public async Task UnchangedFile_ReadsAllBytesWithoutError()
    {
        using var temp = new TempDirectory();
        var bytes = RandomNumberGenerator.GetBytes(150_000);
        var obj = PlanFile(temp.Write("f.bin", bytes));
        var write = ObjectUploader.ToStoreWrite(obj);

        await using var stream = write.OpenContent();
        var (read, error) = await ReadAllAsync(stream);

        Assert.IsNull(error);
        CollectionAssert.AreEqual(bytes, read);
        Assert.AreEqual(obj.Size, stream.Length);
        Assert.AreEqual(obj.Key, write.Key);
        Assert.AreEqual(obj.Size, write.Length);
        Assert.AreEqual(obj.Sha256, write.Sha256);
        Assert.AreEqual(obj.CacheControl, write.CacheControl);
    }

    [TestMethod]
    public async Task UnchangedFile_CopyToAsyncSucceeds_SyncReadToo()
    {
        using var temp = new TempDirectory();
        var bytes = RandomNumberGenerator.GetBytes(70_000);
        var write = ObjectUploader.ToStoreWrite(PlanFile(temp.Write("f.bin", bytes)));

        var copy = new MemoryStream();
        await using (var stream = write.OpenContent())
        {
            await stream.CopyToAsync(copy);
        }
        var syncCopy = new MemoryStream();
        using (var stream = write.OpenContent())
        {
            stream.CopyTo(syncCopy);
        }

        CollectionAssert.AreEqual(bytes, copy.ToArray());
        CollectionAssert.AreEqual(bytes, syncCopy.ToArray());
    }

    [TestMethod]
    public async Task EmptyFile_Verifies()
    {
        using var temp = new TempDirectory();
        var write = ObjectUploader.ToStoreWrite(PlanFile(temp.Write("empty.txt", [])));

        await using var stream = write.OpenContent();
        var (read, error) = await ReadAllAsync(stream);

        Assert.IsNull(error);
        Assert.IsEmpty(read);
    }

    [TestMethod]
    public async Task SameLengthDifferentBytes_ThrowsSourceChangedAtTheEnd()
    {
        using var temp = new TempDirectory();
        var original = RandomNumberGenerator.GetBytes(10_000);
        var path = temp.Write("f.bin", original);
        var write = ObjectUploader.ToStoreWrite(PlanFile(path));
        var changed = original.ToArray();
        changed[5000] ^= 0xFF;
        File.WriteAllBytes(path, changed);

        await using var stream = write.OpenContent();
        var (read, error) = await ReadAllAsync(stream);

        Assert.IsInstanceOfType<SourceChangedException>(error);
        // The read that would complete the planned length fails instead: a reader never holds a complete body of
        // other bytes, so a server cannot accept one (all but that last chunk of 1,000 was delivered).
        Assert.HasCount(original.Length - 1_000, read);
        Assert.Contains(path, error.Message);
    }

    [TestMethod]
    [DataRow(1, DisplayName = "1-byte reads")]
    [DataRow(4_096, DisplayName = "4 KB reads")]
    [DataRow(10_000, DisplayName = "one read of the planned length")]
    [DataRow(81_920, DisplayName = "reads larger than the file")]
    public async Task AChangedFileNeverDeliversThePlannedLength(int chunk)
    {
        using var temp = new TempDirectory();
        var original = RandomNumberGenerator.GetBytes(10_000);
        var path = temp.Write("f.bin", original);
        var write = ObjectUploader.ToStoreWrite(PlanFile(path));
        var changed = original.ToArray();
        changed[^1] ^= 0xFF; // only the very last byte differs
        File.WriteAllBytes(path, changed);

        await using var stream = write.OpenContent();
        var (read, error) = await ReadAllAsync(stream, chunk);

        Assert.IsInstanceOfType<SourceChangedException>(error);
        Assert.IsLessThan(original.Length, read.Length, "the bytes that would complete the planned length are withheld");
    }

    [TestMethod]
    public async Task UnchangedFile_AReadOfExactlyThePlannedLengthIsVerifiedAndTheNextReadEnds()
    {
        using var temp = new TempDirectory();
        var bytes = RandomNumberGenerator.GetBytes(10_000);
        var write = ObjectUploader.ToStoreWrite(PlanFile(temp.Write("f.bin", bytes)));

        await using var stream = write.OpenContent();
        var buffer = new byte[bytes.Length];
        await stream.ReadExactlyAsync(buffer);

        CollectionAssert.AreEqual(bytes, buffer);
        Assert.AreEqual(0, await stream.ReadAsync(new byte[10]));
        Assert.AreEqual(0, stream.Read(new byte[10]));
    }

    [TestMethod]
    public async Task LongerFile_ThrowsSourceChanged()
    {
        using var temp = new TempDirectory();
        var original = RandomNumberGenerator.GetBytes(10_000);
        var path = temp.Write("f.bin", original);
        var write = ObjectUploader.ToStoreWrite(PlanFile(path));
        File.WriteAllBytes(path, [.. original, .. "more"u8.ToArray()]);

        await using var stream = write.OpenContent();
        var (read, error) = await ReadAllAsync(stream);

        Assert.IsInstanceOfType<SourceChangedException>(error);
        Assert.IsLessThanOrEqualTo(original.Length, read.Length, "never delivers more than the planned length");
    }

    [TestMethod]
    public async Task LongerFileWithTheSamePrefix_ThrowsSourceChangedEvenWhenOnlyThePlannedLengthIsAskedFor()
    {
        using var temp = new TempDirectory();
        var original = RandomNumberGenerator.GetBytes(4_000);
        var path = temp.Write("f.bin", original);
        var write = ObjectUploader.ToStoreWrite(PlanFile(path));
        File.AppendAllText(path, "tail");

        await using var stream = write.OpenContent();
        // CopyToAsync sizes its buffer from Length; the extra bytes must still be noticed.
        await Assert.ThrowsExactlyAsync<SourceChangedException>(() => stream.CopyToAsync(Stream.Null));
    }

    [TestMethod]
    public async Task ShorterFile_ThrowsSourceChangedAtTheEnd()
    {
        using var temp = new TempDirectory();
        var original = RandomNumberGenerator.GetBytes(10_000);
        var path = temp.Write("f.bin", original);
        var write = ObjectUploader.ToStoreWrite(PlanFile(path));
        File.WriteAllBytes(path, original[..9_000]);

        await using var stream = write.OpenContent();
        var (read, error) = await ReadAllAsync(stream);

        Assert.IsInstanceOfType<SourceChangedException>(error);
        Assert.HasCount(9_000, read);
    }

    [TestMethod]
    public void DeletedFile_FailsToOpen()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("f.bin", [1, 2, 3]);
        var write = ObjectUploader.ToStoreWrite(PlanFile(path));
        File.Delete(path);

        Assert.ThrowsExactly<SourceDeletedException>(() => write.OpenContent());
    }

    [TestMethod]
    public async Task RewindAfterAPartialRead_ReReadsEverythingAndVerifies()
    {
        using var temp = new TempDirectory();
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var write = ObjectUploader.ToStoreWrite(PlanFile(temp.Write("f.bin", bytes)));

        await using var stream = write.OpenContent();
        var partial = new byte[50_000];
        await stream.ReadExactlyAsync(partial);
        Assert.AreEqual(50_000, stream.Position);
        stream.Position = 0;
        Assert.AreEqual(0, stream.Position);
        var (read, error) = await ReadAllAsync(stream);

        // Had the hash or the count not restarted, the second pass would look too long or corrupt.
        Assert.IsNull(error);
        CollectionAssert.AreEqual(bytes, read);
    }

    [TestMethod]
    public async Task RewindAfterAVerifiedRead_VerifiesAgain()
    {
        using var temp = new TempDirectory();
        // Larger than the file stream's buffer, so the second pass really reads the file again.
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var path = temp.Write("f.bin", bytes);
        var write = ObjectUploader.ToStoreWrite(PlanFile(path));

        await using var stream = write.OpenContent();
        var (first, firstError) = await ReadAllAsync(stream, 64 * 1024);
        Assert.IsNull(firstError);
        CollectionAssert.AreEqual(bytes, first);

        OverwriteInPlace(path, [(byte)(bytes[0] ^ 0xFF)]);
        stream.Seek(0, SeekOrigin.Begin);
        var (_, secondError) = await ReadAllAsync(stream, 64 * 1024);

        Assert.IsInstanceOfType<SourceChangedException>(secondError);
    }

    [TestMethod]
    public async Task SeekingAnywhereButTheStart_IsNotSupported()
    {
        using var temp = new TempDirectory();
        var write = ObjectUploader.ToStoreWrite(PlanFile(temp.Write("f.bin", RandomNumberGenerator.GetBytes(100))));

        await using var stream = write.OpenContent();

        Assert.ThrowsExactly<NotSupportedException>(() => stream.Seek(10, SeekOrigin.Begin));
        Assert.ThrowsExactly<NotSupportedException>(() => stream.Seek(0, SeekOrigin.End));
        Assert.ThrowsExactly<NotSupportedException>(() => stream.Position = 5);
        Assert.IsFalse(stream.CanWrite);
    }

    [TestMethod]
    public async Task EachOpenContentIsAFreshStream()
    {
        using var temp = new TempDirectory();
        var bytes = RandomNumberGenerator.GetBytes(5_000);
        var write = ObjectUploader.ToStoreWrite(PlanFile(temp.Write("f.bin", bytes)));

        await using var a = write.OpenContent();
        await using var b = write.OpenContent();
        var (readA, errorA) = await ReadAllAsync(a);
        var (readB, errorB) = await ReadAllAsync(b);

        Assert.AreNotSame(a, b);
        Assert.IsNull(errorA);
        Assert.IsNull(errorB);
        CollectionAssert.AreEqual(bytes, readA);
        CollectionAssert.AreEqual(bytes, readB);
    }
}
