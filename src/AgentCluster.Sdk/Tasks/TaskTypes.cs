using System.Numerics;

namespace AgentCluster.Sdk.Tasks;

/// <summary>A task's status on-chain, mirroring <c>ITaskMarket.TaskStatus</c> value for value.</summary>
public enum MarketTaskStatus
{
    /// <summary>No such task.</summary>
    None = 0,

    /// <summary>Open for bids until <see cref="TaskInfo.BiddingEndsAt"/>.</summary>
    Bidding = 1,

    /// <summary>Executor chosen; the result is due by the deadline.</summary>
    Assigned = 2,

    /// <summary>Result posted: seed, committee draw, commit, reveal.</summary>
    Verifying = 3,

    /// <summary>Settled: the committee approved (2/3 of the revealed votes).</summary>
    Accepted = 4,

    /// <summary>Settled: the committee rejected; the executor was slashed.</summary>
    Rejected = 5,

    /// <summary>Refunded: no bid, missed deadline, no committee, seed lapsed, or no revealed vote.</summary>
    Refunded = 6,

    /// <summary>Neither 2/3 approved nor 2/3 rejected: bounty refunded, nobody slashed.</summary>
    Inconclusive = 7,
}

/// <summary>The five stages of a task's life (docs/sdk-tasks.md maps them onto the on-chain status).</summary>
public enum TaskStage
{
    /// <summary>Escrowed and open for bids (status Bidding).</summary>
    Submitted = 1,

    /// <summary>Routed to the best bid (status Assigned).</summary>
    Routed = 2,

    /// <summary>The executor posted its result; the seed for the committee is not fixed yet (status Verifying, no seed).</summary>
    Executed = 3,

    /// <summary>The seed is fixed: committee draw, commit and reveal (status Verifying with a seed).</summary>
    Verifying = 4,

    /// <summary>Settled: Accepted, Rejected, Refunded or Inconclusive.</summary>
    Settled = 5,
}

/// <summary>What a requester asks for. Amounts are in ACC wei (18 decimals).</summary>
public sealed record TaskSubmission
{
    /// <summary>keccak256 of the requirements document (32 bytes).</summary>
    public required byte[] RequirementsHash { get; init; }

    /// <summary>Capability bits every one of which the executor must advertise (0: any).</summary>
    public ulong Capabilities { get; init; }

    /// <summary>The most the requester pays the executor (more than 0, at most 2^88-1).</summary>
    public required BigInteger Bounty { get; init; }

    /// <summary>The protocol fee; null: the contract's minimum for this bounty and committee size.</summary>
    public BigInteger? Fee { get; init; }

    /// <summary>When the result is due: after the bidding window, at most the market's maximum task duration from now.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>Committee size (10..100).</summary>
    public byte CommitteeSize { get; init; } = 10;

    /// <summary>Executor's Task reputation floor, in whole points.</summary>
    public ulong MinReputation { get; init; }
}

/// <summary>The result of <see cref="TasksClient.SubmitAsync"/>.</summary>
/// <param name="TaskId">The new task's id.</param>
/// <param name="Fee">The fee escrowed with the bounty.</param>
/// <param name="TransactionHash">The submitting transaction.</param>
/// <param name="BlockNumber">The block it was mined in.</param>
public sealed record SubmittedTask(BigInteger TaskId, BigInteger Fee, string TransactionHash, BigInteger BlockNumber);

/// <summary>A task as the market holds it.</summary>
public sealed record TaskInfo
{
    /// <summary>The task id.</summary>
    public required BigInteger TaskId { get; init; }

    /// <summary>Who submitted (and escrowed) it.</summary>
    public required string Requester { get; init; }

    /// <summary>The status.</summary>
    public required MarketTaskStatus Status { get; init; }

    /// <summary>The stage of the five that the status corresponds to (null for <see cref="MarketTaskStatus.None"/>).</summary>
    public TaskStage? Stage => Status switch
    {
        MarketTaskStatus.Bidding => TaskStage.Submitted,
        MarketTaskStatus.Assigned => TaskStage.Routed,
        MarketTaskStatus.Verifying => DrawClosesAt is null ? TaskStage.Executed : TaskStage.Verifying,
        MarketTaskStatus.None => null,
        _ => TaskStage.Settled,
    };

