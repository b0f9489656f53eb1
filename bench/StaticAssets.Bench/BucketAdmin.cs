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

    /// <summary>Deletes every object under <paramref name="prefix"/> ("" for the whole bucket); returns how many.</summary>
    public async Task<int> DeletePrefixAsync(string bucket, string prefix)
    {
        var deleted = 0;
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1000 };
        while (true)
        {
            // Always list from the start: the page just deleted is gone, so no continuation token is needed.
            var page = await _client.ListObjectsV2Async(request);
            var keys = (page.S3Objects ?? []).Select(o => o.Key).ToList();
            if (keys.Count == 0)
            {
                return deleted;
            }
            await DeleteKeysAsync(bucket, keys);
            deleted += keys.Count;
        }
    }

    public async Task DeleteBucketAsync(string bucket)
    {
        await DeletePrefixAsync(bucket, "");
        await _client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket });
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
