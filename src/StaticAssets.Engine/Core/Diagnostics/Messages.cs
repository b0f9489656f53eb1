using static StaticAssets.Engine.Core.DiagnosticCodes;
using static StaticAssets.Engine.Core.Option;

namespace StaticAssets.Engine.Core;

/// <summary>
/// The catalogue: every message a publish shows, grouped by code in code order (as msbuild keeps its MSBxxxx
/// messages in one Strings.resx). Each says what happened and what to do; options are named through the front end's
/// <see cref="OptionSpelling"/>. Nothing else in the engine or its front ends writes message text for a code.
/// </summary>
public static class Messages
{
    // SA1001
    public static Diagnostic DestinationEmpty(OptionSpelling o) => Error(InvalidDestination,
        $"{o[Destination]} is empty. Set it to a folder path, a file:// URI, s3://bucket/prefix/ or an Azure Blob container URL, " +
        "or leave it unset for the default.");

    public static Diagnostic DestinationNotAFileUri(OptionSpelling o, string value) => Error(InvalidDestination,
        $"{o[Destination]} '{value}' is not a valid file:// URI. Use the form file:///absolute/folder, or a plain folder path.");

    public static Diagnostic DestinationNotAFolder(OptionSpelling o, string value, string why) => Error(InvalidDestination,
        $"{o[Destination]} '{value}' is not a valid folder path: {why}");

    public static Diagnostic DestinationBadBucket(OptionSpelling o, string value, string bucket) => Error(InvalidDestination,
        $"{o[Destination]} '{value}' does not name a valid S3 bucket ('{bucket}'). Use s3://bucket-name/optional/prefix/.");

    public static Diagnostic DestinationBadPrefix(OptionSpelling o, string value, string prefix, string problem) => Error(InvalidDestination,
        $"{o[Destination]} '{value}' has an invalid prefix '{prefix}': {problem}.");

    public static Diagnostic DestinationBadContainer(OptionSpelling o, string value) => Error(InvalidDestination,
        $"{o[Destination]} '{value}' does not name a valid blob container. Use https://ACCOUNT.blob.core.windows.net/container-name/optional/prefix/.");

    public static Diagnostic DestinationCarriesSecrets(OptionSpelling o, string valueWithoutQuery) => Error(InvalidDestination,
        $"{o[Destination]} '{valueWithoutQuery}' must not carry credentials, a query or a fragment: give the SAS token through {o[AzureSasVariable]}.");

    // SA1002
    public static Diagnostic ConcurrencyOutOfRange(OptionSpelling o, string value, int max) => Error(InvalidConcurrency,
        $"{o[MaxConcurrency]} is '{value}'; it must be a whole number from 1 to {max}.");

    // SA1003, SA1009, SA1010 (LogicalPaths.ErrorCode picks which)
    public static Diagnostic LogicalPathInvalid(string code, string sourcePath, string logicalPath, string problem) => Error(code,
        $"The static asset '{sourcePath}' has the logical path '{logicalPath}', which is not valid: {problem}. " +
        "Set its LogicalPath metadata to a relative URL path such as 'css/site.css'.");

    // SA1004
    public static Diagnostic SourceFileNotFound(string sourcePath, string logicalPath) => Error(SourceFileMissing,
        $"The static asset file '{sourcePath}' (logical path '{logicalPath}') does not exist. Build the project before publishing, or remove the StaticAsset item.");

    public static Diagnostic CompressedCopyNotFound(string sourcePath, string logicalPath) => Error(SourceFileMissing,
        $"The compressed copy '{sourcePath}' of '{logicalPath}' does not exist. Build the project before publishing.");

    public static Diagnostic SourceFileDisappeared(string path) => Error(SourceFileMissing,
        $"The static asset file '{path}' disappeared while it was being planned. Publish again.");

    // SA1005
    public static Diagnostic ManifestNameInvalid(OptionSpelling o, string name, string defaultName) => Error(InvalidManifestName,
        $"{o[ManifestName]} '{name}' is not a valid file name. Use a plain name such as '{defaultName}'.");

    // SA1006
    public static Diagnostic LogicalPathMissing(string itemSpec) => Error(MissingLogicalPath,
        $"The StaticAsset item '{itemSpec}' has no LogicalPath metadata. Add LogicalPath=\"path/as/served.ext\" to it.");

    // SA1007
    public static Diagnostic S3SettingInvalid(OptionSpelling o, Option option, string value, string expected) => Error(InvalidS3Setting,
        $"{o[option]} is '{value}'; it must be {expected}.");

