namespace StaticAssets.Engine.Tests.Upload;

[TestClass]
public sealed class ObjectUploaderTests
{
    private static PlannedObject[] Objects(int count) =>
        Enumerable.Range(0, count).Select(i => TestData.UnreadObject($"k{i:D2}")).ToArray();

    [TestMethod]
    [DataRow(1, 6)]
    [DataRow(4, 20)]
    [DataRow(7, 8)]
    public async Task WritesInFlightNeverExceedMaxConcurrencyAndReachItExactly(int maxConcurrency, int count)
    {
        var store = new GatedStore();
        var objects = Objects(count);
        var upload = new ObjectUploader(store, maxConcurrency, new RecordingLog()).UploadAsync(objects, CancellationToken.None).ThrowingOnStop();

        // Fill every slot: exactly maxConcurrency writes start while none is allowed to finish.
        var pending = new Queue<GatedWrite>();
        for (var i = 0; i < maxConcurrency; i++)
        {
            pending.Enqueue(await store.NextStartedAsync());
        }
        Assert.AreEqual(maxConcurrency, store.InFlight);
        var started = maxConcurrency;

        // Each finished write frees exactly one slot for exactly one new write.
        while (pending.Count > 0)
        {
            Assert.IsLessThanOrEqualTo(maxConcurrency, store.InFlight);
            pending.Dequeue().Complete();
            if (started < count)
            {
                pending.Enqueue(await store.NextStartedAsync());
                started++;
                Assert.AreEqual(maxConcurrency, store.InFlight);
            }
        }
        var written = await upload.Guard();

        Assert.AreEqual(maxConcurrency, store.Peak);
        Assert.AreEqual(0, store.InFlight);
        CollectionAssert.AreEqual(objects.Select(o => o.Key).ToArray(), store.StartedKeys.ToArray(), "each object written once, in order");
        CollectionAssert.AreEquivalent(objects, written.ToArray());
    }

    [TestMethod]
    public async Task PerObjectLinesGoOnlyToALogThatWantsThem()
    {
        var objects = Objects(5);
        var quiet = new ImportanceFilteringLog(lowWanted: false);
        var chatty = new ImportanceFilteringLog(lowWanted: true);

        await new ObjectUploader(new AcceptingStore(), 2, quiet).UploadAsync(objects, CancellationToken.None).ThrowingOnStop().Guard();
        await new ObjectUploader(new AcceptingStore(), 2, chatty).UploadAsync(objects, CancellationToken.None).ThrowingOnStop().Guard();

        Assert.IsEmpty(quiet.LowMessages, "a low-importance line was built for a log that drops them");
        CollectionAssert.AreEquivalent(objects.Select(o => $"Stored {o.Key} (1 bytes)").ToArray(), chatty.LowMessages.ToArray());
    }

    /// <summary>Takes every write without reading it.</summary>
    private sealed class AcceptingStore : InMemoryStore
    {
        public override Task WriteAsync(StoreWrite write, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>A log like MSBuild's at a given verbosity: it says whether low-importance messages go anywhere.</summary>
    private sealed class ImportanceFilteringLog(bool lowWanted) : IPublishLog
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> LowMessages { get; } = new();

        public void Report(Diagnostic diagnostic) => throw new AssertFailedException(diagnostic.ToString());

        public void Message(LogImportance importance, string message)
        {
            if (importance == LogImportance.Low)
            {
                LowMessages.Enqueue(message);
            }
        }

        public bool Logs(LogImportance importance) => importance != LogImportance.Low || lowWanted;
    }

    [TestMethod]
    public async Task FewerObjectsThanSlots_AllStartAtOnce()
    {
        var store = new GatedStore();
        var objects = Objects(3);
        var upload = new ObjectUploader(store, 16, new RecordingLog()).UploadAsync(objects, CancellationToken.None).ThrowingOnStop();

        var writes = new[] { await store.NextStartedAsync(), await store.NextStartedAsync(), await store.NextStartedAsync() };
        Assert.AreEqual(3, store.InFlight);
        foreach (var write in writes)
        {
            write.Complete();
        }
        await upload.Guard();

        Assert.AreEqual(3, store.Peak);
    }

    [TestMethod]
    public async Task NoObjects_WritesNothing()
    {
        var store = new GatedStore();

        var written = await new ObjectUploader(store, 4, new RecordingLog()).UploadAsync([], CancellationToken.None).ThrowingOnStop().Guard();

        Assert.IsEmpty(written);
        Assert.IsEmpty(store.StartedKeys);
    }

