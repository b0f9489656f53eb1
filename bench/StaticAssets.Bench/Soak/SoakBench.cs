using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using StaticAssets.Engine.Configuration;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Publishing;
using static StaticAssets.Bench.Report;

namespace StaticAssets.Bench.Soak;

/// <summary>
/// The soak mode: many PUTs through the engine's S3 path (<see cref="Stores.Create"/>, as the MSBuild task creates the
/// store) against the bench's Ceph RGW behind the delay proxy, with files changed on disk while they upload. Each round
/// publishes the tree into a fresh prefix while <see cref="SourceChanger"/> changes some files (that publish must fail
/// with SA3003 and nothing else), checks the destination, puts the files back and publishes again into the same prefix
/// (that one must succeed and send only what is missing), and checks again. Every request is accounted for at the proxy
/// (<see cref="HttpTrafficCounters"/>) and every operation inside the SDK (<see cref="SdkObserver"/>); every object
/// stored is listed and read back directly from the server. Ends with the RESULT-SOAK line.
/// </summary>
internal sealed class SoakBench(BenchOptions options)
{
    /// <summary>The small files changed in a round come from this window of the upload order (objects go in key order),
    /// starting at <see cref="ChangedWindowStart"/>: late enough that most of the tree is stored before the first
    /// failure stops the publish, close together so several changed files are in flight at once.</summary>
    private const double ChangedWindowStart = 0.75;

    /// <summary>The large file that is changed while it uploads sits at this share of the upload order, before the
    /// small changed files, so its failure is the one that stops the publish in the rounds that change it.</summary>
    private const double ChangedLargePosition = 0.5;

    private const int VerifyConcurrency = 32;

    /// <summary>What issue 14 asks of a soak run.</summary>
    private const int MinimumPuts = 50_000;

