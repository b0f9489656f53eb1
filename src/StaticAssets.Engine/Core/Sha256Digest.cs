using System.Security.Cryptography;

namespace StaticAssets.Engine.Core;

/// <summary>A SHA-256 digest, kept as lowercase hex (the manifest's form).</summary>
public readonly record struct Sha256Digest
{
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private Sha256Digest(string hex) => Hex = hex;

    public string Hex { get; }

    /// <summary>The Subresource Integrity form, <c>sha256-BASE64</c>.</summary>
    public string Integrity => "sha256-" + Convert.ToBase64String(Convert.FromHexString(Hex));

    public static Sha256Digest FromBytes(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"A SHA-256 digest has {SHA256.HashSizeInBytes} bytes, not {hash.Length}.", nameof(hash));
        }
        return new Sha256Digest(Convert.ToHexString(hash).ToLowerInvariant());
    }

    /// <summary>Parses lowercase or uppercase hex; false for anything that is not 64 hex digits.</summary>
    public static bool TryParseHex(string? hex, out Sha256Digest digest)
    {
        digest = default;
        if (hex is null || hex.Length != SHA256.HashSizeInBytes * 2 || hex.AsSpan().ContainsAnyExcept(HexDigits))
        {
            return false;
        }
        // Lowercase as written (every manifest this package writes): no copy. A manifest names thousands of digests.
        digest = new Sha256Digest(hex.AsSpan().ContainsAnyInRange('A', 'F') ? hex.ToLowerInvariant() : hex);
        return true;
    }

    /// <summary>Parses the SDK's <c>Integrity</c> metadata: base64 of the raw digest, with or without a <c>sha256-</c> prefix.</summary>
    public static bool TryParseBase64(string? value, out Sha256Digest digest)
    {
        digest = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }
        var base64 = value.StartsWith("sha256-", StringComparison.Ordinal) ? value["sha256-".Length..] : value;
        Span<byte> bytes = stackalloc byte[SHA256.HashSizeInBytes + 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != SHA256.HashSizeInBytes)
        {
            return false;
        }
        digest = FromBytes(bytes[..written]);
        return true;
    }

    public static async Task<Sha256Digest> ComputeAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = SourceFiles.OpenSequentialRead(path);
        return FromBytes(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    public static Sha256Digest Compute(ReadOnlySpan<byte> content) => FromBytes(SHA256.HashData(content));

    public override string ToString() => Hex;
}
