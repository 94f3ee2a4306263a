using System.Numerics;
using AgentCluster.Evm.Signing;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Identity;
using AgentCluster.Sdk.Tasks;
using Nethereum.Util;

namespace AgentCluster.Sdk.Networks;

/// <summary>A secp256k1 agent or attestor key for an EVM network.</summary>
public sealed class EvmNetworkKey : NetworkKey
{
    /// <summary>Wraps an SDK agent key.</summary>
    public EvmNetworkKey(AgentKey key) => Key = key ?? throw new ArgumentNullException(nameof(key));

    /// <summary>The SDK's key.</summary>
    public AgentKey Key { get; }

    /// <inheritdoc/>
    public override NetworkKind Kind => NetworkKind.Evm;

    /// <inheritdoc/>
    public override string Address => Key.Address;
}

/// <summary>
/// <see cref="IAgentClusterNetwork"/> on an EVM chain: each operation is the <see cref="AgentClusterClient"/>'s (same checks, same
/// typed errors), agents named by their id, tasks by theirs. <see cref="Client"/> gives the whole EVM SDK.
/// </summary>
public sealed class EvmNetwork : IAgentClusterNetwork, INetworkAgents, INetworkStaking, INetworkTasks, INetworkReviews
{
    private readonly bool _ownsClient;
    private readonly SortedDictionary<BigInteger, bool> _seen = [];
    private BigInteger? _from;

    /// <summary>Wraps a connected client with a signer (disposed with this network when <paramref name="ownsClient"/>).</summary>
    /// <exception cref="ArgumentException">A read-only client.</exception>
    public EvmNetwork(AgentClusterClient client, bool ownsClient = false)
    {
        Client = client ?? throw new ArgumentNullException(nameof(client));
        Account = client.Address ?? throw new ArgumentException("An EvmNetwork needs a client with a signer; this one is read-only.", nameof(client));
        _ownsClient = ownsClient;
    }

    /// <summary>The EVM SDK client underneath.</summary>
    public AgentClusterClient Client { get; }

    /// <inheritdoc/>
    public NetworkKind Kind => NetworkKind.Evm;

    /// <inheritdoc/>
    public string Name => $"evm:{Client.ChainId}";

    /// <inheritdoc/>
    public string Account { get; }

    /// <inheritdoc/>
    public int AccDecimals => 18;

    /// <inheritdoc/>
    public INetworkAgents Agents => this;

    /// <inheritdoc/>
    public INetworkStaking Staking => this;

    /// <inheritdoc/>
    public INetworkTasks Tasks => this;

    /// <inheritdoc/>
    public INetworkReviews Reviews => this;

    /// <inheritdoc/>
    public Task<DateTimeOffset> ChainTimeAsync(CancellationToken cancellationToken = default) => Client.Tasks.ChainTimeAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<BigInteger> GetAccBalanceAsync(CancellationToken cancellationToken = default) =>
        Evm.Rpc.RpcCancellation.RunAsync(() => Client.Contracts.Token.BalanceOfQueryAsync(Account), cancellationToken);

    /// <inheritdoc/>
    public NetworkKey NewKey() => new EvmNetworkKey(AgentKey.Generate());

