using StaticAssets.Engine.Gather;

namespace StaticAssets.Engine.Plan;

public sealed record PlanOptions
{
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";

    /// <summary>Cache-Control of fingerprinted objects: their bytes never change under their key.</summary>
    public string CacheControl { get; init; } = ImmutableCacheControl;
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

        var assets = new List<PlannedAsset>(accepted.Count);
        var next = 0;
        foreach (var source in accepted)
        {
            var (size, digest) = described[next++];
            var key = FingerprintedKeys.For(source.LogicalPath, digest);
            var contentType = string.IsNullOrWhiteSpace(source.ContentType) ? ContentTypes.ForPath(source.LogicalPath) : source.ContentType;
            var primary = new PlannedObject(key, source.SourcePath, size, digest, contentType, null, options.CacheControl);
            var variants = new List<PlannedVariant>();
            foreach (var variant in source.Variants ?? [])
            {
                var (variantSize, variantDigest) = described[next++];
                var variantKey = key + FingerprintedKeys.VariantSuffix(variant.Encoding);
                variants.Add(new PlannedVariant(
                    variant.Encoding,
                    new PlannedObject(variantKey, variant.SourcePath, variantSize, variantDigest, contentType, variant.Encoding, options.CacheControl)));
            }
            assets.Add(new PlannedAsset(source.LogicalPath, primary, variants.OrderBy(v => v.Encoding, StringComparer.Ordinal).ToArray()));
        }
        return new PublishPlan(assets.OrderBy(a => a.LogicalPath, StringComparer.Ordinal).ToArray());
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
        return failed ? null : accepted;
    }
}
