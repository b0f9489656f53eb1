using System.Globalization;
using System.Text.RegularExpressions;
using StaticAssets.Engine.Core;
using StaticAssets.Engine.Generations;
using StaticAssets.Engine.Manifest;
using StaticAssets.Engine.Plan;
using StaticAssets.Engine.Publishing;
using StaticAssets.Engine.Storage;
using StaticAssets.Engine.Storage.AzureBlob;
using StaticAssets.Engine.Storage.S3;

namespace StaticAssets.Engine.Configuration;

/// <summary>Where a front end runs: what relative paths and the defaults of some options derive from.</summary>
/// <param name="BaseDirectory">Relative paths resolve against it (MSBuild: the project's folder).</param>
/// <param name="OutputDirectory">The published app (MSBuild: <c>$(PublishDir)</c>): the default destination is its
/// <see cref="OptionsReader.DefaultDestinationFolder"/> folder, and the manifest's copy goes at its root; null for neither.</param>
/// <param name="IntermediateDirectory">Where build leftovers live (MSBuild: <c>obj/...</c>): rewritten and compressed
/// files are kept in its <see cref="OptionsReader.WorkFolder"/> folder; null for a temporary folder.</param>
/// <param name="Source">Who publishes (the project, its version, the machine, the CI run): recorded in the manifest and its history.</param>
public sealed record PublishContext(string BaseDirectory, string? OutputDirectory = null, string? IntermediateDirectory = null, GenerationSource? Source = null);

/// <summary>A publish's settings, read and checked: where to, how, and how to reach the store.</summary>
public sealed record PublishConfiguration(Destination Destination, PublishOptions Options, StoreSettings Store);

/// <summary>
/// The one place that turns a user's settings, as text, into the engine's options (each front end hands over what
/// its user wrote: MSBuild properties, command-line flags). Empty text means the engine's default, which is the
/// package's: there is no other list of defaults. Bad values throw the coded error that names the option as the
/// front end spells it (<see cref="OptionSpelling"/>). Secrets are never read from options.
/// </summary>
public sealed class OptionsReader(OptionSpelling spelling)
{
    public const int MaxAllowedConcurrency = 512;
    public const int MaxAllowedAttempts = 20;
    public const string DefaultDestinationFolder = "static-assets";
    public const string WorkFolder = "staticassets";

