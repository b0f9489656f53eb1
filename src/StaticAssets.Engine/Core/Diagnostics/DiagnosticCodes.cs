namespace StaticAssets.Engine.Core;

/// <summary>
/// The stable codes, each documented in docs/errors.md (a test keeps the two in step). Never reuse or renumber one:
/// users search for them and suppress warnings by them. Their messages live in <see cref="Messages"/>.
/// </summary>
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
    public const string InvalidSwitch = "SA1015";

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
    public const string NoCredentials = "SA3012";

    // SA4xxx: the publish was stopped.
    public const string Canceled = "SA4001";
}
