namespace StaticAssets.AspNetCore;

/// <summary>
/// A problem with the package's configuration or manifest, reported with a stable code (SA5xxx,
/// <see cref="StaticAssetsErrorCodes"/>, listed in docs/errors.md). Thrown at start-up, never at a request; the one exception is <see cref="StaticAssetsOptions.Strict"/>
/// reporting a page that links an unpublished asset.
/// </summary>
public sealed class StaticAssetsException : InvalidOperationException
{
    internal StaticAssetsException(string code, string message, Exception? inner = null)
        : base($"{code}: {message}", inner)
    {
        Code = code;
    }

    /// <summary>The stable error code, e.g. <c>SA5001</c>.</summary>
    public string Code { get; }
}
