using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace StaticAssets.AspNetCore.Tests.Support;

/// <summary>
/// A bucket on the test S3 server (Ceph RGW, started by tests/servers/ceph-rgw.sh; build/test.sh starts it first)
/// set up as a CDN origin: anonymous reads (bucket policy) and CORS for any origin.
/// </summary>
internal sealed class Bucket
{
    private Bucket(Uri endpoint, string name, IReadOnlyDictionary<string, string?> credentials)
    {
        Endpoint = endpoint;
        Name = name;
        Credentials = credentials;
    }

    public Uri Endpoint { get; }

    public string Name { get; }

    /// <summary>The S3 user's keys, for `dotnet publish` (the AWS SDK's default chain reads them).</summary>
    public IReadOnlyDictionary<string, string?> Credentials { get; }

    /// <summary>Path-style URL of a prefix: what StaticAssets__BaseUrl is set to.</summary>
    public string Url(string prefix) => $"{Endpoint.ToString().TrimEnd('/')}/{Name}/{prefix}";

    public static async Task<Bucket> CreatePublicAsync()
    {
        var settings = await ServerSettingsAsync();
        var endpoint = new Uri(settings["STATICASSETS_S3_ENDPOINT"]!);
        var name = $"aspnet-{Guid.NewGuid():N}"[..30];
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(settings["AWS_ACCESS_KEY_ID"], settings["AWS_SECRET_ACCESS_KEY"]),
            new AmazonS3Config
            {
                ServiceURL = endpoint.ToString(),
                AuthenticationRegion = "us-east-1",
                ForcePathStyle = true,
                // Ceph RGW 16 rejects the SDK's default request checksums (400 XAmzContentSHA256Mismatch).
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
        await client.PutBucketAsync(name);
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
        return new Bucket(endpoint, name, new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = settings["AWS_ACCESS_KEY_ID"],
            ["AWS_SECRET_ACCESS_KEY"] = settings["AWS_SECRET_ACCESS_KEY"],
            ["AWS_REGION"] = "us-east-1",
        });
    }

    /// <summary>The server's settings from the environment (build/test.sh), else from starting it.</summary>
    private static async Task<Dictionary<string, string?>> ServerSettingsAsync()
    {
        var names = new[] { "STATICASSETS_S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" };
        if (names.All(n => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(n))))
        {
            return names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        }
        var start = Dotnet.StartInfo("bash", Repository.Root, [Path.Combine(Repository.Root, "tests", "servers", "ceph-rgw.sh"), "start"], null);
        using var script = Process.Start(start)!;
        var exports = script.StandardOutput.ReadToEndAsync();
        var log = script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync();
        Assert.AreEqual(0, script.ExitCode, $"tests/servers/ceph-rgw.sh start failed:{Environment.NewLine}{await log}");
        return (await exports).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Replace("export ", "").Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0].Trim(), pair => (string?)pair[1].Trim());
    }
}
