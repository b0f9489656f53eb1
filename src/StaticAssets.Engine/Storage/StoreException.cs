using System.Net.Http;
using System.Net.Sockets;

namespace StaticAssets.Engine.Storage;

/// <summary>A store failure whose cause is known, carrying the diagnostic code that names it.</summary>
public sealed class StoreException(string code, string message, Exception? inner = null) : IOException(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>The source file of an object disappeared between planning and upload.</summary>
public sealed class SourceDeletedException(string message, Exception inner) : IOException(message, inner);

/// <summary>Names the cause of a store or source failure with its diagnostic code, whoever threw it.</summary>
public static class StoreFailures
{
    // errno values as .NET reports them in IOException.HResult on Linux and macOS; Windows HRESULTs beside them.
    private const int ENOSPC = 28;
    private const int EROFS = 30;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    public static string CodeOf(Exception error, string fallback)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case StoreException store:
                    return store.Code;
                case SourceChangedException:
                    return DiagnosticCodes.SourceChanged;
                case SourceDeletedException:
                    return DiagnosticCodes.SourceDeleted;
                case UnauthorizedAccessException:
                    return DiagnosticCodes.DestinationNotWritable;
                case IOException io when io.HResult is ENOSPC or WindowsDiskFull or WindowsHandleDiskFull:
                    return DiagnosticCodes.DestinationFull;
                case IOException io when io.HResult is EROFS:
                    return DiagnosticCodes.DestinationNotWritable;
                case TimeoutException:
                    return DiagnosticCodes.StoreTimedOut;
                case HttpRequestException or SocketException:
                    return DiagnosticCodes.EndpointUnreachable;
            }
        }
        return fallback;
    }

    /// <summary>The innermost message that says something (client libraries wrap the one that matters).</summary>
    public static string MessageOf(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is StoreException or SourceChangedException or SourceDeletedException)
            {
                return e.Message;
            }
        }
        return error.Message;
    }
}
