using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentCluster.Sdk;

/// <summary>Registration with Microsoft.Extensions.DependencyInjection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AgentClusterClientOptions"/> from the <c>AgentCluster</c> section of <paramref name="configuration"/>
    /// (<c>RpcUrl</c>, <c>ChainId</c>, <c>ManifestPath</c>, <c>JournalPath</c>, <c>ReviewStorePath</c>, <c>TransactionPollInterval</c>; a signer or a Web3 can be set in code with
    /// <paramref name="configure"/>) and registers an <see cref="AgentClusterClientProvider"/> that connects once, on first use.
    /// </summary>
    public static IServiceCollection AddAgentCluster(this IServiceCollection services, IConfiguration configuration,
        Action<AgentClusterClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilder<AgentClusterClientOptions> options = services.AddOptions<AgentClusterClientOptions>()
            .Bind(configuration.GetSection(AgentClusterClientOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<AgentClusterClientProvider>();
        return services;
    }
}

/// <summary>
/// Connects an <see cref="AgentClusterClient"/> from the registered options once, on first use, and shares it; a failed connection
/// is not cached (the next call tries again). Disposed with the service provider.
/// </summary>
public sealed class AgentClusterClientProvider(IOptions<AgentClusterClientOptions> options, ILoggerFactory? loggerFactory = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AgentClusterClient? _client;

    /// <summary>The connected client (connecting on the first call).</summary>
    public async Task<AgentClusterClient> GetClientAsync(CancellationToken cancellationToken = default)
    {
        if (_client is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _client ??= await AgentClusterClient.ConnectAsync(options.Value, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
