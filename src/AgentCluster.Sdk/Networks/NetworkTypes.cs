using System.Numerics;
using AgentCluster.Sdk.Agents;
using AgentCluster.Sdk.Tasks;

namespace AgentCluster.Sdk.Networks;

/// <summary>Which chain a network is on.</summary>
public enum NetworkKind
{
    /// <summary>An EVM chain (Base, or anvil on localnet): the Solidity suite through Nethereum.</summary>
    Evm = 1,

    /// <summary>Solana (or the LiteSVM localnet): the AgentCluster program through AgentCluster.Solana.</summary>
    Solana = 2,
}

/// <summary>
/// An agent, on either chain: on an EVM chain its id (decimal text of the uint256 the registry derives from the agent key), on Solana
/// its agent key (base58; the agent account is a PDA of it). Compare and store it as text; only the network that made it reads it.
/// </summary>
/// <param name="Value">The chain's text for the agent.</param>
public readonly record struct AgentRef(string Value)
{
    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>A task, on either chain: on an EVM chain its id (decimal), on Solana the task account's address (base58).</summary>
/// <param name="Value">The chain's text for the task.</param>
public readonly record struct TaskRef(string Value)
{
    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>
/// A key an agent (or an attestor) signs with, made or loaded by <see cref="INetworkAgents"/> for the network's chain: secp256k1 on an
/// EVM chain, Ed25519 on Solana. <see cref="Address"/> is the chain's text for it.
/// </summary>
public abstract class NetworkKey
{
    /// <summary>The chain the key is for.</summary>
    public abstract NetworkKind Kind { get; }

    /// <summary>The key's address: checksummed hex on an EVM chain, base58 on Solana.</summary>
    public abstract string Address { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} key {Address}";
}

/// <summary>An agent as either chain stores it (amounts in the network's ACC base units: <see cref="IAgentClusterNetwork.AccDecimals"/>).</summary>
/// <param name="Agent">The agent.</param>
/// <param name="AgentKey">The agent key's address.</param>
/// <param name="Owner">The owner's address.</param>
/// <param name="Status">Pending, Active, Suspended (attestation expired) or Exited.</param>
/// <param name="Capabilities">The capability bits it advertises.</param>
/// <param name="Stake">Its active stake now.</param>
/// <param name="AttestedUntil">When its attestation expires (null: never attested).</param>
public sealed record NetworkAgent(AgentRef Agent, string AgentKey, string Owner, AgentStatus Status, ulong Capabilities, BigInteger Stake,
    DateTimeOffset? AttestedUntil)
{
    /// <summary>Attested and not expired: eligible for work.</summary>
    public bool IsActive => Status == AgentStatus.Active;
}

/// <summary>What an attestor vouches for after checking an agent's enclave and benchmark off-chain.</summary>
/// <param name="MeasurementHash">The enclave measurement's hash (32 bytes).</param>
/// <param name="CpuCores">Benchmarked CPU cores.</param>
/// <param name="GpuMemoryMb">Benchmarked GPU memory.</param>
/// <param name="TokensPerSecond">Benchmarked throughput.</param>
/// <param name="ExpiresAt">When the attestation lapses (at most 30 days ahead on either chain).</param>
public sealed record NetworkAttestation(byte[] MeasurementHash, uint CpuCores, uint GpuMemoryMb, uint TokensPerSecond, DateTimeOffset ExpiresAt);

/// <summary>The market's terms a requester and a worker need, on either chain.</summary>
/// <param name="BiddingWindow">How long a task takes bids.</param>
/// <param name="MaxTaskDuration">The furthest deadline after submission.</param>
/// <param name="MinStake">The least stake an agent needs to bid and review.</param>
/// <param name="MinCommitteeSize">The smallest committee a task may ask for.</param>
/// <param name="MaxCommitteeSize">The largest committee a task may ask for.</param>
public sealed record NetworkMarketTerms(TimeSpan BiddingWindow, TimeSpan MaxTaskDuration, BigInteger MinStake, int MinCommitteeSize, int MaxCommitteeSize);

/// <summary>What a requester asks for, on either chain (amounts in the network's ACC base units).</summary>
public sealed record NetworkTaskSubmission
{
    /// <summary>The requirements document's hash (32 bytes).</summary>
    public required byte[] RequirementsHash { get; init; }

    /// <summary>Capability bits every one of which the executor must advertise (0: any).</summary>
    public ulong Capabilities { get; init; }

    /// <summary>The most the requester pays the executor (more than 0).</summary>
    public required BigInteger Bounty { get; init; }

    /// <summary>The protocol fee; null: the network's minimum for this bounty and committee size.</summary>
    public BigInteger? Fee { get; init; }

    /// <summary>When the result is due: after the bidding window, within the market's maximum task duration.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>Committee size; null: the network's smallest (10 on Base, 3 on Solana).</summary>
    public int? CommitteeSize { get; init; }
}

/// <summary>A task as either chain stores it.</summary>
public sealed record NetworkTask
{
    /// <summary>The task.</summary>
    public required TaskRef Task { get; init; }

    /// <summary>The requester's address.</summary>
    public required string Requester { get; init; }

    /// <summary>Its status (the same values on both chains).</summary>
    public required MarketTaskStatus Status { get; init; }

    /// <summary>Its stage (null for no task).</summary>
    public required TaskStage? Stage { get; init; }

    /// <summary>Required capability bits.</summary>
    public required ulong Capabilities { get; init; }

    /// <summary>The bounty escrowed.</summary>
    public required BigInteger Bounty { get; init; }

    /// <summary>The fee escrowed.</summary>
    public required BigInteger Fee { get; init; }

    /// <summary>The committee size asked for.</summary>
    public required int CommitteeSize { get; init; }

    /// <summary>When bidding ends.</summary>
    public required DateTimeOffset BiddingEndsAt { get; init; }

    /// <summary>When the result is due.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>The best bidder so far, then the executor (null: none).</summary>
    public AgentRef? Executor { get; init; }

    /// <summary>The best bid so far, then the executor's price (0: none).</summary>
    public BigInteger Price { get; init; }

    /// <summary>The posted result's hash (null: none yet).</summary>
    public byte[]? ResultHash { get; init; }
}
