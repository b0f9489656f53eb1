using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Model;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Bench.Soak;

/// <summary>How one S3 operation of the engine ended, after the AWS SDK's retries.</summary>
internal enum SdkOutcome
{
    Succeeded,

    /// <summary>Its body stream found the file changed after planning (<see cref="SourceChangedException"/>).</summary>
    SourceChanged,

    /// <summary>Canceled by its caller's token: the engine's stop after another object's failure.</summary>
    CanceledByStop,

    /// <summary>404 on a GET: the manifest or journal read of a destination that has none.</summary>
    NotFound,

    /// <summary>Anything else.</summary>
    Failed,
}

/// <summary>One operation as the engine's S3 client saw it: the SDK's attempts, its time and its outcome. For the
/// answer of an upload, whether it is the answer to this request (<see cref="SdkObserver"/>).</summary>
internal sealed record SdkOperation(string Operation, string Key, SdkOutcome Outcome, int Attempts, double Milliseconds, string? Error, string? Mismatch);

/// <summary>
/// Watches every S3 client the engine creates from inside the AWS SDK's pipeline (the SDK's public
/// <see cref="RuntimePipelineCustomizerRegistry"/>; the bench's own <see cref="AmazonS3Client"/> is left alone): one
/// handler outside the SDK's retry handler sees each operation's outcome, attempts and time, and checks that the answer
/// the client read belongs to the request it sent: a PUT's ETag is the MD5 of the bytes planned for its key (Ceph RGW
/// gives the MD5 of a whole object as its ETag), an uploaded part's ETag the MD5 of that part's buffer, and the key in
/// the answer to starting or completing a multipart upload is the key asked for. It changes nothing the engine does
/// (an uploaded part is an in-memory stream, read once more here and rewound).
/// </summary>
internal sealed class SdkObserver : IRuntimePipelineCustomizer, IDisposable
{
    private readonly ConcurrentQueue<SdkOperation> _unusual = new();
    private readonly ConcurrentDictionary<(string, SdkOutcome), int> _counts = new();
    private int _checked;
    private Func<string, string?> _expectedMd5 = _ => null;

    public SdkObserver() => RuntimePipelineCustomizerRegistry.Instance.Register(this);

    public string UniqueName => "StaticAssets.Bench.Soak.SdkObserver";

    /// <summary>The MD5 (hex) of the bytes planned for a full key, or null where it is not known (manifest, journal).</summary>
    public Func<string, string?> ExpectedMd5
    {
        set => Volatile.Write(ref _expectedMd5, value);
    }

    public void Customize(Type serviceClientType, RuntimePipeline pipeline)
    {
        if (serviceClientType != typeof(AmazonS3Client))
        {
            pipeline.AddHandlerBefore<RetryHandler>(new Handler(this));
        }
    }

    /// <summary>Operations that did not simply succeed, or whose answer was another request's, since the last call.</summary>
    public (IReadOnlyList<SdkOperation> Unusual, IReadOnlyDictionary<(string Operation, SdkOutcome Outcome), int> Counts, int AnswersChecked) Take()
    {
        var unusual = new List<SdkOperation>();
        while (_unusual.TryDequeue(out var op))
        {
            unusual.Add(op);
        }
        var counts = new Dictionary<(string, SdkOutcome), int>();
        foreach (var key in _counts.Keys)
        {
            if (_counts.TryRemove(key, out var n))
            {
                counts[key] = n;
            }
        }
        return (unusual, counts, Interlocked.Exchange(ref _checked, 0));
    }

    public void Dispose() => RuntimePipelineCustomizerRegistry.Instance.Deregister(this);

    private void Record(IExecutionContext context, SdkOutcome outcome, long started, Exception? error, string? mismatch)
    {
        var request = context.RequestContext.OriginalRequest;
        var operation = request.GetType().Name.Replace("Request", "", StringComparison.Ordinal);
        _counts.AddOrUpdate((operation, outcome), 1, (_, n) => n + 1);
        if (outcome != SdkOutcome.Succeeded || mismatch is not null)
        {
            _unusual.Enqueue(new SdkOperation(operation, KeyOf(request), outcome, context.RequestContext.Retries + 1,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, error is null ? null : Describe(error), mismatch));
        }
    }

