using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StaticAssets.AspNetCore.Diagnostics;

namespace StaticAssets.AspNetCore.Startup;

/// <summary>
/// Binds the <c>StaticAssets</c> section by hand, so a value that is not true/false is reported as SA5004 naming the
/// setting, at start-up, rather than as the binder's generic conversion error.
/// </summary>
internal sealed class OptionsFromConfiguration(IConfiguration configuration) : IConfigureOptions<StaticAssetsOptions>
{
    public void Configure(StaticAssetsOptions options)
    {
        var section = configuration.GetSection(StaticAssetsOptions.SectionName);
        options.BaseUrl = section[nameof(StaticAssetsOptions.BaseUrl)] ?? options.BaseUrl;
        options.ManifestPath = section[nameof(StaticAssetsOptions.ManifestPath)] ?? options.ManifestPath;
        options.Integrity = ReadBoolean(section, nameof(StaticAssetsOptions.Integrity), options.Integrity);
        options.Strict = ReadBoolean(section, nameof(StaticAssetsOptions.Strict), options.Strict);
        options.PreferCompressed = ReadBoolean(section, nameof(StaticAssetsOptions.PreferCompressed), options.PreferCompressed);
    }

    private static bool ReadBoolean(IConfigurationSection section, string name, bool current)
    {
        var value = section[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            return current;
        }
        return bool.TryParse(value.Trim(), out var parsed)
            ? parsed
            : throw Messages.SwitchInvalid($"{StaticAssetsOptions.SectionName}:{name}", value);
    }
}