    // SA1008
    public static Diagnostic DestinationSchemeUnsupported(OptionSpelling o, string value, string scheme) => Error(UnsupportedDestinationScheme,
        $"{o[Destination]} '{value}' has the scheme '{scheme}://', which is not supported. " +
        "Use a folder path, a file:// URI, s3://bucket/prefix/ or an Azure Blob container URL.");

    // SA1011
    public static Diagnostic PipelineReportingUnknown(OptionSpelling o, string value) => Error(InvalidPipelineReporting,
        $"{o[PipelineReporting]} is '{value}'; it must be auto, none, AzureDevOps or GitHubActions.");

    // SA1012
    public static Diagnostic AzureBothVariables(OptionSpelling o) => Error(InvalidAzureSetting,
        $"Both {o[AzureConnectionStringVariable]} and {o[AzureSasVariable]} are set; set only one of them.");

    /// <summary>Someone pasted the secret itself into the setting: say so without echoing it.</summary>
    public static Diagnostic AzureVariableNotAName(OptionSpelling o, Option option) => Error(InvalidAzureSetting,
        $"{o[option]} must be the NAME of an environment variable (letters, digits, '_'), not the secret itself. " +
        "Put the secret in a pipeline secret variable mapped to that environment variable.");

    public static Diagnostic AzureVariableNotSet(OptionSpelling o, Option option, string variable) => Error(InvalidAzureSetting,
        $"{o[option]} names the environment variable '{variable}', which is not set. Map the pipeline's secret to it.");

    // SA1013 and SA2005
    public static Diagnostic ReferenceNotPublished(OptionSpelling o, bool strict, string from, string url, string? target, bool aboveRoot)
    {
        var what = aboveRoot ? "above the web root" : $"'{target}', which is not a static asset being published";
        var message = $"'{from}' refers to '{url}' ({what}); the reference is left as it is.";
        return strict
            ? Error(MissingReferenceStrict, $"{message} Add the file, fix the reference, or set {o[Strict]}=false.")
            : Warning(MissingReference, message);
    }

    // SA1014
    public static Diagnostic FingerprintPatternInvalid(OptionSpelling o, string why) => Error(InvalidPlanSetting,
        $"{o[FingerprintPattern]} is not a valid regular expression ({why}). Fix it, or set it empty to fingerprint every file.");

    public static Diagnostic CompressionUnknown(OptionSpelling o, string unknown) => Error(InvalidPlanSetting,
        $"{o[Compression]} contains '{unknown}'; use gzip, br, both (gzip;br), or none.");

    public static Diagnostic BrotliQualityOutOfRange(OptionSpelling o, string value) => Error(InvalidPlanSetting,
        $"{o[BrotliQuality]} is '{value}'; it must be a whole number from 0 (fastest) to 11 (smallest), or empty for the default.");

    // SA1015
    public static Diagnostic NotTrueOrFalse(OptionSpelling o, Option option, string value) => Error(InvalidSwitch,
        $"{o[option]} is '{value}'; it must be true or false (or empty for its default).");

    // SA1016
    public static Diagnostic GenerationNotFound(OptionSpelling o, string value, string manifest, string store, int entries) => Error(UnknownGeneration,
        $"{o[Generation]} '{value}' names no generation in the history of '{manifest}' at {store} ({entries:N0} entries). " +
        "Use previous, the start of a hash that ListStaticAssetGenerations shows (4 hex digits or more), or a UTC time (2026-05-01T12:00Z): " +
        "the newest generation published at or before it.");

    public static Diagnostic GenerationAmbiguous(OptionSpelling o, string value, IEnumerable<string> hashes) => Error(UnknownGeneration,
        $"{o[Generation]} '{value}' matches several generations ({string.Join(", ", hashes)}); give more hex digits.");

    public static Diagnostic GenerationUnreadable(string key, string store) => Error(UnknownGeneration,
        $"The history entry '{key}' at {store} is not a complete generation record (or its manifest does not match its SHA-256, " +
        "or names an asset without its key, size or digest); " +
        "it cannot be rolled back to. Choose another generation.");

    // SA1017
    public static Diagnostic ManifestWrittenByAnotherProject(OptionSpelling o, string manifest, string store, string writer, string project) => Error(ManifestOfAnotherProject,
        $"The manifest '{manifest}' at {store} was written by the project '{writer}', not '{project}': publishing would replace that " +
        $"project's generation (and roll back or prune its history). Give each project its own {o[ManifestName]} (e.g. {project}.manifest.json) " +
        $"or its own prefix in {o[Destination]}; or, if '{project}' now owns this destination, set {o[AdoptManifest]}=true once.");

