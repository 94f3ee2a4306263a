// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NonRenounceableOwnable2Step} from "../../access/NonRenounceableOwnable2Step.sol";
import {ITaskMarket} from "../../interfaces/ITaskMarket.sol";
import {IAgentRegistry} from "../../interfaces/IAgentRegistry.sol";
import {IStaking} from "../../interfaces/IStaking.sol";
import {IReputation} from "../../interfaces/IReputation.sol";
import {IRandomnessSource} from "../../interfaces/IRandomnessSource.sol";
import {IFeeRouter} from "../../interfaces/IFeeRouter.sol";
import {Sortition} from "../../libraries/Sortition.sol";

/// @title What the task market's two contracts share: storage, immutables and the helpers both use
/// @notice `TaskMarket` (money and the task's life) and `TaskVerification` (the committee, run by delegatecall
///         from the market) both inherit this contract, so they agree on every storage slot by construction.
/// @dev No state variable may be declared outside this contract (or its bases) by either module.
abstract contract TaskMarketBase is NonRenounceableOwnable2Step {
    uint8 internal constant MIN_COMMITTEE = 10;
    uint8 internal constant MAX_COMMITTEE = 100;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant POINT = 1e18;
    /// @dev Stake is counted in milli-ACC for sortition weights.
    uint256 internal constant WEIGHT_UNIT = 1e15;
    /// @dev Below this the weight rounds to almost nothing and sortition keys degenerate; `minStake` is bounded by it.
    uint256 internal constant MIN_STAKE_FLOOR = 1e18;

    // Reputation effects (18 decimals).
    /// @dev The executor's Task reputation grows with the part of the fee that reaches the protocol (half of it is
    ///      burned), so reputation costs fees that nobody in a collusion gets back: 0.02 point per ACC.
    uint256 internal constant EXECUTOR_GAIN_PER_PROTOCOL_ACC = 2e16;
    uint256 internal constant EXECUTOR_MAX_GAIN = 1e18;
    /// @dev An executor gains Task reputation from one requester at most once in this many days: reputation should
    ///      measure good work for many counterparties, not one relationship repeated (or a requester and executor
    ///      of one owner dealing with each other).
    uint256 internal constant COUNTERPARTY_COOLDOWN_DAYS = 7;
    /// @dev Recent counterparties remembered per executor, in one slot: (48-bit requester fingerprint, 32-bit day).
    uint256 internal constant RECENT_COUNTERPARTIES = 3;
    uint256 internal constant EXECUTOR_REJECTED_LOSS = 2e18;
    uint256 internal constant EXECUTOR_MISSED_LOSS = 1e18;
    /// @dev At most this much validator reputation per aligned member and task. Like the executor's, it is bought
    ///      with the fee that reaches the protocol (0.02 point per ACC, shared among the aligned members), so a
    ///      requester that fills its own tasks' committees cannot farm validator weight with 1-wei tasks.
    uint256 internal constant REVIEWER_ALIGNED_GAIN = 1e17;
    /// @dev Validator reputation counted in a sortition weight at most (weight <= stake x 11).
    uint256 internal constant MAX_WEIGHT_REPUTATION = 10e18;
    /// @dev `Task.reviewerGain` unit.
    uint256 internal constant GAIN_UNIT = 1e12;
    uint256 internal constant REVIEWER_MISALIGNED_LOSS = 2e17;
    uint256 internal constant REVIEWER_SILENT_LOSS = 5e17;

    // Seat words: bits 0-6 the state, bit 7 the ring word's overflow flag, bits 8-191 the body (the sortition key
    // while a member, the commitment's bits 8-191 once committed), bits 192-255 the task id (ring words only).
    uint256 internal constant SEAT_MEMBER = 1;
    uint256 internal constant SEAT_COMMITTED = 2;
    uint256 internal constant SEAT_APPROVED = 3;
    uint256 internal constant SEAT_REJECTED = 4;
    uint256 internal constant SEAT_FREE = 5;
    uint256 internal constant STATE_MASK = 0x7f;
    uint256 internal constant OVERFLOW = 0x80;
    uint256 internal constant TAG_SHIFT = 192;
    uint256 internal constant BODY_MASK = ((uint256(1) << 192) - 1) ^ 0xff;
    /// @dev Ring words per agent: a seat of task t sits in word t % SEAT_RING unless that word holds a live seat.
    uint256 internal constant SEAT_RING = 32;

    bytes32 internal constant REASON_EXECUTOR = "executor";
    bytes32 internal constant REASON_REFUND = "refund";
    bytes32 internal constant REASON_KEEPER = "keeper";

    IERC20 public immutable token;
    IAgentRegistry public immutable registry;
    IStaking public immutable staking;
    IReputation public immutable reputation;
    IFeeRouter public immutable feeRouter;
    IRandomnessSource public immutable randomness;
    IRandomnessSource public immutable fallbackRandomness;

    uint256 public taskCount;
    /// @dev Every parameter set ever in force, by version; a task reads the version it was submitted under.
    mapping(uint256 version => ITaskMarket.MarketParams) internal _paramsByVersion;
    uint24 internal _paramsVersion;
    /// @dev `seed` is never stored: once fixed, the seed overwrites the dead `seedRequestId` (an update of a warm
    ///      slot instead of a fresh one); `getTask` reports it as `seed`.
    mapping(uint256 taskId => ITaskMarket.Task) internal _tasks;
    /// @dev Seats are reused storage: each agent has a ring of SEAT_RING words and a seat of task t takes word
    ///      t % SEAT_RING, tagged with t. A settled or evicted seat leaves the word nonzero (state FREE), so the next
    ///      seat there costs an update instead of a fresh slot. When the word still holds a live seat of another
    ///      task, the seat goes to the overflow mapping below and the word gets its (sticky) overflow flag, which
    ///      tells readers to look there too.
    mapping(uint256 agentId => uint256[SEAT_RING]) internal _seatRing;
    mapping(uint256 taskId => mapping(uint256 agentId => uint256)) internal _seats;

    /// @dev Credited and withdrawn totals in one slot: the slot never returns to zero after the first credit,
    ///      so later credits cost a warm update instead of a fresh slot.
    struct Earnings {
        uint128 credited;
        uint128 withdrawn;
    }

    mapping(address account => Earnings) internal _earnings;
    uint256 public pendingProtocolFees;
    /// @dev The requesters an executor last gained Task reputation from, and on which day: three 80-bit entries
    ///      (fingerprint << 32 | day) in one slot, so the rule costs a slot rewrite per gain, not a slot per pair.
    mapping(uint256 executor => uint256) internal _recentCounterparties;

    struct Dependencies {
        IERC20 token;
        IAgentRegistry registry;
        IStaking staking;
        IReputation reputation;
        IFeeRouter feeRouter;
        IRandomnessSource randomness;
        IRandomnessSource fallbackRandomness;
    }

    constructor(Dependencies memory deps, address governance) Ownable(governance) {
        token = deps.token;
        registry = deps.registry;
        staking = deps.staking;
        reputation = deps.reputation;
        feeRouter = deps.feeRouter;
        randomness = deps.randomness;
        fallbackRandomness = deps.fallbackRandomness;
    }

    // ---------------------------------------------------------------- tasks

    function _task(uint256 taskId) internal view returns (ITaskMarket.Task storage t) {
        t = _tasks[taskId];
        if (t.status == ITaskMarket.TaskStatus.None) revert ITaskMarket.UnknownTask(taskId);
    }

    function _expectStatus(uint256 taskId, ITaskMarket.TaskStatus actual, ITaskMarket.TaskStatus expected)
        internal
        pure
    {
        if (actual != expected) revert ITaskMarket.WrongStatus(taskId, actual, expected);
    }

    /// @dev The parameters the task was submitted under.
    function _paramsOf(ITaskMarket.Task storage t) internal view returns (ITaskMarket.MarketParams storage) {
        return _paramsByVersion[t.paramsVersion];
    }

    /// @dev The agent's owner or the agent's own key may act for it.
    function _requireController(uint256 agentId) internal view returns (address owner) {
        owner = registry.ownerOf(agentId);
        _requireController(agentId, owner);
    }

    function _requireController(uint256 agentId, address owner) internal view {
        if (msg.sender != owner && msg.sender != address(uint160(agentId))) {
            revert ITaskMarket.NotAgentController(agentId, msg.sender);
        }
    }

    function _source(ITaskMarket.Task storage t) internal view returns (IRandomnessSource) {
        return t.seedFromFallback ? fallbackRandomness : randomness;
    }

    /// @dev Whether the committee filled up before its fill phase closed (only such a committee may proceed).
    function _committeeFormed(ITaskMarket.Task storage t) internal view returns (bool) {
        return t.drawClosesAt != 0 && t.seats == t.committeeSize;
    }

    // ---------------------------------------------------------------- money

    function _credit(address account, uint256 taskId, uint256 amount, bytes32 reason) internal {
        if (amount == 0) return;
        _earnings[account].credited += uint128(amount);
        emit ITaskMarket.Earned(account, taskId, amount, reason);
    }

    // ---------------------------------------------------------------- seats

    /// @dev The seat of `agentId` in `taskId` (state and body, without tag or flag; 0 if none) and where it lives.
    function _loadSeat(uint256 taskId, uint256 agentId) internal view returns (bool inRing, uint256 seat) {
        uint256 word = _seatRing[agentId][taskId % SEAT_RING];
        uint256 state = word & STATE_MASK;
        if (word >> TAG_SHIFT == taskId && state != 0 && state != SEAT_FREE) {
            return (true, word & (BODY_MASK | STATE_MASK));
        }
        if (word & OVERFLOW != 0) seat = _seats[taskId][agentId];
    }

    /// @dev Writes a seat (state | body) where `_loadSeat` found it; a ring word keeps its tag and overflow flag.
    function _storeSeat(uint256 taskId, uint256 agentId, bool inRing, uint256 seat) internal {
        if (!inRing) {
            _seats[taskId][agentId] = seat;
            return;
        }
        uint256[SEAT_RING] storage ring = _seatRing[agentId];
        uint256 i = taskId % SEAT_RING;
        ring[i] = (ring[i] & ~(BODY_MASK | STATE_MASK)) | seat;
    }

    /// @dev A freed ring word stays nonzero (state FREE) for the next seat there; an overflow seat is deleted.
    function _freeSeat(uint256 taskId, uint256 agentId, bool inRing) internal {
        _storeSeat(taskId, agentId, inRing, inRing ? SEAT_FREE : 0);
    }

    // ---------------------------------------------------------------- sortition

    /// @dev The time at which weights are read: one second before the result was posted, so nothing a reviewer does
    ///      after the seed is known can change its weight.
    function _snapshot(ITaskMarket.Task storage t) internal view returns (uint256) {
        return uint256(t.resultPostedAt) - 1;
    }

    /// @dev Weight = stake x (1 + validator reputation `rep`, counted up to 10 points), both read at the snapshot:
    ///      reputation weighs, but stake bounds how much.
    function _weight(uint256 agentId, uint256 snapshot, uint256 minStake, uint256 rep)
        internal
        view
        returns (uint256 weight)
    {
        uint256 stake = staking.stakeAt(agentId, snapshot);
        if (stake < minStake) revert ITaskMarket.InsufficientStake(agentId, stake, minStake);
        if (rep > MAX_WEIGHT_REPUTATION) rep = MAX_WEIGHT_REPUTATION;
        weight = (stake / WEIGHT_UNIT) * (POINT + rep) / POINT;
    }

    function _key(ITaskMarket.Task storage t, uint256 taskId, uint256 agentId) internal view returns (uint256) {
        uint256 snapshot = _snapshot(t);
        uint256 rep = reputation.reputationAt(agentId, IReputation.Dimension.Validator, snapshot);
        return Sortition.key(bytes32(t.seedRequestId), taskId, agentId, _weight(agentId, snapshot, _paramsOf(t).minStake, rep));
    }
}
