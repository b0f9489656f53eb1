using System.Buffers;
using System.Security.Cryptography;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Engine.Upload;

/// <summary>
/// Reads a source file while hashing it, and fails if the bytes are not the planned ones. The check happens before
/// the LAST bytes leave the stream: the read that would complete the planned length first confirms the end of the
/// file and the SHA-256, and throws instead of returning those bytes when either is wrong. A reader therefore never
/// holds a complete planned-length body of other bytes, so no store (and no server that accepts a request once its
/// Content-Length bytes have arrived) can commit one under a key that promises other content.
/// </summary>
internal sealed class VerifyingReadStream : Stream
{
    /// <summary>The read that confirms the end of the file asks for this much (pooled): the source FileStream's own
    /// buffer size, so that read bypasses the buffer instead of allocating it for one byte.</summary>
    private const int ProbeSize = SourceFiles.BufferSize;

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
        if (_verified || buffer.IsEmpty)
        {
            return 0;
        }
        var n = _inner.Read(buffer);
        Account(buffer[..n], endOfStream: n == 0);
        if (n > 0 && _read == _expectedLength)
        {
            // These bytes complete the planned length: verify before they leave.
            var probe = ArrayPool<byte>.Shared.Rent(ProbeSize);
            try
            {
                VerifyAtPlannedLength(_inner.Read(probe, 0, ProbeSize));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(probe);
            }
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_verified || buffer.IsEmpty)
        {
            return 0;
        }
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n], endOfStream: n == 0);
        if (n > 0 && _read == _expectedLength)
        {
            // These bytes complete the planned length: verify before they leave.
            var probe = ArrayPool<byte>.Shared.Rent(ProbeSize);
            try
            {
                VerifyAtPlannedLength(await _inner.ReadAsync(probe.AsMemory(0, ProbeSize), cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(probe);
            }
        }
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
        if (endOfStream)
        {
            // Only a file shorter than planned (or an empty plan) gets here: the planned length is verified on arrival.
            if (_read != _expectedLength)
            {
                throw Changed($"it now has {_read} bytes, not the {_expectedLength} planned");
            }
            VerifyDigest();
        }
    }

    /// <summary>The planned length has just been read; <paramref name="probed"/> is what one more read gave.</summary>
    private void VerifyAtPlannedLength(int probed)
    {
        if (probed != 0)
        {
            throw Changed($"it is now larger than the {_expectedLength} bytes planned");
        }
        VerifyDigest();
    }

    private void VerifyDigest()
    {
        if (Sha256Digest.FromBytes(_hash.GetHashAndReset()) != _expectedDigest)
        {
            throw Changed("its SHA-256 no longer matches the planned one");
        }
        _verified = true;
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
