using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentCluster.Sdk.Networks;

/// <summary>
/// Which chain to connect to and how: <see cref="Chain"/> (<c>evm</c> or <c>solana</c>) and that chain's options. Bound from the
/// configuration section <c>AgentCluster:Network</c> (<c>Chain</c>, <c>Evm:RpcUrl</c>, <c>Evm:ManifestPath</c>, ...,
/// <c>Solana:RpcUrl</c>, <c>Solana:DeploymentPath</c>, <c>Solana:KeypairPath</c>, <c>Solana:ReviewStorePath</c>, <c>Solana:Commitment</c>).
/// </summary>
public sealed class AgentClusterNetworkOptions
{
    /// <summary>The configuration section <see cref="NetworkServiceCollectionExtensions.AddAgentClusterNetwork"/> binds.</summary>
    public const string SectionName = "AgentCluster:Network";

    /// <summary>The chain: <c>evm</c> (Base, anvil) or <c>solana</c> (case-insensitive).</summary>
    public string Chain { get; set; } = "evm";

    /// <summary>The EVM client's options (with <see cref="Chain"/> = <c>evm</c>); the signer is required (<c>Account</c> or <c>Key</c>, or a Web3 that signs).</summary>
    public AgentClusterClientOptions? Evm { get; set; }

    /// <summary>The Solana network's options (with <see cref="Chain"/> = <c>solana</c>).</summary>
    public SolanaNetworkOptions? Solana { get; set; }

    /// <summary>The chain <see cref="Chain"/> names.</summary>
    /// <exception cref="ArgumentException">Neither evm nor solana.</exception>
    public NetworkKind Kind => Chain?.Trim().ToLowerInvariant() switch
    {
        "evm" => NetworkKind.Evm,
        "solana" => NetworkKind.Solana,
        _ => throw new ArgumentException($"AgentCluster network options: Chain must be 'evm' or 'solana' (got '{Chain}')."),
    };
}

/// <summary>Connects the <see cref="IAgentClusterNetwork"/> the options name: the same agent code on either chain by configuration.</summary>
public static class AgentClusterNetwork
{
    /// <summary>
    /// Connects to the chain <see cref="AgentClusterNetworkOptions.Chain"/> names: <see cref="EvmNetwork"/> over a new
    /// <see cref="AgentClusterClient"/> (owned and disposed by the network), or <see cref="SolanaNetwork"/>. Each chain's own connect
    /// checks run (node, deployment, signer) before this returns.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown chain, or no options for the chosen one (the message says which), or that chain's own option errors.</exception>
    public static async Task<IAgentClusterNetwork> ConnectAsync(AgentClusterNetworkOptions options, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Kind)
        {
            case NetworkKind.Solana:
                return await SolanaNetwork.ConnectAsync(options.Solana
                    ?? throw new ArgumentException("AgentCluster network options: Chain is 'solana' but the Solana section is missing (RpcUrl, DeploymentPath, KeypairPath)."),
                    loggerFactory, cancellationToken).ConfigureAwait(false);
            default:
                AgentClusterClientOptions evm = options.Evm
                    ?? throw new ArgumentException("AgentCluster network options: Chain is 'evm' but the Evm section is missing (RpcUrl, ManifestPath, a signer).");
                AgentClusterClient client = await AgentClusterClient.ConnectAsync(evm, loggerFactory, cancellationToken).ConfigureAwait(false);
                if (client.Address is null)
                {
                    await client.DisposeAsync().ConfigureAwait(false);
                    throw new ArgumentException("AgentCluster network options: the Evm section has no signer (Account, Key, or a Web3 that signs); a network needs one.");
                }

                return new EvmNetwork(client, ownsClient: true);
        }
    }
}

/// <summary>Registration of an <see cref="IAgentClusterNetwork"/> with Microsoft.Extensions.DependencyInjection.</summary>
public static class NetworkServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AgentClusterNetworkOptions"/> from the <c>AgentCluster:Network</c> section of <paramref name="configuration"/>
    /// (signers set in code with <paramref name="configure"/> if not by file) and registers an <see cref="AgentClusterNetworkProvider"/>
    /// that connects once, on first use.
    /// </summary>
    public static IServiceCollection AddAgentClusterNetwork(this IServiceCollection services, IConfiguration configuration,
        Action<AgentClusterNetworkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilder<AgentClusterNetworkOptions> options = services.AddOptions<AgentClusterNetworkOptions>()
            .Bind(configuration.GetSection(AgentClusterNetworkOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<AgentClusterNetworkProvider>();
        return services;
    }
}

/// <summary>Connects the configured network once, on first use, and shares it; a failed connection is not cached. Disposed with the provider.</summary>
public sealed class AgentClusterNetworkProvider(IOptions<AgentClusterNetworkOptions> options, ILoggerFactory? loggerFactory = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IAgentClusterNetwork? _network;

    /// <summary>The connected network (connecting on the first call).</summary>
    public async Task<IAgentClusterNetwork> GetNetworkAsync(CancellationToken cancellationToken = default)
    {
        if (_network is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _network ??= await AgentClusterNetwork.ConnectAsync(options.Value, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_network is not null)
        {
            await _network.DisposeAsync().ConfigureAwait(false);
        }
    }
}
