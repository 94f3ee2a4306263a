// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title The escrowed task market with verification committees
/// @notice Submit (escrow bounty + fee) -> route (bids, best effective price) -> execute (result before the
///         deadline) -> verify (committee drawn by weighted sortition from a seed fixed after the result; members
///         commit then reveal) -> settle at >= 2/3 of revealed votes either way (otherwise inconclusive). Payouts
///         are pull-based (`withdrawEarnings`).
/// @dev One address serves the whole interface: `TaskMarket` implements the money and the task's life, and
///      forwards the verification functions (seed, draw, seats, commit, reveal, settlement) to its
///      `TaskVerification` module by delegatecall, so both share one storage and one set of events.
interface ITaskMarket {
    enum TaskStatus {
        None,
        Bidding, // open for bids until biddingEndsAt
        Assigned, // executor chosen, result due by the deadline
        Verifying, // result posted: seed, committee draw, commit, reveal
        Accepted, // settled: the committee approved
        Rejected, // settled: the committee rejected, executor slashed
        Refunded, // no bid, missed deadline, no committee formed, seed lapsed, or no revealed vote
        Inconclusive // neither 2/3 approved nor 2/3 rejected: bounty refunded, nobody slashed
    }

    struct TaskRequest {
        bytes32 requirementsHash;
        uint64 capabilities; // every bit must be advertised by the executor
        uint88 bounty; // the most the requester pays the executor
        uint88 fee; // protocol fee: reviewers, keepers, burn and validators
        uint40 deadline; // result due (unix seconds)
        uint8 committeeSize; // 10..100
        uint40 minReputation; // executor's Task reputation floor, in whole points
    }

    struct Permit {
        uint256 deadline; // 0: no permit, use the existing allowance
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @dev Also the storage layout: fields are ordered so that each line group packs into one slot. The seed is
    ///      stored in `seedRequestId`'s slot once fixed; `getTask` returns it as `seed` (and `seedRequestId` as 0).
    struct Task {
        // slot 0
        address requester;
        TaskStatus status;
        uint8 committeeSize;
        uint8 seats; // members drawn so far
        uint8 commits;
        uint8 reveals;
        uint8 approvals;
        uint8 aligned; // revealed votes that matched the outcome (set at settlement)
        uint40 minReputation;
        // slot 1
        uint88 bounty;
        uint88 fee;
        uint40 biddingEndsAt;
        uint40 deadline;
        // slot 2
        uint64 capabilities;
        uint160 executor; // best bidder while Bidding
        bool seedFromFallback; // the primary source withheld; the seed comes from the fallback source
        uint24 paramsVersion; // the market parameters in force when the task was submitted (see `paramsAt`)
        // slot 3
        uint96 price;
        uint96 bestEffectivePrice;
        uint40 resultPostedAt;
        uint8 claims; // paid seat claims (at most committeeSize are paid)
        // slot 4
        uint40 drawClosesAt; // 0 until the seed is fixed
        uint40 commitEndsAt;
        uint40 revealEndsAt;
        uint96 rewardPerReviewer; // set at settlement
        uint40 reviewerGain; // validator reputation per aligned member, in 1e12 units (set at settlement)
        // slot 5: the request id until the seed is fixed, then the seed (slot 6 stays empty; the result hash and
        // URI live in the ResultPosted event only)
        uint256 seedRequestId;
        bytes32 seed;
    }

    /// @notice A reviewer's vote commitment signed by its agent key, relayed in a batch by a keeper.
    struct SignedCommit {
        uint256 agentId;
        bytes32 commitment;
        bytes signature; // EIP-712 Commit(uint256 taskId,uint256 agentId,bytes32 commitment) by the agent key
    }

    /// @notice An opening of a commitment; anyone holding it may reveal.
    struct Reveal {
        uint256 agentId;
        bool approve;
        bytes32 salt;
    }

    struct MarketParams {
        uint40 biddingWindow;
        uint40 maxTaskDuration; // deadline at most this far after submission
        uint40 seedTimeout; // after this, anyone may re-request the seed from the fallback source
        uint40 drawWindow; // keeper draw + seat claims
        uint40 commitWindow;
        uint40 revealWindow;
        uint16 feeBps; // minimum fee as a share of the bounty
        uint16 reviewerShareBps; // share of the fee paid to aligned reviewers
        uint96 keeperReward; // per unit of keeper work (assign, each seat drawn or claimed, settle, each member settled)
        uint96 minStake; // executors and reviewers
        uint16 missedDeadlineSeverityBps;
        uint16 rejectedSeverityBps;
        uint16 nonRevealSeverityBps;
        uint16 minoritySeverityBps; // 0 disables the light slash of the minority
    }

