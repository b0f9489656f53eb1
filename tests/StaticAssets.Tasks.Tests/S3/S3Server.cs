using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using StaticAssets.Engine.Storage.S3;
using StaticAssets.Tasks.Tests.EndToEnd;

namespace StaticAssets.Tasks.Tests.S3;

/// <summary>
/// The real S3 server the tests use: Ceph RADOS Gateway on 127.0.0.1, started by tests/servers/ceph-rgw.sh (which
/// build/test.sh runs first; started here if it was not). One per test run.
/// </summary>
internal sealed class S3Server
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
    public static S3Settings Settings(Uri endpoint) => new()
    {
        ServiceUrl = endpoint,
        ForcePathStyle = true,
        ChecksumMode = S3ChecksumMode.WhenRequired,
    };

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

    private static async Task<S3Server> StartAsync()
    {
        var variables = ParseExports(Environment.GetEnvironmentVariable("STATICASSETS_S3_ENDPOINT") is null
            ? await RunScriptAsync("start")
            : await RunScriptAsync("env"));
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

    private static async Task<string> RunScriptAsync(string command)
    {
        var script = Path.Combine(Dotnet.RepositoryRoot, "tests", "servers", "ceph-rgw.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.AreEqual(0, process.ExitCode, $"tests/servers/ceph-rgw.sh {command} failed:\n{await stderr}");
        return await stdout;
    }

    private static Dictionary<string, string> ParseExports(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("export ", StringComparison.Ordinal))
            .Select(line => line["export ".Length..].Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim('"', '\''));
}
