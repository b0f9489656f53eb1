using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Generations;

/// <summary>Runs an operation so that its one failure is reported once, coded: a <see cref="StaticAssetsException"/>'s
/// diagnostic, or the operation's own SA4001 when the caller canceled.</summary>
internal static class Reported
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> operation, T failed, Func<Diagnostic> canceled, IPublishLog log, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (StaticAssetsException e)
        {
            log.Report(e.Diagnostic);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.Report(canceled());
        }
        return failed;
    }
}
