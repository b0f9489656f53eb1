using Azure.Core;
using Azure.Identity;

namespace StaticAssets.Engine.Tests.Storage;

/// <summary>What a user without an Azure credential, or with a broken one, is told: one coded line, the details at detailed verbosity.</summary>
[TestClass]
public sealed class AzureCredentialTests
{
    private sealed class FailingCredential(Exception failure) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw failure;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromException<AccessToken>(failure);
    }

    private static async Task<(StoreException Error, RecordingLog Log)> ReadWithAsync(Exception failure)
    {
        var log = new RecordingLog();
        // No request reaches a server: the credential fails first.
        await using var store = new AzureBlobStore(
            new AzureBlobDestination(new Uri("https://account.blob.core.windows.net/"), "static", "site/"),
            new StoreSettings { Log = log, MaxAttempts = 1 }, new FailingCredential(failure));
        var error = await Assert.ThrowsExactlyAsync<StoreException>(() => store.TryReadAsync(AssetManifest.DefaultName, CancellationToken.None));
        return (error, log);
    }

    [TestMethod]
    public async Task NoCredentialAnywhereIsSA3012SayingWhatToSet_TheCredentialsOwnWordsAtLowImportance()
    {
        var (error, log) = await ReadWithAsync(new CredentialUnavailableException(
            "DefaultAzureCredential failed to retrieve a token from the included credentials. EnvironmentCredential authentication unavailable."));

        Assert.AreEqual(DiagnosticCodes.NoCredentials, error.Code);
        foreach (var says in new[] { "no Azure credential was found", "AzureConnectionStringVariable", "AzureSasVariable", "AZURE_FEDERATED_TOKEN_FILE", "az login" })
        {
            Assert.Contains(says, error.Message);
        }
        Assert.DoesNotContain("EnvironmentCredential", error.Message);
        Assert.Contains(m => m.Importance == LogImportance.Low && m.Text.Contains("EnvironmentCredential", StringComparison.Ordinal), log.Messages);
    }

    [TestMethod]
    public async Task ACredentialThatFailsIsSA3005()
    {
        var (error, log) = await ReadWithAsync(new AuthenticationFailedException("ClientSecretCredential authentication failed: AADSTS7000215."));

        Assert.AreEqual(DiagnosticCodes.AccessDenied, error.Code);
        Assert.Contains("could not get a token", error.Message);
        Assert.Contains(m => m.Importance == LogImportance.Low && m.Text.Contains("AADSTS7000215", StringComparison.Ordinal), log.Messages);
    }
}