    /// <inheritdoc/>
    public async Task<AgentRef> RegisterAsync(NetworkKey agentKey, ulong capabilities, string metadataUri, CancellationToken cancellationToken = default)
    {
        EvmNetworkKey key = Expect(agentKey, nameof(agentKey));
        ArgumentNullException.ThrowIfNull(metadataUri);
        byte[] vectorHash = Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(metadataUri));
        AgentRegistration registration = await Client.Agents.RegisterAsync(key.Key.Signer, metadataUri, capabilities, vectorHash, cancellationToken)
            .ConfigureAwait(false);
        return new AgentRef(registration.AgentId.ToString());
    }

    /// <inheritdoc/>
    public async Task AttestAsync(AgentRef agent, NetworkAttestation attestation, NetworkKey attestor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        EvmNetworkKey key = Expect(attestor, nameof(attestor));
        BigInteger id = AgentId(agent);
        AgentAttestation last = await Client.Agents.GetAttestationAsync(id, cancellationToken).ConfigureAwait(false);
        var signed = new AgentAttestation(id, attestation.MeasurementHash, attestation.CpuCores, attestation.GpuMemoryMb, attestation.TokensPerSecond,
            (ulong)attestation.ExpiresAt.ToUnixTimeSeconds(), last.Nonce + 1);
        await Client.Agents.SubmitAttestationAsync(signed, Client.Agents.SignAttestation(signed, key.Key.Signer), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<NetworkAgent> GetAsync(AgentRef agent, CancellationToken cancellationToken = default)
    {
        BigInteger id = AgentId(agent);
        AgentInfo info = await Client.Agents.GetAsync(id, cancellationToken).ConfigureAwait(false);
        BigInteger stake = await Client.Staking.GetStakeAsync(id, cancellationToken).ConfigureAwait(false);
        return new NetworkAgent(agent, info.AgentKey, info.Owner, info.Status, info.Capabilities, stake, info.Attestation.Expires);
    }

    /// <inheritdoc/>
    public async Task<BigInteger> StakeAsync(AgentRef agent, BigInteger amount, CancellationToken cancellationToken = default) =>
        (await Client.Staking.StakeAsync(AgentId(agent), amount, cancellationToken).ConfigureAwait(false)).NewStake;

    /// <inheritdoc/>
    public Task<BigInteger> GetStakeAsync(AgentRef agent, CancellationToken cancellationToken = default) =>
        Client.Staking.GetStakeAsync(AgentId(agent), cancellationToken);

    /// <inheritdoc/>
    public async Task<NetworkMarketTerms> GetTermsAsync(CancellationToken cancellationToken = default)
    {
        MarketParameters p = await Client.Tasks.GetMarketParametersAsync(cancellationToken).ConfigureAwait(false);
        return new NetworkMarketTerms(p.BiddingWindow, p.MaxTaskDuration, p.MinStake, TasksClient.MinCommitteeSize, TasksClient.MaxCommitteeSize);
    }

    /// <inheritdoc/>
    public async Task<TaskRef> SubmitAsync(NetworkTaskSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        int size = submission.CommitteeSize ?? TasksClient.MinCommitteeSize;
        if (size is < TasksClient.MinCommitteeSize or > TasksClient.MaxCommitteeSize)
        {
            throw new ArgumentException($"CommitteeSize must be between {TasksClient.MinCommitteeSize} and {TasksClient.MaxCommitteeSize} on an EVM network (got {size}).",
                nameof(submission));
        }

        SubmittedTask task = await Client.Tasks.SubmitAsync(new TaskSubmission
        {
            RequirementsHash = submission.RequirementsHash, Capabilities = submission.Capabilities, Bounty = submission.Bounty, Fee = submission.Fee,
            Deadline = submission.Deadline, CommitteeSize = (byte)size,
        }, cancellationToken).ConfigureAwait(false);
        return new TaskRef(task.TaskId.ToString());
    }

    /// <inheritdoc/>
    public async Task<NetworkTask> GetAsync(TaskRef task, CancellationToken cancellationToken = default) =>
        Map(await Client.Tasks.GetAsync(TaskId(task), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc/>
    public async Task<IReadOnlyList<NetworkTask>> FindOpenAsync(ulong capabilities, CancellationToken cancellationToken = default)
    {
        // New submissions since the last call join the ones seen before; each is read again, so a task that left Bidding drops out.
        OpenTaskPage page = await Client.Tasks.FindOpenTasksAsync(capabilities, _from ?? new BigInteger(Client.Manifest.Block), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        _from = page.NextFromBlock;
        foreach (OpenTask open in page.Tasks)
        {
            _seen[open.TaskId] = true;
        }

        DateTimeOffset now = await ChainTimeAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<NetworkTask>();
        foreach (BigInteger id in _seen.Keys.ToList())
        {
            TaskInfo info = await Client.Tasks.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (info.Status != MarketTaskStatus.Bidding || now >= info.BiddingEndsAt)
            {
                _seen.Remove(id);
                continue;
            }

            if ((info.Capabilities & ~capabilities) == 0)
            {
                result.Add(Map(info));
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public Task BidAsync(TaskRef task, AgentRef agent, BigInteger price, CancellationToken cancellationToken = default) =>
        Client.Tasks.BidAsync(TaskId(task), AgentId(agent), price, cancellationToken);

    /// <inheritdoc/>
    public Task PostResultAsync(TaskRef task, AgentRef agent, byte[] resultHash, string resultUri, CancellationToken cancellationToken = default) =>
        Client.Tasks.PostResultAsync(TaskId(task), resultHash, resultUri, cancellationToken);

    /// <inheritdoc/>
    public Task<BigInteger> GetEarningsAsync(CancellationToken cancellationToken = default) => Client.Earnings.GetAsync(null, cancellationToken);

    /// <inheritdoc/>
    public async Task<BigInteger> WithdrawEarningsAsync(CancellationToken cancellationToken = default) =>
        (await Client.Earnings.WithdrawAsync(cancellationToken).ConfigureAwait(false)).Amount;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AgentRef>> GetCommitteeAsync(TaskRef task, CancellationToken cancellationToken = default) =>
        (await Client.Tasks.GetCommitteeAsync(TaskId(task), cancellationToken).ConfigureAwait(false)).Select(id => new AgentRef(id.ToString())).ToList();

    /// <inheritdoc/>
    public Task CommitAsync(TaskRef task, AgentRef agent, bool approve, CancellationToken cancellationToken = default) =>
        Client.Reviews.CommitAsync(TaskId(task), AgentId(agent), approve, cancellationToken);

    /// <inheritdoc/>
    public Task RevealAsync(TaskRef task, AgentRef agent, CancellationToken cancellationToken = default) =>
        Client.Reviews.RevealAsync(TaskId(task), AgentId(agent), cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            await Client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static NetworkTask Map(TaskInfo t) => new()
    {
        Task = new TaskRef(t.TaskId.ToString()), Requester = t.Requester, Status = t.Status, Stage = t.Stage, Capabilities = t.Capabilities,
        Bounty = t.Bounty, Fee = t.Fee, CommitteeSize = t.CommitteeSize, BiddingEndsAt = t.BiddingEndsAt, Deadline = t.Deadline,
        Executor = t.Executor is { } e && !e.IsZero ? new AgentRef(e.ToString()) : null, Price = t.Price,
    };

    private static EvmNetworkKey Expect(NetworkKey key, string name)
    {
        ArgumentNullException.ThrowIfNull(key, name);
        return key as EvmNetworkKey
            ?? throw new ArgumentException($"{name} is a {key.Kind} key ({key.Address}); an EVM network needs a secp256k1 key from its own NewKey() or an EvmNetworkKey.", name);
    }

    private static BigInteger AgentId(AgentRef agent) =>
        BigInteger.TryParse(agent.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out BigInteger id) && id > 0
            ? id
            : throw new ArgumentException($"'{agent.Value}' is not an EVM agent id (a positive decimal number); was it made by another network?", nameof(agent));

    private static BigInteger TaskId(TaskRef task) =>
        BigInteger.TryParse(task.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out BigInteger id) && id > 0
            ? id
            : throw new ArgumentException($"'{task.Value}' is not an EVM task id (a positive decimal number); was it made by another network?", nameof(task));
}
