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

    /// <summary>How long one try may wait for the service (Azure.Core's NetworkTimeout); null for its 100 s.</summary>
    public TimeSpan? NetworkTimeout { get; init; }

    /// <summary>Retries after the first try (exponential back-off), for throttling, 5xx, resets and timeouts.</summary>
    public int MaxRetries { get; init; } = 4;

    public static AzureBlobSettings Parse(string? connectionStringVariable, string? sasTokenVariable)
    {
        var settings = new AzureBlobSettings
        {
            ConnectionStringVariable = string.IsNullOrWhiteSpace(connectionStringVariable) ? null : connectionStringVariable.Trim(),
            SasTokenVariable = string.IsNullOrWhiteSpace(sasTokenVariable) ? null : sasTokenVariable.Trim(),
        };
        if (settings.ConnectionStringVariable is not null && settings.SasTokenVariable is not null)
        {
            throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.InvalidAzureSetting,
                "Both StaticAssetsAzureConnectionStringVariable and StaticAssetsAzureSasVariable are set; set only one of them."));
        }
        foreach (var (property, name) in new[] { ("StaticAssetsAzureConnectionStringVariable", settings.ConnectionStringVariable), ("StaticAssetsAzureSasVariable", settings.SasTokenVariable) })
        {
            if (name is not null && !System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$"))
            {
                // Someone pasted the secret itself into the property: say so without echoing it.
                throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.InvalidAzureSetting,
                    $"{property} must be the NAME of an environment variable (letters, digits, '_'), not the secret itself. " +
                    "Put the secret in a pipeline secret variable mapped to that environment variable."));
            }
        }
        return settings;
    }
}
