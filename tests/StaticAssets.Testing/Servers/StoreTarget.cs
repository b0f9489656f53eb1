using Amazon.S3;
using Amazon.S3.Model;

namespace StaticAssets.Testing;

/// <summary>
/// A fresh place to publish to on one backend — a bucket on Ceph RGW, a container on Azurite, or a folder — with
/// everything a test needs to drive it and check it independently: our store (directly, or through a proxy that sees
/// and faults every request), the MSBuild properties and environment a real `dotnet publish` uses, and the backend's
/// own client to read back, list and delete. The same reliability test then runs against every backend.
/// </summary>
public abstract class StoreTarget
{
    public const string S3 = "S3";
    public const string AzureBlob = "Azure Blob";
    public const string Folder = "folder";

    public abstract string Kind { get; }

    /// <summary>The bucket, container or folder.</summary>
    public abstract string Name { get; }

    /// <summary>Where a proxy in front of this backend forwards to; null for a folder (no network).</summary>
    public abstract Uri? Endpoint { get; }

    /// <summary>The secret a log must never show.</summary>
    public abstract string Secret { get; }

    public static async Task<StoreTarget> CreateAsync(string kind, string purpose) => kind switch
    {
        S3 => await S3Target.CreateAsync(purpose),
        AzureBlob => await AzureBlobTarget.CreateAsync(purpose),
        Folder => new FolderTarget(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "S3, Azure Blob or folder"),
    };

    /// <summary>Our store for <paramref name="prefix"/>, through <paramref name="proxy"/> if given, reporting to <paramref name="log"/>.</summary>
    public IAssetStore Store(string prefix, CountingProxy? proxy = null, int maxConcurrency = 8, Func<StoreSettings, StoreSettings>? adjust = null, IPublishLog? log = null)
    {
        var settings = new StoreSettings { MaxConcurrency = maxConcurrency, Log = log };
        return CreateStore(prefix, proxy is null ? Endpoint : ProxiedEndpoint(proxy), adjust?.Invoke(settings) ?? settings);
    }

    protected abstract IAssetStore CreateStore(string prefix, Uri? endpoint, StoreSettings settings);

    /// <summary>The endpoint our client uses to reach the server through <paramref name="proxy"/>.</summary>
    public virtual Uri ProxiedEndpoint(CountingProxy proxy) => proxy.Url;

    /// <summary>The `-p:` arguments and environment with which `dotnet publish` writes to <paramref name="prefix"/>.</summary>
    public abstract (string[] Properties, Dictionary<string, string?> Environment) Publishing(string prefix, CountingProxy? proxy = null, string? secret = null);

    /// <summary>How a request for <paramref name="prefix"/> + key starts its path, as the proxy records it.</summary>
    public abstract string RequestPath(string prefix);

    /// <summary>An object with its headers, read with the backend's own client; null if there is none.</summary>
    public abstract Task<StoredCopy?> GetCopyAsync(string key);

    /// <summary>Every key under <paramref name="prefix"/> (relative to it) with its size, listed with the backend's own client.</summary>
    public abstract Task<IReadOnlyDictionary<string, long>> ListAsync(string prefix);

    public async Task<byte[]?> GetAsync(string key) => (await GetCopyAsync(key))?.Bytes;

    /// <summary>Every listed object is stored under <paramref name="prefix"/> with exactly its recorded size and SHA-256.</summary>
    public async Task AssertObjectsAsync(string prefix, IEnumerable<ManifestObject> objects, string what)
    {
        var list = objects.ToArray();
        Assert.IsNotEmpty(list, $"{what}: nothing to check");
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await Parallel.ForEachAsync(list, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (obj, _) =>
        {
            var bytes = await GetAsync(prefix + obj.Key);
            if (bytes is null)
            {
                problems.Enqueue($"'{obj.Key}' is not stored");
            }
            else if (bytes.LongLength != obj.Size || Convert.ToHexStringLower(SHA256.HashData(bytes)) != obj.Sha256.Hex)
            {
                problems.Enqueue($"'{obj.Key}' has {bytes.LongLength} bytes that are not the recorded {obj.Size} of SHA-256 {obj.Sha256.Hex}");
            }
        });
        Assert.IsEmpty(problems, $"{what} ({Kind}): {problems.Count} of {list.Length} objects are wrong:\n{string.Join("\n", problems.Order(StringComparer.Ordinal))}");
    }

    /// <summary>Keys (relative to <paramref name="prefix"/>) of the requests the proxy relayed untouched with <paramref name="method"/>.</summary>
    public string[] Relayed(CountingProxy proxy, string method, string prefix) =>
        proxy.Requests
            .Where(r => r.StartsWith(method + " ", StringComparison.Ordinal))
            .Select(r => r[(method.Length + 1)..].Split('?')[0])
            .Select(path => path.StartsWith(RequestPath(prefix), StringComparison.Ordinal) ? Uri.UnescapeDataString(path[RequestPath(prefix).Length..]) : path)
            .ToArray();

    private sealed class S3Target(S3Server server, string bucket) : StoreTarget
    {
        public static async Task<StoreTarget> CreateAsync(string purpose)
        {
            var server = await S3Server.GetAsync();
            return new S3Target(server, await server.CreateBucketAsync(purpose));
        }

        public override string Kind => S3;

        public override string Name => bucket;

        public override Uri Endpoint => server.Endpoint;

        public override string Secret => server.SecretKey;

