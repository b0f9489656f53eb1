using StaticAssets.Engine.Core;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Storage;

namespace StaticAssets.Bench;

/// <summary>
/// Writes a few objects through the S3 store under test with a stream that counts how the AWS SDK reads it
/// (bytes, sync and async reads, rewinds), to see whether the SDK reads each body more than once (for example to
/// compute x-amz-content-sha256 before sending). The proxy records what goes over the wire.
/// </summary>
internal static class SdkProbe
{
    public static async Task<IReadOnlyList<string>> RunAsync(IAssetStore store, IReadOnlyList<GeneratedFile> files)
    {
        var lines = new List<string>();
        // A small, a medium and the largest file of the tree.
        var picks = new[]
        {
            files.OrderBy(f => Math.Abs(f.Size - 2_000)).First(),
            files.OrderBy(f => Math.Abs(f.Size - 100_000)).First(),
            files.MaxBy(f => f.Size)!,
        }.Distinct().ToArray();
        foreach (var file in picks)
        {
            CountingStream? stream = null;
            var write = new StoreWrite(
                file.LogicalPath,
                file.Size,
                Sha256Digest.TryParseBase64(file.Integrity, out var digest) ? digest : throw new InvalidOperationException("bad integrity"),
                "application/octet-stream",
                null,
                "public, max-age=60",
                () => stream = new CountingStream(new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read,
                    64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan)));
            string outcome;
            try
            {
                await store.WriteAsync(write, CancellationToken.None);
                outcome = "stored";
            }
            catch (Exception e) when (e is IOException or Amazon.Runtime.AmazonServiceException)
            {
                outcome = "rejected: " + e.Message.Split('\n')[0][..Math.Min(60, e.Message.Split('\n')[0].Length)];
            }
            var s = stream!;
            lines.Add($"{file.Size,12:N0} bytes: SDK read {s.BytesRead,12:N0} bytes ({(double)s.BytesRead / file.Size:N2}x) " +
                      $"in {s.SyncReads} sync + {s.AsyncReads} async reads, rewound {s.Rewinds} time(s); {outcome}" +
                      (file == picks[0] && s.FirstSyncReader is { Length: > 0 } reader ? $"\n      first sync read by: {reader}" : ""));
        }
        return lines;
    }

    /// <summary>Counts reads and rewinds of a seekable stream (like the engine's verifying stream over a FileStream).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public int SyncReads { get; private set; }
        public int AsyncReads { get; private set; }
        public int Rewinds { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        /// <summary>The AWS SDK frames of the stack of the first synchronous read: who reads the body before sending it.</summary>
        public string? FirstSyncReader { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            if (SyncReads++ == 0)
            {
                FirstSyncReader = string.Join(" <- ", new System.Diagnostics.StackTrace().GetFrames()
                    .Select(f => f.GetMethod()).Where(m => m?.DeclaringType?.Namespace?.StartsWith("Amazon", StringComparison.Ordinal) == true)
                    .Select(m => $"{m!.DeclaringType!.Name}.{m.Name}").Distinct().Take(6));
            }
            var n = inner.Read(buffer);
            BytesRead += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            AsyncReads++;
            var n = await inner.ReadAsync(buffer, cancellationToken);
            BytesRead += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            if (origin == SeekOrigin.Begin && offset == 0 && inner.Position != 0)
            {
                Rewinds++;
            }
            return inner.Seek(offset, origin);
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
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