    [TestMethod]
    public async Task FirstFailure_StopsLaunchingWrites_AndIsOneSA3001NamingTheKey()
    {
        var store = new GatedStore();
        var objects = Objects(10);
        var log = new RecordingLog();
        var upload = new ObjectUploader(store, 2, log).UploadAsync(objects, CancellationToken.None).ThrowingOnStop();
        var first = await store.NextStartedAsync();
        var second = await store.NextStartedAsync();
        var failure = new IOException("connection refused");

        first.Fail(failure);
        var e = await Assert.ThrowsExactlyAsync<StaticAssetsException>(() => upload.Guard());

        // The write still in flight was told to stop; nothing after the failure was started.
        Assert.IsTrue(second.Token.IsCancellationRequested);
        CollectionAssert.AreEqual(new[] { first.Key, second.Key }, store.StartedKeys.ToArray(), "started: " + string.Join(", ", store.StartedKeys));
        Assert.AreEqual(DiagnosticCodes.WriteFailed, e.Diagnostic.Code);
        Assert.AreEqual(DiagnosticSeverity.Error, e.Diagnostic.Severity);
        Assert.Contains($"'{first.Key}'", e.Diagnostic.Message);
        Assert.Contains("connection refused", e.Diagnostic.Message);
        Assert.DoesNotContain("other write(s) failed", e.Diagnostic.Message, "the canceled write is not a failure of its own");
        Assert.Contains($"{objects.Length} object(s) were not stored", e.Diagnostic.Message);
        Assert.AreSame(failure, e.InnerException);
        // The uploader throws; reporting is the caller's job (once).
        Assert.IsEmpty(log.Diagnostics);
    }

    [TestMethod]
    public async Task LaterFailures_AreCountedNotReported_AndTheFirstInTimeIsNamed()
    {
        // Writes here ignore cancellation, so the test decides when each ends.
        var store = new GatedStore(honorCancellation: false);
        var objects = Objects(10);
        var upload = new ObjectUploader(store, 3, new RecordingLog()).UploadAsync(objects, CancellationToken.None).ThrowingOnStop();
        var w0 = await store.NextStartedAsync();
        var w1 = await store.NextStartedAsync();
        var w2 = await store.NextStartedAsync();

        w1.Fail(new IOException("first failure"));
        // The uploader cancels the others once it has recorded the first failure.
        await w0.CancellationObserved.Guard();
        w0.Fail(new IOException("second failure"));
        w2.Complete();
        var e = await Assert.ThrowsExactlyAsync<StaticAssetsException>(() => upload.Guard());

        Assert.AreEqual(DiagnosticCodes.WriteFailed, e.Diagnostic.Code);
        Assert.Contains($"'{w1.Key}'", e.Diagnostic.Message);
        Assert.Contains("first failure", e.Diagnostic.Message);
        Assert.DoesNotContain("second failure", e.Diagnostic.Message);
        Assert.Contains(" 1 other write(s) failed too.", e.Diagnostic.Message);
        Assert.Contains($"{objects.Length - 1} object(s) were not stored", e.Diagnostic.Message);
        CollectionAssert.AreEqual(new[] { w0.Key, w1.Key, w2.Key }, store.StartedKeys.ToArray(), "started: " + string.Join(", ", store.StartedKeys));
    }

    [TestMethod]
    public async Task SourceChangedException_MapsToSA3003()
    {
        var store = new GatedStore();
        var upload = new ObjectUploader(store, 2, new RecordingLog()).UploadAsync(Objects(4), CancellationToken.None).ThrowingOnStop();
        var first = await store.NextStartedAsync();

        first.Fail(new SourceChangedException(Messages.FileChanged("x", "its SHA-256 no longer matches the planned one")));
        var e = await Assert.ThrowsExactlyAsync<StaticAssetsException>(() => upload.Guard());

        Assert.AreEqual(DiagnosticCodes.SourceChanged, e.Diagnostic.Code);
        Assert.Contains("The file 'x' changed after it was planned: its SHA-256 no longer matches", e.Diagnostic.Message);
        Assert.IsInstanceOfType<SourceChangedException>(e.InnerException);
    }

    [TestMethod]
    public async Task FileEditedAfterPlanning_IsSA3003AndNotStored()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("site.css", "body{}");
        var bytes = File.ReadAllBytes(path);
        var obj = new PlannedObject("site.css", path, bytes.Length, Sha256Digest.Compute(bytes), "text/css", null, "no-cache");
        File.WriteAllText(path, "body{color:red}");
        var store = new InMemoryStore();

        var e = await Assert.ThrowsExactlyAsync<StaticAssetsException>(
            () => new ObjectUploader(store, 4, new RecordingLog()).UploadAsync([obj], CancellationToken.None).ThrowingOnStop());