    event TaskSubmitted(
        uint256 indexed taskId,
        address indexed requester,
        bytes32 requirementsHash,
        uint64 capabilities,
        uint256 bounty,
        uint256 fee,
        uint256 deadline,
        uint8 committeeSize,
        uint256 minReputation
    );
    event BidPlaced(uint256 indexed taskId, uint256 indexed agentId, uint256 price, uint256 effectivePrice, bool best);
    event TaskAssigned(uint256 indexed taskId, uint256 indexed agentId, uint256 price);
    event ResultPosted(uint256 indexed taskId, uint256 indexed agentId, bytes32 resultHash, string resultURI);
    event SeedRequested(uint256 indexed taskId, address indexed source, uint256 requestId);
    event SeedFixed(uint256 indexed taskId, bytes32 seed, uint256 drawClosesAt, uint256 commitEndsAt, uint256 revealEndsAt);
    event MemberDrawn(uint256 indexed taskId, uint256 indexed agentId, uint256 key, address indexed drawnBy);
    event MemberEvicted(uint256 indexed taskId, uint256 indexed agentId, uint256 indexed replacedBy);
    event VoteCommitted(uint256 indexed taskId, uint256 indexed agentId);
    event VoteRevealed(uint256 indexed taskId, uint256 indexed agentId, bool approve);
    event TaskSettled(uint256 indexed taskId, TaskStatus outcome, uint256 approvals, uint256 reveals, address indexed settledBy);
    /// @notice A member's consequences; an aligned member's `reward` is credited to `owner`'s earnings (no separate
    ///         `Earned` event), so earnings are rebuilt from `Earned` plus `MemberSettled`.
    event MemberSettled(
        uint256 indexed taskId,
        uint256 indexed agentId,
        address indexed owner,
        uint256 reward,
        bool aligned,
        bool slashed
    );
    event Earned(address indexed account, uint256 indexed taskId, uint256 amount, bytes32 indexed reason);
    event EarningsWithdrawn(address indexed account, uint256 amount);
    event ProtocolFeesAccrued(uint256 indexed taskId, uint256 amount);
    event ProtocolFeesFlushed(uint256 amount);
    event MarketParamsSet(MarketParams params);

    error InvalidCommitteeSize(uint8 size, uint8 min, uint8 max);
    error InvalidDeadline(uint256 deadline, uint256 earliest, uint256 latest);
    error ZeroBounty();
    error FeeTooLow(uint256 fee, uint256 minimum);
    error UnknownTask(uint256 taskId);
    error WrongStatus(uint256 taskId, TaskStatus status, TaskStatus expected);
    error BiddingClosed(uint256 taskId, uint256 biddingEndsAt);
    error BiddingOpen(uint256 taskId, uint256 biddingEndsAt);
    error NotAgentController(uint256 agentId, address caller);
    error AgentNotEligible(uint256 agentId);
    error InsufficientStake(uint256 agentId, uint256 stake, uint256 minimum);
    error ReputationTooLow(uint256 agentId, uint256 reputation, uint256 minimum);
    error RequesterCannotParticipate(uint256 taskId, uint256 agentId);
    error InvalidPrice(uint256 price, uint256 bounty);
    error DeadlinePassed(uint256 taskId, uint256 deadline);
    error DeadlineNotPassed(uint256 taskId, uint256 deadline);
    error SeedNotReady(uint256 taskId);
    error SeedNotOverdue(uint256 taskId, uint256 retryAt);
    error DrawClosed(uint256 taskId, uint256 drawClosesAt);
    error CommitteeFull(uint256 taskId);
    error CommitteeNotFull(uint256 taskId);
    error AlreadyMember(uint256 taskId, uint256 agentId);
    error NotMember(uint256 taskId, uint256 agentId);
    error ExcludedFromCommittee(uint256 taskId, uint256 agentId);
    error KeyNotBetter(uint256 taskId, uint256 key, uint256 evictedKey);
    error NotInPhase(uint256 taskId, uint256 opensAt, uint256 closesAt);
    error AlreadyCommitted(uint256 taskId, uint256 agentId);
    error NotCommitted(uint256 taskId, uint256 agentId);
    error CommitmentMismatch(uint256 taskId, uint256 agentId);
    error RevealNotOver(uint256 taskId, uint256 revealEndsAt);
    error NothingToWithdraw(address account);
    error InvalidCommitSignature(uint256 taskId, uint256 agentId);
    error SeedAlreadyRetried(uint256 taskId);
    error SeedFixDeadlinePassed(uint256 taskId, uint256 deadline);
    error FillClosed(uint256 taskId, uint256 fillClosesAt);
    error NotDelegated();
    error ParameterOutOfRange(string parameter, uint256 value);

