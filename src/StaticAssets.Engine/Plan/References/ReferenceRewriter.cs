using System.Text;
using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Plan.References;

/// <summary>
/// Rewrites the URLs in CSS (url(), @import, sourceMappingURL) and JavaScript (sourceMappingURL; import/export
/// specifiers when enabled) to the fingerprinted keys of the assets they name, so a fingerprinted stylesheet never
/// points at a stale image. A root-absolute URL of an asset (<c>/img/a.png</c>, an import of <c>/_content/Lib/x.js</c>,
/// in JavaScript even when specifiers are not fingerprinted) comes out relative to the referencing file
/// (<c>../img/a.&lt;hash&gt;.png</c>): the destination serves the site under a prefix, a CDN path or a path-style
/// bucket URL, where "/" is the host's root, not the site's. A file's fingerprint is the hash of its rewritten
/// content, so it changes whenever anything it references changes: files are processed dependencies first. A cycle
/// (a.css imports b.css imports a.css) is handled deterministically: every member's fingerprint is derived from the
/// whole group's content.
/// </summary>
internal sealed class ReferenceRewriter(PlanOptions options, IPublishLog log, string workDirectory)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="Fingerprint">Whether the URL takes the target's fingerprint (not for a JavaScript specifier
    /// unless specifiers are rewritten: then only a root-absolute one is made relative).</param>
    private sealed record Edge(Reference Reference, ResolvedReference Resolved, AssetWork Target, bool Fingerprint = true);

    private sealed class Node(AssetWork asset, string text, bool bom, IReadOnlyList<Edge> edges)
    {
        public AssetWork Asset { get; } = asset;
        public string Text { get; } = text;
        public bool Bom { get; } = bom;
        public IReadOnlyList<Edge> Edges { get; } = edges;
    }

    /// <summary>Sets every asset's key, rewriting content where it refers to fingerprinted assets. False if strict
    /// mode found a missing reference (reported as errors).</summary>
    public async Task<bool> RewriteAsync(IReadOnlyList<AssetWork> assets, CancellationToken cancellationToken)
    {
        var byPath = assets.ToDictionary(a => a.LogicalPath, StringComparer.Ordinal);
        // Reading, decoding and scanning is per file and CPU-bound: on all cores (a no-change re-publish of 1,021
        // assets spent 0.2-0.4 s here on one). Results by index, reported in asset order, whatever finished first.
        var read = await AllCores.MapAsync(assets, (asset, ct) => new ValueTask<Node?>(ReadNodeAsync(asset, byPath, ct)), cancellationToken)
            .ConfigureAwait(false);
        var nodes = new Dictionary<AssetWork, Node>();
        var ok = true;
        foreach (var node in read)
        {
            if (node is not null)
            {
                nodes[node.Asset] = node;
                ok &= ReportMissing(node, byPath);
            }
        }
        if (!ok)
        {
            return false;
        }

        foreach (var asset in assets.Where(a => !nodes.ContainsKey(a)))
        {
            asset.KeyFingerprint = asset.Fingerprint ? asset.Digest.Hex[..FingerprintedKeys.FingerprintLength] : null;
        }
        foreach (var group in StronglyConnected(assets.Where(nodes.ContainsKey).Select(a => nodes[a]).ToArray(), nodes))
        {
            await RewriteGroupAsync(group, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private async Task<Node?> ReadNodeAsync(AssetWork asset, Dictionary<string, AssetWork> byPath, CancellationToken cancellationToken)
    {
        var extension = Path.GetExtension(asset.LogicalPath).ToLowerInvariant();
        var isCss = extension == ".css";
        var isJs = extension is ".js" or ".mjs";
        // A name that already carries a hash is someone else's content-addressed output: new bytes under it would
        // break "same key, same bytes", so it is published exactly as built.
        if ((!isCss && !isJs) || !asset.Fingerprint)
        {
            return null;
        }
        var bytes = await File.ReadAllBytesAsync(asset.ContentPath, cancellationToken).ConfigureAwait(false);
        var bom = bytes.AsSpan().StartsWith("\uFEFF"u8);
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes, bom ? 3 : 0, bytes.Length - (bom ? 3 : 0));
        }
        catch (DecoderFallbackException)
        {
            return null; // Not UTF-8 text: published as is.
        }
        var references = isCss ? ReferenceScanner.InCss(text) : ReferenceScanner.InJavaScript(text, modules: true);
        var edges = new List<Edge>();
        foreach (var reference in references)
        {
            var resolved = ReferenceResolver.Resolve(asset.LogicalPath, reference.Url, bareNamesAreModules: reference.Module);
            var found = resolved.Kind == ReferenceKind.Asset && resolved.LogicalPath is { } target && byPath.TryGetValue(target, out var targetAsset)
                ? targetAsset
                : null;
            if (reference.Module && !options.RewriteJavaScriptModules)
            {
                // Specifiers are not fingerprinted: only a root-absolute one of an asset changes (made relative).
                if (found is not null && resolved.IsRootAbsolute)
                {
                    edges.Add(new Edge(reference, resolved, found, Fingerprint: false));
                }
            }
            else if (found is not null)
            {
                edges.Add(new Edge(reference, resolved, found));
            }
            else if (resolved.Kind != ReferenceKind.External)
            {
                edges.Add(new Edge(reference, resolved, null!));
            }
        }
        return new Node(asset, text, bom, edges);
    }

    /// <summary>A missing reference is a warning (a missing .map must not abort a deploy), an error when strict.</summary>
    private bool ReportMissing(Node node, Dictionary<string, AssetWork> byPath)
    {
        var ok = true;
        foreach (var edge in node.Edges.Where(e => e.Target is null))
        {
            var diagnostic = Messages.ReferenceNotPublished(log.Spelling, options.Strict, node.Asset.LogicalPath, edge.Reference.Url,
                edge.Resolved.LogicalPath, edge.Resolved.Kind == ReferenceKind.OutsideRoot);
            log.Report(diagnostic);
            ok &= diagnostic.Severity != DiagnosticSeverity.Error;
        }
        return ok;
    }

    private async Task RewriteGroupAsync(IReadOnlyList<Node> group, CancellationToken cancellationToken)
    {
        var members = group.Select(n => n.Asset).ToHashSet();
        var cyclic = group.Count > 1 || group[0].Edges.Any(e => e.Target == group[0].Asset);
        if (cyclic)
        {
            // Each member's key must not depend on the others' final bytes (they depend on it): derive all keys from
            // the group's content with references to the outside rewritten and those inside not yet.
            var ordered = group.OrderBy(n => n.Asset.LogicalPath, StringComparer.Ordinal).ToArray();
            var partial = ordered.Select(n => Sha256Digest.Compute(Encode(n, Apply(n, e => !members.Contains(e.Target))))).ToArray();
            var groupDigest = Sha256Digest.Compute(Encoding.UTF8.GetBytes(string.Join('\n', ordered.Select((n, i) => n.Asset.LogicalPath + "\0" + partial[i].Hex))));
            for (var i = 0; i < ordered.Length; i++)
            {
                var asset = ordered[i].Asset;
                asset.KeyFingerprint = asset.Fingerprint
                    ? Sha256Digest.Compute(Encoding.UTF8.GetBytes(partial[i].Hex + groupDigest.Hex)).Hex[..FingerprintedKeys.FingerprintLength]
                    : null;
            }
            log.Report(Messages.ReferencesCycle(ordered.Select(n => n.Asset.LogicalPath)));
        }
        foreach (var node in group)
        {
            var rewritten = Apply(node, _ => true);
            if (!ReferenceEquals(rewritten, node.Text) && rewritten != node.Text)
            {
                var bytes = Encode(node, rewritten);
                var digest = Sha256Digest.Compute(bytes);
                var path = Path.Combine(workDirectory, "rewritten", digest.Hex + Path.GetExtension(node.Asset.LogicalPath));
                if (!File.Exists(path))
                {
                    await AtomicFile.WriteAsync(path, bytes, cancellationToken).ConfigureAwait(false);
                }
                node.Asset.UseRewrittenContent(path, bytes.Length, digest);
            }
            if (!cyclic)
            {
                node.Asset.KeyFingerprint = node.Asset.Fingerprint ? node.Asset.Digest.Hex[..FingerprintedKeys.FingerprintLength] : null;
            }
        }
    }

    /// <summary>The text with each chosen reference's file name given its target's fingerprint, and root-absolute
    /// ones made relative to the node; query and fragment kept.</summary>
    private static string Apply(Node node, Func<Edge, bool> choose)
    {
        var text = new StringBuilder(node.Text.Length + 16 * node.Edges.Count);
        var at = 0;
        foreach (var edge in node.Edges)
        {
            if (edge.Target is null || !choose(edge))
            {
                continue;
            }
            var path = edge.Fingerprint && edge.Target.KeyFingerprint is { } fingerprint
                ? FingerprintedKeys.Insert(edge.Resolved.PathPart, fingerprint)
                : edge.Resolved.PathPart;
            if (edge.Resolved.IsRootAbsolute)
            {
                path = ReferenceResolver.RelativeTo(node.Asset.LogicalPath, path, edge.Resolved.LogicalPath!);
            }
            if (path == edge.Resolved.PathPart)
            {
                continue;
            }
            text.Append(node.Text, at, edge.Reference.Start - at).Append(path).Append(edge.Resolved.Suffix);
            at = edge.Reference.Start + edge.Reference.Length;
        }
        return at == 0 ? node.Text : text.Append(node.Text, at, node.Text.Length - at).ToString();
    }

    private static byte[] Encode(Node node, string text)
    {
        var body = Encoding.UTF8.GetBytes(text);
        return node.Bom ? [0xEF, 0xBB, 0xBF, .. body] : body;
    }

    /// <summary>Tarjan's algorithm: groups of nodes that reach each other, each group after every group it refers to.</summary>
    private static List<IReadOnlyList<Node>> StronglyConnected(IReadOnlyList<Node> nodes, Dictionary<AssetWork, Node> byAsset)
    {
        var index = new Dictionary<Node, int>();
        var low = new Dictionary<Node, int>();
        var stack = new Stack<Node>();
        var onStack = new HashSet<Node>();
        var result = new List<IReadOnlyList<Node>>();
        var counter = 0;

        // Iterative, so a long chain of imports cannot overflow the stack.
        foreach (var root in nodes)
        {
            if (index.ContainsKey(root))
            {
                continue;
            }
            var work = new Stack<(Node Node, int NextEdge)>();
            work.Push((root, 0));
            index[root] = low[root] = counter++;
            stack.Push(root);
            onStack.Add(root);
            while (work.Count > 0)
            {
                var (node, next) = work.Pop();
                var targets = node.Edges.Where(e => e.Target is not null && byAsset.ContainsKey(e.Target)).Select(e => byAsset[e.Target]).ToArray();
                if (next < targets.Length)
                {
                    work.Push((node, next + 1));
                    var target = targets[next];
                    if (!index.ContainsKey(target))
                    {
                        index[target] = low[target] = counter++;
                        stack.Push(target);
                        onStack.Add(target);
                        work.Push((target, 0));
                    }
                    else if (onStack.Contains(target))
                    {
                        low[node] = Math.Min(low[node], index[target]);
                    }
                    continue;
                }
                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
                if (low[node] == index[node])
                {
                    var group = new List<Node>();
                    Node member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        group.Add(member);
                    }
                    while (member != node);
                    result.Add(group);
                }
            }
        }
        return result;
    }
}
