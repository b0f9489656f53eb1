using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Plan.Compression;
using StaticAssets.Engine.Plan.References;

namespace StaticAssets.Engine.Plan;

public sealed record PlanOptions
{
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";
    public const string ShortCacheControl = "public, max-age=300";
    public const string DefaultFingerprintedNamePattern = @"[.-][0-9a-fA-F]{8,}(\.[A-Za-z0-9]+)+$";

    /// <summary>Cache-Control of fingerprinted objects: their bytes never change under their key.</summary>
    public string CacheControl { get; init; } = ImmutableCacheControl;

    /// <summary>Rewrite CSS url()/@import and sourceMappingURL references to fingerprinted keys.</summary>
    public bool RewriteReferences { get; init; }

    /// <summary>Also rewrite JavaScript import/export specifiers (opt-in, like Django's experimental flag).</summary>
    public bool RewriteJavaScriptModules { get; init; }

    /// <summary>A reference to a file that is not a static asset is an error instead of a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>File names that already carry a content hash (bundler output such as app.3f9a1c2b.js) keep their name.</summary>
    public System.Text.RegularExpressions.Regex? FingerprintedNamePattern { get; init; }

    /// <summary>Compressed copies to publish: null keeps the copies given and makes none; otherwise only these
    /// encodings, made where the build gave none (an empty list publishes no compressed copies at all).</summary>
    public IReadOnlyList<string>? Compression { get; init; }

    /// <summary>Also store un-fingerprinted copies under the logical paths, with <see cref="OriginalsCacheControl"/>.</summary>
    public bool KeepOriginalNames { get; init; }

    public string OriginalsCacheControl { get; init; } = ShortCacheControl;

    /// <summary>Where rewritten and compressed files are kept (reused across publishes); a temporary folder if null.</summary>
    public string? WorkDirectory { get; init; }
}

/// <summary>
/// Plan: validates the gathered assets, takes or computes each file's SHA-256, and derives keys and headers.
/// Reads files but writes nothing. The result depends only on the inputs, never on timing.
/// </summary>
public static class AssetPlanner
{
    /// <summary>Returns the plan, or null after reporting every invalid input as an error.</summary>
    public static async Task<PublishPlan?> PlanAsync(
        IReadOnlyList<AssetSource> sources, PlanOptions options, IPublishLog log, CancellationToken cancellationToken)
    {
        var accepted = Validate(sources, log);
        if (accepted is null)
        {
            return null;
        }

        // Every file to describe, primaries and variants, each owning one slot of the result array.
        var files = accepted
            .SelectMany(s => (s.Variants ?? []).Select(v => (v.SourcePath, v.Integrity)).Prepend((s.SourcePath, s.Integrity)))
            .ToArray();
        var described = new (long Size, Sha256Digest Digest)[files.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, files.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, ct) => described[i] = await DescribeAsync(files[i].SourcePath, files[i].Integrity, ct).ConfigureAwait(false))
            .ConfigureAwait(false);

        // Facts of each asset, in input order, with the compressed copies the build gave.
        var work = new List<AssetWork>(accepted.Count);
        var next = 0;
        foreach (var source in accepted)
        {
            var (size, digest) = described[next++];
            var contentType = string.IsNullOrWhiteSpace(source.ContentType) ? ContentTypes.ForPath(source.LogicalPath) : source.ContentType;
            var fingerprint = !source.AlreadyFingerprinted
                && options.FingerprintedNamePattern?.IsMatch(source.LogicalPath[(source.LogicalPath.LastIndexOf('/') + 1)..]) != true;
            var asset = new AssetWork(source, size, digest, contentType, fingerprint);
            foreach (var variant in source.Variants ?? [])
            {
                var (variantSize, variantDigest) = described[next++];
                asset.Variants.Add(new VariantFile(variant.Encoding, variant.SourcePath, variantSize, variantDigest));
            }
            work.Add(asset);
        }

