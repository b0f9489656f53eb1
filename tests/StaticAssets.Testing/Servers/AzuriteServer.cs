using System.Diagnostics;
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

    public static Task<AzuriteServer> GetAsync() => Started.Value;

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
        var script = Path.Combine(Dotnet.RepositoryRoot, "tests", "servers", "azurite.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Environment.GetEnvironmentVariable("STATICASSETS_AZURITE_CONNECTION_STRING") is null ? "start" : "env");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.AreEqual(0, process.ExitCode, $"tests/servers/azurite.sh failed:\n{await stderr}");
        var variables = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("export ", StringComparison.Ordinal))
            .Select(line => line["export ".Length..].Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim('"', '\''));
        return new AzuriteServer(new Uri(variables["STATICASSETS_AZURITE_ENDPOINT"]), variables["STATICASSETS_AZURITE_CONNECTION_STRING"]);
    }
}
