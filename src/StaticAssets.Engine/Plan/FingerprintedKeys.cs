using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Plan;

/// <summary>Content-addressed object keys: <c>css/site.css</c> with digest d becomes <c>css/site.&lt;d12&gt;.css</c>.</summary>
public static class FingerprintedKeys
{
    /// <summary>Hex digits of the SHA-256 kept in a key (48 bits, as Django's 12 digits of MD5).</summary>
    public const int FingerprintLength = 12;

    public static string For(string logicalPath, Sha256Digest digest) => Insert(logicalPath, digest.Hex[..FingerprintLength]);

    /// <summary>Inserts a fingerprint before the last extension of a path or URL path (or appends it).</summary>
    public static string Insert(string path, string fingerprint)
    {
        var nameStart = path.LastIndexOf('/') + 1;
        var dot = path.LastIndexOf('.');
        // No extension, or a dot-file such as ".htaccess": append the fingerprint.
        if (dot <= nameStart)
        {
            return $"{path}.{fingerprint}";
        }
        return $"{path[..dot]}.{fingerprint}{path[dot..]}";
    }
}
