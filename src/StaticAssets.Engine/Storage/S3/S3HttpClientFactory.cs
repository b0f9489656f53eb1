using Amazon.Runtime;
using StaticAssets.Engine.Storage.Http;

namespace StaticAssets.Engine.Storage.S3;

/// <summary>Gives the S3 client our HTTP stack (<see cref="PublishHttpHandler"/>), one per S3 client, under which the
/// answers the SDK parses are read whole first (<see cref="BufferedXmlAnswers"/>).</summary>
internal sealed class S3HttpClientFactory(int maxConnections, StoreSettings settings, ConnectionWarmer warmer) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var client = new HttpClient(new BufferedXmlAnswers(PublishHttpHandler.Create(
            maxConnections, settings, "amz-sdk-invocation-id", warmer, clientConfig.ConnectTimeout, clientConfig.AllowAutoRedirect)));
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
}
