using System.Security.Cryptography;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Upload;

/// <summary>
/// Reads a source file while hashing it, and fails at the end (before a store can commit the object) if the
/// bytes are not the planned ones. A file edited after planning is therefore never stored under a key that
/// promises other content.
/// </summary>
internal sealed class VerifyingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly string _path;
    private readonly long _expectedLength;
    private readonly Sha256Digest _expectedDigest;
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _verified;

    public VerifyingReadStream(Stream inner, string path, long expectedLength, Sha256Digest expectedDigest)
    {
        _inner = inner;
        _path = path;
        _expectedLength = expectedLength;
        _expectedDigest = expectedDigest;
    }

    public override bool CanRead => true;
    public override bool CanSeek => _inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => _expectedLength;

    public override long Position
    {
        get => _read;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Account(buffer[..n], endOfStream: n == 0 && buffer.Length > 0);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n], endOfStream: n == 0 && buffer.Length > 0);
        return n;
    }

    private void Account(ReadOnlySpan<byte> chunk, bool endOfStream)
    {
        _read += chunk.Length;
        if (_read > _expectedLength)
        {
            throw Changed($"it is now larger than the {_expectedLength} bytes planned");
        }
        _hash.AppendData(chunk);
        if (endOfStream && !_verified)
        {
            if (_read != _expectedLength)
            {
                throw Changed($"it now has {_read} bytes, not the {_expectedLength} planned");
            }
            if (Sha256Digest.FromBytes(_hash.GetHashAndReset()) != _expectedDigest)
            {
                throw Changed("its SHA-256 no longer matches the planned one");
            }
            _verified = true;
        }
    }

    private SourceChangedException Changed(string why) => new(Messages.FileChanged(_path, why));

    public override long Seek(long offset, SeekOrigin origin)
    {
        // Retrying clients rewind to the start; anything else would defeat verification.
        if (origin != SeekOrigin.Begin || offset != 0)
        {
            throw new NotSupportedException("A verifying stream can only be rewound to its start.");
        }
        _inner.Seek(0, SeekOrigin.Begin);
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _read = 0;
        _verified = false;
        return 0;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