    // Someone who pastes a secret where a variable name goes must not see it echoed, nor have it used.
    private static readonly Regex VariableName = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    public PublishConfiguration Read(IReadOnlyDictionary<Option, string?> values, PublishContext context)
    {
        string? Text(Option option) => values.TryGetValue(option, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var destinationText = Text(Option.Destination)
            ?? (context.OutputDirectory is { } output ? Path.Combine(output, DefaultDestinationFolder) : null);
        var destination = Destination.Parse(destinationText, context.BaseDirectory, spelling);

        var options = new PublishOptions();
        var dryRun = Switch(Option.DryRun, Text(Option.DryRun)) ?? options.DryRun;
        var manifestName = Text(Option.ManifestName) ?? options.ManifestName;
        options = options with
        {
            ManifestName = manifestName,
            DryRun = dryRun,
            VerifyRemote = Switch(Option.VerifyRemote, Text(Option.VerifyRemote)) ?? options.VerifyRemote,
            // A dry run writes nothing, not even the local copy.
            LocalManifestPath = dryRun ? null
                : Text(Option.LocalManifestPath) is { } local ? Path.GetFullPath(local, context.BaseDirectory)
                : context.OutputDirectory is { } output2 ? Path.Combine(Path.GetFullPath(output2, context.BaseDirectory), manifestName)
                : null,
            Plan = ReadPlan(Text, context, destination),
            Source = context.Source ?? new GenerationSource(),
            AdoptManifest = Switch(Option.AdoptManifest, Text(Option.AdoptManifest)) ?? false,
        };
        StaticAssetPublisher.Validate(options, spelling);
        return new PublishConfiguration(destination, options, ReadStore(Text));
    }

    /// <summary>The prune's settings; null when <see cref="Option.KeepGenerations"/> is empty (no prune) unless
    /// <paramref name="required"/> (the prune target), which makes it SA1018.</summary>
    public PruneOptions? ReadPrune(IReadOnlyDictionary<Option, string?> values, PublishOptions publish, bool required)
    {
        string? Text(Option option) => values.TryGetValue(option, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        var keepText = Text(Option.KeepGenerations);
        if (keepText is null && !required)
        {
            return null;
        }
        var options = new PruneOptions { ManifestName = publish.ManifestName, Project = publish.Source.Project, AdoptManifest = publish.AdoptManifest };
        return options with
        {
            KeepGenerations = WholeNumber(Option.KeepGenerations, keepText ?? "", 0, 100_000, "a whole number of generations to keep besides the current one, e.g. 3"),
            MinAge = Text(Option.PruneMinAge) is { } age ? Duration(age) : options.MinAge,
            MaxDeletes = Text(Option.MaxDeletes) is { } max ? WholeNumber(Option.MaxDeletes, max, 0, int.MaxValue, "a whole number, e.g. 1000") : options.MaxDeletes,
            DryRun = Switch(Option.PruneDryRun, Text(Option.PruneDryRun)) ?? false,
        };
    }

    /// <summary>The rollback's settings (the generation defaults to <c>previous</c>).</summary>
    public RollbackOptions ReadRollback(IReadOnlyDictionary<Option, string?> values, PublishOptions publish) => new()
    {
        ManifestName = publish.ManifestName,
        Generation = values.TryGetValue(Option.Generation, out var generation) && !string.IsNullOrWhiteSpace(generation) ? generation.Trim() : "previous",
        OriginalsCacheControl = publish.Plan.OriginalsCacheControl,
        Source = publish.Source,
        AdoptManifest = publish.AdoptManifest,
    };

    private int WholeNumber(Option option, string text, int min, int max, string expected) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Messages.PruneSettingInvalid(spelling, option, text, expected).AsException();

    /// <summary><c>0</c>, or a whole number with a unit: <c>90s</c>, <c>30m</c>, <c>6h</c>, <c>1d</c>.</summary>
    private TimeSpan Duration(string text)
    {
        var match = Regex.Match(text, "^(?<n>[0-9]{1,6})(?<unit>[smhd]?)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        if (!match.Success || (match.Groups["unit"].Length == 0 && match.Groups["n"].Value.Trim('0').Length > 0))
        {
            throw Messages.PruneSettingInvalid(spelling, Option.PruneMinAge, text, "0 or a duration such as 30m, 6h or 1d (s, m, h, d)").AsException();
        }
        var n = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            _ => TimeSpan.Zero,
        };
    }

    private PlanOptions ReadPlan(Func<Option, string?> text, PublishContext context, Destination destination)
    {
        var plan = new PlanOptions();
        plan = plan with
        {
            CacheControl = text(Option.CacheControl) ?? plan.CacheControl,
            OriginalsCacheControl = text(Option.OriginalsCacheControl) ?? plan.OriginalsCacheControl,
            RewriteReferences = Switch(Option.RewriteReferences, text(Option.RewriteReferences)) ?? plan.RewriteReferences,
            RewriteJavaScriptModules = Switch(Option.RewriteJsImports, text(Option.RewriteJsImports)) ?? plan.RewriteJavaScriptModules,
            Strict = Switch(Option.Strict, text(Option.Strict)) ?? plan.Strict,
            KeepOriginalNames = Switch(Option.KeepOriginalNames, text(Option.KeepOriginalNames)) ?? plan.KeepOriginalNames,
            CompressOriginals = Switch(Option.CompressOriginals, text(Option.CompressOriginals)) ?? destination.DefaultCompressOriginals,
            WorkDirectory = text(Option.WorkDirectory) is { } work ? Path.GetFullPath(work, context.BaseDirectory)
                : context.IntermediateDirectory is { } intermediate ? Path.Combine(Path.GetFullPath(intermediate, context.BaseDirectory), WorkFolder)
                : plan.WorkDirectory,
        };
        if (text(Option.FingerprintPattern) is { } pattern)
        {
            try
            {
                plan = plan with { FingerprintedNamePattern = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) };
            }
            catch (ArgumentException e)
            {
                throw Messages.FingerprintPatternInvalid(spelling, e.Message).AsException(e);
            }
        }
        if (text(Option.Compression) is { } compression)
        {
            var formats = compression.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => f.ToLowerInvariant()).Distinct().ToArray();
            if (formats is ["none"])
            {
                formats = [];
            }
            else if (formats.FirstOrDefault(f => f is not ("gzip" or "br")) is { } unknown)
            {
                throw Messages.CompressionUnknown(spelling, unknown).AsException();
            }
            plan = plan with { Compression = formats };
        }
        if (text(Option.BrotliQuality) is { } quality)
        {
            if (!int.TryParse(quality, NumberStyles.None, CultureInfo.InvariantCulture, out var level) || level > 11)
            {
                throw Messages.BrotliQualityOutOfRange(spelling, quality).AsException();
            }
            plan = plan with { BrotliQuality = level };
        }
        return plan;
    }

