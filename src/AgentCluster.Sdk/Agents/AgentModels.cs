using System.Numerics;
using Nethereum.RPC.Eth.DTOs;

namespace AgentCluster.Sdk.Agents;

/// <summary>An agent's lifecycle as <c>AgentRegistry.statusOf</c> reports it (the contract's enum values).</summary>
public enum AgentStatus : byte
{
    /// <summary>Not registered.</summary>
    None = 0,

    /// <summary>Registered and bonded, not yet attested.</summary>
    Pending = 1,

    /// <summary>Attested, the attestation has not expired: eligible for work.</summary>
    Active = 2,

    /// <summary>The attestation expired; a new one makes the agent Active again.</summary>
    Suspended = 3,

    /// <summary>Left the network; the bond is withdrawable after the exit delay.</summary>
    Exited = 4,
}

/// <summary>
/// A TEE attestation and compute benchmark, as an approved attestor signs it (EIP-712 <c>Attestation</c> of the registry's domain)
/// and as <c>attestationOf</c> returns it (all zero but the id before the first attestation).
/// </summary>
/// <param name="AgentId">The attested agent.</param>
/// <param name="MeasurementHash">32-byte hash of the verified enclave / TD measurement.</param>
/// <param name="CpuCores">CPU cores benchmarked.</param>
/// <param name="GpuMemoryMb">GPU memory in MiB.</param>
/// <param name="TokensPerSecond">LLM inference benchmark.</param>
/// <param name="ExpiresAt">Unix seconds after which the agent is Suspended (at most 30 days after submission).</param>
/// <param name="Nonce">Strictly greater than the agent's last attestation nonce.</param>
public sealed record AgentAttestation(BigInteger AgentId, byte[] MeasurementHash, uint CpuCores, uint GpuMemoryMb, uint TokensPerSecond, ulong ExpiresAt, ulong Nonce)
{
    /// <summary><see cref="ExpiresAt"/> as a time (null when 0: never attested).</summary>
    public DateTimeOffset? Expires => ExpiresAt == 0 ? null : DateTimeOffset.FromUnixTimeSeconds((long)ExpiresAt);
}

/// <summary>An agent as the registry stores it.</summary>
/// <param name="AgentId">The id: the agent key's address as a number.</param>
/// <param name="AgentKey">The agent's own wallet (its signing key's address; ERC-8004 <c>getAgentWallet</c>).</param>
/// <param name="Owner">The account that controls the agent (registered it; receives bond, stake and withdrawals).</param>
/// <param name="Status">Lifecycle now.</param>
/// <param name="Capabilities">Bitmask of governance-named capability tags.</param>
/// <param name="CapabilityVectorHash">32-byte hash of the capability vector in the registration file.</param>
/// <param name="Bond">Wei of ACC bonded (0 once withdrawn).</param>
/// <param name="Attestation">The last attestation (fields zero before the first).</param>
/// <param name="ExitUnlocksAt">When the bond of an exited agent unlocks (null before <c>requestExit</c>).</param>
public sealed record AgentInfo(BigInteger AgentId, string AgentKey, string Owner, AgentStatus Status, ulong Capabilities, byte[] CapabilityVectorHash,
    BigInteger Bond, AgentAttestation Attestation, DateTimeOffset? ExitUnlocksAt)
{
    /// <summary>True while attested and unexpired.</summary>
    public bool IsActive => Status == AgentStatus.Active;
}

/// <summary>The registration terms in force: what <c>register</c> pulls and how long an exit takes.</summary>
/// <param name="Bond">Wei of ACC held until exit.</param>
/// <param name="RegistrationFee">Wei of ACC burned.</param>
/// <param name="ExitDelay">Between <c>requestExit</c> and the bond unlocking.</param>
public sealed record RegistrationTerms(BigInteger Bond, BigInteger RegistrationFee, TimeSpan ExitDelay);

/// <summary>A registration that was mined.</summary>
/// <param name="AgentId">The new agent's id.</param>
/// <param name="AgentKey">Its key's address.</param>
/// <param name="Owner">The signer, now its owner.</param>
/// <param name="Bond">Wei of ACC bonded.</param>
/// <param name="Fee">Wei of ACC paid as the (burned) registration fee.</param>
/// <param name="Approval">The ACC approve sent first, or null when the allowance already covered bond + fee.</param>
/// <param name="Receipt">The <c>register</c> transaction's receipt.</param>
public sealed record AgentRegistration(BigInteger AgentId, string AgentKey, string Owner, BigInteger Bond, BigInteger Fee, TransactionReceipt? Approval,
    TransactionReceipt Receipt);

/// <summary>An exit that was requested.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="BondUnlocksAt">When <see cref="AgentsClient.WithdrawBondAsync"/> can succeed.</param>
/// <param name="Receipt">The transaction's receipt.</param>
public sealed record AgentExit(BigInteger AgentId, DateTimeOffset BondUnlocksAt, TransactionReceipt Receipt);

/// <summary>A bond returned to the agent's owner.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="To">The owner that received it.</param>
/// <param name="Amount">Wei of ACC returned.</param>
/// <param name="Receipt">The transaction's receipt.</param>
public sealed record BondWithdrawal(BigInteger AgentId, string To, BigInteger Amount, TransactionReceipt Receipt);
