using StaticAssets.AspNetCore.Diagnostics;

namespace StaticAssets.AspNetCore.Linking;

/// <summary>Validates the configured BaseUrl and puts it in the one shape links are built from: ending in '/'.</summary>
internal static class BaseUrl
{
    public static string Normalize(string value)
    {
        var trimmed = value.Trim();
        if (trimmed.StartsWith('/'))
        {
            return NormalizeRootRelative(trimmed);
        }
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw Messages.BaseUrlInvalid(trimmed, "is neither an absolute http(s) URL nor a root-relative path");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Messages.BaseUrlHasCredentials();
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Messages.BaseUrlInvalid(trimmed, "has a query or fragment; keys are appended to it");
        }
        var absolute = uri.AbsoluteUri;
        return absolute.EndsWith('/') ? absolute : absolute + "/";
    }

    private static string NormalizeRootRelative(string value)
    {
        // "//host/..." would be a scheme-relative URL, and "\" is read as "/" by browsers.
        if (value.StartsWith("//", StringComparison.Ordinal) || value.Contains('\\')
            || value.AsSpan().IndexOfAny("?#") >= 0 || value.Any(char.IsWhiteSpace) || value.Any(char.IsControl))
        {
            throw Messages.BaseUrlInvalid(value, "is not a plain root-relative path");
        }
        return value.EndsWith('/') ? value : value + "/";
    }
}
