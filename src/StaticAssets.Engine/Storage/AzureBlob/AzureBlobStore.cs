using Azure;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using StaticAssets.Engine.Storage.Http;

namespace StaticAssets.Engine.Storage.AzureBlob;

/// <summary>
/// Azure Blob Storage through Azure.Storage.Blobs. Small blobs are one PUT; large ones are staged as blocks and
/// committed in one step after the last block, so no reader ever sees a partial blob. The HTTP connection pool is
/// capped at the publish's concurrency limit. Secrets are read from environment variables named by the settings,
/// never logged.
/// </summary>
public sealed class AzureBlobStore : IAssetStore
{
    private readonly AzureBlobDestination _destination;
    private readonly AzureBlobSettings _settings;
    private readonly BlobContainerClient _container;

    public AzureBlobStore(AzureBlobDestination destination, AzureBlobSettings settings, int maxConcurrency)
    {
        _destination = destination;
        _settings = settings;
        var options = new BlobClientOptions
        {
            Transport = new HttpClientTransport(PublishHttpHandler.Create(maxConcurrency)),
        };
        options.Retry.Mode = Azure.Core.RetryMode.Exponential;
        options.Retry.MaxRetries = settings.MaxRetries;
        if (settings.NetworkTimeout is { } timeout)
        {
            options.Retry.NetworkTimeout = timeout;
        }
        _container = settings switch
        {
            { ConnectionStringVariable: { } variable } => new BlobContainerClient(Secret(variable, "StaticAssetsAzureConnectionStringVariable"), destination.Container, options),
            { SasTokenVariable: { } variable } => new BlobContainerClient(destination.ContainerUri, new AzureSasCredential(Secret(variable, "StaticAssetsAzureSasVariable")), options),
            _ => new BlobContainerClient(destination.ContainerUri, new DefaultAzureCredential(), options),
        };
    }

    public string Description => _destination.ToString();

    public async Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Blob(key).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return response.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            return null;
        }
        catch (Exception e) when (Explain(e, cancellationToken) is { } explained)
        {
            throw explained;
        }
    }

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _destination.Prefix }, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                Page<BlobItem> page;
                try
                {
                    if (!await pages.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                    page = pages.Current;
                }
                catch (Exception e) when (Explain(e, cancellationToken) is { } explained)
                {
                    throw explained;
                }
                foreach (var blob in page.Values)
                {
                    yield return new StoredObjectInfo(blob.Name[_destination.Prefix.Length..], blob.Properties.ContentLength ?? 0);
                }
            }
        }
        finally
        {
            await pages.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(key).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Explain(e, cancellationToken) is { } explained)
        {
            throw explained;
        }
    }

    public async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders
            {
                ContentType = write.ContentType,
                CacheControl = write.CacheControl,
                ContentEncoding = write.ContentEncoding,
            },
            // Lets anyone check a blob against the manifest without downloading it.
            Metadata = new Dictionary<string, string> { ["sha256"] = write.Sha256.Hex },
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = _settings.SingleUploadThreshold,
                MaximumTransferSize = _settings.BlockSize,
                MaximumConcurrency = 4,
            },
        };
        try
        {
            await using var content = write.OpenContent();
            await Blob(write.Key).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Explain(e, cancellationToken) is { } explained)
        {
            throw explained;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private BlobClient Blob(string key) => _container.GetBlobClient(_destination.Prefix + key);

    private static string Secret(string variable, string property) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new StaticAssetsException(Diagnostic.Error(DiagnosticCodes.InvalidAzureSetting,
                $"{property} names the environment variable '{variable}', which is not set. Map the pipeline's secret to it."));

    /// <summary>A store failure as a coded sentence that says what to do (null: not the store's to explain). No secrets.</summary>
    private StoreException? Explain(Exception e, CancellationToken cancellationToken) => e switch
    {
        // Azure.Core gives up on a silent service with "Retry failed after N tries ... ClientOptions.Retry" around
        // cancellations nobody asked for (its network timeout): say it in the user's terms, before the socket error
        // inside makes it look unreachable.
        _ when !cancellationToken.IsCancellationRequested && Causes(e).Any(c => c is OperationCanceledException or TimeoutException) =>
            new StoreException(DiagnosticCodes.StoreTimedOut,
                $"{_destination.ServiceUri} did not answer within the network timeout ({(_settings.NetworkTimeout ?? TimeSpan.FromSeconds(100)).TotalSeconds:N0} s), " +
                $"{_settings.MaxRetries + 1} tries. Check the network and the storage account's health, then publish again.", e),
        RequestFailedException { ErrorCode: "ContainerNotFound" } => new StoreException(DiagnosticCodes.BucketNotFound,
            $"404 ContainerNotFound: the container '{_destination.Container}' does not exist at {_destination.ServiceUri}; create it or fix StaticAssetsDestination.", e),
        RequestFailedException { Status: 401 or 403 } failed => new StoreException(DiagnosticCodes.AccessDenied,
            $"{failed.Status} {failed.ErrorCode}: access was denied; check the credential (the connection string or SAS token in the environment " +
            "variable the settings name, or the identity DefaultAzureCredential finds) and its permissions on the container.", e),
        AuthenticationFailedException => new StoreException(DiagnosticCodes.AccessDenied,
            "no Azure credential could be obtained (DefaultAzureCredential); sign in, use workload identity / managed identity, or set " +
            "StaticAssetsAzureConnectionStringVariable / StaticAssetsAzureSasVariable.", e),
        RequestFailedException { Status: 0 } or AggregateException when StoreFailures.CodeOf(e, "") == DiagnosticCodes.EndpointUnreachable =>
            new StoreException(DiagnosticCodes.EndpointUnreachable,
                $"could not reach {_destination.ServiceUri}: {e.Message} Check the destination URL and the network.", e),
        RequestFailedException failed => new StoreException(DiagnosticCodes.WriteFailed, $"{failed.Status} {failed.ErrorCode}: {failed.Message}", e),
        _ => null,
    };

    /// <summary>An exception and everything it wraps, including every exception of an AggregateException.</summary>
    private static IEnumerable<Exception> Causes(Exception e)
    {
        yield return e;
        var inner = e is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(e.InnerException is { } one ? [one] : []);
        foreach (var cause in inner.SelectMany(Causes))
        {
            yield return cause;
        }
    }
}