    // SA1018
    public static Diagnostic PruneSettingInvalid(OptionSpelling o, Option option, string value, string expected) => Error(InvalidPruneSetting,
        $"{o[option]} is '{value}'; it must be {expected}.");

    // SA2001
    public static Diagnostic LogicalPathTwice(string first, string second, string logicalPath) => Warning(DuplicateLogicalPath,
        $"The static assets '{first}' and '{second}' both have the logical path '{logicalPath}'; " +
        "publishing the first. Remove one of the StaticAsset items or give it another LogicalPath.");

    public static Diagnostic CompressedCopyTwice(string logicalPath, string encoding, string notPublished) => Warning(DuplicateLogicalPath,
        $"'{logicalPath}' has two '{encoding}' copies; publishing the first, not '{notPublished}'.");

    public static Diagnostic CompressedAssetTwice(string copyPath, string encoding, string primary, string notPublished) => Warning(DuplicateLogicalPath,
        $"'{copyPath}' is a {encoding} copy of '{primary}', which already has one; publishing the first, not '{notPublished}'.");

    public static Diagnostic KeyTaken(string key, string owner) => Warning(DuplicateLogicalPath,
        $"The key '{key}' (a copy of '{owner}') is already another object's; that copy is not published.");

    // SA2002
    public static Diagnostic RemoteManifestUnusable(string name, string problem) => Warning(InvalidRemoteManifest,
        $"The destination's manifest '{name}' is not usable ({problem}); treating the destination as empty " +
        "and storing every object again. The new manifest will replace it.");

    // SA2003
    public static Diagnostic CompressedCopyWithoutAsset(string path, string encoding, string related) => Warning(OrphanVariant,
        $"The compressed StaticAsset '{path}' ({encoding}) names RelatedAsset '{related}', which is not a StaticAsset being published; " +
        "it is not published. Set RelatedAsset to the full path or the LogicalPath of its uncompressed asset.");

    public static Diagnostic EncodingUnsupported(string path, string logicalPath, string encoding) => Warning(OrphanVariant,
        $"The compressed copy '{path}' of '{logicalPath}' has the encoding '{encoding}', which is not one of gzip, br or zstd; it is not published.");

    // SA2004
    public static Diagnostic LogicalPathsDifferInCase(string first, string second) => Warning(CaseOnlyDifference,
        $"The logical paths '{first}' and '{second}' differ only in case; both are published, " +
        "but on a case-insensitive file system or CDN one would replace the other. Rename one of them.");

    // SA2006
    public static Diagnostic ReferencesCycle(IEnumerable<string> logicalPaths) => Warning(ReferenceCycle,
        $"{string.Join(", ", logicalPaths.Select(p => $"'{p}'"))} refer to each other in a cycle; their keys are derived " +
        "from the group's content as a whole, so a change to any of them changes all of their keys.");

    // SA2007
    public static Diagnostic HistoryEntryNotWritten(Diagnostic cause, string key, string store) => Warning(GenerationNotRecorded,
        $"The new manifest is in place, but its history entry '{key}' could not be written to {store}: {cause.Message} " +
        "Nothing is wrong with what is served; this generation will not be listed, and a prune keeps every object it names.");

    // SA2008
    public static Diagnostic PruneCapped(OptionSpelling o, int count, int max, string store) => Warning(TooManyDeletes,
        $"The prune would delete {count:N0} objects at {store}, more than {o[MaxDeletes]} ({max:N0}); nothing was deleted. " +
        $"Check the list with {o[PruneDryRun]}=true, then raise {o[MaxDeletes]} for one run.");

    // SA3001..SA3011: what a store says went wrong (StoreException), then what the publish makes of it.

    /// <summary>The store's own account of a failure without a code of its own (e.g. 500 on every retry).</summary>
    public static Diagnostic StoreRefused(string detail) => Error(WriteFailed, detail);

    public static Diagnostic S3ChecksumRejected(OptionSpelling o, string status) => Error(WriteFailed,
        $"{status}: the store rejected the request's checksum; for Ceph RGW and other stores that do not support the SDK's default " +
        $"checksums set {o[S3ChecksumMode]}=WhenRequired.");

