using StaticAssets.Engine.Core;
using StaticAssets.Engine.Gather;
using StaticAssets.Engine.Plan.Compression;
using StaticAssets.Engine.Plan.References;

namespace StaticAssets.Engine.Plan;

/// <summary>
/// Plan: takes or computes each gathered file's SHA-256 (after the gather stage's checks), rewrites references,
/// makes compressed copies, and derives keys and headers.
/// Reads files but writes nothing. The result depends only on the inputs, never on timing.
/// </summary>
public static class AssetPlanner
{
    /// <summary>Returns the plan, or null after reporting every invalid input as an error.</summary>
    public static async Task<PublishPlan?> PlanAsync(
        IReadOnlyList<AssetSource> sources, PlanOptions options, IPublishLog log, CancellationToken cancellationToken, PhaseTimes? times = null)
    {
        times ??= new PhaseTimes();
        var accepted = AssetGatherer.Validate(sources, log);
        if (accepted is null)
        {
            return null;
        }

        // Every file to describe, primaries and variants, each owning one slot of the result array.
        var files = accepted
            .SelectMany(s => (s.Variants ?? []).Select(v => (v.SourcePath, v.Integrity)).Prepend((s.SourcePath, s.Integrity)))
            .ToArray();
        (long Size, Sha256Digest Digest)[] described;
        using (times.Measure("hash"))
        {
            described = await AllCores.MapAsync(files, (file, ct) => new ValueTask<(long, Sha256Digest)>(DescribeAsync(file.SourcePath, file.Integrity, ct)), cancellationToken)
                .ConfigureAwait(false);
        }

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
            using var rewriting = times.Measure("rewrite");
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
            // Copies compressed from the source no longer match rewritten content; copies of disabled encodings go, and
            // so do the build's copies that save too little to be worth an object (the same rule as ours).
            asset.Variants.RemoveAll(v => asset.Rewritten || (options.Compression is { } enabled && !enabled.Contains(v.Encoding))
                                          || !Precompressor.WorthKeeping(v.Size, asset.Size));
        }
        if (options.Compression is { Count: > 0 } formats)
        {
            using var compressing = times.Measure("compress");
            await Precompressor.CompressAsync(work, formats, options.BrotliQuality, workDirectory, cancellationToken).ConfigureAwait(false);
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
            log.Report(Messages.KeyTaken(obj.Key, owner));
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
            .Select(v => new PlannedVariant(v.Encoding, ObjectFor(key + ContentEncodings.Suffix(v.Encoding), v.Path, v.Size, v.Digest, v.Encoding, immutable)))
            .ToArray();

        var key = asset.Key;
        var original = options.KeepOriginalNames && key != asset.LogicalPath
            ? new PlannedOriginal(
                ObjectFor(asset.LogicalPath, asset.ContentPath, asset.Size, asset.Digest, null, immutable: false),
                options.CompressOriginals ? VariantsFor(asset.LogicalPath, immutable: false) : [])
            : null;
        return new PlannedAsset(
            asset.LogicalPath,
            ObjectFor(key, asset.ContentPath, asset.Size, asset.Digest, null, immutable: true),
            VariantsFor(key, immutable: true),
            original);
    }

    private static async Task<(long, Sha256Digest)> DescribeAsync(string path, string? integrity, CancellationToken cancellationToken)
    {
        if (SourceFiles.Resolve(path) is not { } file)
        {
            // Deleted between the gather stage's checks and now.
            throw Messages.SourceFileDisappeared(path).AsException();
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
            throw Messages.SourceFileDisappeared(path).AsException(e);
        }
    }
}