        Assert.AreEqual(DiagnosticCodes.SourceChanged, e.Diagnostic.Code);
        Assert.Contains(path, e.Diagnostic.Message);
        Assert.IsEmpty(store.Objects);
    }

    [TestMethod]
    public async Task Cancellation_EndsTheUploadWithOperationCanceled_AndStartsNoFurtherWrites()
    {
        var store = new GatedStore();
        using var cts = new CancellationTokenSource();
        var upload = new ObjectUploader(store, 2, new RecordingLog()).UploadAsync(Objects(10), cts.Token).ThrowingOnStop();
        var first = await store.NextStartedAsync();
        var second = await store.NextStartedAsync();

        await cts.CancelAsync();

        // No gate is ever opened: the upload ends because the writes in flight observe the token.
        await Assert.ThrowsAsync<OperationCanceledException>(() => upload.Guard());
        Assert.IsTrue(first.Token.IsCancellationRequested);
        Assert.IsTrue(second.Token.IsCancellationRequested);
        CollectionAssert.AreEqual(new[] { first.Key, second.Key }, store.StartedKeys.ToArray(), "started: " + string.Join(", ", store.StartedKeys));
    }

    [TestMethod]
    public async Task Cancellation_WhileWritesFinishAnyway_StartsNoFurtherWrites()
    {
        var store = new GatedStore(honorCancellation: false);
        using var cts = new CancellationTokenSource();
        var upload = new ObjectUploader(store, 2, new RecordingLog()).UploadAsync(Objects(10), cts.Token).ThrowingOnStop();
        var first = await store.NextStartedAsync();
        var second = await store.NextStartedAsync();

        await cts.CancelAsync();
        first.Complete();
        second.Complete();

        await Assert.ThrowsAsync<OperationCanceledException>(() => upload.Guard());
        CollectionAssert.AreEqual(new[] { first.Key, second.Key }, store.StartedKeys.ToArray(), "started: " + string.Join(", ", store.StartedKeys));
    }

    [TestMethod]
    public async Task AlreadyCanceledToken_StartsNoWrite()
    {
        var store = new GatedStore();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(
            () => new ObjectUploader(store, 2, new RecordingLog()).UploadAsync(Objects(5), cts.Token).ThrowingOnStop().Guard());

        Assert.IsEmpty(store.StartedKeys);
    }

    [TestMethod]
    public async Task RealFiles_AreStoredByteForByteWithTheirHeaders_AndEachLoggedAtLowImportance()
    {
        using var temp = new TempDirectory();
        var objects = Enumerable.Range(0, 12).Select(i =>
        {
            var bytes = Encoding.UTF8.GetBytes(new string((char)('a' + i), 1000 * (i + 1)));
            var path = temp.Write($"f{i}.txt", bytes);
            return new PlannedObject($"dir/f{i}.txt", path, bytes.Length, Sha256Digest.Compute(bytes), "text/plain", i % 2 == 0 ? "gzip" : null, "max-age=1");
        }).ToArray();
        var memory = new InMemoryStore();
        var store = new RecordingStore(memory);
        var log = new RecordingLog();

        var written = await new ObjectUploader(store, 3, log).UploadAsync(objects, CancellationToken.None).ThrowingOnStop().Guard();

        CollectionAssert.AreEqual(objects.OrderBy(o => o.Key, StringComparer.Ordinal).ToArray(), written.ToArray(), "stored objects, sorted by key");
        foreach (var obj in objects)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(obj.SourcePath), memory.Objects[obj.Key]);
            var write = store.Writes[obj.Key];
            Assert.AreEqual(obj.ContentType, write.ContentType);
            Assert.AreEqual(obj.ContentEncoding, write.ContentEncoding);
            Assert.AreEqual(obj.CacheControl, write.CacheControl);
            Assert.AreEqual(obj.Size, write.Length);
            Assert.AreEqual(obj.Sha256, write.Sha256);
            Assert.IsTrue(log.Messages.Any(m => m.Importance == LogImportance.Low && m.Text.Contains(obj.Key, StringComparison.Ordinal)), obj.Key);
        }
        Assert.IsEmpty(log.Diagnostics);
    }
}

/// <summary>Turns an upload's outcome into the exception that stopped it (as the publisher reports it), for assertions.</summary>
internal static class UploadOutcomeAssertions
{
    public static async Task<IReadOnlyList<PlannedObject>> ThrowingOnStop(this Task<UploadOutcome> upload)
    {
        var outcome = await upload;
        if (outcome.Failure is { } failure)
        {
            throw failure;
        }
        if (outcome.Canceled)
        {
            throw new OperationCanceledException();
        }
        return outcome.Stored;
    }
}