    public static Diagnostic ObjectsNotStored(OptionSpelling o, Diagnostic cause, string key, int othersFailed, int notStored)
    {
        var what = cause.Code is SourceChanged or SourceDeleted ? cause.Message : $"Could not store '{key}' at the destination: {cause.Message}";
        var others = othersFailed > 0 ? $" {othersFailed} other write(s) failed too." : "";
        var advice = cause.Code switch
        {
            DestinationNotWritable => $"Make {o[Destination]} writable, or choose another, and publish again.",
            DestinationFull => $"Free space at {o[Destination]}, or choose another, and publish again.",
            _ => "Fix the cause and publish again.",
        };
        return Error(cause.Code, $"{what}{others} {notStored:N0} object(s) were not stored; the destination still serves its previous manifest. {advice}");
    }

    public static Diagnostic ManifestNotWritten(Diagnostic cause, string name, string store) => Error(cause.Code,
        $"Every object was stored, but writing the manifest '{name}' to {store} failed: {cause.Message} " +
        "The destination still serves its previous manifest; publish again.");

    public static Diagnostic JournalNotWritten(Diagnostic cause, string journal, string store) => Error(cause.Code,
        $"The new manifest is in place, but updating '{journal}' at {store} failed: {cause.Message} " +
        "The un-fingerprinted copies may be out of date until the next publish, which rewrites them.");

    public static Diagnostic CopyNotRestored(Diagnostic cause, string key, string store) => Error(cause.Code,
        $"The rolled-back manifest is in place, but restoring the un-fingerprinted copy '{key}' at {store} failed: {cause.Message} " +
        "Run the rollback again to finish restoring the copies.");

    public static Diagnostic NotDeleted(Diagnostic cause, string store) => Error(cause.Code,
        $"The prune could not delete at {store}: {cause.Message} Every kept generation is complete; run the prune again.");

    // SA3002 (or the store's code)
    public static Diagnostic NotRead(Diagnostic cause, string key, string store) => Error(cause.Code == WriteFailed ? ReadManifestFailed : cause.Code,
        $"Could not read '{key}' from {store}: {cause.Message} Nothing was written.");

    public static Diagnostic NotListed(OptionSpelling o, Diagnostic cause, string store) => Error(cause.Code == WriteFailed ? ReadManifestFailed : cause.Code,
        $"Could not list {store} to verify it ({o[VerifyRemote]}): {cause.Message} Nothing was written.");

    public static Diagnostic HistoryNotListed(Diagnostic cause, string store) => Error(cause.Code == WriteFailed ? ReadManifestFailed : cause.Code,
        $"Could not list {store}: {cause.Message} Nothing was changed.");

    // SA3003
    public static Diagnostic FileChanged(string path, string why) => Error(SourceChanged,
        $"The file '{path}' changed after it was planned: {why}. Nothing was stored for it; publish again.");

    // SA3004
    public static Diagnostic BucketMissing(OptionSpelling o, string status, string bucket) => Error(BucketNotFound,
        $"{status}: the bucket '{bucket}' does not exist; create it or fix {o[Destination]}.");

    public static Diagnostic ContainerMissing(OptionSpelling o, string container, string service) => Error(BucketNotFound,
        $"404 ContainerNotFound: the container '{container}' does not exist at {service}; create it or fix {o[Destination]}.");

    // SA3005
    public static Diagnostic S3AccessDenied(string status) => Error(AccessDenied,
        $"{status}: access was denied; check the credentials the AWS SDK finds (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, " +
        "or web identity) and that they may read and write this bucket and prefix.");

    public static Diagnostic AzureAccessDenied(string status) => Error(AccessDenied,
        $"{status}: access was denied; check the credential (the connection string or SAS token in the environment " +
        "variable the settings name, or the identity DefaultAzureCredential finds) and its permissions on the container.");

    public static Diagnostic AzureCredentialFailed(OptionSpelling o) => Error(AccessDenied,
        "the Azure credential DefaultAzureCredential found could not get a token (a wrong client secret, an expired federated " +
        $"token, a tenant without access); fix it, or set {o[AzureConnectionStringVariable]} / {o[AzureSasVariable]}. Its answer is in the " +
        "detailed log (-v:d).");

    // SA3006
    public static Diagnostic S3Unreachable(OptionSpelling o, string endpoint, string why) => Error(EndpointUnreachable,
        $"could not reach the S3 endpoint {endpoint}: {why}. Check {o[S3ServiceUrl]} / {o[S3Region]} and the network.");

