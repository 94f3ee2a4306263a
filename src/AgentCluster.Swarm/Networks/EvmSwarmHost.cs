using System.Numerics;
using System.Text;
using AgentCluster.Sdk;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Networks;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace AgentCluster.Swarm.Networks;

/// <summary>
/// <see cref="INetworkSwarmHost"/> on a local EVM chain (anvil): each participant is an <see cref="EvmNetwork"/> over its own
/// <see cref="AgentClusterClient"/> (key keccak(<c>agentcluster-network-swarm/&lt;seed&gt;/&lt;role&gt;</c>), journal and salt store in the
/// work directory); ETH by <c>anvil_setBalance</c>, ACC and the clock through the given delegates (the suite's funding and
/// <c>evm_increaseTime</c>); the attestor is the key the deployment approved.
/// </summary>
public sealed class EvmSwarmHost : INetworkSwarmHost
{
    private readonly Uri _rpcUrl;
    private readonly DeploymentManifest _manifest;
    private readonly int _seed;
    private readonly string _attestorPrivateKey;
    private readonly string _workDirectory;
    private readonly Func<string, BigInteger, CancellationToken, Task> _fundAccAsync;
    private readonly Func<TimeSpan, CancellationToken, Task> _advanceClockAsync;
    private readonly Func<string, CancellationToken, Task> _fundEthAsync;
    private readonly Func<int, CancellationToken, Task> _mineAsync;

    /// <summary>A host for the deployment <paramref name="manifest"/> on <paramref name="rpcUrl"/>.</summary>
    /// <param name="rpcUrl">anvil's endpoint.</param>
    /// <param name="manifest">The deployment.</param>
    /// <param name="seed">The seed of the participants' keys.</param>
    /// <param name="attestorPrivateKey">An approved attestor's key (hex).</param>
    /// <param name="workDirectory">Where the participants' journals and salt stores live.</param>
    /// <param name="fundEthAsync">Gives an address ETH for gas (anvil_setBalance).</param>
    /// <param name="fundAccAsync">Gives an address ACC wei.</param>
    /// <param name="advanceClockAsync">Moves the clock forward and mines a block.</param>
    /// <param name="mineAsync">Mines that many blocks (the committee's seed is a later block's hash).</param>
    /// <param name="windows">The verification windows of the deployment (draw 30 min, commit 6 h, reveal 6 h by default).</param>
    public EvmSwarmHost(Uri rpcUrl, DeploymentManifest manifest, int seed, string attestorPrivateKey, string workDirectory,
        Func<string, CancellationToken, Task> fundEthAsync, Func<string, BigInteger, CancellationToken, Task> fundAccAsync,
        Func<TimeSpan, CancellationToken, Task> advanceClockAsync, Func<int, CancellationToken, Task> mineAsync, NetworkSwarmWindows? windows = null)
    {
        _rpcUrl = rpcUrl ?? throw new ArgumentNullException(nameof(rpcUrl));
        _manifest = manifest ?? throw new ArgumentNullException(nameof(manifest));
        _seed = seed;
        _attestorPrivateKey = attestorPrivateKey ?? throw new ArgumentNullException(nameof(attestorPrivateKey));
        _workDirectory = workDirectory ?? throw new ArgumentNullException(nameof(workDirectory));
        _fundEthAsync = fundEthAsync ?? throw new ArgumentNullException(nameof(fundEthAsync));
        _fundAccAsync = fundAccAsync ?? throw new ArgumentNullException(nameof(fundAccAsync));
        _advanceClockAsync = advanceClockAsync ?? throw new ArgumentNullException(nameof(advanceClockAsync));
        _mineAsync = mineAsync ?? throw new ArgumentNullException(nameof(mineAsync));
        Windows = windows ?? new NetworkSwarmWindows(TimeSpan.FromMinutes(30), TimeSpan.FromHours(6), TimeSpan.FromHours(6));
    }

    /// <inheritdoc/>
    public NetworkKind Kind => NetworkKind.Evm;

    /// <inheritdoc/>
    public NetworkSwarmWindows Windows { get; }

    /// <inheritdoc/>
    public async Task<IAgentClusterNetwork> ConnectAsync(string role, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        Directory.CreateDirectory(_workDirectory);
        string key = Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes($"agentcluster-network-swarm/{_seed}/{role}")).ToHex();
        AgentClusterClient client = await AgentClusterClient.ConnectAsync(new AgentClusterClientOptions
        {
            RpcUrl = _rpcUrl.ToString(),
            Manifest = _manifest,
            Key = AgentKeySource.FromPrivateKey(key),
            JournalPath = Path.Combine(_workDirectory, $"journal-{role}.db"),
            ReviewStorePath = Path.Combine(_workDirectory, $"salts-{role}.db"),
            TransactionPollInterval = TimeSpan.FromMilliseconds(50),
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new EvmNetwork(client, ownsClient: true);
    }

    /// <inheritdoc/>
    public async Task FundAsync(IAgentClusterNetwork participant, BigInteger acc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(participant);
        await _fundEthAsync(participant.Account, cancellationToken).ConfigureAwait(false);
        await _fundAccAsync(participant.Account, acc, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<NetworkKey> AttestorAsync(IAgentClusterNetwork network, CancellationToken cancellationToken) =>
        Task.FromResult<NetworkKey>(new EvmNetworkKey(AgentKey.FromPrivateKey(_attestorPrivateKey)));

    /// <inheritdoc/>
    public Task AdvanceClockAsync(TimeSpan by, CancellationToken cancellationToken) => _advanceClockAsync(by, cancellationToken);

    /// <inheritdoc/>
    public Task AfterResultsAsync(CancellationToken cancellationToken) => _mineAsync(3, cancellationToken);
}
