namespace StaticAssets.Engine.Storage.AzureBlob;

/// <summary>
/// How to authenticate to Azure Blob Storage. Never the secret itself: only the NAME of an environment variable that
/// holds a connection string or a SAS token (set by the pipeline from a secret), else DefaultAzureCredential
/// (workload identity federation, managed identity, Azure CLI, ...).
/// </summary>
public sealed record AzureBlobSettings
{
    public string? ConnectionStringVariable { get; init; }

    public string? SasTokenVariable { get; init; }

    /// <summary>Blobs at least this large are uploaded as blocks (committed in one step at the end).</summary>
    public long SingleUploadThreshold { get; init; } = 64L * 1024 * 1024;

    public int BlockSize { get; init; } = 8 * 1024 * 1024;
}
