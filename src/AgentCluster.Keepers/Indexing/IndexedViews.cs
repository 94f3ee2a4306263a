using System.Numerics;

namespace AgentCluster.Keepers.Indexing;

/// <summary>A task as the indexed market events describe it (latest event of each kind wins).</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Requester">The requester (lower-case hex).</param>
/// <param name="Capabilities">Capability bits the executor must have.</param>
/// <param name="Bounty">Escrowed bounty, ACC wei.</param>
/// <param name="Fee">Escrowed protocol fee, ACC wei.</param>
/// <param name="Deadline">When the result is due.</param>
/// <param name="SubmittedBlock">The block of <c>TaskSubmitted</c>.</param>
/// <param name="Executor">The assigned agent (<c>TaskAssigned</c>), null before assignment.</param>
/// <param name="ResultPosted">Whether <c>ResultPosted</c> was seen.</param>
/// <param name="SeedRequested">Whether <c>SeedRequested</c> was seen (the committee seed is on its way).</param>
/// <param name="Seed">The committee seed (<c>SeedFixed</c>, hex), null before it is fixed.</param>
/// <param name="DrawClosesAt">When the committee draw closes, null before the seed is fixed.</param>
/// <param name="CommitEndsAt">When the commit window ends, null before the seed is fixed.</param>
/// <param name="RevealEndsAt">When the reveal window ends, null before the seed is fixed.</param>
/// <param name="Committee">Drawn members not evicted (<c>MemberDrawn</c> minus <c>MemberEvicted</c>), in draw order.</param>
/// <param name="Outcome">The settled outcome (<c>TaskSettled</c>), null while unsettled.</param>
public sealed record IndexedTask(
    BigInteger TaskId, string Requester, ulong Capabilities, BigInteger Bounty, BigInteger Fee, DateTimeOffset Deadline, ulong SubmittedBlock,
    BigInteger? Executor, bool ResultPosted, bool SeedRequested, string? Seed, DateTimeOffset? DrawClosesAt, DateTimeOffset? CommitEndsAt, DateTimeOffset? RevealEndsAt,
    IReadOnlyList<BigInteger> Committee, byte? Outcome)
{
    /// <summary>Whether <c>TaskSettled</c> was seen.</summary>
    public bool Settled => Outcome is not null;
}

/// <summary>A registered agent as the indexed registry and staking events describe it.</summary>
/// <param name="AgentId">The agent id.</param>
/// <param name="Owner">Its owner (lower-case hex).</param>
/// <param name="AgentKey">Its signing key's address (lower-case hex).</param>
/// <param name="AgentUri">Its URI at registration.</param>
/// <param name="RegisteredBlock">The block of <c>AgentRegistered</c>.</param>
/// <param name="AttestationExpiresAt">Expiry of the latest <c>Attested</c>, null when never attested.</param>
/// <param name="Stake">Its stake ledger.</param>
public sealed record IndexedAgent(BigInteger AgentId, string Owner, string AgentKey, string AgentUri, ulong RegisteredBlock,
    DateTimeOffset? AttestationExpiresAt, IndexedStake Stake);

/// <summary>An agent's stake as summed from the staking events, ACC wei.</summary>
/// <param name="Staked">Sum of <c>Staked</c>.</param>
/// <param name="UnstakeRequested">Sum of <c>UnstakeRequested</c>.</param>
/// <param name="Withdrawn">Sum of <c>Withdrawn</c>.</param>
/// <param name="SlashBurned">Sum of <c>SlashFinalized.burned</c>.</param>
/// <param name="SlashReversed">Sum of <c>SlashReversed</c>.</param>
public sealed record IndexedStake(BigInteger Staked, BigInteger UnstakeRequested, BigInteger Withdrawn, BigInteger SlashBurned, BigInteger SlashReversed)
{
    /// <summary>Staked, less what is unbonding or gone and burned by slashes, plus reversed slashes. The event-derived view: the contract's
    /// own accounting (e.g. a slash taken from unbonding stake) is authoritative.</summary>
    public BigInteger Active => Staked - UnstakeRequested - SlashBurned + SlashReversed;
}

/// <summary>One raw log of the suite, as stored.</summary>
/// <param name="BlockNumber">Its block.</param>
/// <param name="BlockHash">Its block's hash.</param>
/// <param name="TransactionHash">Its transaction.</param>
/// <param name="LogIndex">Its index in the block.</param>
/// <param name="Address">The emitting contract (lower-case hex).</param>
/// <param name="Contract">The manifest name of the emitting contract.</param>
/// <param name="Topics">Its topics (hex).</param>
/// <param name="Data">Its data (hex).</param>
public sealed record IndexedLog(ulong BlockNumber, string BlockHash, string TransactionHash, ulong LogIndex, string Address, string Contract,
    IReadOnlyList<string> Topics, string Data);

/// <summary>What one <see cref="SuiteIndexer.IndexOnceAsync"/> pass did.</summary>
/// <param name="Head">The chain head it read.</param>
/// <param name="FromBlock">The first block it indexed (null: nothing new to index).</param>
/// <param name="ToBlock">The last block it indexed (null: nothing new to index).</param>
/// <param name="Logs">How many logs it stored.</param>
/// <param name="RewoundTo">When a reorganisation was found: the common ancestor the index was rewound to.</param>
public sealed record IndexPass(ulong Head, ulong? FromBlock, ulong? ToBlock, int Logs, ulong? RewoundTo);
