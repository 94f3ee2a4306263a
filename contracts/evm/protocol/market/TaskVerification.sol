// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ITaskMarket} from "../../interfaces/ITaskMarket.sol";
import {IReputation} from "../../interfaces/IReputation.sol";
import {IRandomnessSource} from "../../interfaces/IRandomnessSource.sol";
import {Sortition} from "../../libraries/Sortition.sol";
import {TaskMarketBase} from "./TaskMarketBase.sol";

/// @title The task market's verification module: seed, committee, commit-reveal and settlement
/// @notice Runs only by delegatecall from the `TaskMarket` that created it, on the market's storage; called
///         directly, every function reverts with `NotDelegated`. Users call these functions on the market's address
///         (see `ITaskMarket`).
/// @dev Phases after the result: the seed is fixed (first draw) -> fill phase (first half of the draw window:
///      anyone seats eligible agents in empty seats, paid per seat) -> claim phase (until the draw window closes:
///      any agent with a better key takes a worse member's seat) -> commit -> reveal -> settle. A committee that
///      is not full when the fill phase closes never votes: the task settles as refunded with no one slashed.
contract TaskVerification is TaskMarketBase {
    /// @dev EIP-712 domain {name: "AgentCluster TaskMarket", version: "1", chainId, verifyingContract: the market}.
    ///      Built here rather than with OpenZeppelin's EIP712, whose ERC-5267 `eip712Domain()` would report this
    ///      module's own address; the digests are those of the market.
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant DOMAIN_NAME_HASH = keccak256("AgentCluster TaskMarket");
    bytes32 private constant DOMAIN_VERSION_HASH = keccak256("1");
    bytes32 private constant COMMIT_TYPEHASH = keccak256("Commit(uint256 taskId,uint256 agentId,bytes32 commitment)");

    /// @notice The market this module serves (its creator); the only context it runs in.
    address public immutable market;
    uint256 private immutable _cachedChainId;
    bytes32 private immutable _cachedDomainSeparator;

    modifier onlyDelegated() {
        if (address(this) != market) revert ITaskMarket.NotDelegated();
        _;
    }

    constructor(Dependencies memory deps, address governance) TaskMarketBase(deps, governance) {
        market = msg.sender;
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = _buildDomainSeparator();
    }

    // ================================================================ seed

    /// @notice Once, when the primary source has not delivered `seedTimeout` after the result, ask the fallback.
    /// @dev Never on expiry: a lapsed seed was observable, and re-requesting would let its observer re-roll it. A task
    ///      whose seed lapsed settles as refunded with the executor penalised (anyone, the executor first, could have
    ///      fixed it with a draw while it was readable).
    function retrySeed(uint256 taskId) external onlyDelegated {
        ITaskMarket.Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Verifying);
        if (t.drawClosesAt != 0) revert ITaskMarket.DrawClosed(taskId, t.drawClosesAt);
        if (t.seedFromFallback) revert ITaskMarket.SeedAlreadyRetried(taskId);
        uint256 retryAt = uint256(t.resultPostedAt) + _paramsOf(t).seedTimeout;
        (bool ready,) = randomness.seedOf(t.seedRequestId);
        if (ready || block.timestamp < retryAt || randomness.expired(t.seedRequestId)) {
            revert ITaskMarket.SeedNotOverdue(taskId, retryAt);
        }
        t.seedFromFallback = true;
        uint256 requestId = fallbackRandomness.request();
        t.seedRequestId = requestId;
        emit ITaskMarket.SeedRequested(taskId, address(fallbackRandomness), requestId);
    }

    // ================================================================ committee

    /// @notice Fix the seed if needed and fill empty seats during the fill phase; paid per seat filled.
    /// @dev Each candidate is checked in O(1): eligible, not excluded, staked at the snapshot; its key is computed
    ///      here. Agents already seated are skipped, as is everything past a full committee, so keepers racing on
    ///      the same task never revert each other.
    function drawCommittee(uint256 taskId, uint256[] calldata agentIds) external onlyDelegated {
        ITaskMarket.Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Verifying);
        ITaskMarket.MarketParams storage p = _paramsOf(t);
        _fixSeed(taskId, t, p);
        uint256 fillClosesAt = _fillClosesAt(t, p);
        if (block.timestamp > fillClosesAt) revert ITaskMarket.FillClosed(taskId, fillClosesAt);
        if (agentIds.length == 0) return;
        uint256 seats = t.seats;
        uint256 size = t.committeeSize;
        if (seats == size) return;
        Draw memory d = _drawOf(t, p);
        // One reputation call for the batch (the decay factor of the snapshot is computed once).
        uint256[] memory reps = reputation.reputationsAt(agentIds, IReputation.Dimension.Validator, d.snapshot);
        uint256 filled;
        for (uint256 i; i < agentIds.length && seats + filled < size; ++i) {
            (bool seated,) = _seat(taskId, d, agentIds[i], reps[i], false);
            if (seated) ++filled;
        }
        if (filled == 0) return;
        t.seats = uint8(seats + filled);
        _credit(msg.sender, taskId, filled * p.keeperReward, REASON_KEEPER);
    }

    /// @notice Once the committee is full and until the draw window closes, a better key takes a worse member's seat.
    /// @dev So a keeper that left out better candidates cannot keep them out, and the claim phase (the second half
    ///      of the draw window) always exists because filling stops at its start.
    function claimSeat(uint256 taskId, uint256 agentId, uint256 evictAgentId) external onlyDelegated {
        ITaskMarket.Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Verifying);
        ITaskMarket.MarketParams storage p = _paramsOf(t);
        _fixSeed(taskId, t, p);
        if (block.timestamp >= t.drawClosesAt) revert ITaskMarket.DrawClosed(taskId, t.drawClosesAt);
        if (t.seats < t.committeeSize) revert ITaskMarket.CommitteeNotFull(taskId);
        (bool evictedInRing, uint256 evicted) = _loadSeat(taskId, evictAgentId);
        if (evicted & STATE_MASK != SEAT_MEMBER) revert ITaskMarket.NotMember(taskId, evictAgentId);
        Draw memory d = _drawOf(t, p);
        uint256 rep = reputation.reputationAt(agentId, IReputation.Dimension.Validator, d.snapshot);
        (bool seated, uint256 key) = _seat(taskId, d, agentId, rep, true);
        if (!seated) revert ITaskMarket.AlreadyMember(taskId, agentId);
        uint256 evictedKey = evicted >> 8;
        if (key >= evictedKey) revert ITaskMarket.KeyNotBetter(taskId, key, evictedKey);
        _freeSeat(taskId, evictAgentId, evictedInRing);
        emit ITaskMarket.MemberEvicted(taskId, evictAgentId, agentId);
        // Enforcing the sortition is keeper work like drawing: paid, so that a committee packed with worse keys
        // (a requester's own agents, or honest agents drafted to be outvoted) is corrected even when the seats
        // themselves pay little. Bounded by the committee size, which the minimum fee covers.
        uint256 claims = t.claims;
        if (claims < t.committeeSize) {
            t.claims = uint8(claims + 1);
            _credit(msg.sender, taskId, p.keeperReward, REASON_KEEPER);
        }
    }

    // ================================================================ commit / reveal

    /// @notice A member (owner or key) commits `keccak256(abi.encode(taskId, agentId, approve, salt))`.
    function commitVote(uint256 taskId, uint256 agentId, bytes32 commitment) external onlyDelegated {
        ITaskMarket.Task storage t = _task(taskId);
        _requireCommitPhase(taskId, t);
        _requireController(agentId);
        if (!_commit(taskId, agentId, commitment)) revert ITaskMarket.AlreadyCommitted(taskId, agentId);
        unchecked {
            ++t.commits;
        }
    }

    /// @notice Commit several members' votes from their agent keys' EIP-712 signatures (a keeper relays them).
    /// @dev No nonce is needed: a member commits once per task, and the domain binds chain and contract. Members
    ///      that already committed are skipped (another relayer got there first).
    function commitVotesBySig(uint256 taskId, ITaskMarket.SignedCommit[] calldata commits) external onlyDelegated {
        ITaskMarket.Task storage t = _task(taskId);
        _requireCommitPhase(taskId, t);
        uint256 done;
        for (uint256 i; i < commits.length; ++i) {
            ITaskMarket.SignedCommit calldata c = commits[i];
            bytes32 digest = commitDigest(taskId, c.agentId, c.commitment);
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, c.signature);
            if (err != ECDSA.RecoverError.NoError || signer != address(uint160(c.agentId))) {
                revert ITaskMarket.InvalidCommitSignature(taskId, c.agentId);
            }
            if (_commit(taskId, c.agentId, c.commitment)) ++done;
        }
        t.commits += uint8(done);
    }

    /// @notice Reveal one opening; anyone holding it may (a reviewer can hand its salt to a keeper).
    function revealVote(uint256 taskId, uint256 agentId, bool approve, bytes32 salt) external onlyDelegated {
        ITaskMarket.Task storage t = _task(taskId);
        _requireRevealPhase(taskId, t);
        if (!_reveal(taskId, agentId, approve, salt)) revert ITaskMarket.NotCommitted(taskId, agentId);
        unchecked {
            ++t.reveals;
            if (approve) ++t.approvals;
        }
    }

    /// @notice Reveal several openings; openings already revealed are skipped.
    function revealVotes(uint256 taskId, ITaskMarket.Reveal[] calldata reveals) external onlyDelegated {
        ITaskMarket.Task storage t = _task(taskId);
        _requireRevealPhase(taskId, t);
        _revealBatch(taskId, t, reveals);
    }

    // ================================================================ settle

    /// @notice Reveal the openings given, settle the task once it can be, and settle the members named.
    /// @dev If another keeper settled the task first, the reveals are ignored and only the members are settled, so
    ///      a race between keepers costs nothing but gas; so are reveals that arrive after the reveal window.
    function settle(uint256 taskId, ITaskMarket.Reveal[] calldata reveals, uint256[] calldata agentIds)
        external
        onlyDelegated
    {
        ITaskMarket.Task storage t = _task(taskId);
        ITaskMarket.TaskStatus status = t.status;
        if (status == ITaskMarket.TaskStatus.Verifying) {
            // Openings that arrive after the reveal window can no longer count: they are ignored, not fatal.
            if (reveals.length != 0 && _committeeFormed(t) && block.timestamp < t.revealEndsAt) {
                _requireRevealPhase(taskId, t);
                _revealBatch(taskId, t, reveals);
            }
            status = _settleTask(taskId, t);
        } else if (!_settledAfterResult(t, status)) {
            revert ITaskMarket.WrongStatus(taskId, status, ITaskMarket.TaskStatus.Verifying);
        }
        if (agentIds.length != 0) _settleMembers(taskId, t, status, agentIds);
    }

    /// @notice Apply each named member's consequences once; members already settled are skipped. Paid per member.
    function settleMembers(uint256 taskId, uint256[] calldata agentIds) external onlyDelegated {
        ITaskMarket.Task storage t = _task(taskId);
        ITaskMarket.TaskStatus status = t.status;
        if (!_settledAfterResult(t, status)) {
            revert ITaskMarket.WrongStatus(taskId, status, ITaskMarket.TaskStatus.Accepted);
        }
        _settleMembers(taskId, t, status, agentIds);
    }

    // ================================================================ reads

    /// @notice The sortition key of `agentId` for `taskId` (smaller is better); needs the seed.
    function sortitionKey(uint256 taskId, uint256 agentId) external view onlyDelegated returns (uint256) {
        ITaskMarket.Task storage t = _tasks[taskId];
        if (t.drawClosesAt == 0) revert ITaskMarket.SeedNotReady(taskId);
        return _key(t, taskId, agentId);
    }

    /// @notice The commitment of a vote.
    function commitmentOf(uint256 taskId, uint256 agentId, bool approve, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(taskId, agentId, approve, salt));
    }

    /// @notice The EIP-712 digest a member's agent key signs to commit by signature.
    function commitDigest(uint256 taskId, uint256 agentId, bytes32 commitment) public view returns (bytes32) {
        bytes32 domain = block.chainid == _cachedChainId ? _cachedDomainSeparator : _buildDomainSeparator();
        return MessageHashUtils.toTypedDataHash(domain, keccak256(abi.encode(COMMIT_TYPEHASH, taskId, agentId, commitment)));
    }

    // ================================================================ internals: seed and draw

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, DOMAIN_NAME_HASH, DOMAIN_VERSION_HASH, block.chainid, market));
    }

    /// @dev The seed must be fixed within two seed timeouts of the result, so every weight the draw reads is at most
    ///      `2 x seedTimeout + drawWindow` (3 days at most, by the parameter bounds) old: well inside the reputation
    ///      history that is always kept, and a keeper cannot hold a task back to pick its moment.
    function _fixSeed(uint256 taskId, ITaskMarket.Task storage t, ITaskMarket.MarketParams storage p) private {
        if (t.drawClosesAt != 0) return;
        uint256 fixBy = _fixDeadline(t, p);
        if (block.timestamp > fixBy) revert ITaskMarket.SeedFixDeadlinePassed(taskId, fixBy);
        (bool ready, bytes32 seed) = _source(t).seedOf(t.seedRequestId);
        if (!ready) revert ITaskMarket.SeedNotReady(taskId);
        uint256 drawClosesAt = block.timestamp + p.drawWindow;
        uint256 commitEndsAt = drawClosesAt + p.commitWindow;
        uint256 revealEndsAt = commitEndsAt + p.revealWindow;
        t.seedRequestId = uint256(seed);
        t.drawClosesAt = uint40(drawClosesAt);
        t.commitEndsAt = uint40(commitEndsAt);
        t.revealEndsAt = uint40(revealEndsAt);
        emit ITaskMarket.SeedFixed(taskId, seed, drawClosesAt, commitEndsAt, revealEndsAt);
    }

    function _fixDeadline(ITaskMarket.Task storage t, ITaskMarket.MarketParams storage p) private view returns (uint256) {
        return uint256(t.resultPostedAt) + 2 * uint256(p.seedTimeout);
    }

    /// @dev Filling stops half-way through the draw window, so claims always have the second half.
    function _fillClosesAt(ITaskMarket.Task storage t, ITaskMarket.MarketParams storage p) private view returns (uint256) {
        return t.drawClosesAt - p.drawWindow / 2;
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

    function _drawOf(ITaskMarket.Task storage t, ITaskMarket.MarketParams storage p) private view returns (Draw memory d) {
        d.seed = bytes32(t.seedRequestId);
        d.executor = t.executor;
        d.requester = t.requester;
        d.executorOwner = registry.ownerOf(d.executor);
        d.snapshot = _snapshot(t);
        d.minStake = p.minStake;
    }

    /// @dev Seats one candidate after the O(1) checks and returns its key; `seated` is false (and nothing changes)
    ///      if it already holds a seat of this task, or, unless `requireEligible`, if it is no longer eligible (an
    ///      agent whose attestation lapsed or that exited between a keeper's computation and its transaction must
    ///      not make the keeper's whole batch fail). Does not touch the seat count.
    function _seat(uint256 taskId, Draw memory d, uint256 agentId, uint256 rep, bool requireEligible)
        private
        returns (bool seated, uint256 key)
    {
        uint256 word = _seatRing[agentId][taskId % SEAT_RING];
        uint256 state = word & STATE_MASK;
        bool ringFree = state == 0 || state == SEAT_FREE;
        if (!ringFree && word >> TAG_SHIFT == taskId) return (false, 0);
        if ((!ringFree || word & OVERFLOW != 0) && _seats[taskId][agentId] != 0) return (false, 0);
        if (!_checkCandidate(taskId, d, agentId, requireEligible)) return (false, 0);
        key = Sortition.key(d.seed, taskId, agentId, _weight(agentId, d.snapshot, d.minStake, rep));
        if (ringFree) {
            _seatRing[agentId][taskId % SEAT_RING] = (taskId << TAG_SHIFT) | (word & OVERFLOW) | (key << 8) | SEAT_MEMBER;
        } else {
            _seats[taskId][agentId] = (key << 8) | SEAT_MEMBER;
            if (word & OVERFLOW == 0) _seatRing[agentId][taskId % SEAT_RING] = word | OVERFLOW;
        }
        seated = true;
        emit ITaskMarket.MemberDrawn(taskId, agentId, key, msg.sender);
    }

    /// @dev Neither the executor nor an agent of the requester's or the executor's owner (reverts: the caller's
    ///      error), and eligible (returns false, or reverts when `requireEligible`).
    function _checkCandidate(uint256 taskId, Draw memory d, uint256 agentId, bool requireEligible)
        private
        view
        returns (bool eligible)
    {
        if (agentId == d.executor) revert ITaskMarket.ExcludedFromCommittee(taskId, agentId);
        address owner;
        (owner, eligible) = registry.eligibleOwnerOf(agentId, 0);
        if (owner == d.requester || owner == d.executorOwner) revert ITaskMarket.ExcludedFromCommittee(taskId, agentId);
        if (!eligible && requireEligible) revert ITaskMarket.AgentNotEligible(agentId);
    }

    // ================================================================ internals: votes

    /// @dev Commits need a committee that filled up in its fill phase: a partial committee never votes.
    function _requireCommitPhase(uint256 taskId, ITaskMarket.Task storage t) private view {
        _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Verifying);
        uint256 opensAt = t.drawClosesAt;
        if (opensAt == 0 || block.timestamp < opensAt || block.timestamp >= t.commitEndsAt) {
            revert ITaskMarket.NotInPhase(taskId, opensAt, t.commitEndsAt);
        }
        if (t.seats < t.committeeSize) revert ITaskMarket.CommitteeNotFull(taskId);
    }

    /// @dev Reveals open when the commit window ends, or as soon as every member has committed.
    function _requireRevealPhase(uint256 taskId, ITaskMarket.Task storage t) private view {
        _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Verifying);
        uint256 opensAt = t.commits == t.seats ? t.drawClosesAt : t.commitEndsAt;
        if (t.drawClosesAt == 0 || block.timestamp < opensAt || block.timestamp >= t.revealEndsAt) {
            revert ITaskMarket.NotInPhase(taskId, opensAt, t.revealEndsAt);
        }
        if (t.seats < t.committeeSize) revert ITaskMarket.CommitteeNotFull(taskId);
    }

    /// @dev False if the member already committed; reverts if it holds no seat.
    function _commit(uint256 taskId, uint256 agentId, bytes32 commitment) private returns (bool) {
        (bool inRing, uint256 seat) = _loadSeat(taskId, agentId);
        uint256 state = seat & STATE_MASK;
        if (state == 0) revert ITaskMarket.NotMember(taskId, agentId);
        if (state != SEAT_MEMBER) return false;
        _storeSeat(taskId, agentId, inRing, (uint256(commitment) & BODY_MASK) | SEAT_COMMITTED);
        emit ITaskMarket.VoteCommitted(taskId, agentId);
        return true;
    }

    /// @dev False if this vote was already revealed; reverts if there is nothing to open or the opening is wrong.
    function _reveal(uint256 taskId, uint256 agentId, bool approve, bytes32 salt) private returns (bool) {
        (bool inRing, uint256 seat) = _loadSeat(taskId, agentId);
        uint256 state = seat & STATE_MASK;
        if (state == SEAT_APPROVED || state == SEAT_REJECTED) return false;
        if (state != SEAT_COMMITTED) revert ITaskMarket.NotCommitted(taskId, agentId);
        // 184 bits of the commitment are kept: opening one seat two ways needs a 2^92 collision search.
        if ((uint256(commitmentOf(taskId, agentId, approve, salt)) ^ seat) & BODY_MASK != 0) {
            revert ITaskMarket.CommitmentMismatch(taskId, agentId);
        }
        _storeSeat(taskId, agentId, inRing, approve ? SEAT_APPROVED : SEAT_REJECTED);
        emit ITaskMarket.VoteRevealed(taskId, agentId, approve);
        return true;
    }

    function _revealBatch(uint256 taskId, ITaskMarket.Task storage t, ITaskMarket.Reveal[] calldata reveals) private {
        uint256 revealed;
        uint256 approvals;
        for (uint256 i; i < reveals.length; ++i) {
            ITaskMarket.Reveal calldata r = reveals[i];
            if (!_reveal(taskId, r.agentId, r.approve, r.salt)) continue;
            ++revealed;
            if (r.approve) ++approvals;
        }
        t.reveals += uint8(revealed);
        t.approvals += uint8(approvals);
    }

    // ================================================================ internals: settlement

    function _settledAfterResult(ITaskMarket.Task storage t, ITaskMarket.TaskStatus status) private view returns (bool) {
        return t.drawClosesAt != 0
            && (status == ITaskMarket.TaskStatus.Accepted || status == ITaskMarket.TaskStatus.Rejected
                || status == ITaskMarket.TaskStatus.Refunded || status == ITaskMarket.TaskStatus.Inconclusive);
    }

    /// @dev The outcome, the fee split and the payouts of a Verifying task.
    ///      - seed never fixed (expired, or not fixed within two seed timeouts of the result): Refunded, executor
    ///        penalised as for a missed deadline;
    ///      - committee not full when the fill phase closed: Refunded, nobody penalised;
    ///      - otherwise, after the reveal window (or once every member revealed): Accepted at >= 2/3 approvals of the
    ///        revealed votes, Rejected at >= 2/3 rejections, Refunded with no revealed vote, else Inconclusive
    ///        (bounty refunded, nobody slashed: a 2/3 rule must not slash an honest near-majority either way).
    function _settleTask(uint256 taskId, ITaskMarket.Task storage t) private returns (ITaskMarket.TaskStatus outcome) {
        ITaskMarket.MarketParams storage p = _paramsOf(t);
        uint256 seats = t.seats;
        bool lapsed;
        if (t.drawClosesAt == 0) {
            // Lapsed: the seed can never come, or nobody fixed it in time. Either way the executor, who could have
            // fixed it with a draw as soon as it was readable, bears it.
            if (!_source(t).expired(t.seedRequestId) && block.timestamp <= _fixDeadline(t, p)) {
                revert ITaskMarket.SeedNotReady(taskId);
            }
            lapsed = true;
        } else if (seats < t.committeeSize) {
            uint256 fillClosesAt = _fillClosesAt(t, p);
            if (block.timestamp <= fillClosesAt) revert ITaskMarket.RevealNotOver(taskId, fillClosesAt);
        } else {
            uint256 revealEndsAt = t.revealEndsAt;
            if (block.timestamp < revealEndsAt && t.reveals != seats) revert ITaskMarket.RevealNotOver(taskId, revealEndsAt);
        }
        uint256 revealed = t.reveals;
        uint256 approvals = t.approvals;
        bool formed = seats == t.committeeSize;
        uint256 aligned;
        if (!formed || revealed == 0) {
            outcome = ITaskMarket.TaskStatus.Refunded;
        } else if (approvals * 3 >= revealed * 2) {
            outcome = ITaskMarket.TaskStatus.Accepted;
            aligned = approvals;
        } else if ((revealed - approvals) * 3 >= revealed * 2) {
            outcome = ITaskMarket.TaskStatus.Rejected;
            aligned = revealed - approvals;
        } else {
            outcome = ITaskMarket.TaskStatus.Inconclusive;
            aligned = revealed;
        }
        t.status = outcome;
        t.aligned = uint8(aligned);
        emit ITaskMarket.TaskSettled(taskId, outcome, approvals, revealed, msg.sender);

        // Keeper work paid from the fee: assign (already paid), one draw per seat and each paid claim (already paid),
        // this settlement, and one settlement per seat (kept here until the members are settled).
        uint256 reward = p.keeperReward;
        _credit(msg.sender, taskId, reward, REASON_KEEPER);
        uint256 rest = uint256(t.fee) - (2 + 2 * seats + uint256(t.claims)) * reward;
        if (!formed) {
            // No verification happened: the requester gets back everything not spent on keeper work.
            _credit(t.requester, taskId, uint256(t.bounty) + rest, REASON_REFUND);
            if (lapsed) _penaliseExecutor(t, p.missedDeadlineSeverityBps, EXECUTOR_MISSED_LOSS, "seed lapsed");
            return outcome;
        }
        uint256 perReviewer = aligned == 0 ? 0 : rest * p.reviewerShareBps / BPS / aligned;
        uint256 toProtocol = rest - perReviewer * aligned;
        t.rewardPerReviewer = uint96(perReviewer);
        if (aligned != 0) {
            uint256 gain = toProtocol * EXECUTOR_GAIN_PER_PROTOCOL_ACC / POINT / aligned;
            t.reviewerGain = uint40((gain > REVIEWER_ALIGNED_GAIN ? REVIEWER_ALIGNED_GAIN : gain) / GAIN_UNIT);
        }
        if (toProtocol != 0) {
            pendingProtocolFees += toProtocol;
            emit ITaskMarket.ProtocolFeesAccrued(taskId, toProtocol);
        }
        _payOutcome(taskId, t, p, outcome, toProtocol);
    }

    /// @dev Executor paid (accepted) or requester refunded; executor reputation and slashing.
    function _payOutcome(
        uint256 taskId,
        ITaskMarket.Task storage t,
        ITaskMarket.MarketParams storage p,
        ITaskMarket.TaskStatus outcome,
        uint256 toProtocol
    ) private {
        uint256 executor = t.executor;
        address requester = t.requester;
        uint256 bounty = t.bounty;
        if (outcome == ITaskMarket.TaskStatus.Accepted) {
            uint256 price = t.price;
            _credit(registry.ownerOf(executor), taskId, price, REASON_EXECUTOR);
            if (bounty > price) _credit(requester, taskId, bounty - price, REASON_REFUND);
            // Reputation is bought only with fees that reach the protocol (half burned, half to validators), never
            // with amounts a requester and executor pass between themselves, and from one requester at most once
            // a week.
            uint256 gain = toProtocol * EXECUTOR_GAIN_PER_PROTOCOL_ACC / POINT;
            if (gain > EXECUTOR_MAX_GAIN) gain = EXECUTOR_MAX_GAIN;
            if (gain == 0 || !_noteCounterparty(executor, requester)) return;
            reputation.increase(executor, IReputation.Dimension.Task, gain);
            return;
        }
        _credit(requester, taskId, bounty, REASON_REFUND);
        if (outcome == ITaskMarket.TaskStatus.Rejected) {
            _penaliseExecutor(t, p.rejectedSeverityBps, EXECUTOR_REJECTED_LOSS, "rejected");
        }
    }

    /// @dev Records `requester` as a counterparty of `executor` today and returns true, unless it already gave the
    ///      executor a gain within COUNTERPARTY_COOLDOWN_DAYS (then false, nothing written). The oldest of the
    ///      remembered entries makes room. Three entries: a farmer needs four requester accounts in rotation, each
    ///      paying protocol fees for every point (a fingerprint collision, 2^-48, only refuses a gain).
    function _noteCounterparty(uint256 executor, address requester) private returns (bool) {
        uint256 recent = _recentCounterparties[executor];
        uint256 fingerprint = uint256(keccak256(abi.encode(requester))) >> 208; // 48 bits
        uint256 today = block.timestamp / 1 days;
        uint256 oldestIndex;
        uint256 oldestDay = type(uint256).max;
        for (uint256 i; i < RECENT_COUNTERPARTIES; ++i) {
            uint256 entry = (recent >> (80 * i)) & ((uint256(1) << 80) - 1);
            uint256 day = entry & 0xffffffff;
            if (entry >> 32 == fingerprint && entry != 0 && today < day + COUNTERPARTY_COOLDOWN_DAYS) return false;
            if (day < oldestDay) (oldestDay, oldestIndex) = (day, i);
        }
        uint256 shift = 80 * oldestIndex;
        recent = (recent & ~(((uint256(1) << 80) - 1) << shift)) | (((fingerprint << 32) | today) << shift);
        _recentCounterparties[executor] = recent;
        return true;
    }

    function _penaliseExecutor(ITaskMarket.Task storage t, uint16 severity, uint256 loss, bytes32 reason) private {
        uint256 executor = t.executor;
        reputation.decrease(executor, IReputation.Dimension.Task, loss);
        if (severity != 0) staking.slash(executor, severity, t.requester, reason);
    }

    /// @dev Agents of one member batch by reputation effect; the first `...Count` entries are used.
    struct MemberBatch {
        uint256[] gained;
        uint256[] outvoted;
        uint256[] silent;
        uint256 gainedCount;
        uint256 outvotedCount;
        uint256 silentCount;
        uint256 settled;
    }

    function _settleMembers(
        uint256 taskId,
        ITaskMarket.Task storage t,
        ITaskMarket.TaskStatus outcome,
        uint256[] calldata agentIds
    ) private {
        ITaskMarket.MarketParams storage p = _paramsOf(t);
        uint256 perReviewer = t.rewardPerReviewer;
        uint256 gain = uint256(t.reviewerGain) * GAIN_UNIT;
        bool formed = t.seats == t.committeeSize;
        // Reputation changes are collected per kind and applied with one call each (the total is written once).
        uint256 n = agentIds.length;
        MemberBatch memory batch = MemberBatch(new uint256[](n), new uint256[](n), new uint256[](n), 0, 0, 0, 0);
        for (uint256 i; i < n; ++i) {
            _settleMember(taskId, agentIds[i], outcome, formed, perReviewer, p, batch);
        }
        if (batch.settled != 0) _credit(msg.sender, taskId, batch.settled * p.keeperReward, REASON_KEEPER);
        if (gain != 0) _changeReputations(batch.gained, batch.gainedCount, true, gain);
        _changeReputations(batch.outvoted, batch.outvotedCount, false, REVIEWER_MISALIGNED_LOSS);
        _changeReputations(batch.silent, batch.silentCount, false, REVIEWER_SILENT_LOSS);
    }

    /// @dev Aligned (voted with a conclusive outcome, or revealed at all when inconclusive): paid + validator
    ///      reputation. Outvoted: reputation loss and the light minority slash. Silent: reputation loss and the
    ///      non-reveal slash. A committee that never formed never voted: its members are released without effect.
    function _settleMember(
        uint256 taskId,
        uint256 agentId,
        ITaskMarket.TaskStatus outcome,
        bool formed,
        uint256 perReviewer,
        ITaskMarket.MarketParams storage p,
        MemberBatch memory batch
    ) private {
        (bool inRing, uint256 seat) = _loadSeat(taskId, agentId);
        uint256 state = seat & STATE_MASK;
        // A settled seat is freed; settling it again finds no seat and is skipped.
        if (state == 0) return;
        _freeSeat(taskId, agentId, inRing);
        ++batch.settled;
        if (!formed) {
            emit ITaskMarket.MemberSettled(taskId, agentId, address(0), 0, false, false);
            return;
        }
        bool revealed = state == SEAT_APPROVED || state == SEAT_REJECTED;
        bool aligned = revealed
            && (outcome == ITaskMarket.TaskStatus.Inconclusive
                || (outcome != ITaskMarket.TaskStatus.Refunded
                    && (state == SEAT_APPROVED) == (outcome == ITaskMarket.TaskStatus.Accepted)));
        bool slashed;
        address owner;
        if (aligned) {
            owner = registry.ownerOf(agentId);
            // MemberSettled names the owner and the reward: no separate Earned event for it.
            if (perReviewer != 0) _earnings[owner].credited += uint128(perReviewer);
            batch.gained[batch.gainedCount++] = agentId;
        } else if (revealed) {
            batch.outvoted[batch.outvotedCount++] = agentId;
            if (p.minoritySeverityBps != 0) {
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
        emit ITaskMarket.MemberSettled(taskId, agentId, owner, aligned ? perReviewer : 0, aligned, slashed);
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
}
