using System.Net;
using Amazon.Runtime;

namespace StaticAssets.Engine.Storage.S3;

/// <summary>
/// The HTTP client under the S3 client. Two things differ from the SDK's own:
/// <list type="bullet">
/// <item>No <c>Expect: 100-continue</c>. The SDK asks for it on every PUT, which costs a second round trip per
/// object before the body is sent (measured: 17.2 s → 9.9 s for 3,000 files at 40 ms RTT and 16 connections,
/// see docs/benchmarks.md). Our objects are mostly small and the credentials were already proven by the manifest
/// read, so waiting for the go-ahead buys nothing.</item>
/// <item>One connection pool, capped at the publish's concurrency limit, owned by one S3 client: requests in
/// flight can never exceed the limit, whatever the SDK's client caching does.</item>
/// </list>
/// </summary>
internal sealed class S3HttpClientFactory(int maxConnections) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var connections = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            AllowAutoRedirect = clientConfig.AllowAutoRedirect,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = clientConfig.ConnectTimeout ?? Timeout.InfiniteTimeSpan,
            // Re-resolve DNS now and then on long publishes (S3 endpoints rotate addresses).
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var client = new HttpClient(new NoExpectContinue(connections));
        if (clientConfig.Timeout is { } timeout)
        {
            client.Timeout = timeout;
        }
        return client;
    }

    // Cached per S3 client (null) and disposed with it: the pool's cap then belongs to exactly one store.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;

    private sealed class NoExpectContinue(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.ExpectContinue = false;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
