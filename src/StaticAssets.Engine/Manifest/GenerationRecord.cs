using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using StaticAssets.Engine.Core;

namespace StaticAssets.Engine.Manifest;

/// <summary>A CI run that published: the provider, its build id and a link to it.</summary>
public sealed record CiRun(string Provider, string? BuildId, string? Url)
{
    /// <summary>The run <paramref name="environment"/> describes: Azure Pipelines (<c>TF_BUILD</c>) or GitHub Actions
    /// (<c>GITHUB_ACTIONS</c>); null elsewhere.</summary>
    public static CiRun? FromEnvironment(Func<string, string?> environment)
    {
        if (string.Equals(environment("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var id = environment("BUILD_BUILDID");
            var url = environment("SYSTEM_COLLECTIONURI") is { Length: > 0 } collection && environment("SYSTEM_TEAMPROJECT") is { Length: > 0 } project && id is not null
                ? $"{collection.TrimEnd('/')}/{Uri.EscapeDataString(project)}/_build/results?buildId={id}"
                : null;
            return new CiRun("AzureDevOps", id, url);
        }
        if (string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var id = environment("GITHUB_RUN_ID");
            var url = environment("GITHUB_SERVER_URL") is { Length: > 0 } server && environment("GITHUB_REPOSITORY") is { Length: > 0 } repository && id is not null
                ? $"{server.TrimEnd('/')}/{repository}/actions/runs/{id}"
                : null;
            return new CiRun("GitHubActions", id, url);
        }
        return null;
    }
}

/// <summary>What published a generation: the project and its version, the machine, the CI run.</summary>
public sealed record GenerationSource(string? Project = null, string? Version = null, string? Machine = null, CiRun? Ci = null);

/// <summary>Whether a generation became current by a publish or by a rollback to an earlier one.</summary>
public enum GenerationKind
{
    Publish,
    Rollback,
}

/// <summary>
/// One entry of a manifest's history: a generation as it became current, immutable once stored. Stored beside the
/// manifest under <c>&lt;manifest name without .json&gt;.generations/&lt;yyyyMMddTHHmmssfffZ&gt;-&lt;12 hex&gt;.json</c>
/// (the hex: the start of the manifest bytes' SHA-256; a rollback's name ends <c>-rollback.json</c>), so each manifest
/// name has a history of its own, and one listing of that folder orders it by time and tells publishes from rollbacks.
/// docs/manifest.md describes the format.
/// </summary>
public sealed record GenerationRecord(
    GenerationKind Kind,
    DateTimeOffset PublishedAt,
    string? Replaces,
    string ManifestSha256,
    int Objects,
    long Bytes,
    GenerationSource Source)
{
    public const string TimeFormat = "yyyyMMdd'T'HHmmssfff'Z'";

    /// <summary>How many hex digits of the manifest's SHA-256 an entry's name carries.</summary>
    public const int NameHashLength = 12;

    /// <summary>The folder (a key prefix) of <paramref name="manifestName"/>'s history: <c>staticassets.manifest.generations/</c>.</summary>
    public static string FolderFor(string manifestName) =>
        (manifestName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? manifestName[..^".json".Length] : manifestName) + ".generations/";

    /// <summary>The manifest whose history <paramref name="folder"/> (as <see cref="FolderFor"/> gives it) is.</summary>
    public static string ManifestNameFor(string folder) => folder[..^".generations/".Length] + ".json";

    public const string RollbackSuffix = "-rollback";

    public string KeyIn(string manifestName) =>
        $"{FolderFor(manifestName)}{PublishedAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}-{ManifestSha256[..NameHashLength]}" +
        $"{(Kind == GenerationKind.Rollback ? RollbackSuffix : "")}.json";

    /// <summary>The record of <paramref name="manifest"/> becoming current in place of <paramref name="replaced"/>.</summary>
    public static GenerationRecord For(GenerationKind kind, byte[] manifest, byte[]? replaced, DateTimeOffset now, GenerationSource source)
    {
        AssetManifest.TryReadObjects(manifest, out var objects, out _);
        return For(kind, Sha256Digest.Compute(manifest).Hex, objects.Values.ToArray(), replaced is null ? null : Sha256Digest.Compute(replaced).Hex, now, source);
    }

    /// <summary>The record of a manifest whose digest and objects are known already (a rollback has them from its
    /// verification), becoming current in place of the manifest whose digest is <paramref name="replacedSha256"/>.</summary>
    public static GenerationRecord For(
        GenerationKind kind, string manifestSha256, IReadOnlyCollection<ManifestObject> objects, string? replacedSha256, DateTimeOffset now, GenerationSource source) =>
        new(kind, now, replacedSha256, manifestSha256, objects.Count, objects.Sum(o => o.Size), source);

    /// <summary>The entry: <c>{ "generation": {...}, "manifest": &lt;the manifest's JSON verbatim&gt; }</c>.</summary>
    public byte[] Serialize(byte[] manifest)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject("generation");
            json.WriteString("kind", Kind == GenerationKind.Publish ? "publish" : "rollback");
            json.WriteString("publishedAt", PublishedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (Replaces is null)
            {
                json.WriteNull("replaces");
            }
            else
            {
                json.WriteString("replaces", Replaces);
            }
            json.WriteString("manifestSha256", ManifestSha256);
            json.WriteNumber("objects", Objects);
            json.WriteNumber("bytes", Bytes);
            json.WriteStartObject("source");
            WriteOptional(json, "project", Source.Project);
            WriteOptional(json, "version", Source.Version);
            WriteOptional(json, "machine", Source.Machine);
            if (Source.Ci is { } ci)
            {
                json.WriteStartObject("ci");
                json.WriteString("provider", ci.Provider);
                WriteOptional(json, "buildId", ci.BuildId);
                WriteOptional(json, "url", ci.Url);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
            json.WritePropertyName("manifest");
            // Verbatim: the manifest's bytes (less the final newline) are what "manifest" holds, so they come back exact.
            json.WriteRawValue(manifest.AsSpan().TrimEnd((byte)'\n'), skipInputValidation: true);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>Reads an entry: its record and the manifest's exact bytes. False for anything incomplete, or whose
    /// manifest is not the one its SHA-256 names (such an entry is never used).</summary>
    public static bool TryRead(byte[] utf8, out GenerationRecord record, out byte[] manifest)
    {
        record = null!;
        manifest = [];
        try
        {
            // One pass of a reader, no document of the whole entry: the manifest (megabytes) is cut out of the entry's
            // bytes as they are, where a document would copy it into a string and back (a 3 MB entry: ~15 ms).
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            GenerationRecord? read = null;
            byte[]? raw = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("generation"))
                {
                    if (!reader.Read() || !JsonDocument.TryParseValue(ref reader, out var document))
                    {
                        return false;
                    }
                    using (document)
                    {
                        read = TryReadRecord(document!.RootElement, out var found) ? found : null;
                    }
                }
                else if (reader.ValueTextEquals("manifest"))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                    {
                        return false;
                    }
                    var at = (int)reader.TokenStartIndex;
                    reader.Skip();
                    raw = new byte[(int)reader.BytesConsumed - at + 1];
                    utf8.AsSpan(at, raw.Length - 1).CopyTo(raw);
                    raw[^1] = (byte)'\n';
                }
                else
                {
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()
                || read is null || raw is null || Sha256Digest.Compute(raw).Hex != read.ManifestSha256)
            {
                return false;
            }
            record = read;
            manifest = raw;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>How much of the start of an entry holds its record: the record comes first, the manifest after it
    /// (<see cref="Serialize"/>), and a record with its source and CI link is well under 1 KB.</summary>
    public const int RecordBytes = 4096;

    /// <summary>
    /// Reads the record from the start of an entry, without the manifest it carries (what a history listing needs).
    /// False if <paramref name="start"/> does not hold the whole record (<paramref name="whole"/>: it is the whole
    /// entry) or the record is not a complete one. The manifest's digest is not checked: it is not there.
    /// </summary>
    public static bool TryReadStart(ReadOnlySpan<byte> start, bool whole, out GenerationRecord record)
    {
        record = null!;
        try
        {
            var reader = new Utf8JsonReader(start, isFinalBlock: whole, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("generation")
                || !JsonDocument.TryParseValue(ref reader, out var document))
            {
                return false;
            }
            using (document)
            {
                return TryReadRecord(document!.RootElement, out record);
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadRecord(JsonElement g, out GenerationRecord record)
    {
        record = null!;
        if (g.ValueKind != JsonValueKind.Object
            || Text(g, "manifestSha256") is not { Length: 64 } sha
            || Text(g, "publishedAt") is not { } at
            || !DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var publishedAt)
            || !g.TryGetProperty("objects", out var objects) || !objects.TryGetInt32(out var objectCount)
            || !g.TryGetProperty("bytes", out var bytes) || !bytes.TryGetInt64(out var byteCount))
        {
            return false;
        }
        var source = g.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        var ci = source.ValueKind == JsonValueKind.Object && source.TryGetProperty("ci", out var c) && c.ValueKind == JsonValueKind.Object && Text(c, "provider") is { } provider
            ? new CiRun(provider, Text(c, "buildId"), Text(c, "url"))
            : null;
        record = new GenerationRecord(
            Text(g, "kind") == "rollback" ? GenerationKind.Rollback : GenerationKind.Publish,
            publishedAt, Text(g, "replaces"), sha, objectCount, byteCount,
            source.ValueKind == JsonValueKind.Object
                ? new GenerationSource(Text(source, "project"), Text(source, "version"), Text(source, "machine"), ci)
                : new GenerationSource());
        return true;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>An entry of a history as its key names it (no read needed): when, which manifest, publish or rollback.</summary>
public sealed record GenerationName(string Key, DateTimeOffset PublishedAt, string HashPrefix, GenerationKind Kind = GenerationKind.Publish)
{
    /// <summary>Parses a key under <paramref name="folder"/>; null for anything else found there.</summary>
    public static GenerationName? TryParse(string folder, string key)
    {
        if (!key.StartsWith(folder, StringComparison.Ordinal) || !key.EndsWith(".json", StringComparison.Ordinal))
        {
            return null;
        }
        var name = key[folder.Length..^".json".Length];
        var kind = name.EndsWith(GenerationRecord.RollbackSuffix, StringComparison.Ordinal) ? GenerationKind.Rollback : GenerationKind.Publish;
        name = kind == GenerationKind.Rollback ? name[..^GenerationRecord.RollbackSuffix.Length] : name;
        var dash = name.IndexOf('-');
        if (dash < 0 || name.Length - dash - 1 != GenerationRecord.NameHashLength
            || !DateTime.TryParseExact(name[..dash], GenerationRecord.TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            || !name[(dash + 1)..].All(Uri.IsHexDigit))
        {
            return null;
        }
        return new GenerationName(key, new DateTimeOffset(time, TimeSpan.Zero), name[(dash + 1)..], kind);
    }
}
