using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace StaticAssets.Bench;

/// <summary>
/// Direct access to the S3 server (not through the proxy) for setup and cleanup: the bench bucket, and deleting
/// each run's prefix afterwards so Ceph's memstore (which holds every object in RAM) stays small.
/// Credentials come from the AWS SDK's default chain (the environment bench/run.sh sets up).
/// </summary>
internal sealed class BucketAdmin : IDisposable
{
    private readonly AmazonS3Client _client;

    public BucketAdmin(Uri endpoint)
    {
        _client = new AmazonS3Client(new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = "us-east-1",
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxConnectionsPerServer = 32,
        });
    }

    public async Task CreateBucketAsync(string bucket) =>
        await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

    /// <summary>Deletes every object under <paramref name="prefix"/> ("" for the whole bucket); returns how many there
    /// were and their total size (so a run's result can be checked against the tree).</summary>
    public async Task<(int Count, long Bytes)> DeletePrefixAsync(string bucket, string prefix)
    {
        var deleted = 0;
        long bytes = 0;
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1000 };
        while (true)
        {
            // Always list from the start: the page just deleted is gone, so no continuation token is needed.
            var page = await _client.ListObjectsV2Async(request);
            var objects = page.S3Objects ?? [];
            if (objects.Count == 0)
            {
                return (deleted, bytes);
            }
            await DeleteKeysAsync(bucket, objects.Select(o => o.Key).ToList());
            deleted += objects.Count;
            bytes += objects.Sum(o => o.Size ?? 0);
        }
    }

    /// <summary>Every object under <paramref name="prefix"/>: its key (without the prefix) and size.</summary>
    public async Task<IReadOnlyList<(string Key, long Size)>> ListAsync(string bucket, string prefix)
    {
        var listed = new List<(string, long)>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1000 };
        do
        {
            var page = await _client.ListObjectsV2Async(request);
            listed.AddRange((page.S3Objects ?? []).Select(o => (o.Key[prefix.Length..], o.Size ?? 0)));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (!string.IsNullOrEmpty(request.ContinuationToken));
        return listed;
    }

    /// <summary>The bytes stored under <paramref name="key"/>, or null if there is no such object.</summary>
    public async Task<byte[]?> GetAsync(string bucket, string key)
    {
        try
        {
            using var response = await _client.GetObjectAsync(bucket, key);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Aborts multipart uploads left under <paramref name="prefix"/> (a failed run's parts stay in Ceph's memory).</summary>
    public async Task<int> AbortUploadsAsync(string bucket, string prefix)
    {
        var uploads = await _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = prefix });
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            await _client.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
        }
        return uploads.MultipartUploads?.Count ?? 0;
    }

    /// <summary>
    /// RGW deletes the tail of a large object (everything past its first 4 MB, and multipart parts) later, in its
    /// garbage collector, so a deleted 1 GB object keeps using Ceph's memory (memstore) for a while. After large
    /// runs the bench asks the collector to run now (<c>radosgw-admin gc process --include-all</c>), when the server
    /// runs on this machine. Returns false if it could not.
    /// </summary>
    public static async Task<bool> CollectGarbageAsync(Uri endpoint)
    {
        if (ProcessStats.ServerConf(endpoint) is not { } conf)
        {
            return false;
        }
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("radosgw-admin")
            {
                ArgumentList = { "-c", conf, "gc", "process", "--include-all" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = System.Diagnostics.Process.Start(start)!;
            var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
            await drain;
            return process.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }

    public async Task DeleteBucketAsync(string bucket)
    {
        await DeletePrefixAsync(bucket, "");
        await _client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket });
    }

    /// <summary>At the end of a bench: aborts what uploads are left, deletes every object and the bucket; a failure is a
    /// warning, not the bench's result.</summary>
    public async Task RemoveBucketAsync(string bucket)
    {
        try
        {
            await AbortUploadsAsync(bucket, "");
            await DeleteBucketAsync(bucket);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"warning: could not delete bucket {bucket}: {e.Message}");
        }
    }

    private async Task DeleteKeysAsync(string bucket, List<string> keys)
    {
        try
        {
            var response = await _client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = bucket,
                Objects = keys.Select(k => new KeyVersion { Key = k }).ToList(),
                Quiet = true,
            });
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new IOException($"batch delete failed for {errors.Count} key(s): {errors[0].Code} {errors[0].Message}");
            }
        }
        catch (AmazonS3Exception)
        {
            // Some servers reject batch delete (or its checksum): one request per key then.
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 32 },
                async (key, ct) => await _client.DeleteObjectAsync(bucket, key, ct));
        }
    }

    public void Dispose() => _client.Dispose();
}
