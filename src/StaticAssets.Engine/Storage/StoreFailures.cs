using System.Net.Http;
using System.Net.Sockets;
using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Storage;

/// <summary>A store operation failed for a known cause: <see cref="Diagnostic"/> names it with its code.</summary>
public sealed class StoreException(Diagnostic diagnostic, Exception? inner = null) : IOException(diagnostic.Message, inner)
{
    public Diagnostic Diagnostic { get; } = diagnostic;

    public string Code => Diagnostic.Code;
}

/// <summary>The bytes read for an object are not the bytes that were planned (the file changed after planning).</summary>
public sealed class SourceChangedException(Diagnostic diagnostic) : IOException(diagnostic.Message)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}

/// <summary>The source file of an object disappeared between planning and upload.</summary>
public sealed class SourceDeletedException(Diagnostic diagnostic, Exception inner) : IOException(diagnostic.Message, inner)
{
    public Diagnostic Diagnostic { get; } = diagnostic;
}

/// <summary>The one translation of failures into the <see cref="IAssetStore"/> contract, shared by every backend.</summary>
public static class StoreFailures
{
    // errno values as .NET reports them in IOException.HResult on Linux and macOS; Windows HRESULTs beside them.
    private const int ENOSPC = 28;
    private const int EROFS = 30;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>
    /// What a store operation must throw instead of <paramref name="error"/>; null when <paramref name="error"/>
    /// already keeps the contract (a <see cref="StoreException"/>, or the caller's own cancellation). Use it as
    /// <c>catch (Exception e) when (StoreFailures.Translate(e, token, Explain) is { } failure) { throw failure; }</c>.
    /// Causes every backend shares are recognised here, walking the chain of causes (aggregates included) once: the
    /// source file changed or vanished (first: client libraries wrap the body stream's failure in their own), then
    /// the backend's <paramref name="explain"/> of its client's errors, then the file system, timeouts, the network.
    /// </summary>
    public static Exception? Translate(Exception error, CancellationToken cancellationToken, Func<Exception, Diagnostic?>? explain = null)
    {
        if (error is StoreException)
        {
            return null;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return error is OperationCanceledException ? null : new OperationCanceledException("The store operation was canceled.", error, cancellationToken);
        }
        var causes = Causes(error).ToArray();
        var known = causes.Select(c => c switch
            {
                StoreException store => store.Diagnostic,
                SourceChangedException changed => changed.Diagnostic,
                SourceDeletedException deleted => deleted.Diagnostic,
                _ => null,
            })
            .FirstOrDefault(d => d is not null)
            ?? explain?.Invoke(error)
            ?? causes.Select(Shared).FirstOrDefault(d => d is not null)
            ?? Messages.StoreRefused(error.Message);
        return new StoreException(known, error);
    }

    /// <summary>The first cause of type <typeparamref name="T"/> in <paramref name="error"/>'s chain, or null.</summary>
    public static T? Find<T>(Exception error) where T : Exception => Causes(error).OfType<T>().FirstOrDefault();

    /// <summary>A request failed because its body's file changed after planning: final, never worth another attempt
    /// (the SDKs' retry policies take it for a transient IOException and would send the same changed file again).</summary>
    public static bool SourceChanged(Exception? error) => error is not null && Find<SourceChangedException>(error) is not null;

    /// <summary>The network failure in <paramref name="error"/>'s chain (connection refused, DNS, TLS, reset), or null.</summary>
    public static Exception? FindNetworkFailure(Exception error) => Causes(error).FirstOrDefault(c => c is HttpRequestException or SocketException);

    /// <summary>The coded account of a store operation's failure (translating it if a store did not).</summary>
    public static Diagnostic DiagnosticOf(Exception error) =>
        ((StoreException)(Translate(error, CancellationToken.None) ?? error)).Diagnostic;

    private static Diagnostic? Shared(Exception cause) => cause switch
    {
        UnauthorizedAccessException => Messages.NotWritable(cause.Message),
        IOException { HResult: ENOSPC or WindowsDiskFull or WindowsHandleDiskFull } => Messages.Full(cause.Message),
        IOException { HResult: EROFS } => Messages.NotWritable(cause.Message),
        // The caller did not cancel (checked above): a client library gave up waiting.
        TimeoutException or OperationCanceledException => Messages.TimedOut(cause.Message),
        HttpRequestException or SocketException => Messages.Unreachable(cause.Message),
        _ => null,
    };

    /// <summary>An exception and everything it wraps, depth first, every exception of an AggregateException included.</summary>
    private static IEnumerable<Exception> Causes(Exception error)
    {
        yield return error;
        var inner = error is AggregateException aggregate ? aggregate.InnerExceptions : (IEnumerable<Exception>)(error.InnerException is { } one ? [one] : []);
        foreach (var cause in inner.SelectMany(Causes))
        {
            yield return cause;
        }
    }
}
