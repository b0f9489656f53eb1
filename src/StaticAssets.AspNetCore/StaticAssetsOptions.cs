namespace StaticAssets.AspNetCore;

/// <summary>
/// Settings of <c>services.AddPublishedStaticAssets()</c>, bound from the
/// configuration section <c>StaticAssets</c> (e.g. the environment variable <c>StaticAssets__BaseUrl</c>).
/// </summary>
public sealed class StaticAssetsOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "StaticAssets";

    /// <summary>The manifest's file name, as <c>dotnet publish</c> writes it beside the app.</summary>
    public const string DefaultManifestName = "staticassets.manifest.json";

    /// <summary>
    /// Where the published objects are served: an absolute http(s) URL (a bucket, a CDN) or a root-relative path
    /// (<c>/static/</c>, a reverse proxy serving the destination). Links become <c>BaseUrl + key</c>. Unset: the app
    /// links its assets exactly as it would without this package.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// The manifest to read. Relative paths are relative to the app's folder (<see cref="AppContext.BaseDirectory"/>).
    /// Default: <c>staticassets.manifest.json</c> there, the copy <c>dotnet publish</c> writes; when that file is
    /// absent (<c>dotnet run</c>) links stay local. A path set here must exist.
    /// </summary>
    public string? ManifestPath { get; set; }

    /// <summary>
    /// Emit <c>integrity</c> and <c>crossorigin="anonymous"</c> on the stylesheets and scripts the tag helpers link, and
    /// the import map's <c>integrity</c> section. Off by default: cross-origin SRI needs CORS on the bucket.
    /// </summary>
    public bool Integrity { get; set; }

    /// <summary>
    /// A page that links an asset (<c>~/...</c>) the manifest does not name fails to render instead of linking the
    /// local URL, and a configured BaseUrl without a manifest fails at start-up. For CI and staging.
    /// </summary>
    public bool Strict { get; set; }

    /// <summary>
    /// Link an asset's pre-compressed object (<c>.br</c>, <c>.zst</c>, <c>.gz</c>, stored with its Content-Encoding) when
    /// the page request's Accept-Encoding allows it, so a plain bucket serves compressed bytes. Pages then vary by
    /// Accept-Encoding (the response says so).
    /// </summary>
    public bool PreferCompressed { get; set; }
}
