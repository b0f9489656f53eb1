using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace StaticAssets.Testing;

/// <summary>
/// The real S3 server the tests use: Ceph RADOS Gateway on 127.0.0.1, started by tests/servers/ceph-rgw.sh (which
/// build/test.sh runs first; started here if it was not). One per test run.
/// </summary>
public sealed class S3Server
{
    private static readonly Lazy<Task<S3Server>> Started = new(StartAsync);

    private S3Server(Uri endpoint, string accessKey, string secretKey)
    {
        Endpoint = endpoint;
        AccessKey = accessKey;
        SecretKey = secretKey;
    }

    public Uri Endpoint { get; }

    public string AccessKey { get; }

    public string SecretKey { get; }

    public static Task<S3Server> GetAsync() => Started.Value;

    /// <summary>Settings for our S3 store pointing at <paramref name="endpoint"/> (the server, or a proxy in front of it).</summary>
    public static StoreSettings Settings(Uri endpoint, int maxConcurrency = 8) => new()
    {
        MaxConcurrency = maxConcurrency,
        S3 = new S3Settings { ServiceUrl = endpoint, ForcePathStyle = true, ChecksumMode = S3ChecksumMode.WhenRequired },
    };

    /// <summary>Files of 5 MiB or more go in 5 MiB parts (S3's smallest): multipart uploads with small test files.</summary>
    public static StoreSettings SmallParts(StoreSettings settings) =>
        settings with { S3 = settings.S3 with { MultipartThreshold = 5 * 1024 * 1024, PartSize = 5 * 1024 * 1024 } };

    /// <summary>Our S3 store for <paramref name="bucket"/>/<paramref name="prefix"/> at <paramref name="endpoint"/>.</summary>
    public static S3AssetStore Store(string bucket, string prefix, Uri endpoint, int maxConcurrency = 8, Func<StoreSettings, StoreSettings>? adjust = null)
    {
        var settings = Settings(endpoint, maxConcurrency);
        return new S3AssetStore(new S3Destination(bucket, prefix), adjust?.Invoke(settings) ?? settings);
    }

    /// <summary>Environment for a child process (dotnet publish) so the SDK's default chain finds the test user.</summary>
    public Dictionary<string, string?> CredentialsEnvironment() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
        ["AWS_REGION"] = "us-east-1",
    };

    /// <summary>A client for checking what the server stores, independent of the code under test.</summary>
    public AmazonS3Client CreateClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint.ToString(),
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    public async Task<string> CreateBucketAsync(string purpose)
    {
        var name = $"sa-{purpose}-{Guid.NewGuid():N}"[..Math.Min(40, 36 + purpose.Length)];
        using var client = CreateClient();
        await client.PutBucketAsync(name);
        return name;
    }

    /// <summary>
    /// A bucket set up as a CDN origin, as docs/aspnetcore.md tells users to: anonymous reads (a bucket policy for
    /// <c>s3:GetObject</c> by <c>"*"</c>) and CORS for any origin (cross-origin module scripts and SRI need it).
    /// </summary>
    public async Task<string> CreatePublicBucketAsync(string purpose)
    {
        var name = await CreateBucketAsync(purpose);
        using var client = CreateClient();
        await client.PutBucketPolicyAsync(new PutBucketPolicyRequest
        {
            BucketName = name,
            Policy = $$"""
                {
                  "Version": "2012-10-17",
                  "Statement": [{ "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::{{name}}/*"] }]
                }
                """,
        });
        await client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = name,
            Configuration = new CORSConfiguration
            {
                Rules = [new CORSRule { AllowedOrigins = ["*"], AllowedMethods = ["GET", "HEAD"], AllowedHeaders = ["*"], MaxAgeSeconds = 3600 }],
            },
        });
        return name;
    }

    /// <summary>The path-style URL of <paramref name="key"/> (or of a prefix ending in '/') in <paramref name="bucket"/>.</summary>
    public string Url(string bucket, string key) => $"{Endpoint.ToString().TrimEnd('/')}/{bucket}/{key}";

    private static async Task<S3Server> StartAsync()
    {
        var variables = await ServerScript.StartAsync("ceph-rgw.sh", runningWhenSet: "STATICASSETS_S3_ENDPOINT");
        // The test process itself must find the credentials in the AWS default chain, as a user's build would.
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        return new S3Server(
            new Uri(variables["STATICASSETS_S3_ENDPOINT"]),
            variables["AWS_ACCESS_KEY_ID"],
            variables["AWS_SECRET_ACCESS_KEY"]);
    }
}