    /// <summary>The MSBuild properties of the soak's publishes besides the destination's: no compressed copies, so every
    /// object is read from the tree (or the engine's work folder, for a file whose references it rewrote) and the time
    /// goes to requests, not to brotli (the publish mode measures the defaults); the work folder is the soak's own.</summary>
    private IReadOnlyDictionary<Option, string?> TaskSettings => new Dictionary<Option, string?>
    {
        [Option.Compression] = "none",
        [Option.WorkDirectory] = Path.Combine(_root, "work"),
    };

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"staticassets-bench-{Environment.ProcessId}-soak");
    private readonly string _bucket = $"sa-soak-{Guid.NewGuid():N}"[..24];
    private readonly Totals _totals = new();

    public async Task<int> RunAsync()
    {
        var wall = Stopwatch.StartNew();
        var rtt = options.RttMs[0];
        var concurrency = options.Concurrency[0];
        Console.WriteLine($"StaticAssets.Bench (Soak): {Machine.Describe()}, endpoint {options.Endpoint}");
        using var admin = new BucketAdmin(options.Endpoint);
        using var observer = new SdkObserver();
        var bucketCreated = false;
        try
        {
            var tree = MakeTree();
            await admin.CreateBucketAsync(_bucket);
            bucketCreated = true;
            Console.WriteLine($"Bucket {_bucket}; {options.Rounds} round(s) at concurrency {concurrency} through a {rtt} ms proxy; " +
                              $"each round: publish while files change, check, put them back, publish again, check, delete.");
            Console.WriteLine();
            await using var proxy = await ProxyProcess.StartAsync(options.Endpoint, rtt);
            for (var round = 1; round <= options.Rounds; round++)
            {
                await RunRoundAsync(round, tree, proxy, admin, observer, concurrency);
            }
        }
        finally
        {
            if (bucketCreated)
            {
                await admin.RemoveBucketAsync(_bucket);
            }
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
        wall.Stop();
        return _totals.Print(options, wall.Elapsed.TotalSeconds);
    }

    /// <summary>The tree, its plan (the engine's own planner, so the keys are the engine's), and each planned object's
    /// MD5 (Ceph RGW's ETag of a whole object).</summary>
    private SoakTree MakeTree()
    {
        var clock = Stopwatch.StartNew();
        var files = TreeGenerator.Generate(Path.Combine(_root, "tree"), options.Files, (long)(options.SizeMb * 1024 * 1024), options.Seed).ToList();
        // The multi-MB files, named to sit at chosen places in the upload order: the largest (changed in even rounds)
        // at ChangedLargePosition, the others spread over the rest.
        var sorted = files.Select(f => f.LogicalPath).Order(StringComparer.Ordinal).ToArray();
        var sizes = options.LargeFilesMb.OrderDescending().ToArray();
        var large = TreeGenerator.GenerateLarge(Path.Combine(_root, "tree"), sizes.Select((mb, i) =>
        {
            var near = sorted[(int)(sorted.Length * (i == 0 ? ChangedLargePosition : (double)i / (sizes.Length + 1))) % sorted.Length];
            var folder = near.Contains('/') ? near[..near.LastIndexOf('/')] + "/" : "";
            return ($"{folder}large-{i + 1}.bin", mb * 1024L * 1024);
        }).ToArray(), options.Seed);
        files.AddRange(large);
        var sources = TreeGenerator.ToSources(files, withIntegrity: true);
        var (_, publishOptions) = Stores.Read(options.Endpoint, _bucket, "", options.Concurrency[0], more: TaskSettings);
        var plan = AssetPlanner.PlanAsync(sources, publishOptions.Plan, new BenchLog(verbose: false), CancellationToken.None).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("the generated tree could not be planned");
        var byPath = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var objects = plan.Objects.Select(o => new SoakObject(o.Key, o.Immutable ? byPath.GetValueOrDefault(o.SourcePath) : null, o.Sha256.Hex, Md5Of(o.SourcePath)))
            .ToArray();
        Console.WriteLine($"Tree: {files.Count:N0} files, {files.Sum(f => f.Size) / 1048576.0:F0} MB (median {files.Select(f => f.Size).Order().ElementAt(files.Count / 2) / 1024.0:F1} KB; " +
                          $"multi-MB files {string.Join(", ", large.Select(f => $"{f.LogicalPath} {f.Size / 1048576} MB"))}); " +
                          $"{plan.Objects.Count:N0} objects planned ({plan.Objects.Count(o => o.Immutable):N0} fingerprinted, the rest un-fingerprinted copies); " +
                          $"generated and hashed in {clock.Elapsed.TotalSeconds:F1} s");
        return new SoakTree(sources, publishOptions, plan, objects, large[0]);

        static string Md5Of(string path)
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(MD5.HashData(stream));
        }
    }

    private async Task RunRoundAsync(int round, SoakTree tree, ProxyProcess proxy, BucketAdmin admin, SdkObserver observer, int concurrency)
    {
        var prefix = $"soak{round:D2}/";
        var backups = Directory.CreateDirectory(Path.Combine(_root, $"backup{round}")).FullName;
        var random = new Random(options.Seed * 7919 + round);
        var changeLarge = round % 2 == 0;

        // The small files to change: a seeded pick from a window of the upload order (fingerprinted objects first, in
        // key order), after the large one.
        var fingerprinted = tree.Objects.Where(o => o.File is not null).ToArray();
        var start = (int)(fingerprinted.Length * ChangedWindowStart);
        var window = fingerprinted.Skip(start).Where(o => o.File!.Size < 1024 * 1024).Take(Math.Max(options.ChangedFiles, 4 * concurrency)).ToArray();
        var changed = window.OrderBy(_ => random.Next()).Take(options.ChangedFiles)
            .Select((o, n) => SourceChanger.Prepare(o.File!, o.Key, (ChangeKind)(n % 3), backups)).ToList();
        var largeObject = tree.Objects.Single(o => o.File == tree.ChangedLarge);
        var large = changeLarge ? SourceChanger.Prepare(largeObject.File!, largeObject.Key, ChangeKind.FlipByte, backups) : null;
        var changedKeys = changed.Select(c => c.Key).Concat(large is null ? [] : [large.Key]).ToHashSet(StringComparer.Ordinal);
        observer.ExpectedMd5 = key => key.StartsWith(prefix, StringComparison.Ordinal) && tree.Md5(key[prefix.Length..]) is { } md5 ? md5 : null;

        // 1. The publish during which files change: it must fail with SA3003 and nothing else.
        var first = await PublishAsync(proxy, prefix, tree, concurrency, changed, large, observer);
        foreach (var file in changed.Concat(large is null ? [] : [large]))
        {
            SourceChanger.Restore(file);
        }
        var listedFirst = await admin.ListAsync(_bucket, prefix);
        var checkFirst = await VerifyAsync(admin, prefix, tree, listedFirst.Select(o => o.Key), expectManifest: false);

        // 2. The same tree again into the same prefix, files as planned: it must succeed and send only what is missing.
        var second = await PublishAsync(proxy, prefix, tree, concurrency, [], null, observer);
        var listedSecond = await admin.ListAsync(_bucket, prefix);
        var checkSecond = await VerifyAsync(admin, prefix, tree, listedSecond.Select(o => o.Key).Except(listedFirst.Select(o => o.Key)), expectManifest: true);

        var changedPaths = changed.Concat(large is null ? [] : [large]).Select(c => c.File.Path).ToArray();
        var firstExpectations = Classify(first, prefix, changedKeys, changedPaths, mustFail: true);
        var secondExpectations = Classify(second, prefix, new HashSet<string>(), [], mustFail: false);
        var storedFirst = listedFirst.Count(o => tree.Md5(o.Key) is not null);
        var plannedMissing = tree.Objects.Count - storedFirst;
        var notes = new List<string>();
        notes.AddRange(firstExpectations.Notes.Select(n => "publish 1: " + n));
        notes.AddRange(secondExpectations.Notes.Select(n => "publish 2: " + n));
        notes.AddRange(checkFirst.Problems.Concat(checkSecond.Problems));
        var missingAfterSecond = tree.Objects.Select(o => o.Key).Except(listedSecond.Select(o => o.Key), StringComparer.Ordinal).Count();
        if (missingAfterSecond > 0)
        {
            notes.Add($"{missingAfterSecond} planned object(s) missing after the second publish");
        }
        if (changeLarge && first.LargeChangedAt is null)
        {
            notes.Add("the large file was not opened, so not changed during its upload (its publish stopped earlier)");
        }

        Console.WriteLine(
            $"round {round} {prefix}: publish 1 ({(changeLarge ? $"{changed.Count} small + 1 large changed" : $"{changed.Count} small changed")}) " +
            $"{first.Seconds:F1} s, {first.Proxy.Requests:N0} requests ({Methods(first.Proxy)}), statuses {Statuses(first.Proxy)}, " +
            $"{first.Proxy.Unanswered} unanswered, diagnostics {Codes(first.Diagnostics)}; stored {storedFirst:N0} of {tree.Objects.Count:N0}, " +
            $"manifest {(checkFirst.ManifestPresent ? "PRESENT" : "absent")}, journal lists {checkFirst.JournalStored?.ToString("N0") ?? "n/a"}" +
            (first.LargeChangedAt is { } at ? $"; large file changed {at.TotalSeconds:F2} s into the publish, as soon as it was open" : ""));
        var canceledOps = first.Sdk.Counts.Where(c => c.Key.Outcome == SdkOutcome.CanceledByStop).Sum(c => c.Value);
        var notJournaled = listedFirst.Select(o => o.Key).Count(k => tree.Planned(k) is not null && checkFirst.JournalKeys?.Contains(k) != true);
        Console.WriteLine(
            $"         publish 2 {second.Seconds:F1} s, {second.Proxy.Requests:N0} requests ({Methods(second.Proxy)}), statuses {Statuses(second.Proxy)}, " +
            $"{second.Proxy.Unanswered} unanswered, diagnostics {Codes(second.Diagnostics)}; {plannedMissing:N0} objects were missing after publish 1, " +
            $"and {notJournaled:N0} stored but not in its journal (stored by the server although their calls were canceled by its stop; " +
            $"{canceledOps:N0} calls canceled in all): sent again; manifest {(checkSecond.ManifestMatches ? "= the plan's" : "WRONG")}; " +
            $"read back {checkFirst.Verified + checkSecond.Verified:N0} objects, {checkFirst.Wrong + checkSecond.Wrong} wrong");
        foreach (var line in firstExpectations.Lines.Select(l => "         publish 1: " + l).Concat(secondExpectations.Lines.Select(l => "         publish 2: " + l)))
        {
            Console.WriteLine(line);
        }
        foreach (var note in notes)
        {
            Console.WriteLine("         NOTE: " + note);
        }

        _totals.Add(first, second, firstExpectations, secondExpectations, checkFirst, checkSecond, notes.Count);

        await admin.DeletePrefixAsync(_bucket, prefix);
        await admin.AbortUploadsAsync(_bucket, prefix);
        // Free the deleted objects' tails in Ceph's memory now, not in RGW's next garbage-collection round.
        await BucketAdmin.CollectGarbageAsync(options.Endpoint);
        Directory.Delete(backups, recursive: true);
    }

    private static string Statuses(ProxyStats stats) => string.Join(" ", stats.Statuses.Select(s => $"{s.Key}x{s.Value}"));

    private static string Codes(IReadOnlyDictionary<string, int> diagnostics) =>
        diagnostics.Count == 0 ? "none" : string.Join(" ", diagnostics.Select(d => $"{d.Key}x{d.Value}"));

    /// <summary>One publish through the engine (the store as the MSBuild task creates it), the changes run beside it;
    /// afterwards the proxy ends every connection, so a request still waiting counts as unanswered.</summary>
    private async Task<PublishRun> PublishAsync(
        ProxyProcess proxy, string prefix, SoakTree tree, int concurrency, IReadOnlyList<ChangedFile> small, ChangedFile? large, SdkObserver observer)
    {
        await proxy.ResetAsync();
        observer.Take();
        var planned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new SoakLog(planned, options.Verbose);
        using var stop = new CancellationTokenSource();
        var largeChange = large is not null ? SourceChanger.ChangeWhenOpenAsync(large, stop.Token) : Task.FromResult<TimeSpan?>(null);
        var smallChanges = small.Count > 0 ? SourceChanger.ChangeSmallFilesLater(small, TimeSpan.FromMilliseconds(options.ChangeAfterMs), planned, largeChange) : Task.CompletedTask;
        var clock = Stopwatch.StartNew();
        PublishResult result;
        var (store, publishOptions) = Stores.Read(proxy.Url, _bucket, prefix, concurrency, more: TaskSettings);
        await using (store)
        {
            result = await StaticAssetPublisher.PublishAsync(tree.Sources, store, publishOptions, log, CancellationToken.None);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        planned.TrySetResult();
        await smallChanges;
        var largeAt = await largeChange;
        await proxy.DrainAsync();
        var stats = (await proxy.StatsAsync()).Proxy;
        return new PublishRun(result.Succeeded, seconds, stats, observer.Take(), log.Diagnostics, log.Errors, largeAt);
    }

    /// <summary>
    /// Accounts for every request that did not end in a 2xx response (at the proxy) and every operation that did not
    /// succeed (in the SDK). Explained: a changed file's own requests (its PUTs cut short, its multipart upload's parts
    /// and abort); in a publish that failed, requests of other objects the engine canceled when it stopped after that
    /// failure (the SDK saw them canceled by the engine's token); the 404 answers to the reads of the manifest and journal
    /// of a fresh prefix. Everything else is unexplained. An answer that belongs to another request (ETag or key of
    /// another object, or a request sent before the previous one's response) is counted as misdirected.
    /// </summary>
    private static Expectations Classify(PublishRun run, string prefix, IReadOnlySet<string> changedKeys, IReadOnlyList<string> changedPaths, bool mustFail)
    {
        var result = new Expectations();
        var canceled = run.Sdk.Unusual.Where(o => o.Outcome == SdkOutcome.CanceledByStop).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var destinationReads = new[] { AssetManifest.DefaultName, PendingJournal.NameFor(AssetManifest.DefaultName) };
        foreach (var exchange in run.Proxy.Notable)
        {
            var key = KeyOf(exchange.Target, prefix);
            var noResponse = exchange.What.StartsWith("no response", StringComparison.Ordinal);
            // Ceph RGW answers a PUT whose body ended early (the client closed its side) with 404 NoSuchKey.
            var cutShort = exchange.What.Contains(" bytes sent)", StringComparison.Ordinal);
            if (exchange.What.StartsWith("next request", StringComparison.Ordinal) || exchange.What.StartsWith("200 with ETag", StringComparison.Ordinal))
            {
                result.Misdirected++;
                result.Notes.Add($"{exchange.Method} {exchange.Target}: {exchange.What}");
            }
            else if (changedKeys.Contains(key))
            {
                result.ChangedOwn++;
                var kind = $"{exchange.Method} {Kind(exchange.What)}";
                result.ChangedOwnByKind[kind] = result.ChangedOwnByKind.GetValueOrDefault(kind) + 1;
            }
            else if (exchange.Method == "GET" && exchange.What.StartsWith("404", StringComparison.Ordinal) && destinationReads.Contains(key))
            {
                result.ExpectedNotFound++;
            }
            else if (!run.Succeeded && canceled.Contains(prefix + key) && (noResponse || cutShort || UploadGone(exchange)))
            {
                // Canceled by the engine's stop (the SDK saw its token canceled): cut off before or after its body ended;
                // or a request of a multipart upload that was gone when it arrived: a part whose body had gone out in full,
                // answered after the engine had aborted the upload, or the engine's abort of an upload whose completion
                // the server had finished although the engine had given up waiting for it.
                result.CanceledByStop++;
                var kind = $"{exchange.Method} {Kind(exchange.What)}";
                result.CanceledByKind[kind] = result.CanceledByKind.GetValueOrDefault(kind) + 1;
            }
            else
            {
                result.Unexplained++;
                var sdk = run.Sdk.Unusual.Where(o => o.Key == prefix + key).Select(o => $"{o.Operation} {o.Outcome} after {o.Attempts} attempt(s)").ToArray();
                result.Notes.Add($"UNEXPLAINED at the proxy: {exchange.Method} {exchange.Target}: {exchange.What}; in the SDK: " +
                                 (sdk.Length == 0 ? "succeeded" : string.Join(", ", sdk)));
            }
        }
        result.Misdirected += run.Proxy.EtagMismatches;
        foreach (var op in run.Sdk.Unusual)
        {
            var key = op.Key.StartsWith(prefix, StringComparison.Ordinal) ? op.Key[prefix.Length..] : op.Key;
            if (op.Mismatch is not null)
            {
                result.Misdirected++;
                result.Notes.Add($"answer of another request: {op.Operation} {op.Key}: {op.Mismatch}");
            }
            var explained = op.Outcome switch
            {
                SdkOutcome.Succeeded => true,
                SdkOutcome.SourceChanged or SdkOutcome.Failed when changedKeys.Contains(key) => true,
                SdkOutcome.CanceledByStop => !run.Succeeded,
                // The abort after a completion the server finished although the engine's stop had canceled it.
                SdkOutcome.Failed when op.Operation == "AbortMultipartUpload" && op.Error?.StartsWith("NoSuchUploadException", StringComparison.Ordinal) == true
                    => !run.Succeeded && canceled.Contains(op.Key),
                SdkOutcome.NotFound => destinationReads.Contains(key),
                _ => false,
            };
            if (!explained)
            {
                result.SdkUnexplained++;
                result.Notes.Add($"UNEXPLAINED in the SDK: {op.Operation} {op.Key}: {op.Outcome} after {op.Attempts} attempt(s): {op.Error}");
            }
        }
        result.ChangedOperations.AddRange(run.Sdk.Unusual.Where(o => o.Outcome == SdkOutcome.SourceChanged));

        // The engine's account: a publish during which files changed fails with exactly one error, SA3003, about one of
        // them; the other publishes report nothing.
        var errors = run.Errors;
        var expected = mustFail
            ? !run.Succeeded && errors.Count == 1 && errors[0].Code == DiagnosticCodes.SourceChanged
              && changedPaths.Any(path => errors[0].Message.Contains($"'{path}'", StringComparison.Ordinal))
            : run.Succeeded && errors.Count == 0;
        if (!expected)
        {
            result.UnexpectedDiagnostics++;
            result.Notes.Add($"engine outcome {(run.Succeeded ? "succeeded" : "failed")} with {(errors.Count == 0 ? "no error" : string.Join(" | ", errors))}");
        }
        if (run.Diagnostics.Keys.Any(code => code != DiagnosticCodes.SourceChanged))
        {
            result.UnexpectedDiagnostics++;
            result.Notes.Add($"diagnostics {Codes(run.Diagnostics)}");
        }
        if (result.ChangedOperations.Count > 0)
        {
            var attempts = result.ChangedOperations.Select(o => o.Attempts).ToArray();
            var ms = result.ChangedOperations.Select(o => o.Milliseconds).ToArray();
            result.Lines.Add($"{result.ChangedOperations.Count} changed file PUT(s) failed with SourceChanged after {attempts.Min()}-{attempts.Max()} SDK attempt(s), " +
                             $"{ms.Min():F0}-{ms.Max():F0} ms from first attempt to failure");
        }
        if (result.ChangedOwn + result.CanceledByStop + result.ExpectedNotFound > 0)
        {
            result.Lines.Add($"explained at the proxy: {result.ChangedOwn} of changed files ({string.Join(", ", result.ChangedOwnByKind.Select(k => $"{k.Key} x{k.Value}"))}), " +
                             $"{result.CanceledByStop} canceled by the stop ({string.Join(", ", result.CanceledByKind.Select(k => $"{k.Key} x{k.Value}"))}), " +
                             $"{result.ExpectedNotFound} 404 destination reads");
        }
        return result;
    }

    /// <summary>What happened to a request, without its numbers: "no response", "404 NoSuchKey, body cut short".</summary>
    private static string Kind(string what) =>
        what.StartsWith("no response", StringComparison.Ordinal) ? "no response"
        : what.Contains(" bytes sent)", StringComparison.Ordinal) ? what[..what.IndexOf(" (body", StringComparison.Ordinal)] + ", body cut short"
        : what;

    /// <summary>A request of a multipart upload answered 404 (NoSuchUpload: the error code may be in a later chunk).</summary>
    private static bool UploadGone(NotableExchange exchange) =>
        exchange.What.StartsWith("404", StringComparison.Ordinal) && exchange.Target.Contains("uploadId=", StringComparison.Ordinal);

    /// <summary>"/bucket/prefix/key?uploadId=..." to "key".</summary>
    private static string KeyOf(string target, string prefix)
    {
        var path = Uri.UnescapeDataString(target.Split('?')[0]);
        var start = path.IndexOf("/" + prefix, StringComparison.Ordinal);
        return start < 0 ? path : path[(start + 1 + prefix.Length)..];
    }

    /// <summary>Reads back <paramref name="keys"/> directly from the server (not through the proxy, with a client of its
    /// own): each must be a planned object holding exactly the planned bytes; then the manifest and the journal.</summary>
    private async Task<Check> VerifyAsync(BucketAdmin admin, string prefix, SoakTree tree, IEnumerable<string> keys, bool expectManifest)
    {
        var check = new Check();
        var journalName = PendingJournal.NameFor(AssetManifest.DefaultName);
        var history = GenerationRecord.FolderFor(AssetManifest.DefaultName);
        var objects = keys.Where(k => k != AssetManifest.DefaultName && k != journalName && !k.StartsWith(history, StringComparison.Ordinal)).ToArray();
        var wrong = new ConcurrentBag<string>();
        // The history entry a successful switch stores beside the manifest: it must hold that manifest, verbatim.
        foreach (var entry in keys.Where(k => k.StartsWith(history, StringComparison.Ordinal)))
        {
            var bytes = await admin.GetAsync(_bucket, prefix + entry);
            if (bytes is null || !GenerationRecord.TryRead(bytes, out _, out var recorded) || !recorded.AsSpan().SequenceEqual(AssetManifest.Serialize(tree.Plan)))
            {
                wrong.Add($"{entry}: not a history entry of the plan's manifest");
            }
        }
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = VerifyConcurrency }, async (key, _) =>
        {
            var planned = tree.Planned(key);
            var bytes = await admin.GetAsync(_bucket, prefix + key);
            if (planned is null)
            {
                wrong.Add($"{key}: not a planned object");
            }
            else if (bytes is null)
            {
                wrong.Add($"{key}: listed but not readable");
            }
            else if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != planned.Sha256)
            {
                wrong.Add($"{key}: {bytes.Length:N0} bytes whose SHA-256 is not the planned one");
            }
        });
        check.Verified = objects.Length;
        check.Wrong = wrong.Count;
        check.Problems.AddRange(wrong.Take(10).Select(w => "WRONG OBJECT " + w));

        var manifest = await admin.GetAsync(_bucket, prefix + AssetManifest.DefaultName);
        check.ManifestPresent = manifest is not null;
        check.ManifestMatches = manifest is not null && manifest.AsSpan().SequenceEqual(AssetManifest.Serialize(tree.Plan));
        if (expectManifest != check.ManifestPresent || (expectManifest && !check.ManifestMatches))
        {
            check.Problems.Add(expectManifest ? "the manifest is missing or not the plan's" : "a manifest was written although the publish failed");
        }
        if (await admin.GetAsync(_bucket, prefix + journalName) is { } journal && PendingJournal.TryRead(journal, out var stored, out _))
        {
            check.JournalStored = stored.Count;
            check.JournalKeys = stored.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
            var listed = await admin.ListAsync(_bucket, prefix);
            var present = listed.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
            if (stored.Any(o => !present.Contains(o.Key) || tree.Planned(o.Key)?.Sha256 != o.Sha256.Hex))
            {
                check.Problems.Add("the journal lists an object that is not stored, or with another digest");
            }
        }
        return check;
    }

    /// <param name="File">The tree's file a fingerprinted object is read from (null for copies and for objects of the
    /// engine's work folder).</param>
    private sealed record SoakObject(string Key, GeneratedFile? File, string Sha256, string Md5);

    private sealed class SoakTree(
        IReadOnlyList<AssetSource> sources, PublishOptions options, PublishPlan plan, IReadOnlyList<SoakObject> objects, GeneratedFile changedLarge)
    {
        private readonly Dictionary<string, SoakObject> _byKey = objects.ToDictionary(o => o.Key, StringComparer.Ordinal);

        public IReadOnlyList<AssetSource> Sources { get; } = sources;
        public PublishOptions Options { get; } = options;
        public PublishPlan Plan { get; } = plan;
        public IReadOnlyList<SoakObject> Objects { get; } = objects;
        public GeneratedFile ChangedLarge { get; } = changedLarge;

        public SoakObject? Planned(string key) => _byKey.GetValueOrDefault(key);

        public string? Md5(string key) => Planned(key)?.Md5;
    }

    private sealed record PublishRun(
        bool Succeeded, double Seconds, ProxyStats Proxy,
        (IReadOnlyList<SdkOperation> Unusual, IReadOnlyDictionary<(string Operation, SdkOutcome Outcome), int> Counts, int AnswersChecked) Sdk,
        IReadOnlyDictionary<string, int> Diagnostics, IReadOnlyList<Diagnostic> Errors, TimeSpan? LargeChangedAt);

    private sealed class Expectations
    {
        public int ChangedOwn { get; set; }
        public Dictionary<string, int> ChangedOwnByKind { get; } = [];
        public int CanceledByStop { get; set; }
        public Dictionary<string, int> CanceledByKind { get; } = [];
        public int ExpectedNotFound { get; set; }
        public int Unexplained { get; set; }
        public int SdkUnexplained { get; set; }
        public int UnexpectedDiagnostics { get; set; }
        public int Misdirected { get; set; }
        public List<SdkOperation> ChangedOperations { get; } = [];
        public List<string> Notes { get; } = [];
        public List<string> Lines { get; } = [];
    }

    private sealed class Check
    {
        public int Verified { get; set; }
        public int Wrong { get; set; }
        public bool ManifestPresent { get; set; }
        public bool ManifestMatches { get; set; }
        public int? JournalStored { get; set; }
        public IReadOnlySet<string>? JournalKeys { get; set; }
        public List<string> Problems { get; } = [];
    }

    /// <summary>Sums over the rounds, the summary and the RESULT-SOAK line.</summary>
    private sealed class Totals
    {
        private readonly Dictionary<int, int> _statuses = [];
        private readonly Dictionary<string, int> _diagnostics = [];
        private readonly List<SdkOperation> _changedOperations = [];
        private int _requests, _puts, _unanswered, _changedOwn, _canceled, _expected404, _unexplained, _sdkUnexplained, _unexpectedDiagnostics;
        private int _misdirected, _answersChecked, _etagsChecked, _verified, _wrong, _problems, _publishes;

        public void Add(PublishRun first, PublishRun second, Expectations a, Expectations b, Check checkFirst, Check checkSecond, int problems)
        {
            foreach (var run in new[] { first, second })
            {
                _publishes++;
                _requests += run.Proxy.Requests;
                _puts += run.Proxy.Methods.GetValueOrDefault("PUT");
                _unanswered += run.Proxy.Unanswered;
                _etagsChecked += run.Proxy.EtagsChecked;
                _answersChecked += run.Sdk.AnswersChecked;
                foreach (var (status, n) in run.Proxy.Statuses)
                {
                    _statuses[status] = _statuses.GetValueOrDefault(status) + n;
                }
                foreach (var (code, n) in run.Diagnostics)
                {
                    _diagnostics[code] = _diagnostics.GetValueOrDefault(code) + n;
                }
            }
            foreach (var e in new[] { a, b })
            {
                _changedOwn += e.ChangedOwn;
                _canceled += e.CanceledByStop;
                _expected404 += e.ExpectedNotFound;
                _unexplained += e.Unexplained;
                _sdkUnexplained += e.SdkUnexplained;
                _unexpectedDiagnostics += e.UnexpectedDiagnostics;
                _misdirected += e.Misdirected;
                _changedOperations.AddRange(e.ChangedOperations);
            }
            _verified += checkFirst.Verified + checkSecond.Verified;
            _wrong += checkFirst.Wrong + checkSecond.Wrong;
            _problems += problems;
        }

        public int Print(BenchOptions options, double wallSeconds)
        {
            Console.WriteLine();
            Console.WriteLine($"Soak: {_publishes} publishes, {_requests:N0} requests ({_puts:N0} PUTs), responses by status " +
                              $"{string.Join(" ", _statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value:N0}"))}, {_unanswered} unanswered; " +
                              $"engine diagnostics {Codes(_diagnostics)}.");
            Console.WriteLine($"  not 2xx or unanswered, explained: {_changedOwn} the changed files' own, {_canceled} canceled by the engine's stop " +
                              $"after the first failure, {_expected404} 404 reads of a fresh prefix's manifest and journal; unexplained: {_unexplained} " +
                              $"at the proxy, {_sdkUnexplained} in the SDK, {_unexpectedDiagnostics} engine outcome(s) other than expected.");
            Console.WriteLine($"  answers of another request: {_misdirected} ({_etagsChecked:N0} PUT ETags checked against the MD5 of the body at the proxy, " +
                              $"{_answersChecked:N0} answers checked against the request in the SDK).");
            Console.WriteLine($"  read back directly from the server: {_verified:N0} objects, {_wrong} not the planned bytes of their key.");
            if (_changedOperations.Count > 0)
            {
                var attempts = _changedOperations.Select(o => (double)o.Attempts).ToArray();
                var ms = _changedOperations.Select(o => o.Milliseconds).ToArray();
                Console.WriteLine($"  changed files' PUTs that failed in the SDK: {_changedOperations.Count}, SDK attempts each {attempts.Min():F0}-{attempts.Max():F0} " +
                                  $"(median {Median(attempts):F0}), first attempt to failure {ms.Min():F0}-{ms.Max():F0} ms (median {Median(ms):F0}).");
            }
            var unexplained = _unexplained + _sdkUnexplained + _unexpectedDiagnostics;
            var passed = unexplained == 0 && _misdirected == 0 && _wrong == 0 && _problems == 0;
            Target("failed requests not explained by a changed file = 0", unexplained, 0, "F0");
            Target("answers of another request = 0", _misdirected, 0, "F0");
            Target("objects stored with other bytes than their key's = 0", _wrong, 0, "F0");
            Console.WriteLine($"  {(_puts >= MinimumPuts ? "PASS" : "n/a ")}  PUTs >= {MinimumPuts:N0} (what the soak is for; a smaller run only checks the mode): {_puts:N0}");
            Console.WriteLine();
            Console.WriteLine($"RESULT-SOAK rounds={options.Rounds} concurrency={options.Concurrency[0]} rtt_ms={options.RttMs[0]} puts={_puts} requests={_requests} " +
                              $"failed_explained={_changedOwn} canceled_by_stop={_canceled} failed_unexplained={_unexplained + _sdkUnexplained} " +
                              $"diagnostics={Codes(_diagnostics).Replace(' ', ',')} unexpected_outcomes={_unexpectedDiagnostics} misdirected={_misdirected} " +
                              $"verified={_verified} wrong={_wrong} problems={_problems} wall_s={wallSeconds:F1}");
            return passed ? 0 : 1;
        }
    }

    /// <summary>Counts the engine's diagnostics by code, keeps its errors, and completes <c>planned</c> when the engine
    /// logs its plan (its "Planned ..." line, before the first upload).</summary>
    private sealed class SoakLog(TaskCompletionSource planned, bool verbose) : IPublishLog
    {
        private readonly ConcurrentDictionary<string, int> _codes = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<Diagnostic> _errors = new();

        public IReadOnlyDictionary<string, int> Diagnostics => new SortedDictionary<string, int>(_codes, StringComparer.Ordinal);

        public IReadOnlyList<Diagnostic> Errors => [.. _errors];

        public void Report(Diagnostic diagnostic)
        {
            _codes.AddOrUpdate(diagnostic.Code, 1, (_, n) => n + 1);
            if (diagnostic.Severity == DiagnosticSeverity.Error)
            {
                _errors.Enqueue(diagnostic);
            }
            if (verbose)
            {
                Console.Error.WriteLine("    " + diagnostic);
            }
        }

        public void Message(LogImportance importance, string message)
        {
            if (message.StartsWith("Planned ", StringComparison.Ordinal))
            {
                planned.TrySetResult();
            }
            if (verbose && importance != LogImportance.Low)
            {
                Console.Error.WriteLine("    " + message);
            }
        }

        public bool Logs(LogImportance importance) => importance != LogImportance.Low;
    }
}
