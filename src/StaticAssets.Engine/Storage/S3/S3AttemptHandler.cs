using System.Net;

namespace StaticAssets.Engine.Storage.S3;

/// <summary>
/// One attempt of an S3 request as the AWS SDK sends it, with two changes to the SDK's defaults:
/// <list type="bullet">
/// <item><b>An attempt is abandoned when it stalls</b>: when no byte of the request's body is taken and no byte of its
/// answer arrives for the request timeout (100 s unless set). The SDK's S3 default is no timeout at all (its
/// <c>Timeout</c> for S3 is ~24 days): a store that took a request and never answered held the publish until the CI
/// job's own limit. A limit on the whole attempt (HttpClient's) would fail what is slow but moving instead: 64 uploads
/// sharing a slow link, or a copy of a large object that S3 keeps alive with whitespace. A stalled attempt is retried
/// as a timeout (the SDK's standard retry mode), and after the last one reported as SA3011.</item>
/// <item><b>The answers the SDK parses are read whole here, asynchronously</b> (a copy's or a multipart upload's
/// result, a listing, a batch delete's result, an error: XML, and whatever a PUT, POST or DELETE returns). The SDK
/// parses them with an <c>XmlTextReader</c> over the response stream, whose reads are synchronous: a pool thread then
/// blocked in a socket read until the body arrived, which for a copy is when the store has finished it (Ceph RGW and S3
/// send a copy's headers first and its result when done): 300 copies at once against Ceph RGW spent 59% of the pool
/// threads' sampled time blocked in those reads, none once read here (docs/benchmarks.md). MSBuild inside Visual
/// Studio shares that pool. Object downloads (a GET's answer that is not XML) stream to the caller as before.</item>
/// </list>
/// </summary>
internal sealed class S3AttemptHandler(TimeSpan stallTimeout, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = new Watch(stalled, stallTimeout);
        watch.Moved();
        if (request.Content is { } content)
        {
            request.Content = new WatchedContent(content, watch);
        }
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, stalled.Token).ConfigureAwait(false);
            watch.Moved();
            if ((request.Method == HttpMethod.Get || request.Method == HttpMethod.Head)
                && response.Content.Headers.ContentType?.MediaType is not ("application/xml" or "text/xml"))
            {
                return response; // an object's content: the caller reads it
            }
            response.Content = await ReadWholeAsync(response.Content, watch, stalled.Token).ConfigureAwait(false);
            return response;
        }
        catch (OperationCanceledException e) when (stalled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            // What HttpClient throws for its own timeout, which the SDK retries as one.
            throw new TaskCanceledException(
                $"Nothing moved for {stallTimeout.TotalSeconds:N0} s (the request timeout).", new TimeoutException(e.Message, e));
        }
        catch
        {
            response?.Dispose();
            throw;
        }
    }

    private static async Task<HttpContent> ReadWholeAsync(HttpContent content, Watch watch, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        // Stream's copy, not HttpContent's: that one would wrap a reset mid-body in another exception type.
        await stream.CopyToAsync(new WatchedWrites(body, watch), cancellationToken).ConfigureAwait(false);
        var whole = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length);
        CopyHeaders(content, whole);
        content.Dispose();
        return whole;
    }

    private static void CopyHeaders(HttpContent from, HttpContent to)
    {
        foreach (var (name, values) in from.Headers)
        {
            to.Headers.TryAddWithoutValidation(name, values);
        }
    }

    /// <summary>Cancels the attempt once nothing has moved for the timeout.</summary>
    private sealed class Watch(CancellationTokenSource stalled, TimeSpan timeout)
    {
        public void Moved()
        {
            try
            {
                stalled.CancelAfter(timeout);
            }
            catch (ObjectDisposedException)
            {
                // The attempt is over (an answer can come before the whole body is sent, e.g. an early error).
            }
        }
    }

    /// <summary>The SDK's request body, unchanged, with each write to the connection counted as progress.</summary>
    private sealed class WatchedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly Watch _watch;

        public WatchedContent(HttpContent inner, Watch watch)
        {
            _inner = inner;
            _watch = watch;
            CopyHeaders(inner, this);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            _inner.CopyToAsync(new WatchedWrites(stream, _watch), context, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>Every write counts as progress: the request body's way to the connection, an answer's way into memory.</summary>
    private sealed class WatchedWrites(Stream inner, Watch watch) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            watch.Moved();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            watch.Moved();
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
