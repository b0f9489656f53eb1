using System.Text.Json.Nodes;

namespace StaticAssets.Engine.Tests.Diff;

[TestClass]
public sealed class DestinationStateTests
{
    private const string ManifestName = AssetManifest.DefaultName;

    private static List<AssetSource> CreateSources(TempDirectory temp) =>
    [
        new AssetSource(temp.Write("site.css", "body{}"), "css/site.css",
            Variants: [new AssetVariantSource(temp.Write("site.css.gz", "gz"), "gzip")]),
        new AssetSource(temp.Write("app.js", "app()"), "js/app.js"),
        new AssetSource(temp.Write("logo.png", "png"), "img/logo.png"),
    ];

    private static async Task<PublishPlan> PlanAsync(IReadOnlyList<AssetSource> sources) =>
        (await AssetPlanner.PlanAsync(sources, Plans.OneObjectPerFile, new RecordingLog(), CancellationToken.None))!;

    private static string[] Keys(IEnumerable<PlannedObject> objects) => objects.Select(o => o.Key).ToArray();

    [TestMethod]
    public async Task NoManifestAtTheDestination_EverythingIsMissing()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));
        var log = new RecordingLog();

        var state = await DestinationState.ReadAsync(new InMemoryStore(), ManifestName, verifyRemote: false, log, CancellationToken.None);

        Assert.IsNull(state.ManifestBytes);
        Assert.IsEmpty(state.Objects);
        CollectionAssert.AreEqual(Keys(plan.Objects), Keys(state.Missing(plan)));
        Assert.IsEmpty(log.Diagnostics);
    }

    [TestMethod]
    public async Task ValidManifest_OnlyObjectsItDoesNotVouchForAreMissing()
    {
        using var temp = new TempDirectory();
        var sources = CreateSources(temp);
        var stored = AssetManifest.Serialize(await PlanAsync(sources));
        var store = new InMemoryStore();
        store.Objects[ManifestName] = stored;
        File.WriteAllText(sources[1].SourcePath, "app() // v2");
        var plan = await PlanAsync(sources);
        var log = new RecordingLog();

        var state = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, log, CancellationToken.None);

        CollectionAssert.AreEqual(stored, state.ManifestBytes);
        var changedKey = plan.Assets.Single(a => a.LogicalPath == "js/app.js").Object.Key;
        CollectionAssert.AreEqual(new[] { changedKey }, Keys(state.Missing(plan)));
        Assert.IsEmpty(log.Diagnostics);
    }

    [TestMethod]
    public async Task ValidManifestOfTheSamePlan_NothingIsMissing()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));
        var store = new InMemoryStore();
        store.Objects[ManifestName] = AssetManifest.Serialize(plan);

        var state = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, new RecordingLog(), CancellationToken.None);

        Assert.IsEmpty(state.Missing(plan));
    }

    [TestMethod]
    public async Task SameKeyButOtherSha256InTheStoredManifest_CountsAsMissing()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));
        var root = JsonNode.Parse(AssetManifest.Serialize(plan))!;
        root["assets"]!["img/logo.png"]!["sha256"] = TestData.HexSha256("other bytes");
        var store = new InMemoryStore();
        store.Objects[ManifestName] = Encoding.UTF8.GetBytes(root.ToJsonString());

        var state = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, new RecordingLog(), CancellationToken.None);

        var logoKey = plan.Assets.Single(a => a.LogicalPath == "img/logo.png").Object.Key;
        CollectionAssert.AreEqual(new[] { logoKey }, Keys(state.Missing(plan)));
    }

    [TestMethod]
    public async Task SameKeyButOtherSizeInTheStoredManifest_CountsAsMissing()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));
        var root = JsonNode.Parse(AssetManifest.Serialize(plan))!;
        var gz = root["assets"]!["css/site.css"]!["encodings"]!["gzip"]!;
        gz["size"] = gz["size"]!.GetValue<long>() + 1;
        var store = new InMemoryStore();
        store.Objects[ManifestName] = Encoding.UTF8.GetBytes(root.ToJsonString());

        var state = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, new RecordingLog(), CancellationToken.None);

        var gzKey = plan.Assets.Single(a => a.LogicalPath == "css/site.css").Variants.Single().Object.Key;
        CollectionAssert.AreEqual(new[] { gzKey }, Keys(state.Missing(plan)));
    }

    [TestMethod]
    public async Task InvalidManifest_IsSA2002WarningAndTreatedAsEmpty()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));
        var store = new InMemoryStore();
        var valid = AssetManifest.Serialize(plan);
        store.Objects[ManifestName] = valid[..(valid.Length / 2)];
        var log = new RecordingLog();

        var state = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, log, CancellationToken.None);

        Assert.IsNull(state.ManifestBytes);
        CollectionAssert.AreEqual(Keys(plan.Objects), Keys(state.Missing(plan)));
        var warning = log.Diagnostics.Single();
        Assert.AreEqual(DiagnosticCodes.InvalidRemoteManifest, warning.Code);
        Assert.AreEqual(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains(ManifestName, warning.Message);
    }

    [TestMethod]
    public async Task StoreThatFailsToRead_IsStaticAssetsExceptionSA3002()
    {
        var failure = new IOException("disk on fire");
        var store = new ReadFailingStore(failure);

        var e = await Assert.ThrowsExactlyAsync<StaticAssetsException>(
            () => DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, new RecordingLog(), CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.ReadManifestFailed, e.Diagnostic.Code);
        Assert.AreEqual(DiagnosticSeverity.Error, e.Diagnostic.Severity);
        Assert.AreSame(failure, e.InnerException);
        Assert.Contains("disk on fire", e.Diagnostic.Message);
        Assert.Contains(ManifestName, e.Diagnostic.Message);
    }

    [TestMethod]
    public async Task CancellationWhileReading_IsNotTurnedIntoSA3002()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var store = new ReadFailingStore(new OperationCanceledException(cts.Token));

        await Assert.ThrowsAsync<OperationCanceledException>(
            () => DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, new RecordingLog(), cts.Token));
    }

    [TestMethod]
    public async Task ReadsTheManifestByTheGivenName()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));
        var store = new InMemoryStore();
        store.Objects["other.json"] = AssetManifest.Serialize(plan);

        var defaultName = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, new RecordingLog(), CancellationToken.None);
        var otherName = await DestinationState.ReadAsync(store, "other.json", verifyRemote: false, new RecordingLog(), CancellationToken.None);

        Assert.HasCount(plan.Objects.Count, defaultName.Missing(plan));
        Assert.IsEmpty(otherName.Missing(plan));
    }

    [TestMethod]
    public async Task VerifyRemote_ObjectsTheManifestNamesButTheStoreLacksOrHoldsDamaged_AreMissing()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));
        var store = new InMemoryStore();
        store.Objects[ManifestName] = AssetManifest.Serialize(plan);
        foreach (var obj in plan.Objects)
        {
            store.Objects[obj.Key] = File.ReadAllBytes(obj.SourcePath);
        }
        var deleted = plan.Assets.Single(a => a.LogicalPath == "js/app.js").Object.Key;
        var truncated = plan.Assets.Single(a => a.LogicalPath == "img/logo.png").Object.Key;
        store.Objects.TryRemove(deleted, out _);
        store.Objects[truncated] = [];

        var trusting = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, new RecordingLog(), CancellationToken.None);
        var verified = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: true, new RecordingLog(), CancellationToken.None);

        Assert.IsEmpty(trusting.Missing(plan));
        CollectionAssert.AreEquivalent(new[] { deleted, truncated }, Keys(verified.Missing(plan)));
    }

    [TestMethod]
    public async Task VerifyRemote_ListingFailure_IsSA3002()
    {
        using var temp = new TempDirectory();
        var plan = await PlanAsync(CreateSources(temp));
        var store = new ListFailingStore(AssetManifest.Serialize(plan), new IOException("listing denied"));

        var e = await Assert.ThrowsExactlyAsync<StaticAssetsException>(
            () => DestinationState.ReadAsync(store, ManifestName, verifyRemote: true, new RecordingLog(), CancellationToken.None));

        Assert.AreEqual(DiagnosticCodes.ReadManifestFailed, e.Diagnostic.Code);
        Assert.Contains("listing denied", e.Diagnostic.Message);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task TheManifestAndTheJournalAreReadTogether()
    {
        // Each read is held until both have been asked for: read one after the other, the first would never finish.
        var store = new BothReadsAtOnceStore();

        var state = await DestinationState.ReadAsync(store, ManifestName, verifyRemote: false, new RecordingLog(), CancellationToken.None);

        Assert.IsNull(state.ManifestBytes);
        CollectionAssert.AreEquivalent(new[] { ManifestName, PendingJournal.NameFor(ManifestName) }, store.Keys.ToArray());
    }

    private sealed class BothReadsAtOnceStore : InMemoryStore
    {
        private readonly TaskCompletionSource _bothAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public System.Collections.Concurrent.ConcurrentQueue<string> Keys { get; } = new();

        public override async Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken)
        {
            Keys.Enqueue(key);
            if (Keys.Count == 2)
            {
                _bothAsked.TrySetResult();
            }
            await _bothAsked.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            return null;
        }
    }

    private sealed class ListFailingStore(byte[] manifest, Exception failure) : InMemoryStore
    {
        public override Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) => Task.FromResult<byte[]?>(manifest);

        public override async IAsyncEnumerable<StoredObjectInfo> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return new StoredObjectInfo("x", 1);
            throw failure;
        }
    }

    private sealed class ReadFailingStore(Exception failure) : InMemoryStore
    {
        public override Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) => Task.FromException<byte[]?>(failure);
    }
}
