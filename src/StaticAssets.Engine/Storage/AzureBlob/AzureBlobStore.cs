using Azure;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Storage.Http;

namespace StaticAssets.Engine.Storage.AzureBlob;

/// <summary>
/// Azure Blob Storage through Azure.Storage.Blobs. Small blobs are one PUT; large ones are staged as blocks and
/// committed in one step after the last block, so no reader ever sees a partial blob. The HTTP connection pool is
/// capped at the publish's concurrency limit. Secrets are read from environment variables named by the settings,
/// never logged.
/// </summary>
public sealed class AzureBlobStore : IAssetStore, IPreparesConnections
{
    private readonly AzureBlobDestination _destination;
    private readonly AzureBlobSettings _settings;
    private readonly StoreSettings _store;
    private readonly BlobContainerClient _container;
    private readonly Azure.Core.TokenCredential? _tokenCredential;
    private readonly AzureBlobBatch _batch;
    private readonly ConnectionWarmer _warmer = new();

    /// <summary>The store's HTTP stack, its connection pool with it: the clients do not own it, the store closes it.</summary>
    private readonly HttpMessageHandler _handler;

    /// <summary>Largest block a Put Block From URL stages (the service's limit for older API versions).</summary>
    private const long CopyBlockSize = 100L * 1024 * 1024;

    public AzureBlobStore(AzureBlobDestination destination, StoreSettings settings)
        : this(destination, settings, credential: null)
    {
    }

    /// <param name="credential">In place of DefaultAzureCredential when no connection string or SAS token is named (tests).</param>
    internal AzureBlobStore(AzureBlobDestination destination, StoreSettings settings, Azure.Core.TokenCredential? credential)
    {
        _destination = destination;
        _settings = settings.Azure;
        _store = settings;
        MaxConcurrency = settings.MaxConcurrency ?? destination.DefaultMaxConcurrency;
        var options = new BlobClientOptions
        {
            // Azure.Core keeps x-ms-client-request-id the same across the retries of one operation.
            Transport = new HttpClientTransport(_handler = PublishHttpHandler.Create(MaxConcurrency, settings, "x-ms-client-request-id", _warmer)),
        };
        options.Retry.Mode = Azure.Core.RetryMode.Exponential;
        options.Retry.MaxRetries = settings.MaxAttempts - 1;
        options.Retry.NetworkTimeout = settings.EffectiveRequestTimeout;
        options.RetryPolicy = new NoRetryOfChangedSources(options.Retry.MaxRetries,
            Azure.Core.DelayStrategy.CreateExponentialDelayStrategy(options.Retry.Delay, options.Retry.MaxDelay));
        _container = _settings switch
        {
            { ConnectionStringVariable: { } variable } => new BlobContainerClient(Secret(variable, Option.AzureConnectionStringVariable), destination.Container, options),
            { SasTokenVariable: { } variable } => new BlobContainerClient(destination.ContainerUri, new AzureSasCredential(Secret(variable, Option.AzureSasVariable)), options),
            _ => new BlobContainerClient(destination.ContainerUri, _tokenCredential = credential ?? new DefaultAzureCredential(), options),
        };
        _batch = new AzureBlobBatch(_container, settings.MaxAttempts,
            Azure.Core.DelayStrategy.CreateExponentialDelayStrategy(options.Retry.Delay, options.Retry.MaxDelay),
            retry => settings.Log?.Message(LogImportance.Low, retry));
    }

    public string Description => _destination.ToString();

    public int MaxConcurrency { get; }

