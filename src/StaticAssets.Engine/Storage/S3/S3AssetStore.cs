using System.Buffers;
using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Storage.Http;

namespace StaticAssets.Engine.Storage.S3;

/// <summary>
/// S3 and S3-compatible stores through AWSSDK.S3. One client, whose HTTP connection pool is capped at the publish's
/// concurrency limit, so requests in flight never exceed it even when large files upload several parts at once.
/// Credentials come only from the SDK's default chain and never appear in messages.
/// </summary>
public sealed class S3AssetStore : IAssetStore, IListsAfterKey, IPreparesConnections
{
    /// <summary>Parts of one large file uploading at once.</summary>
    private const int PartsInFlightPerObject = 4;

    /// <summary>Part buffers of all large files together: memory stays flat whatever the file sizes.</summary>
    private const long PartBufferBudget = 64L * 1024 * 1024;

    private readonly PublishS3Client _client;
    private readonly S3Destination _destination;
    private readonly S3Settings _settings;
    private readonly StoreSettings _store;
    private readonly MemoryBudget _partBuffers = new(PartBufferBudget);
    private readonly ConnectionWarmer _warmer = new();
    private Uri? _endpoint;

    public S3AssetStore(S3Destination destination, StoreSettings settings)
    {
        _destination = destination;
        _settings = settings.S3;
        _store = settings;
        MaxConcurrency = settings.MaxConcurrency ?? destination.DefaultMaxConcurrency;
        var config = new AmazonS3Config
        {
            ForcePathStyle = _settings.ForcePathStyle,
            MaxConnectionsPerServer = MaxConcurrency,
            HttpClientFactory = new S3HttpClientFactory(MaxConcurrency, settings, _warmer),
            HttpClientCacheSize = 1,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = settings.MaxAttempts - 1,
            RequestChecksumCalculation = _settings.ChecksumMode == S3ChecksumMode.WhenRequired
                ? RequestChecksumCalculation.WHEN_REQUIRED
                : RequestChecksumCalculation.WHEN_SUPPORTED,
            ResponseChecksumValidation = _settings.ChecksumMode == S3ChecksumMode.WhenRequired
                ? ResponseChecksumValidation.WHEN_REQUIRED
                : ResponseChecksumValidation.WHEN_SUPPORTED,
        };
        if (_settings.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl.ToString();
            config.AuthenticationRegion = _settings.Region ?? "us-east-1";
        }
        else if (_settings.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        _client = new PublishS3Client(config);
    }

    public string Description => _destination.ToString();

    public int MaxConcurrency { get; }

    public Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken) => ReadAsync(key, null, cancellationToken);

    public void PrepareConnections()
    {
        try
        {
            // Where the SDK sends this bucket's requests (path-style or virtual-hosted, AWS or a custom endpoint). Its
            // rules take milliseconds the first time, which the first request would spend otherwise.
            _endpoint ??= new Uri(_client.DetermineServiceOperationEndpoint(new ListObjectsV2Request { BucketName = _destination.Bucket }).URL);
            _warmer.Prepare(_endpoint, MaxConcurrency);
        }
        catch (Exception e) when (e is AmazonClientException or UriFormatException)
        {
            // Only a head start: the requests themselves connect, and report what is wrong.
        }
    }

    public Task<byte[]?> TryReadStartAsync(string key, int length, CancellationToken cancellationToken) => ReadAsync(key, length, cancellationToken);

