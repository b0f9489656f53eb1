using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StaticAssets.AspNetCore.Manifest;

namespace StaticAssets.AspNetCore.Startup;

/// <summary>
/// Reads the manifest while the host is starting, before the server accepts requests: bad configuration fails the
/// start (SA5xxx), never the first request, and no request pays for the read.
/// </summary>
internal sealed class ManifestLoadAtStartup(IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<PublishedAssets>();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
