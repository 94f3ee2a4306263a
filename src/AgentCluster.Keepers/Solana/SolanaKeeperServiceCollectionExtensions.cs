using AgentCluster.Keepers.Solana;
using AgentCluster.Solana.Rpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

// In the DI namespace, as Microsoft's own Add* extensions are, so that a host needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the Solana keepers with Microsoft.Extensions.DependencyInjection.</summary>
public static class SolanaKeeperServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Solana keeper (docs/keepers-solana.md): <see cref="SolanaKeeperOptions"/> bound from <c>AgentCluster:Keepers:Solana</c> of
    /// <paramref name="configuration"/> and validated on start (<see cref="SolanaKeeperOptionsValidator"/>: the host refuses to start and
    /// names each bad setting), the chain (<see cref="SolanaRpcKeeperChain"/> over <see cref="SolanaRpcClient"/>, unless an
    /// <see cref="ISolanaKeeperChain"/> was registered before), <see cref="SolanaKeeperMetrics"/>, the <see cref="SolanaKeeperService"/> and
    /// the readiness checks <c>solana-node</c> and <c>solana-keeper-balance</c> (tag <c>ready</c>). Independent of
    /// <c>AddAgentClusterKeepers</c> (the EVM keepers): a host may register either or both; with both, the EVM host's health endpoint and
    /// Prometheus exporter serve these checks and this meter too.
    /// </summary>
    public static IServiceCollection AddAgentClusterSolanaKeepers(this IServiceCollection services, IConfiguration configuration,
        Action<SolanaKeeperOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilder<SolanaKeeperOptions> options = services.AddOptions<SolanaKeeperOptions>().Bind(configuration.GetSection(SolanaKeeperOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SolanaKeeperOptions>, SolanaKeeperOptionsValidator>());
        services.TryAddSingleton(sp => new SolanaRpcClient(sp.GetRequiredService<IOptions<SolanaKeeperOptions>>().Value.RpcUrl!,
            logger: sp.GetService<ILoggerFactory>()?.CreateLogger<SolanaRpcClient>()));
        services.TryAddSingleton<ISolanaKeeperChain>(sp => new SolanaRpcKeeperChain(sp.GetRequiredService<SolanaRpcClient>()));
        services.AddMetrics();
        services.TryAddSingleton<SolanaKeeperMetrics>();
        services.TryAddSingleton<SolanaKeeperService>();
        services.AddSingleton<Hosting.IHostedService>(sp => sp.GetRequiredService<SolanaKeeperService>());
        services.AddHealthChecks()
            .AddCheck<SolanaNodeHealthCheck>(SolanaNodeHealthCheck.Name, tags: [AgentCluster.Keepers.Hosting.KeeperHealthEndpoint.ReadyTag], timeout: TimeSpan.FromSeconds(10))
            .AddCheck<SolanaKeeperBalanceHealthCheck>(SolanaKeeperBalanceHealthCheck.Name, tags: [AgentCluster.Keepers.Hosting.KeeperHealthEndpoint.ReadyTag], timeout: TimeSpan.FromSeconds(10));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(SolanaKeeperMetrics.MeterName));
        return services;
    }
}
