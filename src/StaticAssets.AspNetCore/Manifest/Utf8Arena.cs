using System.Runtime.CompilerServices;

namespace StaticAssets.AspNetCore.Manifest;

/// <summary>Where in a <see cref="Utf8Arena"/> a value's bytes are.</summary>
internal readonly record struct Utf8Slice(int Block, int Offset, int Length);

/// <summary>
/// The manifest's keys and integrities as UTF-8, packed into 64 KB blocks: about a third of the memory of one string
/// each, and no object per value. URLs are made from them when first linked.
/// </summary>
internal sealed class Utf8Arena
{
    private const int BlockSize = 64 * 1024;
    private readonly List<byte[]> _blocks = [];
    private int _used = BlockSize;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Utf8Slice Add(ReadOnlySpan<byte> value)
    {
        if (_blocks.Count == 0 || _used + value.Length > _blocks[^1].Length)
        {
            _blocks.Add(new byte[Math.Max(BlockSize, value.Length)]);
            _used = 0;
        }
        var block = _blocks[^1];
        value.CopyTo(block.AsSpan(_used));
        var slice = new Utf8Slice(_blocks.Count - 1, _used, value.Length);
        _used += value.Length;
        return slice;
    }

    public ReadOnlySpan<byte> this[Utf8Slice slice] => _blocks[slice.Block].AsSpan(slice.Offset, slice.Length);
}
