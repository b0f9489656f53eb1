using System.Text.RegularExpressions;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Storage.AzureBlob;
using StaticAssets.Engine.Storage.LocalFolder;
using StaticAssets.Engine.Storage.S3;

namespace StaticAssets.Engine.Storage;

/// <summary>A parsed destination: which backend, and where in it.</summary>
public abstract record Destination
{
    private static readonly Regex SchemePrefix = new(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]+)://", RegexOptions.CultureInvariant);

    /// <summary>Objects written at once when the publish does not say: what suits the backend (docs/benchmarks.md).</summary>
    public abstract int DefaultMaxConcurrency { get; }

    /// <summary>Requests at once for a rollback when the user does not say (<see cref="CreateRollbackStore"/>): the
    /// publish's unless the backend was measured otherwise.</summary>
    public virtual int DefaultRollbackConcurrency => DefaultMaxConcurrency;

    /// <summary>Whether a server in front of this destination can pick <c>x.gz</c> beside <c>x</c> by itself (a folder,
    /// behind nginx or Caddy): the default of <see cref="Plan.PlanOptions.CompressOriginals"/>.</summary>
    public virtual bool DefaultCompressOriginals => false;

    public abstract IAssetStore CreateStore(StoreSettings settings);

    /// <summary>The store a rollback works with: <see cref="CreateStore"/> with <see cref="DefaultRollbackConcurrency"/>
    /// unless <paramref name="settings"/> set a limit.</summary>
    public IAssetStore CreateRollbackStore(StoreSettings settings) =>
        CreateStore(settings with { MaxConcurrency = settings.MaxConcurrency ?? DefaultRollbackConcurrency });

    /// <summary>
    /// Parses a folder path (relative ones against <paramref name="baseDirectory"/>), a <c>file://</c> URI, an
    /// <c>s3://bucket/prefix/</c> URI or an Azure Blob container URL. Throws <see cref="StaticAssetsException"/>
    /// (SA1001, SA1008) for anything else.
    /// </summary>
    public static Destination Parse(string? value, string baseDirectory, OptionSpelling? spelling = null)
    {
        spelling ??= OptionSpelling.Plain;
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Messages.DestinationEmpty(spelling).AsException();
        }
        var trimmed = value.Trim();
        var scheme = SchemePrefix.Match(trimmed);
        if (!scheme.Success)
        {
            return LocalFolderDestination.Parse(trimmed, trimmed, baseDirectory, spelling);
        }
        switch (scheme.Groups["scheme"].Value.ToLowerInvariant())
        {
            case "file":
                if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || !uri.IsFile || uri.Query.Length > 0 || uri.Fragment.Length > 0)
                {
                    throw Messages.DestinationNotAFileUri(spelling, trimmed).AsException();
                }
                return LocalFolderDestination.Parse(trimmed, uri.LocalPath, baseDirectory, spelling);
            case "s3":
                return S3Destination.Parse(trimmed, spelling);
            case "http" or "https" when Uri.TryCreate(trimmed, UriKind.Absolute, out var web) && AzureBlobDestination.IsBlobUrl(web):
                return AzureBlobDestination.Parse(trimmed, web, spelling);
            default:
                throw Messages.DestinationSchemeUnsupported(spelling, trimmed, scheme.Groups["scheme"].Value).AsException();
        }
    }
}

/// <summary>What a backend needs besides its destination. Retries are named and set the same way for every backend.</summary>
public sealed record StoreSettings
{
    public const int DefaultMaxAttempts = 5;

    /// <summary>Most requests in flight (the connection pool's cap); null for the destination's default.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Attempts per request, the first included, with exponential back-off and jitter between them, for
    /// throttling, 5xx answers, resets and timeouts (the AWS SDK's standard retry mode; Azure.Core's exponential one).</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>How long one attempt may go without progress before it is abandoned (and retried); null for 100 s. S3:
    /// no byte of the request taken and no byte of the answer received for that long (<c>S3AttemptHandler</c>); Azure
    /// Blob: Azure.Core's network timeout (each read or write).</summary>
    public TimeSpan? RequestTimeout { get; init; }

    public S3Settings S3 { get; init; } = new();

    public AzureBlobSettings Azure { get; init; } = new();

    /// <summary>How the front end spells the options that messages name.</summary>
    public OptionSpelling Spelling { get; init; } = OptionSpelling.Plain;

    /// <summary>Where retries are reported (at low importance, as they happen); null for nowhere.</summary>
    public IPublishLog? Log { get; init; }

    public TimeSpan EffectiveRequestTimeout => RequestTimeout ?? TimeSpan.FromSeconds(100);
}
