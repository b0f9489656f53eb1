namespace StaticAssets.Engine.Storage.S3;

/// <summary>
/// Reads S3's answers that the AWS SDK parses (a copy's or a multipart upload's result, a listing, a batch delete's
/// result, an error) into memory, asynchronously, before the SDK sees them. The SDK parses them with an
/// <c>XmlTextReader</c> over the response stream, whose reads are synchronous: without this, a thread-pool thread
/// blocks in a socket read until the body arrives, which for a copy is when the store has finished it (Ceph RGW and
/// S3 send a copy's headers first and its result when done; S3 keeps a long copy's connection alive with whitespace).
/// A rollback's 300 copies at once held up to 64 pool threads that way (measured: the pool grew to 5-8 threads
/// against 3-4 once read here), which MSBuild inside Visual Studio shares. Object downloads (a GET's answer that is
/// not XML) stream as before.
/// </summary>
internal sealed class BufferedXmlAnswers(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if ((request.Method == HttpMethod.Get || request.Method == HttpMethod.Head)
            && response.Content.Headers.ContentType?.MediaType is not ("application/xml" or "text/xml"))
        {
            return response;
        }
        try
        {
            // (LoadIntoBufferAsync takes no cancellation token before .NET 9.)
            var body = new ByteArrayContent(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            foreach (var (name, values) in response.Content.Headers)
            {
                body.Headers.TryAddWithoutValidation(name, values);
            }
            response.Content.Dispose();
            response.Content = body;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