    /// @notice Escrow `bounty + fee` (with an optional ERC-2612 permit, so no separate approve is needed) and open
    ///         the task for bids. Every market parameter the task depends on is fixed now.
    function submitTask(TaskRequest calldata request, Permit calldata permit) external returns (uint256 taskId);
    function bid(uint256 taskId, uint256 agentId, uint96 price) external;
    function assign(uint256 taskId) external;
    function postResult(uint256 taskId, bytes32 resultHash, string calldata resultURI) external;
    function reportMissedDeadline(uint256 taskId) external;
    /// @notice Once, if the primary source has not produced a seed `seedTimeout` after the result (and has not let
    ///         it lapse), ask the fallback source instead.
    function retrySeed(uint256 taskId) external;
    /// @notice Fix the seed if needed and seat the agents given in empty seats, during the fill phase (the first
    ///         half of the draw window). Agents already seated or no longer eligible are skipped, and so is
    ///         everything past a full committee; the caller is paid `keeperReward` per seat it filled.
    function drawCommittee(uint256 taskId, uint256[] calldata agentIds) external;
    /// @notice Once the committee is full and until the draw window closes, seat `agentId` in place of the member
    ///         `evictAgentId` whose sortition key is worse (larger). Anyone may claim for any eligible agent; the
    ///         first `committeeSize` claims of a task pay the caller `keeperReward`.
    function claimSeat(uint256 taskId, uint256 agentId, uint256 evictAgentId) external;
    function commitVote(uint256 taskId, uint256 agentId, bytes32 commitment) external;
    function revealVote(uint256 taskId, uint256 agentId, bool approve, bytes32 salt) external;
    /// @notice Commit several members' votes at once from their agent keys' signatures (a keeper relays them).
    function commitVotesBySig(uint256 taskId, SignedCommit[] calldata commits) external;
    /// @notice Reveal several openings at once.
    function revealVotes(uint256 taskId, Reveal[] calldata reveals) external;
    /// @notice Reveals the openings given (see `revealVotes`; may be empty), settles the task once the reveal phase
    ///         is over or every member has revealed, and settles the members named (see `settleMembers`; may be
    ///         empty), all in one call.
    function settle(uint256 taskId, Reveal[] calldata reveals, uint256[] calldata agentIds) external;
    /// @notice Apply each named member's consequences once (members already settled are skipped); the caller is
    ///         paid `keeperReward` per member settled.
    function settleMembers(uint256 taskId, uint256[] calldata agentIds) external;
    function withdrawEarnings() external returns (uint256 amount);
    /// @notice Send the protocol's accrued share of task fees through the fee router (burn / validators); anyone.
    function flushProtocolFees() external returns (uint256 amount);

    function getTask(uint256 taskId) external view returns (Task memory);
    /// @notice How many tasks were ever submitted (ids run from 1).
    function taskCount() external view returns (uint256);
    /// @notice The parameters of version `version` (a task uses the version in force at its submission).
    function paramsAt(uint256 version) external view returns (MarketParams memory);
    /// @notice The lowest fee a task with `bounty` and `committeeSize` may carry under the current parameters.
    function minimumFee(uint256 bounty, uint8 committeeSize) external view returns (uint256);
    /// @notice The price a bid of `price` ranks at for an agent with Task reputation `reputation` (18 decimals):
    ///         reputation discounts it by at most `MAX_REPUTATION_DISCOUNT_BPS`.
    function effectivePrice(uint256 price, uint256 reputation) external pure returns (uint256);
    function sortitionKey(uint256 taskId, uint256 agentId) external view returns (uint256);
    function commitmentOf(uint256 taskId, uint256 agentId, bool approve, bytes32 salt) external pure returns (bytes32);
    function earningsOf(address account) external view returns (uint256);
    function pendingProtocolFees() external view returns (uint256);
    function commitDigest(uint256 taskId, uint256 agentId, bytes32 commitment) external view returns (bytes32);
    function params() external view returns (MarketParams memory);
    function setParams(MarketParams calldata params) external;
}
