namespace StaticAssets.Engine.Plan;

/// <summary>Content types by extension, for assets whose build metadata does not carry one.</summary>
public static class ContentTypes
{
    public const string Default = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".avif"] = "image/avif",
        [".bmp"] = "image/bmp",
        [".css"] = "text/css",
        [".csv"] = "text/csv",
        [".eot"] = "application/vnd.ms-fontobject",
        [".gif"] = "image/gif",
        [".htm"] = "text/html",
        [".html"] = "text/html",
        [".ico"] = "image/x-icon",
        [".jpeg"] = "image/jpeg",
        [".jpg"] = "image/jpeg",
        [".js"] = "text/javascript",
        [".json"] = "application/json",
        [".jsonld"] = "application/ld+json",
        [".map"] = "application/json",
        [".md"] = "text/markdown",
        [".mjs"] = "text/javascript",
        [".mp3"] = "audio/mpeg",
        [".mp4"] = "video/mp4",
        [".oga"] = "audio/ogg",
        [".ogg"] = "audio/ogg",
        [".ogv"] = "video/ogg",
        [".otf"] = "font/otf",
        [".pdf"] = "application/pdf",
        [".png"] = "image/png",
        [".svg"] = "image/svg+xml",
        [".ttf"] = "font/ttf",
        [".txt"] = "text/plain",
        [".wasm"] = "application/wasm",
        [".wav"] = "audio/wav",
        [".webm"] = "video/webm",
        [".webmanifest"] = "application/manifest+json",
        [".webp"] = "image/webp",
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".xml"] = "text/xml",
        [".zip"] = "application/zip",
    };

    public static string ForPath(string path) =>
        ByExtension.TryGetValue(Path.GetExtension(path), out var type) ? type : Default;
}
