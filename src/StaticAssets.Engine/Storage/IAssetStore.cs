using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Storage;

/// <summary>
/// A destination's storage writer: the small surface each backend implements. Concurrency limits, ordering,
/// verification and the manifest protocol live above it (see <c>Upload</c> and <c>Publishing</c>), so every
/// backend gets them. Implementations must allow concurrent calls.
/// <para>
/// <b>Failure contract.</b> Every operation either succeeds, or throws <see cref="OperationCanceledException"/>
/// because the caller's token was canceled, or throws a <see cref="StoreException"/> whose coded
/// <see cref="Diagnostic"/> says in the user's terms what went wrong (never with a secret in it). Backends get this
/// by passing every failure through <see cref="StoreFailures.Translate"/>.
/// </para>
/// </summary>
public interface IAssetStore : IAsyncDisposable
{
    /// <summary>Where objects go, for log messages. Never contains a secret.</summary>
    string Description { get; }

    /// <summary>Most operations this store carries at once (its connection pool is capped there): the publish's concurrency.</summary>
    int MaxConcurrency { get; }

    /// <summary>Reads a small object (the manifest) whole; null when the destination has no such key.</summary>
    Task<byte[]?> TryReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Lists every object under the destination's root (or prefix), keys relative to it.</summary>
    IAsyncEnumerable<StoredObjectInfo> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes one object if it exists (used only for the pending journal, never for assets).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores one object so that readers see either nothing/the old bytes or all of the new ones.</summary>
    Task WriteAsync(StoreWrite write, CancellationToken cancellationToken);
}

/// <summary>
/// One object to store. <see cref="OpenContent"/> returns a fresh stream of exactly <see cref="Length"/> bytes
/// that throws <see cref="SourceChangedException"/> before its last byte if the bytes do not match
/// <see cref="Sha256"/>, and <see cref="SourceDeletedException"/> if the file is gone.
/// </summary>
public sealed record StoreWrite(
    string Key,
    long Length,
    Sha256Digest Sha256,
    string ContentType,
    string? ContentEncoding,
    string CacheControl,
    Func<Stream> OpenContent);

public sealed record StoredObjectInfo(string Key, long Size);