    /// <summary>Required capability bits.</summary>
    public required ulong Capabilities { get; init; }

    /// <summary>Bounty (ACC wei).</summary>
    public required BigInteger Bounty { get; init; }

    /// <summary>Fee (ACC wei).</summary>
    public required BigInteger Fee { get; init; }

    /// <summary>Committee size.</summary>
    public required int CommitteeSize { get; init; }

    /// <summary>Executor's Task reputation floor (whole points).</summary>
    public required ulong MinReputation { get; init; }

    /// <summary>End of the bidding window.</summary>
    public required DateTimeOffset BiddingEndsAt { get; init; }

    /// <summary>Result deadline.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>The executor (best bidder while bidding), or null.</summary>
    public BigInteger? Executor { get; init; }

    /// <summary>The executor's price (its bid).</summary>
    public required BigInteger Price { get; init; }

    /// <summary>When the result was posted, or null.</summary>
    public DateTimeOffset? ResultPostedAt { get; init; }

    /// <summary>Members seated so far.</summary>
    public required int Seats { get; init; }

    /// <summary>Votes committed.</summary>
    public required int Commits { get; init; }

    /// <summary>Votes revealed.</summary>
    public required int Reveals { get; init; }

    /// <summary>Approvals among the revealed votes.</summary>
    public required int Approvals { get; init; }

    /// <summary>End of the draw window (also the start of the commit window), or null before the seed is fixed.</summary>
    public DateTimeOffset? DrawClosesAt { get; init; }

    /// <summary>End of the commit window, or null.</summary>
    public DateTimeOffset? CommitEndsAt { get; init; }

    /// <summary>End of the reveal window, or null.</summary>
    public DateTimeOffset? RevealEndsAt { get; init; }

    /// <summary>The seed (32 bytes) once fixed, or null.</summary>
    public byte[]? Seed { get; init; }

    /// <summary>The market parameter version the task runs under.</summary>
    public required uint ParamsVersion { get; init; }
}

/// <summary>An observed stage change of a watched task.</summary>
/// <param name="Stage">The stage reached.</param>
/// <param name="Task">The task as read when the stage was observed.</param>
public sealed record TaskStageChange(TaskStage Stage, TaskInfo Task);

/// <summary>An open task found in <c>TaskSubmitted</c> events.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Requester">The requester.</param>
/// <param name="RequirementsHash">keccak256 of the requirements.</param>
/// <param name="Capabilities">Required capability bits.</param>
/// <param name="Bounty">Bounty (ACC wei).</param>
/// <param name="Fee">Fee (ACC wei).</param>
/// <param name="Deadline">Result deadline.</param>
/// <param name="CommitteeSize">Committee size.</param>
/// <param name="MinReputation">Reputation floor (whole points).</param>
/// <param name="BlockNumber">Block of the submission event.</param>
public sealed record OpenTask(BigInteger TaskId, string Requester, byte[] RequirementsHash, ulong Capabilities, BigInteger Bounty,
    BigInteger Fee, DateTimeOffset Deadline, int CommitteeSize, BigInteger MinReputation, BigInteger BlockNumber);

/// <summary>A page of <see cref="TasksClient.FindOpenTasksAsync"/>: the tasks found and where to resume.</summary>
/// <param name="Tasks">Open tasks (still Bidding, bidding window not over) whose capabilities the given ones cover.</param>
/// <param name="NextFromBlock">Pass this as the next call's fromBlock to see only newer submissions.</param>
public sealed record OpenTaskPage(IReadOnlyList<OpenTask> Tasks, BigInteger NextFromBlock);

/// <summary>The market parameters a new task is checked against (a read of <c>params()</c>).</summary>
/// <param name="BiddingWindow">Bidding window.</param>
/// <param name="MaxTaskDuration">Longest deadline after submission.</param>
/// <param name="DrawWindow">Draw window (fill phase is its first half).</param>
/// <param name="CommitWindow">Commit window.</param>
/// <param name="RevealWindow">Reveal window.</param>
/// <param name="FeeBps">Minimum fee as a share of the bounty.</param>
/// <param name="KeeperReward">Reward per unit of keeper work.</param>
/// <param name="MinStake">Minimum stake of executors and reviewers.</param>
public sealed record MarketParameters(TimeSpan BiddingWindow, TimeSpan MaxTaskDuration, TimeSpan DrawWindow, TimeSpan CommitWindow,
    TimeSpan RevealWindow, int FeeBps, BigInteger KeeperReward, BigInteger MinStake);

