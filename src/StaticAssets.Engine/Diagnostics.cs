namespace StaticAssets.Engine;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>A warning or error with a stable code, documented in docs/errors.md.</summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Message)
{
    public static Diagnostic Error(string code, string message) => new(code, DiagnosticSeverity.Error, message);

    public static Diagnostic Warning(string code, string message) => new(code, DiagnosticSeverity.Warning, message);

    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()} {Code}: {Message}";
}

/// <summary>The stable codes. Never reuse or renumber one: users search for them and suppress warnings by them.</summary>
public static class DiagnosticCodes
{
    // SA1xxx: the publish's input or settings are wrong; nothing was written.
    public const string InvalidDestination = "SA1001";
    public const string InvalidConcurrency = "SA1002";
    public const string InvalidLogicalPath = "SA1003";
    public const string SourceFileMissing = "SA1004";
    public const string InvalidManifestName = "SA1005";
    public const string MissingLogicalPath = "SA1006";
    public const string InvalidS3Setting = "SA1007";
    public const string UnsupportedDestinationScheme = "SA1008";
    public const string AbsoluteLogicalPath = "SA1009";
    public const string BackslashInLogicalPath = "SA1010";
    public const string InvalidPipelineReporting = "SA1011";
    public const string InvalidAzureSetting = "SA1012";
    public const string MissingReferenceStrict = "SA1013";
    public const string InvalidPlanSetting = "SA1014";

    // SA2xxx: warnings; the publish goes on.
    public const string DuplicateLogicalPath = "SA2001";
    public const string InvalidRemoteManifest = "SA2002";
    public const string OrphanVariant = "SA2003";
    public const string CaseOnlyDifference = "SA2004";
    public const string MissingReference = "SA2005";
    public const string ReferenceCycle = "SA2006";

    // SA3xxx: the destination failed; the previous manifest stays in place.
    public const string WriteFailed = "SA3001";
    public const string ReadManifestFailed = "SA3002";
    public const string SourceChanged = "SA3003";
    public const string BucketNotFound = "SA3004";
    public const string AccessDenied = "SA3005";
    public const string EndpointUnreachable = "SA3006";
    public const string SourceDeleted = "SA3007";
    public const string DestinationNotWritable = "SA3008";
    public const string DestinationFull = "SA3009";
    public const string ObjectTooLarge = "SA3010";
    public const string StoreTimedOut = "SA3011";

    // SA4xxx: the publish was stopped.
    public const string Canceled = "SA4001";
}

/// <summary>A failure that ends the publish, carrying the one diagnostic that explains it.</summary>
public sealed class StaticAssetsException(Diagnostic diagnostic, Exception? inner = null)
    : Exception(diagnostic.Message, inner)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}

public enum LogImportance
{
    /// <summary>Shown at minimal verbosity: the one-line summary.</summary>
    High,

    /// <summary>Shown at normal verbosity: progress of long runs.</summary>
    Normal,

    /// <summary>Shown at detailed verbosity: one line per object.</summary>
    Low,
}

/// <summary>Where the engine reports. Implementations must accept calls from any thread.</summary>
public interface IPublishLog
{
    void Report(Diagnostic diagnostic);

    void Message(LogImportance importance, string message);

    /// <summary>Whether messages of this importance go anywhere: callers skip building per-object messages nobody reads.</summary>
    bool Logs(LogImportance importance) => true;

    /// <summary>Upload progress, at most every couple of seconds during long uploads (for CI progress bars).</summary>
    void Progress(int completed, int total)
    {
    }
}
