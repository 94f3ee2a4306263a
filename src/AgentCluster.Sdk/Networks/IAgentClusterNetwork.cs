using System.Numerics;

namespace AgentCluster.Sdk.Networks;

/// <summary>
/// One AgentCluster deployment on one chain, with one signer (the owner of agents, a requester): the same operations on an EVM chain
/// and on Solana, so that an agent runs the same code on either by configuration (<c>AgentClusterNetwork.ConnectAsync</c>).
/// Amounts are BigInteger in the network's ACC base units (<see cref="AccDecimals"/>: 18 on an EVM chain, 9 on Solana). For what one
/// chain has and the other does not, use the chain's own client (<c>AgentClusterClient</c> for EVM).
/// </summary>
public interface IAgentClusterNetwork : IAsyncDisposable
{
    /// <summary>The chain.</summary>
    NetworkKind Kind { get; }

    /// <summary>A short name: "evm:&lt;chain id&gt;" or "solana:&lt;program id&gt;".</summary>
    string Name { get; }

    /// <summary>The signer's address (the owner of the agents it registers, the requester of the tasks it submits).</summary>
    string Account { get; }

    /// <summary>ACC's decimals on this chain.</summary>
    int AccDecimals { get; }

    /// <summary>Registration, attestation and reads of agents.</summary>
    INetworkAgents Agents { get; }

    /// <summary>Stake of the signer's agents.</summary>
    INetworkStaking Staking { get; }

    /// <summary>Submitting, finding, bidding on and executing tasks.</summary>
    INetworkTasks Tasks { get; }

    /// <summary>Committee duties: commit and reveal votes.</summary>
    INetworkReviews Reviews { get; }

    /// <summary>The chain's clock (the latest block's or the Clock sysvar's time), which every deadline is measured against.</summary>
    Task<DateTimeOffset> ChainTimeAsync(CancellationToken cancellationToken = default);

    /// <summary>The signer's ACC balance.</summary>
    Task<BigInteger> GetAccBalanceAsync(CancellationToken cancellationToken = default);

    /// <summary>Whole ACC in base units (1 ACC = 10^18 on an EVM chain, 10^9 on Solana); digits below the unit are dropped.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative amount.</exception>
    BigInteger Acc(decimal acc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(acc);
        decimal whole = decimal.Truncate(acc);
        int fractionDigits = Math.Min(AccDecimals, 18);
        BigInteger fraction = new(decimal.Truncate((acc - whole) * (decimal)Math.Pow(10, fractionDigits)));
        return new BigInteger(whole) * BigInteger.Pow(10, AccDecimals) + fraction * BigInteger.Pow(10, AccDecimals - fractionDigits);
    }
}

/// <summary>Agents: keys, registration, attestation, reads.</summary>
public interface INetworkAgents
{
    /// <summary>A new random agent key for this chain.</summary>
    NetworkKey NewKey();

    /// <summary>Registers <paramref name="agentKey"/> under the signer, paying the bond and the fee; returns the agent.</summary>
    Task<AgentRef> RegisterAsync(NetworkKey agentKey, ulong capabilities, string metadataUri, CancellationToken cancellationToken = default);

    /// <summary>The attestor's part: signs <paramref name="attestation"/> for <paramref name="agent"/> with <paramref name="attestor"/>, and submits it.</summary>
    Task AttestAsync(AgentRef agent, NetworkAttestation attestation, NetworkKey attestor, CancellationToken cancellationToken = default);

    /// <summary>The agent as the chain stores it.</summary>
    Task<NetworkAgent> GetAsync(AgentRef agent, CancellationToken cancellationToken = default);
}

/// <summary>Stake.</summary>
public interface INetworkStaking
{
    /// <summary>Adds <paramref name="amount"/> of the signer's ACC to the agent's active stake; returns the new stake.</summary>
    Task<BigInteger> StakeAsync(AgentRef agent, BigInteger amount, CancellationToken cancellationToken = default);

    /// <summary>The agent's active stake now.</summary>
    Task<BigInteger> GetStakeAsync(AgentRef agent, CancellationToken cancellationToken = default);
}

/// <summary>Tasks: the requester's and the worker's side.</summary>
public interface INetworkTasks
{
    /// <summary>The market's terms for a new task.</summary>
    Task<NetworkMarketTerms> GetTermsAsync(CancellationToken cancellationToken = default);

    /// <summary>Escrows bounty and fee and opens the task for bids.</summary>
    Task<TaskRef> SubmitAsync(NetworkTaskSubmission submission, CancellationToken cancellationToken = default);

    /// <summary>The task as the chain stores it.</summary>
    Task<NetworkTask> GetAsync(TaskRef task, CancellationToken cancellationToken = default);

    /// <summary>Tasks still taking bids whose required capabilities <paramref name="capabilities"/> covers, oldest first.</summary>
    Task<IReadOnlyList<NetworkTask>> FindOpenAsync(ulong capabilities, CancellationToken cancellationToken = default);

    /// <summary>Bids <paramref name="price"/> (at most the bounty) for <paramref name="agent"/>, one of the signer's agents.</summary>
    Task BidAsync(TaskRef task, AgentRef agent, BigInteger price, CancellationToken cancellationToken = default);

    /// <summary>Posts the executor's result (its 32-byte hash; the URI where it is, where the chain keeps one).</summary>
    Task PostResultAsync(TaskRef task, AgentRef agent, byte[] resultHash, string resultUri, CancellationToken cancellationToken = default);

    /// <summary>What the signer can withdraw from the market (executor pay, refunds, reviewer rewards).</summary>
    Task<BigInteger> GetEarningsAsync(CancellationToken cancellationToken = default);

    /// <summary>Withdraws what the market owes the signer; returns the amount.</summary>
    Task<BigInteger> WithdrawEarningsAsync(CancellationToken cancellationToken = default);
}

/// <summary>Committee duties (commit-reveal: the salt is kept in the network's salt store until revealed).</summary>
public interface INetworkReviews
{
    /// <summary>The agents on the task's committee (empty before the draw).</summary>
    Task<IReadOnlyList<AgentRef>> GetCommitteeAsync(TaskRef task, CancellationToken cancellationToken = default);

    /// <summary>Commits <paramref name="agent"/>'s vote (the salt is stored before anything is sent).</summary>
    Task CommitAsync(TaskRef task, AgentRef agent, bool approve, CancellationToken cancellationToken = default);

    /// <summary>Reveals the committed vote.</summary>
    Task RevealAsync(TaskRef task, AgentRef agent, CancellationToken cancellationToken = default);
}