/// <summary>The result of <see cref="TasksClient.DrawCommitteeBySortitionAsync"/> and <see cref="TasksClient.DrawCommitteeFromKeysAsync"/>.</summary>
/// <param name="Chosen">The committee submitted: the smallest sortition keys, best first.</param>
/// <param name="SeatsFilled">Seats this transaction filled (members already seated, e.g. by another keeper, are skipped).</param>
/// <param name="Receipt">The <c>drawCommittee</c> transaction's receipt (gas, the <c>Earned</c> events of the caller).</param>
public sealed record CommitteeDraw(IReadOnlyList<(BigInteger AgentId, BigInteger Key)> Chosen, int SeatsFilled,
    Nethereum.RPC.Eth.DTOs.TransactionReceipt? Receipt = null);

/// <summary>An ACC EIP-2612 permit signed by the client's signer (<see cref="TasksClient.SignPermitAsync"/>).</summary>
/// <param name="Permit">The permit as the market's <c>submitTask</c> takes it (deadline, v, r, s).</param>
/// <param name="Owner">The signer, whose ACC the permit spends.</param>
/// <param name="Spender">Who may pull the ACC.</param>
/// <param name="Value">How much (ACC wei).</param>
/// <param name="Nonce">The token's <c>nonces(owner)</c> the permit consumes.</param>
/// <param name="TypedDataJson">The EIP-712 typed data that was signed (eth_signTypedData_v4 JSON).</param>
/// <param name="Signature">The 65-byte signature r || s || v (v 27 or 28), hex.</param>
public sealed record SignedPermit(AgentCluster.Evm.Bindings.Permit Permit, string Owner, string Spender,
    BigInteger Value, BigInteger Nonce, string TypedDataJson, string Signature);

/// <summary>What happened to an open task in <see cref="TasksClient.WatchOpenTasksAsync"/>.</summary>
public enum OpenTaskChangeKind
{
    /// <summary>The task is open for bids and matches the capabilities watched.</summary>
    Opened,

    /// <summary>The task reported as opened is no longer open (see <see cref="OpenTaskClosedReason"/>).</summary>
    Closed,
}

/// <summary>Why a watched task left the open state.</summary>
public enum OpenTaskClosedReason
{
    /// <summary>Not closed (an <see cref="OpenTaskChangeKind.Opened"/> change).</summary>
    None,

    /// <summary>An executor was chosen (status Assigned or later).</summary>
    Assigned,

    /// <summary>Refunded to the requester at <c>assign</c> (no bid, or no valid bid).</summary>
    Refunded,

    /// <summary>The bidding window is over (chain time), and nobody has called <c>assign</c> yet: bids are refused.</summary>
    BiddingEnded,

    /// <summary>A chain reorganisation took back the submission (or the task no longer exists on the chain).</summary>
    Reorganised,
}

/// <summary>One change of <see cref="TasksClient.WatchOpenTasksAsync"/>.</summary>
/// <param name="Kind">Opened or closed.</param>
/// <param name="Task">The task as submitted (<see cref="OpenTask.BlockNumber"/> is its submission block).</param>
/// <param name="Reason">Why it closed (<see cref="OpenTaskClosedReason.None"/> when opened).</param>
/// <param name="Status">The on-chain status read when the change was seen (<see cref="MarketTaskStatus.None"/> after a reorganisation).</param>
/// <param name="ResumeFromBlock">
/// Start a new watch from this block to lose nothing after a restart: the submission block of the oldest task still open, or the
/// block after the last submission seen. Tasks still open are then reported as opened again (key them by task id).
/// </param>
public sealed record OpenTaskChange(OpenTaskChangeKind Kind, OpenTask Task, OpenTaskClosedReason Reason, MarketTaskStatus Status, BigInteger ResumeFromBlock);
