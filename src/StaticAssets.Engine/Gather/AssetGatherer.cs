using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Gather;

/// <summary>
/// Gather: turns the files a build lists into assets, each with its compressed copies, and checks them before
/// anything is planned. Reports every problem; never reads a file's content.
/// </summary>
public static class AssetGatherer
{
    /// <summary>
    /// The assets among <paramref name="files"/>, in input order, each with the compressed copies that name it as
    /// their <see cref="BuildFile.RelatedAsset"/> (by full path, or by logical path). Null after reporting an asset
    /// without a logical path (SA1006); a copy whose asset is not published is dropped with a warning (SA2003), or
    /// quietly when its asset exists but the project removed it from the published set.
    /// </summary>
    public static IReadOnlyList<AssetSource>? FromBuildFiles(IReadOnlyList<BuildFile> files, string baseDirectory, IPublishLog log)
    {
        var primaries = new List<BuildFile>();
        var copies = new List<BuildFile>();
        var failed = false;
        foreach (var file in files)
        {
            if (!string.IsNullOrWhiteSpace(file.ContentEncoding))
            {
                copies.Add(file);
            }
            else if (string.IsNullOrEmpty(file.LogicalPath))
            {
                log.Report(Messages.LogicalPathMissing(file.FullPath));
                failed = true;
            }
            else
            {
                primaries.Add(file);
            }
        }
        if (failed)
        {
            return null;
        }

        var byPath = new Dictionary<string, int>(StringComparer.Ordinal);
        var byLogicalPath = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < primaries.Count; i++)
        {
            byPath.TryAdd(primaries[i].FullPath, i);
            byLogicalPath.TryAdd(primaries[i].LogicalPath!, i);
        }
        var copiesOf = primaries.Select(_ => new List<AssetVariantSource>()).ToArray();
        foreach (var copy in copies)
        {
            var related = copy.RelatedAsset ?? "";
            var encoding = copy.ContentEncoding!.Trim();
            var owner = related.Length > 0
                && (byPath.TryGetValue(Path.GetFullPath(related, baseDirectory), out var index) || byLogicalPath.TryGetValue(related, out index))
                ? index
                : -1;
            if (owner >= 0)
            {
                copiesOf[owner].Add(new AssetVariantSource(copy.FullPath, encoding, copy.Integrity));
            }
            else if (Path.IsPathFullyQualified(related) && File.Exists(related))
            {
                // Its asset exists but is not published (the project removed it): its compressed copies go with it.
                log.Message(LogImportance.Low, $"Not publishing '{copy.FullPath}': its asset '{related}' is not published.");
            }
            else
            {
                log.Report(Messages.CompressedCopyWithoutAsset(copy.FullPath, encoding, related));
            }
        }
        return primaries.Select((p, i) => new AssetSource(
                p.FullPath, p.LogicalPath!, p.Integrity, p.ContentType, copiesOf[i], p.AlreadyFingerprinted))
            .ToArray();
    }

    /// <summary>
    /// The checks every set of assets passes before it is planned: valid logical paths (SA1003/SA1009/SA1010),
    /// existing files (SA1004), one asset per logical path (the first wins, SA2001), usable compressed copies
    /// (SA2003), and copies gathered as assets of their own (<c>x.js.gz</c> beside <c>x.js</c>) merged into their
    /// asset. Null if any input is an error.
    /// </summary>
    public static List<AssetSource>? Validate(IReadOnlyList<AssetSource> sources, IPublishLog log)
    {
        var accepted = new List<AssetSource>(sources.Count);
        var firstByPath = new Dictionary<string, AssetSource>(StringComparer.Ordinal);
        var firstByFoldedPath = new Dictionary<string, AssetSource>(StringComparer.OrdinalIgnoreCase);
        var failed = false;

        void Error(Diagnostic error)
        {
            failed = true;
            log.Report(error);
        }

        foreach (var source in sources)
        {
            if (LogicalPaths.Validate(source.LogicalPath) is { } problem)
            {
                Error(Messages.LogicalPathInvalid(LogicalPaths.ErrorCode(source.LogicalPath), source.SourcePath, source.LogicalPath, problem));
                continue;
            }
            if (firstByPath.TryGetValue(source.LogicalPath, out var first))
            {
                // Like collectstatic: the first one found wins, and the user hears about the other.
                log.Report(Messages.LogicalPathTwice(first.SourcePath, source.SourcePath, source.LogicalPath));
                continue;
            }
            firstByPath.Add(source.LogicalPath, source);
            if (firstByFoldedPath.TryGetValue(source.LogicalPath, out var sameButCase))
            {
                // Both are published, but a case-insensitive file system or CDN would serve one for the other.
                log.Report(Messages.LogicalPathsDifferInCase(sameButCase.LogicalPath, source.LogicalPath));
            }
            else
            {
                firstByFoldedPath.Add(source.LogicalPath, source);
            }

            if (SourceFiles.Resolve(source.SourcePath) is null)
            {
                Error(Messages.SourceFileNotFound(source.SourcePath, source.LogicalPath));
                continue;
            }

            var variants = new List<AssetVariantSource>();
            foreach (var variant in source.Variants ?? [])
            {
                if (ContentEncodings.Suffix(variant.Encoding) is null)
                {
                    log.Report(Messages.EncodingUnsupported(variant.SourcePath, source.LogicalPath, variant.Encoding));
                }
                else if (variants.Any(v => string.Equals(v.Encoding, variant.Encoding, StringComparison.OrdinalIgnoreCase)))
                {
                    log.Report(Messages.CompressedCopyTwice(source.LogicalPath, variant.Encoding, variant.SourcePath));
                }
                else if (SourceFiles.Resolve(variant.SourcePath) is null)
                {
                    Error(Messages.CompressedCopyNotFound(variant.SourcePath, source.LogicalPath));
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
            foreach (var encoding in ContentEncodings.All)
            {
                var suffix = ContentEncodings.Suffix(encoding)!;
                if (!source.LogicalPath.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                    || !byPath.TryGetValue(source.LogicalPath[..^suffix.Length], out var primary))
                {
                    continue;
                }
                var current = merged.GetValueOrDefault(primary.LogicalPath, primary);
                absorbed.Add(source.LogicalPath);
                if ((current.Variants ?? []).Any(v => v.Encoding == encoding))
                {
                    log.Report(Messages.CompressedAssetTwice(source.LogicalPath, encoding, primary.LogicalPath, source.SourcePath));
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