        var workDirectory = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "staticassets-work");
        if (options.RewriteReferences)
        {
            if (!await new ReferenceRewriter(options, log, workDirectory).RewriteAsync(work, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
        else
        {
            foreach (var asset in work)
            {
                asset.KeyFingerprint = asset.Fingerprint ? asset.Digest.Hex[..FingerprintedKeys.FingerprintLength] : null;
            }
        }
        foreach (var asset in work)
        {
            // Copies compressed from the source no longer match rewritten content; copies of disabled encodings go.
            asset.Variants.RemoveAll(v => asset.Rewritten || (options.Compression is { } enabled && !enabled.Contains(v.Encoding)));
        }
        if (options.Compression is { Count: > 0 } formats)
        {
            await Precompressor.CompressAsync(work, formats, workDirectory, cancellationToken).ConfigureAwait(false);
        }

        var planned = work.Select(a => ToPlanned(a, options)).OrderBy(a => a.LogicalPath, StringComparer.Ordinal).ToArray();
        return new PublishPlan(WithoutKeyCollisions(planned, log));
    }

    /// <summary>
    /// Every key names one object. Fingerprinted objects claim their keys first; a compressed or un-fingerprinted
    /// copy whose key another object already has is dropped with a warning (two writes must never race for a key).
    /// </summary>
    private static PlannedAsset[] WithoutKeyCollisions(PlannedAsset[] assets, IPublishLog log)
    {
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var asset in assets)
        {
            claimed.Add(asset.Object.Key);
        }
        bool Claim(string owner, PlannedObject obj)
        {
            if (claimed.Add(obj.Key))
            {
                return true;
            }
            log.Report(Diagnostic.Warning(DiagnosticCodes.DuplicateLogicalPath,
                $"The key '{obj.Key}' (a copy of '{owner}') is already another object's; that copy is not published."));
            return false;
        }
        return assets.Select(asset =>
        {
            var variants = asset.Variants.Where(v => Claim(asset.LogicalPath, v.Object)).ToArray();
            var original = asset.Original is { } o && Claim(asset.LogicalPath, o.Object)
                ? o with { Variants = o.Variants.Where(v => Claim(asset.LogicalPath, v.Object)).ToArray() }
                : null;
            return asset with { Variants = variants, Original = original };
        }).ToArray();
    }

    private static PlannedAsset ToPlanned(AssetWork asset, PlanOptions options)
    {
        PlannedObject ObjectFor(string key, string path, long size, Sha256Digest digest, string? encoding, bool immutable) =>
            new(key, path, size, digest, asset.ContentType, encoding, immutable ? options.CacheControl : options.OriginalsCacheControl, immutable);

        IReadOnlyList<PlannedVariant> VariantsFor(string key, bool immutable) => asset.Variants
            .OrderBy(v => v.Encoding, StringComparer.Ordinal)
            .Select(v => new PlannedVariant(v.Encoding, ObjectFor(key + FingerprintedKeys.VariantSuffix(v.Encoding), v.Path, v.Size, v.Digest, v.Encoding, immutable)))
            .ToArray();

        var key = asset.Key;
        var original = options.KeepOriginalNames && key != asset.LogicalPath
            ? new PlannedOriginal(
                ObjectFor(asset.LogicalPath, asset.ContentPath, asset.Size, asset.Digest, null, immutable: false),
                VariantsFor(asset.LogicalPath, immutable: false))
            : null;
        return new PlannedAsset(
            asset.LogicalPath,
            ObjectFor(key, asset.ContentPath, asset.Size, asset.Digest, null, immutable: true),
            VariantsFor(key, immutable: true),
            original);
    }

    private static async Task<(long, Sha256Digest)> DescribeAsync(string path, string? integrity, CancellationToken cancellationToken)
    {
        if (SourceFile(path) is not { } file)
        {
            // Deleted between validation and now.
            throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.SourceFileMissing,
                $"The static asset file '{path}' disappeared while it was being planned. Publish again."));
        }
        var size = file.Length;
        // The SDK already hashed its assets: reuse that instead of reading every file again. Upload verifies the
        // bytes against this digest anyway, so a stale value fails loudly rather than publishing a wrong key.
        var digest = Sha256Digest.TryParseBase64(integrity, out var known)
            ? known
            : await HashAsync(path, cancellationToken).ConfigureAwait(false);
        return (size, digest);
    }

    private static async Task<Sha256Digest> HashAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await Sha256Digest.ComputeAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.SourceFileMissing,
                $"The static asset file '{path}' disappeared while it was being planned. Publish again."), e);
        }
    }

    /// <summary>The file a path names, following symbolic links to the final target; null if there is none.</summary>
    private static FileInfo? SourceFile(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null)
        {
            // A link's own FileInfo describes the link (its length is the target path's): use what it points at.
            file = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        }
        return file is { Exists: true } ? file : null;
    }

    /// <summary>Drops duplicates and unusable variants with a warning; null if any input is an error.</summary>
    private static List<AssetSource>? Validate(IReadOnlyList<AssetSource> sources, IPublishLog log)
    {
        var accepted = new List<AssetSource>(sources.Count);
        var firstByPath = new Dictionary<string, AssetSource>(StringComparer.Ordinal);
        var firstByFoldedPath = new Dictionary<string, AssetSource>(StringComparer.OrdinalIgnoreCase);
        var failed = false;

        void Error(string code, string message)
        {
            failed = true;
            log.Report(Diagnostic.Error(code, message));
        }

        foreach (var source in sources)
        {
            if (LogicalPaths.Validate(source.LogicalPath) is { } problem)
            {
                Error(LogicalPaths.ErrorCode(source.LogicalPath),
                    $"The static asset '{source.SourcePath}' has the logical path '{source.LogicalPath}', which is not valid: {problem}. " +
                    "Set its LogicalPath metadata to a relative URL path such as 'css/site.css'.");
                continue;
            }
            if (firstByPath.TryGetValue(source.LogicalPath, out var first))
            {
                // Like collectstatic: the first one found wins, and the user hears about the other.
                log.Report(Diagnostic.Warning(DiagnosticCodes.DuplicateLogicalPath,
                    $"The static assets '{first.SourcePath}' and '{source.SourcePath}' both have the logical path '{source.LogicalPath}'; " +
                    "publishing the first. Remove one of the StaticAsset items or give it another LogicalPath."));
                continue;
            }
            firstByPath.Add(source.LogicalPath, source);
            if (firstByFoldedPath.TryGetValue(source.LogicalPath, out var sameButCase))
            {
                // Both are published, but a case-insensitive file system or CDN would serve one for the other.
                log.Report(Diagnostic.Warning(DiagnosticCodes.CaseOnlyDifference,
                    $"The logical paths '{sameButCase.LogicalPath}' and '{source.LogicalPath}' differ only in case; both are published, " +
                    "but on a case-insensitive file system or CDN one would replace the other. Rename one of them."));
            }
            else
            {
                firstByFoldedPath.Add(source.LogicalPath, source);
            }

            if (SourceFile(source.SourcePath) is null)
            {
                Error(DiagnosticCodes.SourceFileMissing,
                    $"The static asset file '{source.SourcePath}' (logical path '{source.LogicalPath}') does not exist. " +
                    "Build the project before publishing, or remove the StaticAsset item.");
                continue;
            }

            var variants = new List<AssetVariantSource>();
            foreach (var variant in source.Variants ?? [])
            {
                if (FingerprintedKeys.VariantSuffix(variant.Encoding) is null)
                {
                    log.Report(Diagnostic.Warning(DiagnosticCodes.OrphanVariant,
                        $"The compressed copy '{variant.SourcePath}' of '{source.LogicalPath}' has the encoding '{variant.Encoding}', which is not " +
                        "one of gzip, br or zstd; it is not published."));
                }
                else if (variants.Any(v => string.Equals(v.Encoding, variant.Encoding, StringComparison.OrdinalIgnoreCase)))
                {
                    log.Report(Diagnostic.Warning(DiagnosticCodes.DuplicateLogicalPath,
                        $"'{source.LogicalPath}' has two '{variant.Encoding}' copies; publishing the first, not '{variant.SourcePath}'."));
                }
                else if (SourceFile(variant.SourcePath) is null)
                {
                    Error(DiagnosticCodes.SourceFileMissing,
                        $"The compressed copy '{variant.SourcePath}' of '{source.LogicalPath}' does not exist. Build the project before publishing.");
                }
                else
                {
                    variants.Add(variant with { Encoding = variant.Encoding.ToLowerInvariant() });
                }
            }
            accepted.Add(source with { Variants = variants });
        }
        return failed ? null : MergeCompressedCopies(accepted, log);
    }

    /// <summary>
    /// A folder that ships <c>x.js</c> and <c>x.js.gz</c> (bundler compression plugins) gathered as two assets: the
    /// second is the first's compressed copy, not an asset of its own (its key would collide with the copy's).
    /// </summary>
    private static List<AssetSource> MergeCompressedCopies(List<AssetSource> accepted, IPublishLog log)
    {
        var byPath = accepted.ToDictionary(a => a.LogicalPath, StringComparer.Ordinal);
        var merged = new Dictionary<string, AssetSource>(StringComparer.Ordinal);
        var absorbed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in accepted)
        {
            foreach (var encoding in new[] { "gzip", "br", "zstd" })
            {
                var suffix = FingerprintedKeys.VariantSuffix(encoding)!;
                if (!source.LogicalPath.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                    || !byPath.TryGetValue(source.LogicalPath[..^suffix.Length], out var primary))
                {
                    continue;
                }
                var current = merged.GetValueOrDefault(primary.LogicalPath, primary);
                absorbed.Add(source.LogicalPath);
                if ((current.Variants ?? []).Any(v => v.Encoding == encoding))
                {
                    log.Report(Diagnostic.Warning(DiagnosticCodes.DuplicateLogicalPath,
                        $"'{source.LogicalPath}' is a {encoding} copy of '{primary.LogicalPath}', which already has one; publishing the first, not '{source.SourcePath}'."));
                }
                else
                {
                    log.Message(LogImportance.Low, $"Publishing '{source.LogicalPath}' as the {encoding} copy of '{primary.LogicalPath}'.");
                    merged[primary.LogicalPath] = current with
                    {
                        Variants = [.. current.Variants ?? [], new AssetVariantSource(source.SourcePath, encoding, source.Integrity)],
                    };
                }
            }
        }
        return accepted.Where(a => !absorbed.Contains(a.LogicalPath)).Select(a => merged.GetValueOrDefault(a.LogicalPath, a)).ToList();
    }
}
