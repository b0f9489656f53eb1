namespace StaticAssets.AspNetCore.Tests.Support;

internal static class Errors
{
    /// <summary>The coded error inside whatever wrapped it (hosting, TestServer, aggregate exceptions).</summary>
    public static StaticAssetsException Find(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException ?? (e as AggregateException)?.InnerExceptions.FirstOrDefault())
        {
            if (e is StaticAssetsException coded)
            {
                return coded;
            }
        }
        throw new AssertFailedException($"Expected a StaticAssetsException, got:{Environment.NewLine}{error}");
    }
}
