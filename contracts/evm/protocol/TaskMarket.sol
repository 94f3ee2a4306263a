// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {IAgentRegistry} from "../interfaces/IAgentRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {IRandomnessSource} from "../interfaces/IRandomnessSource.sol";
import {IFeeRouter} from "../interfaces/IFeeRouter.sol";
import {Sortition} from "../libraries/Sortition.sol";

/// @title The AgentCluster task market
/// @notice Escrowed tasks, routed to the best bid, executed before a deadline, verified by a committee drawn by
///         weighted sortition from a seed fixed after the result, settled at >= 2/3 approval. Every payout is
///         credited to an earnings balance and pulled with `withdrawEarnings`; no function loops over agents,
///         tasks or stakers (the only loops run over a caller's own calldata, bounded by the committee size).
contract TaskMarket is ITaskMarket, Ownable2Step {
    using SafeERC20 for IERC20;

    uint8 internal constant MIN_COMMITTEE = 10;
    uint8 internal constant MAX_COMMITTEE = 100;
    uint256 private constant BPS = 10_000;
    uint256 private constant POINT = 1e18;
    /// @dev Stake is counted in milli-ACC for sortition weights.
    uint256 private constant WEIGHT_UNIT = 1e15;

    // Reputation effects (18 decimals).
    uint256 internal constant EXECUTOR_GAIN_PER_ACC = 1e16; // 0.01 point per ACC of price
    uint256 internal constant EXECUTOR_MAX_GAIN = 1e18;
    uint256 internal constant EXECUTOR_REJECTED_LOSS = 2e18;
    uint256 internal constant EXECUTOR_MISSED_LOSS = 1e18;
    uint256 internal constant REVIEWER_ALIGNED_GAIN = 1e17;
    uint256 internal constant REVIEWER_MISALIGNED_LOSS = 2e17;
    uint256 internal constant REVIEWER_SILENT_LOSS = 5e17;

    // Seat words: bits 0-6 the state, bit 7 the ring word's overflow flag, bits 8-191 the body (the sortition key
    // while a member, the commitment's bits 8-191 once committed), bits 192-255 the task id (ring words only).
    uint256 private constant SEAT_MEMBER = 1;
    uint256 private constant SEAT_COMMITTED = 2;
    uint256 private constant SEAT_APPROVED = 3;
    uint256 private constant SEAT_REJECTED = 4;
    uint256 private constant SEAT_FREE = 5;
    uint256 private constant STATE_MASK = 0x7f;
    uint256 private constant OVERFLOW = 0x80;
    uint256 private constant TAG_SHIFT = 192;
    uint256 private constant BODY_MASK = ((uint256(1) << 192) - 1) ^ 0xff;
    /// @dev Ring words per agent: a seat of task t sits in word t % SEAT_RING unless that word holds a live seat.
    uint256 private constant SEAT_RING = 32;

    /// @dev EIP-712 domain {name: "AgentCluster TaskMarket", version: "1", chainId, verifyingContract}. Built here
    ///      rather than with OpenZeppelin's EIP712, whose ERC-5267 `eip712Domain()` does not fit under the contract
    ///      size limit; the digests are identical.
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant DOMAIN_NAME_HASH = keccak256("AgentCluster TaskMarket");
    bytes32 private constant DOMAIN_VERSION_HASH = keccak256("1");
    uint256 private immutable _cachedChainId;
    bytes32 private immutable _cachedDomainSeparator;

    bytes32 private constant COMMIT_TYPEHASH = keccak256("Commit(uint256 taskId,uint256 agentId,bytes32 commitment)");

    bytes32 private constant REASON_EXECUTOR = "executor";
    bytes32 private constant REASON_REFUND = "refund";
    bytes32 private constant REASON_REVIEW = "review";
    bytes32 private constant REASON_KEEPER = "keeper";

    IERC20 public immutable token;
    IAgentRegistry public immutable registry;
    IStaking public immutable staking;
    IReputation public immutable reputation;
    IFeeRouter public immutable feeRouter;
    IRandomnessSource public immutable randomness;
    IRandomnessSource public immutable fallbackRandomness;

    uint256 public taskCount;
    MarketParams private _params;
    /// @dev `seed` is never stored: once fixed, the seed overwrites the dead `seedRequestId` (an update of a warm
    ///      slot instead of a fresh one); `getTask` reports it as `seed`.
    mapping(uint256 taskId => Task) private _tasks;
    /// @dev Seats are reused storage: each agent has a ring of SEAT_RING words and a seat of task t takes word
    ///      t % SEAT_RING, tagged with t. A settled or evicted seat leaves the word nonzero (state FREE), so the next
    ///      seat there costs an update instead of a fresh slot. When the word still holds a live seat of another
    ///      task, the seat goes to the overflow mapping below and the word gets its (sticky) overflow flag, which
    ///      tells readers to look there too.
    mapping(uint256 agentId => uint256[SEAT_RING]) private _seatRing;
    mapping(uint256 taskId => mapping(uint256 agentId => uint256)) private _seats;
    /// @dev Credited and withdrawn totals in one slot: the slot never returns to zero after the first credit,
    ///      so later credits cost a warm update instead of a fresh slot.
    struct Earnings {
        uint128 credited;
        uint128 withdrawn;
    }

    mapping(address account => Earnings) private _earnings;
    /// @inheritdoc ITaskMarket
    uint256 public pendingProtocolFees;

    constructor(
        IERC20 token_,
        IAgentRegistry registry_,
        IStaking staking_,
        IReputation reputation_,
        IFeeRouter feeRouter_,
        IRandomnessSource randomness_,
        IRandomnessSource fallbackRandomness_,
        address governance,
        MarketParams memory params_
    ) Ownable(governance) {
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = _buildDomainSeparator();
        token = token_;
        registry = registry_;
        staking = staking_;
        reputation = reputation_;
        feeRouter = feeRouter_;
        randomness = randomness_;
        fallbackRandomness = fallbackRandomness_;
        _setParams(params_);
        token_.forceApprove(address(feeRouter_), type(uint256).max);
    }

    // ================================================================ 1. submit

    /// @inheritdoc ITaskMarket
    function submitTask(TaskRequest calldata request, Permit calldata permit) external returns (uint256 taskId) {
        MarketParams storage p = _params;
        if (request.committeeSize < MIN_COMMITTEE || request.committeeSize > MAX_COMMITTEE) {
            revert InvalidCommitteeSize(request.committeeSize, MIN_COMMITTEE, MAX_COMMITTEE);
        }
        if (request.bounty == 0) revert ZeroBounty();
        uint256 minFee = uint256(request.bounty) * p.feeBps / BPS;
        if (minFee < 2 * uint256(p.keeperReward) + 1) minFee = 2 * uint256(p.keeperReward) + 1;
        if (request.fee < minFee) revert FeeTooLow(request.fee, minFee);
        uint256 biddingEndsAt = block.timestamp + p.biddingWindow;
        uint256 latest = block.timestamp + p.maxTaskDuration;
        if (request.deadline <= biddingEndsAt || request.deadline > latest) {
            revert InvalidDeadline(request.deadline, biddingEndsAt + 1, latest);
        }

        taskId = ++taskCount;
        Task storage t = _tasks[taskId];
        t.requester = msg.sender;
        t.status = TaskStatus.Bidding;
        t.committeeSize = request.committeeSize;
        t.minReputation = request.minReputation;
        t.bounty = request.bounty;
        t.fee = request.fee;
        t.biddingEndsAt = uint40(biddingEndsAt);
        t.deadline = request.deadline;
        t.capabilities = request.capabilities;
        _emitSubmitted(taskId, request);

        uint256 amount = uint256(request.bounty) + request.fee;
        if (permit.deadline != 0) {
            // A permit front-run by someone else still leaves the allowance in place: do not fail on it.
            try IERC20Permit(address(token)).permit(
                msg.sender, address(this), amount, permit.deadline, permit.v, permit.r, permit.s
            ) {} catch {}
        }
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    // ================================================================ 2. route

    /// @inheritdoc ITaskMarket
    function bid(uint256 taskId, uint256 agentId, uint96 price) external {
        Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, TaskStatus.Bidding);
        if (block.timestamp >= t.biddingEndsAt) revert BiddingClosed(taskId, t.biddingEndsAt);
        (address owner, bool eligible) = registry.eligibleOwnerOf(agentId, t.capabilities);
        _requireController(agentId, owner);
        if (owner == t.requester) revert RequesterCannotParticipate(taskId, agentId);
        if (price == 0 || price > t.bounty) revert InvalidPrice(price, t.bounty);
        if (!eligible) revert AgentNotEligible(agentId);
        uint256 stake = staking.stakeOf(agentId);
        if (stake < _params.minStake) revert InsufficientStake(agentId, stake, _params.minStake);
        uint256 rep = reputation.reputationOf(agentId, IReputation.Dimension.Task);
        if (rep < uint256(t.minReputation) * POINT) revert ReputationTooLow(agentId, rep, uint256(t.minReputation) * POINT);

        // Effective price: the price discounted by reputation; lower wins, the earlier bid wins a tie.
        uint256 effective = uint256(price) * POINT / (POINT + rep);
        bool best = t.executor == 0 || effective < t.bestEffectivePrice;
        if (best) {
            t.executor = uint160(agentId);
            t.price = price;
            t.bestEffectivePrice = uint96(effective);
        }
        emit BidPlaced(taskId, agentId, price, effective, best);
    }

    /// @inheritdoc ITaskMarket
    function assign(uint256 taskId) external {
        Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, TaskStatus.Bidding);
        if (block.timestamp < t.biddingEndsAt) revert BiddingOpen(taskId, t.biddingEndsAt);
        if (t.executor == 0) {
            t.status = TaskStatus.Refunded;
            _credit(t.requester, taskId, uint256(t.bounty) + t.fee, REASON_REFUND);
            emit TaskSettled(taskId, TaskStatus.Refunded, 0, 0, msg.sender);
            return;
        }
        t.status = TaskStatus.Assigned;
        emit TaskAssigned(taskId, t.executor, t.price);
    }

    // ================================================================ 3. execute

    /// @inheritdoc ITaskMarket
    function postResult(uint256 taskId, bytes32 resultHash, string calldata resultURI) external {
        Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, TaskStatus.Assigned);
        uint256 executor = t.executor;
        _requireController(executor);
        if (block.timestamp > t.deadline) revert DeadlinePassed(taskId, t.deadline);
        t.status = TaskStatus.Verifying;
        t.resultPostedAt = uint40(block.timestamp);
        emit ResultPosted(taskId, executor, resultHash, resultURI);
        _requestSeed(taskId, t, false);
    }

    /// @inheritdoc ITaskMarket
    function reportMissedDeadline(uint256 taskId) external {
        Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, TaskStatus.Assigned);
        if (block.timestamp <= t.deadline) revert DeadlineNotPassed(taskId, t.deadline);
        t.status = TaskStatus.Refunded;
        MarketParams storage p = _params;
        uint256 keeperReward = p.keeperReward;
        _credit(msg.sender, taskId, keeperReward, REASON_KEEPER);
        _credit(t.requester, taskId, uint256(t.bounty) + t.fee - keeperReward, REASON_REFUND);
        emit TaskSettled(taskId, TaskStatus.Refunded, 0, 0, msg.sender);
        uint256 executor = t.executor;
        reputation.decrease(executor, IReputation.Dimension.Task, EXECUTOR_MISSED_LOSS);
        if (p.missedDeadlineSeverityBps != 0) {
            staking.slash(executor, p.missedDeadlineSeverityBps, t.requester, "missed deadline");
        }
    }

    // ================================================================ 4. verify

    /// @inheritdoc ITaskMarket
    function retrySeed(uint256 taskId) external {
        Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, TaskStatus.Verifying);
        if (t.drawClosesAt != 0) revert DrawClosed(taskId, t.drawClosesAt);
        (bool ready,) = _source(t).seedOf(t.seedRequestId);
        uint256 retryAt = uint256(t.resultPostedAt) + _params.seedTimeout;
        if (ready || block.timestamp < retryAt) revert SeedNotOverdue(taskId, retryAt);
        _requestSeed(taskId, t, true);
    }

    /// @inheritdoc ITaskMarket
    /// @dev Fills empty seats only. Each candidate is checked in O(1): eligible, not excluded, not yet a member;
    ///      its key is computed here from the seed and its snapshotted weight.
    function drawCommittee(uint256 taskId, uint256[] calldata agentIds) external {
        Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, TaskStatus.Verifying);
        _fixSeed(taskId, t);
        if (block.timestamp >= t.drawClosesAt) revert DrawClosed(taskId, t.drawClosesAt);
        uint256 seats = t.seats;
        uint256 size = t.committeeSize;
        if (seats + agentIds.length > size) revert CommitteeFull(taskId);
        Draw memory d = _drawOf(t);
        if (agentIds.length != 0) {
            // One reputation call for the batch (the decay factor of the snapshot is computed once).
            uint256[] memory reps =
                reputation.reputationsAt(agentIds, IReputation.Dimension.Validator, d.snapshot);
            for (uint256 i; i < agentIds.length; ++i) {
                _seat(taskId, d, agentIds[i], reps[i]);
            }
        }
        seats += agentIds.length;
        t.seats = uint8(seats);
        if (seats == size && agentIds.length != 0) {
            // Whoever completes the committee must leave better candidates time to claim their seats: not in the
            // last half of the draw window.
            uint256 lastFill;
            unchecked {
                lastFill = t.drawClosesAt - _params.drawWindow / 2; // drawClosesAt = fixed at + drawWindow
            }
            if (block.timestamp > lastFill) revert DrawClosed(taskId, lastFill);
            _credit(msg.sender, taskId, _params.keeperReward, REASON_KEEPER);
        }
    }

    /// @inheritdoc ITaskMarket
    /// @dev Once the committee is full, any eligible agent whose key beats a member's takes that member's seat, so
    ///      a keeper that left out better candidates cannot keep them out.
    function claimSeat(uint256 taskId, uint256 agentId, uint256 evictAgentId) external {
        Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, TaskStatus.Verifying);
        _fixSeed(taskId, t);
        if (block.timestamp >= t.drawClosesAt) revert DrawClosed(taskId, t.drawClosesAt);
        if (t.seats < t.committeeSize) revert CommitteeNotFull(taskId);
        (bool evictedInRing, uint256 evicted) = _loadSeat(taskId, evictAgentId);
        if (evicted & STATE_MASK != SEAT_MEMBER) revert NotMember(taskId, evictAgentId);
        Draw memory d = _drawOf(t);
        uint256 key = _seat(taskId, d, agentId, _validatorReputationAt(agentId, d.snapshot));
        uint256 evictedKey = evicted >> 8;
        if (key >= evictedKey) revert KeyNotBetter(taskId, key, evictedKey);
        _freeSeat(taskId, evictAgentId, evictedInRing);
        emit MemberEvicted(taskId, evictAgentId, agentId);
    }

    /// @inheritdoc ITaskMarket
    function commitVote(uint256 taskId, uint256 agentId, bytes32 commitment) external {
        Task storage t = _task(taskId);
        _requireCommitPhase(taskId, t);
        _requireController(agentId);
        _commit(taskId, agentId, commitment);
        unchecked {
            ++t.commits;
        }
    }

    /// @inheritdoc ITaskMarket
    /// @dev No nonce is needed: a member commits once per task, and the domain binds chain and contract.
    function commitVotesBySig(uint256 taskId, SignedCommit[] calldata commits) external {
        Task storage t = _task(taskId);
        _requireCommitPhase(taskId, t);
        for (uint256 i; i < commits.length; ++i) {
            SignedCommit calldata c = commits[i];
            bytes32 digest = commitDigest(taskId, c.agentId, c.commitment);
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, c.signature);
            if (err != ECDSA.RecoverError.NoError || signer != address(uint160(c.agentId))) {
                revert InvalidCommitSignature(taskId, c.agentId);
            }
            _commit(taskId, c.agentId, c.commitment);
        }
        t.commits += uint8(commits.length);
    }

    /// @inheritdoc ITaskMarket
    /// @dev Anyone holding the opening may reveal (a reviewer can hand its salt to a keeper).
    function revealVote(uint256 taskId, uint256 agentId, bool approve, bytes32 salt) external {
        Task storage t = _task(taskId);
        _requireRevealPhase(taskId, t);
        _reveal(taskId, agentId, approve, salt);
        unchecked {
            ++t.reveals;
            if (approve) ++t.approvals;
        }
    }

    /// @inheritdoc ITaskMarket
    function revealVotes(uint256 taskId, Reveal[] calldata reveals) external {
        Task storage t = _task(taskId);
        _revealBatch(taskId, t, reveals);
    }

    function _revealBatch(uint256 taskId, Task storage t, Reveal[] calldata reveals) private {
        _requireRevealPhase(taskId, t);
        uint256 approvals;
        for (uint256 i; i < reveals.length; ++i) {
            Reveal calldata r = reveals[i];
            _reveal(taskId, r.agentId, r.approve, r.salt);
            if (r.approve) ++approvals;
        }
        t.reveals += uint8(reveals.length);
        t.approvals += uint8(approvals);
    }

    function _requireCommitPhase(uint256 taskId, Task storage t) private view {
        _expectStatus(taskId, t.status, TaskStatus.Verifying);
        uint256 opensAt = t.drawClosesAt;
        if (opensAt == 0 || block.timestamp < opensAt || block.timestamp >= t.commitEndsAt) {
            revert NotInPhase(taskId, opensAt, t.commitEndsAt);
        }
    }

    /// @dev Reveals open when the commit window ends, or as soon as every member has committed.
    function _requireRevealPhase(uint256 taskId, Task storage t) private view {
        _expectStatus(taskId, t.status, TaskStatus.Verifying);
        uint256 opensAt = t.commits == t.seats ? t.drawClosesAt : t.commitEndsAt;
        if (t.drawClosesAt == 0 || block.timestamp < opensAt || block.timestamp >= t.revealEndsAt) {
            revert NotInPhase(taskId, opensAt, t.revealEndsAt);
        }
    }

    function _commit(uint256 taskId, uint256 agentId, bytes32 commitment) private {
        (bool inRing, uint256 seat) = _loadSeat(taskId, agentId);
        uint256 state = seat & STATE_MASK;
        if (state == 0) revert NotMember(taskId, agentId);
        if (state != SEAT_MEMBER) revert AlreadyCommitted(taskId, agentId);
        _storeSeat(taskId, agentId, inRing, (uint256(commitment) & BODY_MASK) | SEAT_COMMITTED);
        emit VoteCommitted(taskId, agentId);
    }

    function _reveal(uint256 taskId, uint256 agentId, bool approve, bytes32 salt) private {
        (bool inRing, uint256 seat) = _loadSeat(taskId, agentId);
        if (seat & STATE_MASK != SEAT_COMMITTED) revert NotCommitted(taskId, agentId);
        // 184 bits of the commitment are kept: opening one seat two ways needs a 2^92 collision search.
        if ((uint256(commitmentOf(taskId, agentId, approve, salt)) ^ seat) & BODY_MASK != 0) {
            revert CommitmentMismatch(taskId, agentId);
        }
        _storeSeat(taskId, agentId, inRing, approve ? SEAT_APPROVED : SEAT_REJECTED);
        emit VoteRevealed(taskId, agentId, approve);
    }

    // ================================================================ 5. settle

    /// @inheritdoc ITaskMarket
    /// @dev The openings given are revealed first, as by `revealVotes`; the members named (any subset, possibly none)
    ///      are settled in the same call, as by `settleMembers`.
    function settle(uint256 taskId, Reveal[] calldata reveals, uint256[] calldata agentIds) external {
        Task storage t = _task(taskId);
        if (reveals.length != 0) _revealBatch(taskId, t, reveals);
        _expectStatus(taskId, t.status, TaskStatus.Verifying);
        uint256 revealEndsAt = t.revealEndsAt;
        uint256 revealed = t.reveals;
        bool allRevealed = revealed == t.seats && revealed != 0;
        if (revealEndsAt == 0 || (block.timestamp < revealEndsAt && !allRevealed)) {
            revert RevealNotOver(taskId, revealEndsAt);
        }
        uint256 approvals = t.approvals;
        TaskStatus outcome;
        if (revealed == 0) outcome = TaskStatus.Refunded;
        else if (approvals * 3 >= revealed * 2) outcome = TaskStatus.Accepted;
        else outcome = TaskStatus.Rejected;
        t.status = outcome;
        uint256 aligned = outcome == TaskStatus.Accepted ? approvals : revealed - approvals;
        t.aligned = uint8(aligned);
        emit TaskSettled(taskId, outcome, approvals, revealed, msg.sender);

        uint256 toProtocol = _splitFee(taskId, t, aligned);
        if (toProtocol != 0) {
            pendingProtocolFees += toProtocol;
            emit ProtocolFeesAccrued(taskId, toProtocol);
        }
        _payOutcome(taskId, t, outcome);
        if (agentIds.length != 0) _settleMembers(taskId, t, outcome, agentIds);
    }

    /// @dev Fee: keepers (draw when the committee filled, settle), then `reviewerShareBps` of the rest to the
    ///      reviewers who voted with the outcome (equal shares), and the remainder (with rounding dust) accrues
    ///      for the fee router, flushed in batches. Returns that remainder.
    function _splitFee(uint256 taskId, Task storage t, uint256 aligned) private returns (uint256 toProtocol) {
        MarketParams storage p = _params;
        uint256 keeperPaid = t.seats == t.committeeSize ? 2 * uint256(p.keeperReward) : p.keeperReward;
        uint256 rest = uint256(t.fee) - keeperPaid;
        uint256 perReviewer = aligned == 0 ? 0 : rest * p.reviewerShareBps / BPS / aligned;
        t.rewardPerReviewer = uint96(perReviewer);
        toProtocol = rest - perReviewer * aligned;
        _credit(msg.sender, taskId, p.keeperReward, REASON_KEEPER);
    }

    /// @dev Executor paid (accepted) or requester refunded; executor reputation and slashing.
    function _payOutcome(uint256 taskId, Task storage t, TaskStatus outcome) private {
        uint256 executor = t.executor;
        address requester = t.requester;
        uint256 bounty = t.bounty;
        if (outcome == TaskStatus.Accepted) {
            uint256 price = t.price;
            _credit(registry.ownerOf(executor), taskId, price, REASON_EXECUTOR);
            if (bounty > price) _credit(requester, taskId, bounty - price, REASON_REFUND);
            uint256 gain = price * EXECUTOR_GAIN_PER_ACC / POINT;
            reputation.increase(executor, IReputation.Dimension.Task, gain > EXECUTOR_MAX_GAIN ? EXECUTOR_MAX_GAIN : gain);
            return;
        }
        _credit(requester, taskId, bounty, REASON_REFUND);
        if (outcome == TaskStatus.Rejected) {
            reputation.decrease(executor, IReputation.Dimension.Task, EXECUTOR_REJECTED_LOSS);
            uint16 severity = _params.rejectedSeverityBps;
            if (severity != 0) staking.slash(executor, severity, requester, "rejected");
        }
    }

    /// @inheritdoc ITaskMarket
    /// @dev Per-member consequences after settlement, for the members named (a keeper batches them): aligned
    ///      reviewers are paid and gain validator reputation; the rest lose it, and may be lightly slashed.
    function settleMembers(uint256 taskId, uint256[] calldata agentIds) external {
        Task storage t = _task(taskId);
        TaskStatus outcome = t.status;
        if (outcome != TaskStatus.Accepted && outcome != TaskStatus.Rejected && outcome != TaskStatus.Refunded) {
            revert WrongStatus(taskId, outcome, TaskStatus.Accepted);
        }
        if (t.drawClosesAt == 0) revert NotMember(taskId, agentIds.length == 0 ? 0 : agentIds[0]);
        _settleMembers(taskId, t, outcome, agentIds);
    }

    function _settleMembers(uint256 taskId, Task storage t, TaskStatus outcome, uint256[] calldata agentIds) private {
        MarketParams storage p = _params;
        uint256 perReviewer = t.rewardPerReviewer;
        // Reputation changes are collected per kind and applied with one call each (the total is written once).
        uint256 n = agentIds.length;
        MemberBatch memory batch = MemberBatch(new uint256[](n), new uint256[](n), new uint256[](n), 0, 0, 0);
        for (uint256 i; i < n; ++i) {
            _settleMember(taskId, agentIds[i], outcome, perReviewer, p, batch);
        }
        _changeReputations(batch.gained, batch.gainedCount, true, REVIEWER_ALIGNED_GAIN);
        _changeReputations(batch.outvoted, batch.outvotedCount, false, REVIEWER_MISALIGNED_LOSS);
        _changeReputations(batch.silent, batch.silentCount, false, REVIEWER_SILENT_LOSS);
    }

    /// @dev Agents of one `settleMembers` call by reputation effect; the first `...Count` entries are used.
    struct MemberBatch {
        uint256[] gained;
        uint256[] outvoted;
        uint256[] silent;
        uint256 gainedCount;
        uint256 outvotedCount;
        uint256 silentCount;
    }

    function _settleMember(
        uint256 taskId,
        uint256 agentId,
        TaskStatus outcome,
        uint256 perReviewer,
        MarketParams storage p,
        MemberBatch memory batch
    ) private {
        (bool inRing, uint256 seat) = _loadSeat(taskId, agentId);
        uint256 state = seat & STATE_MASK;
        // A settled seat is freed; settling it again finds no seat.
        if (state == 0) revert NotMember(taskId, agentId);
        _freeSeat(taskId, agentId, inRing);
        bool revealed = state == SEAT_APPROVED || state == SEAT_REJECTED;
        bool aligned = revealed && outcome != TaskStatus.Refunded
            && ((state == SEAT_APPROVED) == (outcome == TaskStatus.Accepted));
        bool slashed;
        address owner;
        if (aligned) {
            owner = registry.ownerOf(agentId);
            // MemberSettled names the owner and the reward: no separate Earned event for it.
            if (perReviewer != 0) _earnings[owner].credited += uint128(perReviewer);
            batch.gained[batch.gainedCount++] = agentId;
        } else if (revealed) {
            batch.outvoted[batch.outvotedCount++] = agentId;
            if (p.minoritySeverityBps != 0 && outcome != TaskStatus.Refunded) {
                staking.slash(agentId, p.minoritySeverityBps, address(0), "minority vote");
                slashed = true;
            }
        } else {
            batch.silent[batch.silentCount++] = agentId;
            if (p.nonRevealSeverityBps != 0) {
                staking.slash(agentId, p.nonRevealSeverityBps, address(0), "no reveal");
                slashed = true;
            }
        }
        emit MemberSettled(taskId, agentId, owner, aligned ? perReviewer : 0, aligned, slashed);
    }

    /// @dev Validator reputation of the first `count` agents of `agentIds` (the array is shortened in place).
    function _changeReputations(uint256[] memory agentIds, uint256 count, bool gain, uint256 amount) private {
        if (count == 0) return;
        assembly ("memory-safe") {
            mstore(agentIds, count)
        }
        if (gain) reputation.increaseMany(agentIds, IReputation.Dimension.Validator, amount);
        else reputation.decreaseMany(agentIds, IReputation.Dimension.Validator, amount);
    }

    /// @inheritdoc ITaskMarket
    function withdrawEarnings() external returns (uint256 amount) {
        Earnings storage e = _earnings[msg.sender];
        amount = uint256(e.credited) - e.withdrawn;
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        e.withdrawn = e.credited;
        emit EarningsWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ITaskMarket
    /// @dev Routing every task's fee separately would cost each settlement a transfer, a burn and a transfer;
    ///      batching keeps settlement cheap and the split identical.
    function flushProtocolFees() external returns (uint256 amount) {
        amount = pendingProtocolFees;
        if (amount == 0) return 0;
        pendingProtocolFees = 0;
        emit ProtocolFeesFlushed(amount);
        feeRouter.routeFee(amount);
    }

    // ================================================================ reads

    /// @inheritdoc ITaskMarket
    /// @dev `seedRequestId` reads 0 once the seed is fixed (its slot then holds the seed).
    function getTask(uint256 taskId) external view returns (Task memory task) {
        task = _tasks[taskId];
        if (task.drawClosesAt != 0) (task.seed, task.seedRequestId) = (bytes32(task.seedRequestId), 0);
    }

    /// @inheritdoc ITaskMarket
    function sortitionKey(uint256 taskId, uint256 agentId) external view returns (uint256) {
        Task storage t = _tasks[taskId];
        if (t.drawClosesAt == 0) revert SeedNotReady(taskId);
        uint256 snapshot = uint256(t.resultPostedAt) - 1;
        return Sortition.key(
            bytes32(t.seedRequestId),
            taskId,
            agentId,
            _weight(agentId, snapshot, _params.minStake, _validatorReputationAt(agentId, snapshot))
        );
    }

    /// @inheritdoc ITaskMarket
    function commitmentOf(uint256 taskId, uint256 agentId, bool approve, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(taskId, agentId, approve, salt));
    }

    /// @inheritdoc ITaskMarket
    function commitDigest(uint256 taskId, uint256 agentId, bytes32 commitment) public view returns (bytes32) {
        bytes32 domain = block.chainid == _cachedChainId ? _cachedDomainSeparator : _buildDomainSeparator();
        return MessageHashUtils.toTypedDataHash(domain, keccak256(abi.encode(COMMIT_TYPEHASH, taskId, agentId, commitment)));
    }

    /// @inheritdoc ITaskMarket
    function earningsOf(address account) external view returns (uint256) {
        Earnings storage e = _earnings[account];
        return uint256(e.credited) - e.withdrawn;
    }

    /// @inheritdoc ITaskMarket
    function params() external view returns (MarketParams memory) {
        return _params;
    }

    /// @inheritdoc ITaskMarket
    function setParams(MarketParams calldata params_) external onlyOwner {
        _setParams(params_);
    }

    // ================================================================ internals

    function _emitSubmitted(uint256 taskId, TaskRequest calldata r) private {
        emit TaskSubmitted(
            taskId,
            msg.sender,
            r.requirementsHash,
            r.capabilities,
            r.bounty,
            r.fee,
            r.deadline,
            r.committeeSize,
            r.minReputation
        );
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, DOMAIN_NAME_HASH, DOMAIN_VERSION_HASH, block.chainid, address(this)));
    }

    function _task(uint256 taskId) private view returns (Task storage t) {
        t = _tasks[taskId];
        if (t.status == TaskStatus.None) revert UnknownTask(taskId);
    }

    function _expectStatus(uint256 taskId, TaskStatus actual, TaskStatus expected) private pure {
        if (actual != expected) revert WrongStatus(taskId, actual, expected);
    }

    /// @dev The agent's owner or the agent's own key may act for it.
    function _requireController(uint256 agentId) private view returns (address owner) {
        owner = registry.ownerOf(agentId);
        _requireController(agentId, owner);
    }

    function _requireController(uint256 agentId, address owner) private view {
        if (msg.sender != owner && msg.sender != address(uint160(agentId))) revert NotAgentController(agentId, msg.sender);
    }

    function _requestSeed(uint256 taskId, Task storage t, bool useFallback) private {
        IRandomnessSource source = useFallback ? fallbackRandomness : randomness;
        uint256 requestId = source.request();
        if (useFallback) t.seedFromFallback = true;
        t.seedRequestId = requestId;
        emit SeedRequested(taskId, address(source), requestId);
    }

    function _source(Task storage t) private view returns (IRandomnessSource) {
        return t.seedFromFallback ? fallbackRandomness : randomness;
    }

    function _fixSeed(uint256 taskId, Task storage t) private {
        if (t.drawClosesAt != 0) return;
        (bool ready, bytes32 seed) = _source(t).seedOf(t.seedRequestId);
        if (!ready) revert SeedNotReady(taskId);
        MarketParams storage p = _params;
        uint256 drawClosesAt = block.timestamp + p.drawWindow;
        uint256 commitEndsAt = drawClosesAt + p.commitWindow;
        uint256 revealEndsAt = commitEndsAt + p.revealWindow;
        t.seedRequestId = uint256(seed);
        t.drawClosesAt = uint40(drawClosesAt);
        t.commitEndsAt = uint40(commitEndsAt);
        t.revealEndsAt = uint40(revealEndsAt);
        emit SeedFixed(taskId, seed, drawClosesAt, commitEndsAt, revealEndsAt);
    }

    /// @dev What every seat check of one call needs, read from storage once.
    struct Draw {
        bytes32 seed;
        uint256 executor;
        address requester;
        address executorOwner;
        uint256 snapshot;
        uint256 minStake;
    }

    function _drawOf(Task storage t) private view returns (Draw memory d) {
        d.seed = bytes32(t.seedRequestId);
        d.executor = t.executor;
        d.requester = t.requester;
        d.executorOwner = registry.ownerOf(d.executor);
        d.snapshot = uint256(t.resultPostedAt) - 1;
        d.minStake = _params.minStake;
    }

    /// @dev Seats one candidate after the O(1) checks; returns its key. Does not touch the seat count.
    function _seat(uint256 taskId, Draw memory d, uint256 agentId, uint256 rep) private returns (uint256 key) {
        uint256 word = _seatRing[agentId][taskId % SEAT_RING];
        uint256 state = word & STATE_MASK;
        bool ringFree = state == 0 || state == SEAT_FREE;
        if (!ringFree && word >> TAG_SHIFT == taskId) revert AlreadyMember(taskId, agentId);
        if ((!ringFree || word & OVERFLOW != 0) && _seats[taskId][agentId] != 0) revert AlreadyMember(taskId, agentId);
        if (agentId == d.executor) revert ExcludedFromCommittee(taskId, agentId);
        (address owner, bool eligible) = registry.eligibleOwnerOf(agentId, 0);
        if (owner == d.requester || owner == d.executorOwner) revert ExcludedFromCommittee(taskId, agentId);
        if (!eligible) revert AgentNotEligible(agentId);
        key = Sortition.key(d.seed, taskId, agentId, _weight(agentId, d.snapshot, d.minStake, rep));
        if (ringFree) {
            _seatRing[agentId][taskId % SEAT_RING] = (taskId << TAG_SHIFT) | (word & OVERFLOW) | (key << 8) | SEAT_MEMBER;
        } else {
            _seats[taskId][agentId] = (key << 8) | SEAT_MEMBER;
            if (word & OVERFLOW == 0) _seatRing[agentId][taskId % SEAT_RING] = word | OVERFLOW;
        }
        emit MemberDrawn(taskId, agentId, key, msg.sender);
    }

    /// @dev The seat of `agentId` in `taskId` (state and body, without tag or flag; 0 if none) and where it lives.
    function _loadSeat(uint256 taskId, uint256 agentId) private view returns (bool inRing, uint256 seat) {
        uint256 word = _seatRing[agentId][taskId % SEAT_RING];
        uint256 state = word & STATE_MASK;
        if (word >> TAG_SHIFT == taskId && state != 0 && state != SEAT_FREE) return (true, word & (BODY_MASK | STATE_MASK));
        if (word & OVERFLOW != 0) seat = _seats[taskId][agentId];
    }

    /// @dev Writes a seat (state | body) where `_loadSeat` found it; a ring word keeps its tag and overflow flag.
    function _storeSeat(uint256 taskId, uint256 agentId, bool inRing, uint256 seat) private {
        if (!inRing) {
            _seats[taskId][agentId] = seat;
            return;
        }
        uint256[SEAT_RING] storage ring = _seatRing[agentId];
        uint256 i = taskId % SEAT_RING;
        ring[i] = (ring[i] & ~(BODY_MASK | STATE_MASK)) | seat;
    }

    /// @dev A freed ring word stays nonzero (state FREE) for the next seat there; an overflow seat is deleted.
    function _freeSeat(uint256 taskId, uint256 agentId, bool inRing) private {
        _storeSeat(taskId, agentId, inRing, inRing ? SEAT_FREE : 0);
    }

    function _validatorReputationAt(uint256 agentId, uint256 snapshot) private view returns (uint256) {
        return reputation.reputationAt(agentId, IReputation.Dimension.Validator, snapshot);
    }

    /// @dev Weight = stake x (1 + validator reputation `rep`), both read at `snapshot`, one second before the result
    ///      was posted, so nothing a reviewer does after the seed is known can change it.
    function _weight(uint256 agentId, uint256 snapshot, uint256 minStake, uint256 rep)
        private
        view
        returns (uint256 weight)
    {
        uint256 stake = staking.stakeAt(agentId, snapshot);
        if (stake < minStake) revert InsufficientStake(agentId, stake, minStake);
        weight = (stake / WEIGHT_UNIT) * (POINT + rep) / POINT;
    }

    function _credit(address account, uint256 taskId, uint256 amount, bytes32 reason) private {
        if (amount == 0) return;
        _earnings[account].credited += uint128(amount);
        emit Earned(account, taskId, amount, reason);
    }

    function _setParams(MarketParams memory p) private {
        _check(p.biddingWindow == 0, "biddingWindow", p.biddingWindow);
        _check(p.drawWindow == 0, "drawWindow", p.drawWindow);
        _check(p.commitWindow == 0, "commitWindow", p.commitWindow);
        _check(p.revealWindow == 0, "revealWindow", p.revealWindow);
        _check(p.feeBps > BPS, "feeBps", p.feeBps);
        _check(p.reviewerShareBps > BPS, "reviewerShareBps", p.reviewerShareBps);
        _checkSeverity("missedDeadlineSeverityBps", p.missedDeadlineSeverityBps);
        _checkSeverity("rejectedSeverityBps", p.rejectedSeverityBps);
        _checkSeverity("nonRevealSeverityBps", p.nonRevealSeverityBps);
        _checkSeverity("minoritySeverityBps", p.minoritySeverityBps);
        // No slash-then-exit: a whole task life plus the appeal window must fit inside the unbonding period.
        uint256 life = uint256(p.maxTaskDuration) + p.seedTimeout * 2 + p.drawWindow + p.commitWindow + p.revealWindow;
        _check(life >= staking.unbondingPeriod() - staking.appealWindow(), "task life vs unbonding", life);
        _params = p;
        emit MarketParamsSet(p);
    }

    function _checkSeverity(bytes32 name, uint16 bps) private pure {
        _check(bps != 0 && (bps < 100 || bps > BPS), name, bps);
    }

    /// @dev Reverts with `ParameterOutOfRange(name, value)` when `bad`; `name` is a left-aligned ASCII string.
    function _check(bool bad, bytes32 name, uint256 value) private pure {
        if (!bad) return;
        uint256 length;
        while (length < 32 && name[length] != 0) ++length;
        string memory text = new string(length);
        assembly ("memory-safe") {
            mstore(add(text, 32), name)
        }
        revert ParameterOutOfRange(text, value);
    }
}