    private StoreSettings ReadStore(Func<Option, string?> text)
    {
        var store = new StoreSettings { Spelling = spelling };
        if (text(Option.MaxConcurrency) is { } concurrency)
        {
            if (!int.TryParse(concurrency, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > MaxAllowedConcurrency)
            {
                throw Messages.ConcurrencyOutOfRange(spelling, concurrency, MaxAllowedConcurrency).AsException();
            }
            store = store with { MaxConcurrency = limit };
        }
        if (text(Option.MaxAttempts) is { } attempts)
        {
            if (!int.TryParse(attempts, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) || count < 1 || count > MaxAllowedAttempts)
            {
                throw Messages.S3SettingInvalid(spelling, Option.MaxAttempts, attempts, $"a whole number from 1 to {MaxAllowedAttempts}").AsException();
            }
            store = store with { MaxAttempts = count };
        }
        return store with { S3 = ReadS3(text), Azure = ReadAzure(text) };
    }

    private S3Settings ReadS3(Func<Option, string?> text)
    {
        var s3 = new S3Settings();
        if (text(Option.S3ServiceUrl) is { } serviceUrl)
        {
            if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(uri.UserInfo))
            {
                // A URL's user:password part never reaches the log.
                throw Messages.S3SettingInvalid(spelling, Option.S3ServiceUrl, Regex.Replace(serviceUrl, "(?<=://)[^/@]*@", "***@"),
                    "an absolute http:// or https:// URL without credentials, such as http://127.0.0.1:7480").AsException();
            }
            s3 = s3 with { ServiceUrl = uri };
        }
        if (text(Option.S3Region) is { } region)
        {
            if (!Regex.IsMatch(region, "^[a-z0-9-]{2,32}$"))
            {
                throw Messages.S3SettingInvalid(spelling, Option.S3Region, region, "a region name such as eu-west-1").AsException();
            }
            s3 = s3 with { Region = region };
        }
        if (text(Option.S3ForcePathStyle) is { } pathStyle)
        {
            s3 = s3 with
            {
                ForcePathStyle = bool.TryParse(pathStyle, out var value)
                    ? value
                    : throw Messages.S3SettingInvalid(spelling, Option.S3ForcePathStyle, pathStyle, "true or false").AsException(),
            };
        }
        if (text(Option.S3ChecksumMode) is { } checksumMode)
        {
            s3 = s3 with
            {
                ChecksumMode = checksumMode.ToLowerInvariant() switch
                {
                    "sdkdefault" or "default" or "whensupported" => S3ChecksumMode.SdkDefault,
                    "whenrequired" => S3ChecksumMode.WhenRequired,
                    _ => throw Messages.S3SettingInvalid(spelling, Option.S3ChecksumMode, checksumMode, "SdkDefault or WhenRequired").AsException(),
                },
            };
        }
        return s3;
    }

    private AzureBlobSettings ReadAzure(Func<Option, string?> text)
    {
        var azure = new AzureBlobSettings
        {
            ConnectionStringVariable = text(Option.AzureConnectionStringVariable),
            SasTokenVariable = text(Option.AzureSasVariable),
        };
        if (azure.ConnectionStringVariable is not null && azure.SasTokenVariable is not null)
        {
            throw Messages.AzureBothVariables(spelling).AsException();
        }
        foreach (var (option, name) in new[] { (Option.AzureConnectionStringVariable, azure.ConnectionStringVariable), (Option.AzureSasVariable, azure.SasTokenVariable) })
        {
            if (name is not null && !VariableName.IsMatch(name))
            {
                throw Messages.AzureVariableNotAName(spelling, option).AsException();
            }
        }
        return azure;
    }

    /// <summary>true or false; null for empty (the default).</summary>
    private bool? Switch(Option option, string? value) =>
        value is null ? null
        : bool.TryParse(value, out var parsed) ? parsed
        : throw Messages.NotTrueOrFalse(spelling, option, value).AsException();
}
