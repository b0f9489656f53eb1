using Azure.Storage.Blobs;

namespace StaticAssets.Testing;

/// <summary>
/// The Azure Blob emulator the tests use: Azurite on 127.0.0.1, started by tests/servers/azurite.sh (which
/// build/test.sh runs first; started here if it was not). One per test run.
/// </summary>
public sealed class AzuriteServer
{
    private static readonly Lazy<Task<AzuriteServer>> Started = new(StartAsync);

    private AzuriteServer(Uri endpoint, string connectionString)
    {
        Endpoint = endpoint;
        ConnectionString = connectionString;
    }

    /// <summary>The account's blob endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1 (no trailing slash).</summary>
    public Uri Endpoint { get; }

    public string ConnectionString { get; }

    /// <summary>The environment variable our store reads the emulator's connection string from (set by <see cref="GetAsync"/>).</summary>
    public const string ConnectionStringVariable = "STATICASSETS_TEST_AZURE_CONNECTION";

    public static Task<AzuriteServer> GetAsync() => Started.Value;

    /// <summary>Our Azure Blob store for <paramref name="container"/>/<paramref name="prefix"/> (see the other overload).</summary>
    public AzureBlobStore Store(string container, string prefix, AzureBlobSettings? settings = null, int maxConcurrency = 8, Uri? via = null, int maxAttempts = 5) =>
        Store(container, prefix, new StoreSettings { MaxConcurrency = maxConcurrency, MaxAttempts = maxAttempts, Azure = settings ?? new AzureBlobSettings() }, via);

    /// <summary>
    /// Our Azure Blob store for <paramref name="container"/>/<paramref name="prefix"/>, authenticated by the
    /// emulator's connection string unless the settings name a secret of their own; <paramref name="via"/>: an
    /// account endpoint to talk to in place of the emulator's (a proxy in front of it, a closed port).
    /// </summary>
    public AzureBlobStore Store(string container, string prefix, StoreSettings settings, Uri? via = null)
    {
        var endpoint = via ?? Endpoint;
        var azure = settings.Azure is { ConnectionStringVariable: null, SasTokenVariable: null }
            ? settings.Azure with { ConnectionStringVariable = ConnectionStringVariableFor(endpoint) }
            : settings.Azure;
        return new(new AzureBlobDestination(new Uri(endpoint + "/"), container, prefix), settings with { Azure = azure });
    }

    /// <summary>An environment variable holding the connection string for <paramref name="endpoint"/> (the store reads
    /// its secret from a variable it names): one per endpoint.</summary>
    public string ConnectionStringVariableFor(Uri endpoint)
    {
        if (endpoint == Endpoint)
        {
            return ConnectionStringVariable;
        }
        var variable = "STATICASSETS_TEST_AZURE_" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(endpoint.ToString())))[..12];
        Environment.SetEnvironmentVariable(variable, ConnectionStringFor(endpoint));
        return variable;
    }

    /// <summary>A blob with its headers, read with the emulator's own client; null if there is none.</summary>
    public async Task<StoredCopy?> GetCopyAsync(string container, string name)
    {
        var blob = CreateClient().GetBlobContainerClient(container).GetBlobClient(name);
        if (!(await blob.ExistsAsync()).Value)
        {
            return null;
        }
        var content = await blob.DownloadContentAsync();
        var properties = (await blob.GetPropertiesAsync()).Value;
        return new StoredCopy(content.Value.Content.ToArray(), properties.ContentType, properties.CacheControl, properties.ContentEncoding,
            properties.Metadata.TryGetValue("sha256", out var sha256) ? sha256 : null);
    }

    /// <summary>The connection string with another blob endpoint (e.g. a proxy in front of Azurite) or account key.</summary>
    public string ConnectionStringFor(Uri endpoint, string? accountKey = null)
    {
        var parts = ConnectionString.TrimEnd(';').Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        parts["BlobEndpoint"] = endpoint.ToString().TrimEnd('/');
        if (accountKey is not null)
        {
            parts["AccountKey"] = accountKey;
        }
        return string.Join(';', parts.Select(p => $"{p.Key}={p.Value}")) + ";";
    }

    /// <summary>A client for checking what the emulator stores, independent of the code under test.</summary>
    public BlobServiceClient CreateClient() => new(ConnectionString);

    public async Task<string> CreateContainerAsync(string purpose)
    {
        var name = $"sa-{purpose}-{Guid.NewGuid():N}"[..Math.Min(40, 36 + purpose.Length)];
        await CreateClient().CreateBlobContainerAsync(name);
        return name;
    }

    private static async Task<AzuriteServer> StartAsync()
    {
        var variables = await ServerScript.StartAsync("azurite.sh", runningWhenSet: "STATICASSETS_AZURITE_CONNECTION_STRING");
        Environment.SetEnvironmentVariable(ConnectionStringVariable, variables["STATICASSETS_AZURITE_CONNECTION_STRING"]);
        return new AzuriteServer(new Uri(variables["STATICASSETS_AZURITE_ENDPOINT"]), variables["STATICASSETS_AZURITE_CONNECTION_STRING"]);
    }
}