    private static string KeyOf(AmazonWebServiceRequest request) => request switch
    {
        PutObjectRequest r => r.Key,
        GetObjectRequest r => r.Key,
        UploadPartRequest r => r.Key,
        InitiateMultipartUploadRequest r => r.Key,
        CompleteMultipartUploadRequest r => r.Key,
        AbortMultipartUploadRequest r => r.Key,
        DeleteObjectRequest r => r.Key,
        _ => "",
    };

    private static string Describe(Exception error)
    {
        var parts = new List<string>();
        for (var e = error; e is not null && parts.Count < 4; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
        return string.Join(" <- ", parts);
    }

    private static SdkOutcome Classify(IExecutionContext context, Exception error) =>
        StoreFailures.Find<SourceChangedException>(error) is not null ? SdkOutcome.SourceChanged
        : error is OperationCanceledException && context.RequestContext.CancellationToken.IsCancellationRequested ? SdkOutcome.CanceledByStop
        : error is AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.NotFound } && context.RequestContext.OriginalRequest is GetObjectRequest
            ? SdkOutcome.NotFound
            : SdkOutcome.Failed;

    /// <summary>Null if the answer belongs to the request; else why not.</summary>
    private string? CheckAnswer(AmazonWebServiceRequest request, AmazonWebServiceResponse? response, string? partMd5)
    {
        string? Compare(string what, string? got, string? expected)
        {
            if (expected is null || got is null)
            {
                return null;
            }
            Interlocked.Increment(ref _checked);
            return string.Equals(got, expected, StringComparison.OrdinalIgnoreCase) ? null : $"{what} {got}, expected {expected}";
        }

        return (request, response) switch
        {
            (PutObjectRequest put, PutObjectResponse answer) => Compare("ETag", answer.ETag?.Trim('"'), Volatile.Read(ref _expectedMd5)(put.Key)),
            (UploadPartRequest, UploadPartResponse answer) => Compare("part ETag", answer.ETag?.Trim('"'), partMd5),
            (InitiateMultipartUploadRequest start, InitiateMultipartUploadResponse answer) => Compare("key", answer.Key, start.Key),
            (CompleteMultipartUploadRequest complete, CompleteMultipartUploadResponse answer) => Compare("key", answer.Key, complete.Key),
            _ => null,
        };
    }

    /// <summary>The MD5 of an uploaded part's in-memory body, read from its start and rewound.</summary>
    private static string? PartMd5(AmazonWebServiceRequest request)
    {
        if (request is not UploadPartRequest { InputStream: MemoryStream body })
        {
            return null;
        }
        var position = body.Position;
        body.Position = 0;
        var md5 = Convert.ToHexStringLower(MD5.HashData(body));
        body.Position = position;
        return md5;
    }

    private sealed class Handler(SdkObserver observer) : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            var started = Stopwatch.GetTimestamp();
            var partMd5 = PartMd5(executionContext.RequestContext.OriginalRequest);
            try
            {
                base.InvokeSync(executionContext);
            }
            catch (Exception e)
            {
                observer.Record(executionContext, Classify(executionContext, e), started, e, null);
                throw;
            }
            observer.Record(executionContext, SdkOutcome.Succeeded, started, null,
                observer.CheckAnswer(executionContext.RequestContext.OriginalRequest, executionContext.ResponseContext.Response, partMd5));
        }

        public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            var started = Stopwatch.GetTimestamp();
            var partMd5 = PartMd5(executionContext.RequestContext.OriginalRequest);
            T response;
            try
            {
                response = await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                observer.Record(executionContext, Classify(executionContext, e), started, e, null);
                throw;
            }
            observer.Record(executionContext, SdkOutcome.Succeeded, started, null,
                observer.CheckAnswer(executionContext.RequestContext.OriginalRequest, response, partMd5));
            return response;
        }
    }
}
