namespace StaticAssets.Testing;

/// <summary>
/// A fresh bucket or container on one of the test servers, as a real `dotnet publish` reaches it (the MSBuild
/// properties and the environment that holds the secret) and as a test checks it (the backend's own client), behind a
/// counting proxy that sees every request. The same end-to-end test then runs against S3 (Ceph RGW) and Azure Blob
/// (Azurite).
/// </summary>
public sealed class RemoteDestination : IAsyncDisposable
{
    public const string S3 = "S3";
    public const string AzureBlob = "Azure Blob";

    /// <summary>The environment variable that holds the Azure connection string (the project names only the variable).</summary>
    private const string AzureVariable = "SA_TEST_AZURE_STORAGE";

    private readonly Func<string, Task<StoredCopy?>> _get;

    private RemoteDestination(string kind, CountingProxy proxy, string[] properties, Dictionary<string, string?> environment,
        string requestPrefix, Func<string, Task<StoredCopy?>> get, string secret, Func<string, Dictionary<string, string?>> withSecret)
    {
        Kind = kind;
        Proxy = proxy;
        Properties = properties;
        Environment = environment;
        RequestPrefix = requestPrefix;
        _get = get;
        Secret = secret;
        WithSecret = withSecret;
    }

    public string Kind { get; }

    /// <summary>Between `dotnet publish` and the server.</summary>
    public CountingProxy Proxy { get; }

    /// <summary>The `-p:` arguments that publish to this destination's <c>site/</c> prefix (through the proxy).</summary>
    public string[] Properties { get; }

    /// <summary>Where `dotnet publish` finds the credentials.</summary>
    public Dictionary<string, string?> Environment { get; }

    /// <summary>How the path of a request for an object under the prefix starts, as the proxy records it.</summary>
    public string RequestPrefix { get; }

    /// <summary>The secret that must never show in a log.</summary>
    public string Secret { get; }

    /// <summary>The environment with another secret in place of the right one.</summary>
    public Func<string, Dictionary<string, string?>> WithSecret { get; }

    /// <summary>An object under the prefix with its headers, read with the backend's own client; null if there is none.</summary>
    public Task<StoredCopy?> GetAsync(string key) => _get(key);

    public static Task<RemoteDestination> CreateAsync(string kind, string purpose) => kind switch
    {
        S3 => S3Async(purpose),
        AzureBlob => AzureBlobAsync(purpose),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "S3 or Azure Blob"),
    };

    private static async Task<RemoteDestination> S3Async(string purpose)
    {
        var server = await S3Server.GetAsync();
        var bucket = await server.CreateBucketAsync(purpose);
        var proxy = new CountingProxy(server.Endpoint);
        Dictionary<string, string?> WithSecret(string secret)
        {
            var environment = server.CredentialsEnvironment();
            environment["AWS_SECRET_ACCESS_KEY"] = secret;
            return environment;
        }
        return new RemoteDestination(S3, proxy,
            [
                $"-p:StaticAssetsDestination=s3://{bucket}/site/", $"-p:StaticAssetsS3ServiceUrl={proxy.Url}",
                "-p:StaticAssetsS3ForcePathStyle=true", "-p:StaticAssetsS3ChecksumMode=WhenRequired",
            ],
            server.CredentialsEnvironment(), $"/{bucket}/site/", key => Stored.GetCopyAsync(server, bucket, "site/" + key), server.SecretKey, WithSecret);
    }

    private static async Task<RemoteDestination> AzureBlobAsync(string purpose)
    {
        var server = await AzuriteServer.GetAsync();
        var container = await server.CreateContainerAsync(purpose);
        var proxy = new CountingProxy(server.Endpoint);
        var endpoint = new Uri(proxy.Url, server.Endpoint.AbsolutePath);
        var key = server.ConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        return new RemoteDestination(AzureBlob, proxy,
            [$"-p:StaticAssetsDestination={endpoint}/{container}/site/", $"-p:StaticAssetsAzureConnectionStringVariable={AzureVariable}"],
            new() { [AzureVariable] = server.ConnectionStringFor(endpoint) },
            $"{server.Endpoint.AbsolutePath}/{container}/site/", name => server.GetCopyAsync(container, "site/" + name), key,
            secret => new() { [AzureVariable] = server.ConnectionStringFor(endpoint, secret) });
    }

    public ValueTask DisposeAsync() => Proxy.DisposeAsync();
}
