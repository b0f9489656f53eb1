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

    /// <summary>Reads at most the first <paramref name="length"/> bytes of an object (a history entry's record without
    /// the manifest it carries); null when the destination has no such key. The backends send a ranged read; this
    /// default reads the object whole.</summary>
    async Task<byte[]?> TryReadStartAsync(string key, int length, CancellationToken cancellationToken)
    {
        var bytes = await TryReadAsync(key, cancellationToken).ConfigureAwait(false);
        return bytes is not null && bytes.Length > length ? bytes[..length] : bytes;
    }

    /// <summary>Lists every object under the destination's root (or prefix) whose key starts with
    /// <paramref name="under"/> ("" for all), keys relative to the root, with their size and last-modified time.</summary>
    IAsyncEnumerable<StoredObjectInfo> ListAsync(string under, CancellationToken cancellationToken);

    /// <summary>Deletes one object if it exists (the pending journal).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes objects that may or may not exist, in as few requests as the backend allows (S3: DeleteObjects of up
    /// to 1,000 keys, Azure: Blob Batch of up to 256, at most <see cref="MaxConcurrency"/> requests at once; a folder:
    /// one file after another). Used only by the prune, for objects it proved nothing needs. On failure or
    /// cancellation some of the keys may be deleted.
    /// </summary>
    Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the bytes of the existing object <see cref="StoreCopy.SourceKey"/> under <see cref="StoreCopy.Key"/>
    /// with the copy's own headers, inside the store (no content passes through this process), so that readers see
    /// the old object or the whole new one with its new headers.
    /// </summary>
    Task CopyAsync(StoreCopy copy, CancellationToken cancellationToken);

    /// <summary>Aborts multi-part uploads under the prefix begun before <paramref name="startedBefore"/> (their parts
    /// are stored and billed but invisible); returns how many. Stores without such uploads return 0.</summary>
    Task<int> AbortIncompleteUploadsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken);

    /// <summary>Stores one object so that readers see either nothing/the old bytes or all of the new ones.</summary>
    Task WriteAsync(StoreWrite write, CancellationToken cancellationToken);
}

/// <summary>
/// A store that can begin a listing after any key (S3's StartAfter). A listing's pages otherwise come one round trip
/// after another (1,000 keys each on S3), so a large prefix is listed as several key ranges at once
/// (<see cref="KeyRangeListing"/>), which depends on knowing the order the server lists in: documented as UTF-8 byte
/// order for S3. Azure Blob lists in one sequence: its pages hold 5,000 names, and its order is not documented that
/// precisely.
/// </summary>
public interface IListsAfterKey
{
    /// <summary>As <see cref="IAssetStore.ListAsync(string, CancellationToken)"/>, only keys after
    /// <paramref name="startAfter"/> (in UTF-8 byte order, <see cref="Utf8KeyOrder"/>; null: from the first).</summary>
    IAsyncEnumerable<StoredObjectInfo> ListAfterAsync(string under, string? startAfter, CancellationToken cancellationToken);
}

/// <summary>A store whose connections can be opened ahead of the requests that will need them
/// (<see cref="Http.ConnectionWarmer"/>).</summary>
public interface IPreparesConnections
{
    /// <summary>Opens connections in the background until as many as the store's concurrency are open or opening.
    /// Returns at once; a connection that fails to open costs nothing but the attempt.</summary>
    void PrepareConnections();
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

/// <summary>A listed object: its key (relative to the destination's root), size, and when it was last written.</summary>
public sealed record StoredObjectInfo(string Key, long Size, DateTimeOffset LastModified = default);

/// <summary>A server-side copy of <paramref name="SourceKey"/> to <paramref name="Key"/> with these headers.
/// <paramref name="Size"/> and <paramref name="Sha256"/> are the source's (the digest is recorded as the copy's
/// metadata, as for a write).</summary>
public sealed record StoreCopy(
    string SourceKey,
    string Key,
    long Size,
    Sha256Digest Sha256,
    string ContentType,
    string? ContentEncoding,
    string CacheControl);

public static class AssetStoreExtensions
{
    /// <summary>Every object under the destination's root (or prefix).</summary>
    public static IAsyncEnumerable<StoredObjectInfo> ListAsync(this IAssetStore store, CancellationToken cancellationToken) =>
        store.ListAsync("", cancellationToken);

    /// <summary>Reads a small object; null if there is none; a failure is the coded error saying what could not be read
    /// (SA3002, or the store's own code) and that nothing was written.</summary>
    public static Task<byte[]?> ReadOrFailAsync(this IAssetStore store, string key, CancellationToken cancellationToken) =>
        ReadOrFailAsync(store, key, null, cancellationToken);

    /// <summary>As <see cref="ReadOrFailAsync(IAssetStore, string, CancellationToken)"/>, at most the first
    /// <paramref name="length"/> bytes.</summary>
    public static Task<byte[]?> ReadStartOrFailAsync(this IAssetStore store, string key, int length, CancellationToken cancellationToken) =>
        ReadOrFailAsync(store, key, length, cancellationToken);

    private static async Task<byte[]?> ReadOrFailAsync(IAssetStore store, string key, int? length, CancellationToken cancellationToken)
    {
        try
        {
            return length is { } first
                ? await store.TryReadStartAsync(key, first, cancellationToken).ConfigureAwait(false)
                : await store.TryReadAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Messages.NotRead(StoreFailures.DiagnosticOf(e), key, store.Description).AsException(e);
        }
    }

    /// <summary>Everything <see cref="IAssetStore.ListAsync(string, CancellationToken)"/> gives, collected.</summary>
    public static async Task<IReadOnlyList<StoredObjectInfo>> ListAllAsync(this IAssetStore store, string under, CancellationToken cancellationToken)
    {
        var found = new List<StoredObjectInfo>();
        await foreach (var obj in store.ListAsync(under, cancellationToken).ConfigureAwait(false))
        {
            found.Add(obj);
        }
        return found;
    }
}