        protected override IAssetStore CreateStore(string prefix, Uri? endpoint, StoreSettings settings) =>
            new S3AssetStore(new S3Destination(bucket, prefix), settings with
            {
                S3 = settings.S3 with { ServiceUrl = endpoint, ForcePathStyle = true, ChecksumMode = S3ChecksumMode.WhenRequired },
            });

        public override (string[] Properties, Dictionary<string, string?> Environment) Publishing(string prefix, CountingProxy? proxy, string? secret)
        {
            var environment = server.CredentialsEnvironment();
            if (secret is not null)
            {
                environment["AWS_SECRET_ACCESS_KEY"] = secret;
            }
            return ([
                $"-p:StaticAssetsDestination=s3://{bucket}/{prefix}", $"-p:StaticAssetsS3ServiceUrl={(proxy is null ? server.Endpoint : proxy.Url)}",
                "-p:StaticAssetsS3ForcePathStyle=true", "-p:StaticAssetsS3ChecksumMode=WhenRequired",
            ], environment);
        }

        public override string RequestPath(string prefix) => $"/{bucket}/{prefix}";

        public override Task<StoredCopy?> GetCopyAsync(string key) => Stored.GetCopyAsync(server, bucket, key);

        public override async Task<IReadOnlyDictionary<string, long>> ListAsync(string prefix)
        {
            using var client = server.CreateClient();
            var found = new Dictionary<string, long>(StringComparer.Ordinal);
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
            do
            {
                var page = await client.ListObjectsV2Async(request);
                foreach (var obj in page.S3Objects ?? [])
                {
                    found[obj.Key[prefix.Length..]] = obj.Size ?? 0;
                }
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (!string.IsNullOrEmpty(request.ContinuationToken));
            return found;
        }
    }

    private sealed class AzureBlobTarget(AzuriteServer server, string container) : StoreTarget
    {
        /// <summary>The environment variable that holds the connection string (the project names only the variable).</summary>
        private const string PublishVariable = "SA_TEST_AZURE_STORAGE";

        public static async Task<StoreTarget> CreateAsync(string purpose)
        {
            var server = await AzuriteServer.GetAsync();
            return new AzureBlobTarget(server, await server.CreateContainerAsync(purpose));
        }

        public override string Kind => AzureBlob;

        public override string Name => container;

        public override Uri Endpoint => server.Endpoint;

        public override string Secret => server.ConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];

        public override Uri ProxiedEndpoint(CountingProxy proxy) => new(proxy.Url, server.Endpoint.AbsolutePath);

        protected override IAssetStore CreateStore(string prefix, Uri? endpoint, StoreSettings settings) => server.Store(container, prefix, settings, endpoint);

        public override (string[] Properties, Dictionary<string, string?> Environment) Publishing(string prefix, CountingProxy? proxy, string? secret)
        {
            var endpoint = proxy is null ? server.Endpoint : ProxiedEndpoint(proxy);
            return ([$"-p:StaticAssetsDestination={endpoint}/{container}/{prefix}", $"-p:StaticAssetsAzureConnectionStringVariable={PublishVariable}"],
                new() { [PublishVariable] = server.ConnectionStringFor(endpoint, secret) });
        }

        public override string RequestPath(string prefix) => $"{server.Endpoint.AbsolutePath}/{container}/{prefix}";

        public override Task<StoredCopy?> GetCopyAsync(string key) => server.GetCopyAsync(container, key);

        public override async Task<IReadOnlyDictionary<string, long>> ListAsync(string prefix)
        {
            var found = new Dictionary<string, long>(StringComparer.Ordinal);
            await foreach (var blob in server.CreateClient().GetBlobContainerClient(container).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }))
            {
                found[blob.Name[prefix.Length..]] = blob.Properties.ContentLength ?? 0;
            }
            return found;
        }
    }

    private sealed class FolderTarget : StoreTarget
    {
        private readonly string _root = Directory.CreateTempSubdirectory("staticassets-target-").FullName;

        public override string Kind => Folder;

        public override string Name => _root;

        public override Uri? Endpoint => null;

        public override string Secret => "no secret for a folder";

        protected override IAssetStore CreateStore(string prefix, Uri? endpoint, StoreSettings settings) =>
            new LocalFolderStore(Path.Combine(_root, prefix), settings.MaxConcurrency ?? 16);

        public override Uri ProxiedEndpoint(CountingProxy proxy) => throw new NotSupportedException("a folder has no endpoint to proxy");

        public override (string[] Properties, Dictionary<string, string?> Environment) Publishing(string prefix, CountingProxy? proxy, string? secret) =>
            ([$"-p:StaticAssetsDestination={Path.Combine(_root, prefix)}"], []);

        public override string RequestPath(string prefix) => throw new NotSupportedException("a folder sees no requests");

        public override Task<StoredCopy?> GetCopyAsync(string key)
        {
            var path = Path.Combine(_root, key);
            return Task.FromResult(File.Exists(path) ? new StoredCopy(File.ReadAllBytes(path), null, null, null, null) : null);
        }

        public override Task<IReadOnlyDictionary<string, long>> ListAsync(string prefix) =>
            Task.FromResult<IReadOnlyDictionary<string, long>>(TestData.FilesUnder(Path.Combine(_root, prefix))
                .Where(f => !AtomicFile.IsTemporary(Path.GetFileName(f)))
                .ToDictionary(f => f, f => new FileInfo(Path.Combine(_root, prefix, f)).Length, StringComparer.Ordinal));
    }
}
