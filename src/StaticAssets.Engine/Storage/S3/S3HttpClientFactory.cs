using Amazon.Runtime;
using StaticAssets.Engine.Storage.Http;

namespace StaticAssets.Engine.Storage.S3;

/// <summary>Gives the S3 client our HTTP stack (<see cref="PublishHttpHandler"/>), one per S3 client, each attempt
/// watched for stalls and the answers the SDK parses read whole first (<see cref="S3AttemptHandler"/>).</summary>
internal sealed class S3HttpClientFactory(int maxConnections, StoreSettings settings, ConnectionWarmer warmer) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        // The request timeout is the handler's, on stalls; none on the attempt as a whole (HttpClient's).
        return new HttpClient(new S3AttemptHandler(settings.EffectiveRequestTimeout, PublishHttpHandler.Create(
            maxConnections, settings, "amz-sdk-invocation-id", warmer, clientConfig.ConnectTimeout, clientConfig.AllowAutoRedirect)))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    // Cached per S3 client (null) and disposed with it: the pool's cap then belongs to exactly one store.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}
