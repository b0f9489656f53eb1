namespace StaticAssets.Engine.Core;

/// <summary>
/// The settings a user gives a publish. The engine names them only through an <see cref="OptionSpelling"/>, so each
/// front end's messages speak its own language (MSBuild: <c>StaticAssetsDestination</c>; a command line:
/// <c>--destination</c>).
/// </summary>
public enum Option
{
    Destination,
    MaxConcurrency,
    MaxAttempts,
    DryRun,
    ManifestName,
    LocalManifestPath,
    CacheControl,
    RewriteReferences,
    RewriteJsImports,
    Strict,
    FingerprintPattern,
    Compression,
    BrotliQuality,
    KeepOriginalNames,
    CompressOriginals,
    OriginalsCacheControl,
    WorkDirectory,
    VerifyRemote,
    S3ServiceUrl,
    S3Region,
    S3ForcePathStyle,
    S3ChecksumMode,
    AzureConnectionStringVariable,
    AzureSasVariable,
    PipelineReporting,
    Generation,
    KeepGenerations,
    PruneMinAge,
    MaxDeletes,
    PruneDryRun,
    AdoptManifest,
}

/// <summary>How a front end spells each <see cref="Option"/> in what it shows the user.</summary>
public sealed class OptionSpelling(Func<Option, string> spell)
{
    /// <summary>The option's own name (<c>MaxConcurrency</c>): for callers of the engine's API.</summary>
    public static OptionSpelling Plain { get; } = new(option => option.ToString());

    public string this[Option option] => spell(option);
}