    private async Task<byte[]?> ReadAsync(string key, int? length, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = _destination.Bucket, Key = _destination.Prefix + key };
        if (length is { } first)
        {
            request.ByteRange = new ByteRange(0, first - 1);
        }
        try
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception e) when (length is not null && e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return []; // an empty object has no first byte
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string under, CancellationToken cancellationToken) =>
        ListAfterAsync(under, null, cancellationToken);

    public async IAsyncEnumerable<StoredObjectInfo> ListAfterAsync(
        string under, string? startAfter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _destination.Bucket, Prefix = _destination.Prefix + under };
        if (startAfter is not null)
        {
            request.StartAfter = _destination.Prefix + startAfter;
        }
        do
        {
            ListingPage page;
            try
            {
                page = await _client.ListPageAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
            {
                throw failure;
            }
            foreach (var obj in page.Objects)
            {
                yield return obj with { Key = obj.Key[_destination.Prefix.Length..] };
            }
            request.ContinuationToken = page.IsTruncated ? page.NextContinuationToken : null;
        }
        while (!string.IsNullOrEmpty(request.ContinuationToken));
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteObjectAsync(_destination.Bucket, _destination.Prefix + key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>DeleteObjects of up to 1,000 keys a request (S3's limit), the requests at most <see cref="MaxConcurrency"/>
    /// at once. A key the server could not delete fails the call, naming it.</summary>
    public async Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        try
        {
            await Parallel.ForEachAsync(keys.Chunk(1000), new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrency, CancellationToken = cancellationToken },
                async (batch, token) =>
                {
                    var response = await _client.DeleteObjectsAsync(new DeleteObjectsRequest
                    {
                        BucketName = _destination.Bucket,
                        Objects = batch.Select(k => new KeyVersion { Key = _destination.Prefix + k }).ToList(),
                        Quiet = true,
                    }, token).ConfigureAwait(false);
                    if (response.DeleteErrors is { Count: > 0 } errors)
                    {
                        throw new StoreException(Messages.StoreRefused(
                            $"{errors.Count:N0} of {batch.Length:N0} objects were not deleted, the first '{errors[0].Key}': {errors[0].Code} {errors[0].Message}"));
                    }
                }).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>CopyObject with the copy's own headers (MetadataDirective REPLACE): one request, no content through us.</summary>
    public async Task CopyAsync(StoreCopy copy, CancellationToken cancellationToken)
    {
        var request = new CopyObjectRequest
        {
            SourceBucket = _destination.Bucket,
            SourceKey = _destination.Prefix + copy.SourceKey,
            DestinationBucket = _destination.Bucket,
            DestinationKey = _destination.Prefix + copy.Key,
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = copy.ContentType,
        };
        SetHeaders(request.Headers, request.Metadata, copy.CacheControl, copy.ContentEncoding, copy.Sha256);
        try
        {
            await _client.CopyObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    public async Task<int> AbortIncompleteUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken)
    {
        try
        {
            var stale = new List<MultipartUpload>();
            var request = new ListMultipartUploadsRequest { BucketName = _destination.Bucket, Prefix = _destination.Prefix };
            while (true)
            {
                var page = await _client.ListMultipartUploadsAsync(request, cancellationToken).ConfigureAwait(false);
                stale.AddRange((page.MultipartUploads ?? []).Where(u => u.Initiated is { } started && started.ToUniversalTime() < startedBefore.UtcDateTime));
                if (page.IsTruncated != true)
                {
                    break;
                }
                request.KeyMarker = page.NextKeyMarker;
                request.UploadIdMarker = page.NextUploadIdMarker;
            }
            await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrency, CancellationToken = cancellationToken },
                async (upload, token) => await _client.AbortMultipartUploadAsync(_destination.Bucket, upload.Key, upload.UploadId, token).ConfigureAwait(false))
                .ConfigureAwait(false);
            return stale.Count;
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    public async Task WriteAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        try
        {
            if (write.Length >= _settings.MultipartThreshold)
            {
                await WriteInPartsAsync(write, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteWholeAsync(write, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (StoreFailures.Translate(e, cancellationToken, Explain) is { } failure)
        {
            throw failure;
        }
    }

    private async Task WriteWholeAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        // The stream is disposed by the SDK (AutoCloseStream); it verifies the bytes against the plan as they go, and
        // the request is signed with the planned SHA-256 (PublishS3Client): the SDK does not read the body to hash it,
        // and the server refuses other bytes.
        var request = new PutObjectRequest
        {
            BucketName = _destination.Bucket,
            Key = _destination.Prefix + write.Key,
            InputStream = write.OpenContent(),
            AutoCloseStream = true,
            ContentType = write.ContentType,
            UseChunkEncoding = false,
        };
        request.Headers.ContentLength = write.Length;
        SetHeaders(request.Headers, request.Metadata, write);
        await _client.PutPlannedObjectAsync(request, write.Sha256, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the file once, front to back, through the verifying stream, into pooled part buffers; up to
    /// <see cref="PartsInFlightPerObject"/> parts upload at once. The upload is completed only after the stream's
    /// end verified the whole file, and aborted on any failure, so no half-object ever becomes visible.
    /// </summary>
    private async Task WriteInPartsAsync(StoreWrite write, CancellationToken cancellationToken)
    {
        var partSize = MultipartLimits.PartSizeFor(write.Length, _settings.PartSize)
            ?? throw new StoreException(Messages.TooLargeForS3(write.Key, write.Length));
        var key = _destination.Prefix + write.Key;
        var initiate = new InitiateMultipartUploadRequest { BucketName = _destination.Bucket, Key = key, ContentType = write.ContentType };
        SetHeaders(initiate.Headers, initiate.Metadata, write);
        var uploadId = (await _client.InitiateMultipartUploadAsync(initiate, cancellationToken).ConfigureAwait(false)).UploadId;
        try
        {
            var parts = new List<Task<PartETag>>();
            using var partsInFlight = new SemaphoreSlim(PartsInFlightPerObject, PartsInFlightPerObject);
            await using (var content = write.OpenContent())
            {
                for (var partNumber = 1; ; partNumber++)
                {
                    await partsInFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                    var budget = await AcquireBufferAsync(partSize, partsInFlight, cancellationToken).ConfigureAwait(false);
                    var buffer = ArrayPool<byte>.Shared.Rent(partSize);
                    int filled;
                    try
                    {
                        // A short read means the stream reached its end, which is where it verifies the whole file.
                        filled = await content.ReadAtLeastAsync(
                            buffer.AsMemory(0, partSize), partSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        Release(buffer, budget, partsInFlight);
                        throw;
                    }
                    if (filled == 0)
                    {
                        Release(buffer, budget, partsInFlight);
                        break;
                    }
                    parts.Add(UploadPartAsync(key, uploadId, partNumber, buffer, filled, budget, partsInFlight, cancellationToken));
                    if (filled < partSize)
                    {
                        break;
                    }
                }
            }
            var etags = await Task.WhenAll(parts).ConfigureAwait(false);
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _destination.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = etags.ToList(),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Best effort, and not cancellable by the token that may have caused the failure.
            try
            {
                await _client.AbortMultipartUploadAsync(_destination.Bucket, key, uploadId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The bucket's lifecycle rules clean up what an abort could not; the failure being reported matters more.
            }
            throw;
        }
    }

    private async Task<long> AcquireBufferAsync(int partSize, SemaphoreSlim partsInFlight, CancellationToken cancellationToken)
    {
        try
        {
            return await _partBuffers.AcquireAsync(partSize, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            partsInFlight.Release();
            throw;
        }
    }

    private async Task<PartETag> UploadPartAsync(
        string key, string uploadId, int partNumber, byte[] buffer, int length, long budget, SemaphoreSlim partsInFlight,
        CancellationToken cancellationToken)
    {
        try
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            var response = await _client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = _destination.Bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                PartSize = length,
                InputStream = body,
                UseChunkEncoding = false,
            }, cancellationToken).ConfigureAwait(false);
            return new PartETag(partNumber, response.ETag);
        }
        finally
        {
            Release(buffer, budget, partsInFlight);
        }
    }

    private void Release(byte[] buffer, long budget, SemaphoreSlim partsInFlight)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        _partBuffers.Release(budget);
        partsInFlight.Release();
    }

    private static void SetHeaders(HeadersCollection headers, MetadataCollection metadata, StoreWrite write) =>
        SetHeaders(headers, metadata, write.CacheControl, write.ContentEncoding, write.Sha256);

    private static void SetHeaders(HeadersCollection headers, MetadataCollection metadata, string cacheControl, string? contentEncoding, Sha256Digest sha256)
    {
        headers.CacheControl = cacheControl;
        if (contentEncoding is { } encoding)
        {
            headers.ContentEncoding = encoding;
        }
        // Lets anyone check an object against the manifest without downloading it (HEAD shows x-amz-meta-sha256).
        metadata.Add("sha256", sha256.Hex);
    }

    /// <summary>The S3 client's failures in the user's terms (null: a cause <see cref="StoreFailures"/> knows). No credentials.</summary>
    private Diagnostic? Explain(Exception e)
    {
        var spelling = _store.Spelling;
        if (e is TimeoutException or OperationCanceledException)
        {
            // The caller did not cancel (StoreFailures checked): the SDK's request timeout, on every attempt.
            return Messages.S3TimedOut(spelling, _store.EffectiveRequestTimeout, _store.MaxAttempts);
        }
        if (e is AmazonClientException
            && e.Message.StartsWith("Failed to resolve AWS credentials", StringComparison.Ordinal))
        {
            // One line for the user; the SDK's account of each provider (four, one of them about a web identity nobody
            // configured) is for whoever asks for detail.
            _store.Log?.Message(LogImportance.Low, e.Message);
            return Messages.NoAwsCredentials();
        }
        var service = e as AmazonServiceException;
        if ((service is null || service.StatusCode == 0) && StoreFailures.FindNetworkFailure(e) is { } network)
        {
            var endpoint = _settings.ServiceUrl?.ToString() ?? "(AWS, " + (_settings.Region ?? "default region") + ")";
            return Messages.S3Unreachable(spelling, endpoint, network.Message);
        }
        if (StoreFailures.Find<System.Xml.XmlException>(e) is { } unreadable)
        {
            // An answer that is not what S3 sends (a listing page cut short without its continuation token): its own
            // account, not the SDK's "Error unmarshalling response back from AWS".
            return Messages.StoreRefused($"the store's answer could not be read: {unreadable.Message}");
        }
        if (service is null)
        {
            return null;
        }
        var errorCode = (service as AmazonS3Exception)?.ErrorCode ?? service.ErrorCode;
        var status = $"{(int)service.StatusCode} {errorCode}";
        return errorCode switch
        {
            "NoSuchBucket" => Messages.BucketMissing(spelling, status, _destination.Bucket),
            "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidToken" or "ExpiredToken" or "AllAccessDisabled" =>
                Messages.S3AccessDenied(status),
            "XAmzContentSHA256Mismatch" or "BadDigest" or "InvalidDigest" => Messages.S3ChecksumRejected(spelling, status),
            _ => Messages.StoreRefused($"{status}: {service.Message}"),
        };
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _warmer.Dispose();
        return ValueTask.CompletedTask;
    }
}