    public static Diagnostic AzureUnreachable(string service, string why) => Error(EndpointUnreachable,
        $"could not reach {service}: {why} Check the destination URL and the network.");

    public static Diagnostic Unreachable(string why) => Error(EndpointUnreachable,
        $"could not reach the destination: {why} Check the destination and the network.");

    // SA3007
    public static Diagnostic FileDeleted(string path) => Error(SourceDeleted,
        $"The file '{path}' was deleted after it was planned; nothing was stored for it. Publish again.");

    // SA3008, SA3009
    public static Diagnostic NotWritable(string why) => Error(DestinationNotWritable, why);

    public static Diagnostic Full(string why) => Error(DestinationFull, why);

    // SA3010
    public static Diagnostic TooLargeForS3(string key, long length) => Error(ObjectTooLarge,
        $"'{key}' is {length:N0} bytes; S3 stores objects of at most 5 TiB. Remove it from the StaticAsset items or serve it from elsewhere.");

    // SA3011
    public static Diagnostic S3TimedOut(OptionSpelling o, TimeSpan timeout, int attempts) => Error(StoreTimedOut,
        $"the S3 endpoint did not answer within the request timeout ({timeout.TotalSeconds:N0} s), {attempts} attempt(s). " +
        $"Check the endpoint's health and the network; raise {o[MaxAttempts]} for flaky links.");

    public static Diagnostic AzureTimedOut(OptionSpelling o, string service, TimeSpan timeout, int attempts) => Error(StoreTimedOut,
        $"{service} did not answer within the network timeout ({timeout.TotalSeconds:N0} s), {attempts} tries. " +
        $"Check the network and the storage account's health, then publish again; raise {o[MaxAttempts]} for flaky links.");

    public static Diagnostic TimedOut(string why) => Error(StoreTimedOut,
        $"the destination did not answer in time: {why} Check the endpoint's health and the network.");

    // SA3012
    public static Diagnostic NoAwsCredentials() => Error(NoCredentials,
        "no AWS credentials were found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), " +
        "or AWS_PROFILE naming a profile in ~/.aws/credentials or ~/.aws/config, or web identity (AWS_WEB_IDENTITY_TOKEN_FILE and " +
        "AWS_ROLE_ARN, as GitHub Actions' OIDC and EKS set up), or run where an instance role applies. Each provider's answer is in " +
        "the detailed log (-v:d).");

    public static Diagnostic NoAzureCredential(OptionSpelling o) => Error(NoCredentials,
        "no Azure credential was found (DefaultAzureCredential). Set " + o[AzureConnectionStringVariable] + " or " + o[AzureSasVariable] +
        " to the name of an environment variable holding a connection string or SAS token, or sign in for DefaultAzureCredential: " +
        "workload identity (AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE, as Azure DevOps and GitHub Actions set up), " +
        "a managed identity, or `az login`. Each credential's answer is in the detailed log (-v:d).");

    // SA3013
    public static Diagnostic GenerationObjectsMissing(string hash, string store, IReadOnlyList<string> missing, int shown) => Error(GenerationIncomplete,
        $"Cannot roll back to generation {hash}: {missing.Count:N0} object(s) it names are not at {store}: " +
        string.Join(", ", missing.Take(shown).Select(k => $"'{k}'")) + (missing.Count > shown ? $" and {missing.Count - shown:N0} more" : "") +
        ". Nothing was changed. Publish that version again instead (it stores what is missing).");

    // SA4001
    public static Diagnostic PublishCanceled(string store) => Error(Canceled,
        $"Publishing static assets to {store} was canceled. The destination still serves its previous manifest.");

    public static Diagnostic RollbackCanceled(string store, bool switched) => Error(Canceled,
        $"The rollback at {store} was canceled " + (switched
            ? "after the manifest was switched: the un-fingerprinted copies may still hold the newer bytes; run the rollback again to finish."
            : "before the manifest was switched; nothing changed."));

    public static Diagnostic ListingCanceled(string store) => Error(Canceled,
        $"Listing the generations at {store} was canceled.");

    public static Diagnostic PruneCanceled(string store, int deleted) => Error(Canceled,
        $"The prune at {store} was canceled after deleting {deleted:N0} object(s); every kept generation is complete. Run it again to finish.");

    private static Diagnostic Error(string code, string message) => Diagnostic.Error(code, message);

    private static Diagnostic Warning(string code, string message) => Diagnostic.Warning(code, message);
}
