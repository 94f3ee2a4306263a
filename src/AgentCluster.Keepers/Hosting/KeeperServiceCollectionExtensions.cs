using AgentCluster.Keepers.Attestation.Duty;
using AgentCluster.Keepers.Hosting;
using AgentCluster.Keepers.Indexing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

// In the DI namespace, as Microsoft's own Add* extensions are, so that a host needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the keeper host with Microsoft.Extensions.DependencyInjection.</summary>
public static class KeeperServiceCollectionExtensions
{
    /// <summary>
    /// Registers the keeper host: <see cref="KeeperOptions"/> bound from <c>AgentCluster:Keepers</c> of <paramref name="configuration"/> and
    /// validated on start (<see cref="KeeperOptionsValidator"/>; the host refuses to start and names the setting), the shared
    /// <see cref="KeeperClient"/>, the enabled duties, the readiness checks (node, indexer lag, signer balance), the health endpoint and the
    /// <see cref="KeeperMetrics"/> exported by OpenTelemetry's Prometheus exporter on <c>http://127.0.0.1:{HealthPort}/metrics</c>.
    /// With <see cref="KeeperOptions.IndexDbPath"/> set, the <see cref="IndexerDuty"/> runs the event indexer and is the
    /// <see cref="IIndexerStatus"/> and <see cref="IAssignableTasks"/>; without it the temporary <see cref="RecentTasksScanner"/> finds
    /// the assignment duty's work. An <see cref="IAssignableTasks"/> or <see cref="IIndexerStatus"/> registered before this call is kept.
    /// </summary>
    public static IServiceCollection AddAgentClusterKeepers(this IServiceCollection services, IConfiguration configuration,
        Action<KeeperOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilder<KeeperOptions> options = services.AddOptions<KeeperOptions>().Bind(configuration.GetSection(KeeperOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeeperOptions>, KeeperOptionsValidator>());

        services.TryAddSingleton<KeeperClient>();
        services.TryAddSingleton<AgentCluster.Keepers.Sharing.KeeperRota>();
        // The indexer runs when IndexDbPath is set (the options are only known at resolve time); it then serves the index's position
        // and the assignment duty's work, unless the host registered its own IIndexerStatus / IAssignableTasks before this call.
        services.TryAddSingleton<IndexerDuty>();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<IndexerDuty>());
        services.TryAddSingleton<IAssignableTasks>(sp => sp.GetRequiredService<IOptions<KeeperOptions>>().Value.IndexDbPath is not null
            ? sp.GetRequiredService<IndexerDuty>()
            : ActivatorUtilities.CreateInstance<RecentTasksScanner>(sp));
        services.TryAddSingleton(sp => new IndexerLag(sp.GetService<IIndexerStatus>()
            ?? (sp.GetRequiredService<IOptions<KeeperOptions>>().Value.IndexDbPath is not null ? sp.GetRequiredService<IndexerDuty>() : null)));
        services.AddMetrics();
        services.TryAddSingleton<KeeperMetrics>();

        // Duties: each decides at start whether it is enabled (the options are only known then).
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<IOptions<KeeperOptions>>().Value.Duties.Assignment
            ? ActivatorUtilities.CreateInstance<AssignmentDuty>(sp)
            : new DisabledDuty());
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<IOptions<KeeperOptions>>().Value.Duties.Committee
            ? ActivatorUtilities.CreateInstance<CommitteeDuty>(sp)
            : new DisabledDuty());
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<IOptions<KeeperOptions>>().Value.Duties.Settlement
            ? ActivatorUtilities.CreateInstance<SettlementDuty>(sp)
            : new DisabledDuty());
        // The attestation duty (Duties:Attestation, default off) and its settings (AgentCluster:Keepers:Attestation, validated only when it is on).
        services.AddOptions<AttestationOptions>().Bind(configuration.GetSection(AttestationOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AttestationOptions>, AttestationOptionsValidator>());
        services.TryAddSingleton<AttestationMetrics>();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<IOptions<KeeperOptions>>().Value.Duties.Attestation
            ? ActivatorUtilities.CreateInstance<AttestationDuty>(sp)
            : new DisabledDuty());

        services.AddHealthChecks()
            .AddCheck<NodeHealthCheck>(NodeHealthCheck.Name, tags: [KeeperHealthEndpoint.ReadyTag], timeout: TimeSpan.FromSeconds(10))
            .AddCheck<IndexerLagHealthCheck>(IndexerLagHealthCheck.Name, tags: [KeeperHealthEndpoint.ReadyTag])
            .AddCheck<SignerBalanceHealthCheck>(SignerBalanceHealthCheck.Name, tags: [KeeperHealthEndpoint.ReadyTag], timeout: TimeSpan.FromSeconds(10))
            .AddCheck<AttestorHealthCheck>(AttestorHealthCheck.Name, tags: [KeeperHealthEndpoint.ReadyTag], timeout: TimeSpan.FromSeconds(10));
        services.AddHostedService<KeeperHealthEndpoint>();

        services.AddOptions<OpenTelemetry.Exporter.PrometheusHttpListenerOptions>().Configure<IOptions<KeeperOptions>>((o, keeper) =>
        {
            o.Host = "127.0.0.1";
            o.Port = keeper.Value.HealthPort;
            o.ScrapeResponseCacheDurationMilliseconds = 0;
            o.ScrapeEndpointPath = "/metrics";
        });
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(KeeperMetrics.MeterName).AddPrometheusHttpListener());
        return services;
    }

    /// <summary>A duty switched off in the options: does nothing.</summary>
    private sealed class DisabledDuty : Microsoft.Extensions.Hosting.BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
