using System.Diagnostics.CodeAnalysis;

namespace StaticAssets.AspNetCore.Manifest;

/// <summary>Logical path → published asset, looked up by a span of the link (no substring, no allocation).</summary>
internal sealed class AssetTable
{
    private readonly Dictionary<string, PublishedAsset> _byPath;
#if NET9_0_OR_GREATER
    private readonly Dictionary<string, PublishedAsset>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
#endif

    public static readonly AssetTable Empty = new(new Dictionary<string, PublishedAsset>(StringComparer.Ordinal));

    public AssetTable(Dictionary<string, PublishedAsset> byPath)
    {
        _byPath = byPath;
#if NET9_0_OR_GREATER
        _bySpan = byPath.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
    }

    public int Count => _byPath.Count;

    public IEnumerable<KeyValuePair<string, PublishedAsset>> Entries => _byPath;

    public bool TryGet(ReadOnlySpan<char> logicalPath, [NotNullWhen(true)] out PublishedAsset? asset)
    {
#if NET9_0_OR_GREATER
        return _bySpan.TryGetValue(logicalPath, out asset);
#else
        // .NET 8 has no span lookup for Dictionary: one string per lookup there.
        return _byPath.TryGetValue(logicalPath.ToString(), out asset);
#endif
    }
}