    public Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) => ReadAsync(key, null, cancellationToken);

    public Task<byte[]?> TryReadStartAsync(string key, int length, CancellationToken cancellationToken) => ReadAsync(key, length, cancellationToken);

    private async Task<byte[]?> ReadAsync(string key, int? length, CancellationToken cancellationToken)
    {
        try
        {
            var response = length is { } first
                ? await Blob(key).DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(0, first) }, cancellationToken).ConfigureAwait(false)
                : await Blob(key).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return response.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            return null;
        }
        catch (RequestFailedException e) when (length is not null && e.Status == 416)
        {
            return []; // an empty blob has no first byte
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string under, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _destination.Prefix + under }, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
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
                catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
                {
                    throw failure;
                }
                foreach (var blob in page.Values)
                {
                    yield return new StoredObjectInfo(blob.Name[_destination.Prefix.Length..], blob.Properties.ContentLength ?? 0, blob.Properties.LastModified ?? default);
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
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Blob Batch requests of up to 256 deletes each, at most <see cref="MaxConcurrency"/> at once.</summary>
    public async Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        try
        {
            await Parallel.ForEachAsync(keys.Chunk(AzureBlobBatch.MaxDeletes), new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrency, CancellationToken = cancellationToken },
                async (batch, token) => await _batch.DeleteAsync(batch.Select(k => _destination.Prefix + k).ToArray(), token).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Put Block From URL (the service reads the source; blocks of up to 100 MiB) then Put Block List with the copy's
    /// headers: the blob appears whole, with its final headers, in one step. (Copy Blob would carry the source's
    /// immutable Cache-Control over until a second request; Put Blob From URL does both at once but Azurite lacks it.)
    /// </summary>
    public async Task CopyAsync(StoreCopy copy, CancellationToken cancellationToken)
    {
        var target = _container.GetBlockBlobClient(_destination.Prefix + copy.Key);
        var headers = new BlobHttpHeaders { ContentType = copy.ContentType, CacheControl = copy.CacheControl, ContentEncoding = copy.ContentEncoding };
        var metadata = new Dictionary<string, string> { ["sha256"] = copy.Sha256.Hex };
        try
        {
            if (copy.Size == 0)
            {
                // Nothing to read: an empty blob with the headers.
                await target.UploadAsync(new MemoryStream([]), new BlobUploadOptions { HttpHeaders = headers, Metadata = metadata }, cancellationToken).ConfigureAwait(false);
                return;
            }
            var (source, authorization) = await SourceAsync(Blob(copy.SourceKey), cancellationToken).ConfigureAwait(false);
            var blocks = new List<string>();
            for (long offset = 0; offset < copy.Size; offset += CopyBlockSize)
            {
                var id = Convert.ToBase64String(BitConverter.GetBytes(offset / CopyBlockSize).Concat(new byte[8]).ToArray());
                await target.StageBlockFromUriAsync(source, id, new StageBlockFromUriOptions
                {
                    SourceRange = new HttpRange(offset, Math.Min(CopyBlockSize, copy.Size - offset)),
                    SourceAuthentication = authorization,
                }, cancellationToken).ConfigureAwait(false);
                blocks.Add(id);
            }
            await target.CommitBlockListAsync(blocks, new CommitBlockListOptions { HttpHeaders = headers, Metadata = metadata }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>The source blob as the service may read it: a short read-only SAS when we hold the account key (or the
    /// container's SAS token), else our own token as the copy-source authorization.</summary>
    private async Task<(Uri Source, HttpAuthorization? Authorization)> SourceAsync(BlobClient source, CancellationToken cancellationToken)
    {
        if (source.CanGenerateSasUri)
        {
            return (source.GenerateSasUri(Azure.Storage.Sas.BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1)), null);
        }
        if (_settings.SasTokenVariable is { } variable)
        {
            return (new UriBuilder(source.Uri) { Query = Secret(variable, Option.AzureSasVariable).TrimStart('?') }.Uri, null);
        }
        var token = await _tokenCredential!.GetTokenAsync(new Azure.Core.TokenRequestContext(["https://storage.azure.com/.default"]), cancellationToken).ConfigureAwait(false);
        return (source.Uri, new HttpAuthorization("Bearer", token.Token));
    }

    /// <summary>Uncommitted blocks are invisible and the service discards them after a week: nothing to abort.</summary>
    public Task<int> AbortIncompleteUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken) => Task.FromResult(0);

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
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    public void PrepareConnections() => _warmer.Prepare(_container.Uri, MaxConcurrency);

    public ValueTask DisposeAsync()
    {
        _handler.Dispose();
        _warmer.Dispose();
        return ValueTask.CompletedTask;
    }

    private BlobClient Blob(string key) => _container.GetBlobClient(_destination.Prefix + key);

    private string Secret(string variable, Option option) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw Messages.AzureVariableNotSet(_store.Spelling, option, variable).AsException();

    /// <summary>Azure.Storage.Blobs' failures in the user's terms (null: a cause <see cref="StoreFailures"/> knows). No secrets.</summary>
    private Diagnostic? Explain(Exception e)
    {
        var spelling = _store.Spelling;
        // Azure.Core gives up on a silent service with "Retry failed after N tries ... ClientOptions.Retry" around
        // cancellations nobody asked for (its network timeout): say it in the user's terms, before the socket error
        // inside makes it look unreachable. (The caller did not cancel: StoreFailures checked.)
        if (StoreFailures.Find<OperationCanceledException>(e) is not null || StoreFailures.Find<TimeoutException>(e) is not null)
        {
            return Messages.AzureTimedOut(spelling, _destination.ServiceUri.ToString(), _store.EffectiveRequestTimeout, _store.MaxAttempts);
        }
        if (StoreFailures.Find<CredentialUnavailableException>(e) is { } unavailable)
        {
            _store.Log?.Message(LogImportance.Low, unavailable.Message);
            return Messages.NoAzureCredential(spelling);
        }
        if (StoreFailures.Find<AuthenticationFailedException>(e) is { } failed)
        {
            _store.Log?.Message(LogImportance.Low, failed.Message);
            return Messages.AzureCredentialFailed(spelling);
        }
        var refused = StoreFailures.Find<RequestFailedException>(e);
        if (refused is null || refused.Status == 0)
        {
            return StoreFailures.FindNetworkFailure(e) is not null
                ? Messages.AzureUnreachable(_destination.ServiceUri.ToString(), e.Message)
                : null;
        }
        return refused switch
        {
            { ErrorCode: "ContainerNotFound" } => Messages.ContainerMissing(spelling, _destination.Container, _destination.ServiceUri.ToString()),
            { Status: 401 or 403 } => Messages.AzureAccessDenied($"{refused.Status} {refused.ErrorCode}"),
            _ => Messages.StoreRefused($"{refused.Status} {refused.ErrorCode}: {refused.Message}"),
        };
    }

    /// <summary>
    /// Azure.Core's retry decisions, except that a request whose body found its file changed is final: Azure.Core takes
    /// any IOException under a failed request for a transport fault, rewinds the body and sends it again, which reads
    /// the same changed file and fails the same way (4 retries per changed file before, in the store contract test).
    /// </summary>
    private sealed class NoRetryOfChangedSources(int maxRetries, Azure.Core.DelayStrategy delay) : Azure.Core.Pipeline.RetryPolicy(maxRetries, delay)
    {
        protected override bool ShouldRetry(Azure.Core.HttpMessage message, Exception? exception) =>
            !StoreFailures.SourceChanged(exception) && base.ShouldRetry(message, exception);

        protected override ValueTask<bool> ShouldRetryAsync(Azure.Core.HttpMessage message, Exception? exception) =>
            StoreFailures.SourceChanged(exception) ? ValueTask.FromResult(false) : base.ShouldRetryAsync(message, exception);
    }
}
