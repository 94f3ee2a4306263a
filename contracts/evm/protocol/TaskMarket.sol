// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Proxy} from "@openzeppelin/contracts/proxy/Proxy.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ITaskMarket} from "../interfaces/ITaskMarket.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {IRandomnessSource} from "../interfaces/IRandomnessSource.sol";
import {TaskMarketBase} from "./market/TaskMarketBase.sol";
import {TaskVerification} from "./market/TaskVerification.sol";

/// @title The AgentCluster task market
/// @notice Escrowed tasks, routed to the best bid, executed before a deadline, verified by a committee drawn by
///         weighted sortition from a seed fixed after the result, settled at >= 2/3 of the revealed votes either
///         way. Every payout is credited to an earnings balance and pulled with `withdrawEarnings`; no function
///         loops over agents, tasks or stakers. One address serves all of `ITaskMarket`.
/// @dev This contract holds the money and the task's life up to the result; the verification functions (seed,
///      draw, seats, commit, reveal, settlement) live in `TaskVerification`, created by this constructor and run
///      by delegatecall (OpenZeppelin `Proxy`) on this contract's storage. Splitting keeps both well under the
///      EIP-170 size limit; the module is fixed at construction and cannot be changed.
contract TaskMarket is TaskMarketBase, Proxy {
    using SafeERC20 for IERC20;

    /// @notice At most this share of a bid is discounted for reputation when bids are ranked (20%).
    uint256 public constant MAX_REPUTATION_DISCOUNT_BPS = 2_000;
    /// @notice The Task reputation at which a bid gets half the maximum discount.
    uint256 public constant HALF_DISCOUNT_REPUTATION = 10e18;

    /// @notice The shortest any window of the task's life may be.
    uint256 public constant MIN_WINDOW = 10 minutes;

    /// @notice The verification module this market delegates to.
    address public immutable verification;

    constructor(Dependencies memory deps, address governance, ITaskMarket.MarketParams memory params_)
        TaskMarketBase(deps, governance)
    {
        verification = address(new TaskVerification(deps, governance));
        _setParams(params_);
        deps.token.forceApprove(address(deps.feeRouter), type(uint256).max);
    }

    // ================================================================ 1. submit

    /// @notice Escrow `bounty + fee` (optionally with an ERC-2612 permit) and open the task for bids.
    /// @dev Every parameter the task depends on is fixed now: the task records the parameter version in force.
    function submitTask(ITaskMarket.TaskRequest calldata request, ITaskMarket.Permit calldata permit)
        external
        returns (uint256 taskId)
    {
        uint24 version = _paramsVersion;
        ITaskMarket.MarketParams storage p = _paramsByVersion[version];
        if (request.committeeSize < MIN_COMMITTEE || request.committeeSize > MAX_COMMITTEE) {
            revert ITaskMarket.InvalidCommitteeSize(request.committeeSize, MIN_COMMITTEE, MAX_COMMITTEE);
        }
        if (request.bounty == 0) revert ITaskMarket.ZeroBounty();
        uint256 minFee = _minimumFee(p, request.bounty, request.committeeSize);
        if (request.fee < minFee) revert ITaskMarket.FeeTooLow(request.fee, minFee);
        uint256 biddingEndsAt = block.timestamp + p.biddingWindow;
        uint256 latest = block.timestamp + p.maxTaskDuration;
        if (request.deadline <= biddingEndsAt || request.deadline > latest) {
            revert ITaskMarket.InvalidDeadline(request.deadline, biddingEndsAt + 1, latest);
        }

        taskId = ++taskCount;
        _storeTask(taskId, request, biddingEndsAt, version);
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

    /// @notice Bid `price` (at most the bounty) for `agentId`, by its owner or its key, during the bidding window.
    /// @dev O(1): only the best bid is kept. Bids rank by `effectivePrice` (reputation discounts by at most 20%);
    ///      the winner is paid its own price, so bought reputation cannot win a job at many times the going rate.
    function bid(uint256 taskId, uint256 agentId, uint96 price) external {
        ITaskMarket.Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Bidding);
        if (block.timestamp >= t.biddingEndsAt) revert ITaskMarket.BiddingClosed(taskId, t.biddingEndsAt);
        (address owner, bool eligible) = registry.eligibleOwnerOf(agentId, t.capabilities);
        _requireController(agentId, owner);
        if (owner == t.requester) revert ITaskMarket.RequesterCannotParticipate(taskId, agentId);
        if (price == 0 || price > t.bounty) revert ITaskMarket.InvalidPrice(price, t.bounty);
        if (!eligible) revert ITaskMarket.AgentNotEligible(agentId);
        uint256 minStake = _paramsOf(t).minStake;
        uint256 stake = staking.stakeOf(agentId);
        if (stake < minStake) revert ITaskMarket.InsufficientStake(agentId, stake, minStake);
        uint256 rep = reputation.reputationOf(agentId, IReputation.Dimension.Task);
        if (rep < uint256(t.minReputation) * POINT) {
            revert ITaskMarket.ReputationTooLow(agentId, rep, uint256(t.minReputation) * POINT);
        }

        // Lower effective price wins; the earlier bid wins a tie.
        uint256 effective = effectivePrice(price, rep);
        bool best = t.executor == 0 || effective < t.bestEffectivePrice;
        if (best) {
            t.executor = uint160(agentId);
            t.price = price;
            t.bestEffectivePrice = uint96(effective);
        }
        emit ITaskMarket.BidPlaced(taskId, agentId, price, effective, best);
    }

    /// @notice After the bidding window, assign the task to the best bid (or refund it if nobody bid); the caller
    ///         is paid `keeperReward`. An executor that posts its result assigns the task itself (see `postResult`).
    function assign(uint256 taskId) external {
        ITaskMarket.Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Bidding);
        _assign(taskId, t);
    }

    // ================================================================ 3. execute

    /// @notice The executor (owner or key) posts its result before the deadline; a seed is requested for the draw.
    /// @dev After the bidding window the best bidder need not wait for a keeper's `assign`: posting assigns the task
    ///      first (and pays the poster the assign reward, as it did that work), saving the network a transaction.
    function postResult(uint256 taskId, bytes32 resultHash, string calldata resultURI) external {
        ITaskMarket.Task storage t = _task(taskId);
        uint256 executor = t.executor;
        if (t.status == ITaskMarket.TaskStatus.Bidding && executor != 0) {
            _requireController(executor);
            _assign(taskId, t);
        } else {
            _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Assigned);
            _requireController(executor);
        }
        if (block.timestamp > t.deadline) revert ITaskMarket.DeadlinePassed(taskId, t.deadline);
        t.status = ITaskMarket.TaskStatus.Verifying;
        t.resultPostedAt = uint40(block.timestamp);
        emit ITaskMarket.ResultPosted(taskId, executor, resultHash, resultURI);
        uint256 requestId = randomness.request();
        t.seedRequestId = requestId;
        emit ITaskMarket.SeedRequested(taskId, address(randomness), requestId);
    }

    /// @notice After the deadline without a result: refund the requester, penalise the executor; the caller is paid.
    function reportMissedDeadline(uint256 taskId) external {
        ITaskMarket.Task storage t = _task(taskId);
        _expectStatus(taskId, t.status, ITaskMarket.TaskStatus.Assigned);
        if (block.timestamp <= t.deadline) revert ITaskMarket.DeadlineNotPassed(taskId, t.deadline);
        t.status = ITaskMarket.TaskStatus.Refunded;
        ITaskMarket.MarketParams storage p = _paramsOf(t);
        uint256 reward = p.keeperReward;
        _credit(msg.sender, taskId, reward, REASON_KEEPER);
        // The assign reward was paid from the same fee.
        _credit(t.requester, taskId, uint256(t.bounty) + t.fee - 2 * reward, REASON_REFUND);
        emit ITaskMarket.TaskSettled(taskId, ITaskMarket.TaskStatus.Refunded, 0, 0, msg.sender);
        uint256 executor = t.executor;
        reputation.decrease(executor, IReputation.Dimension.Task, EXECUTOR_MISSED_LOSS);
        if (p.missedDeadlineSeverityBps != 0) {
            staking.slash(executor, p.missedDeadlineSeverityBps, t.requester, "missed deadline");
        }
    }

    // ================================================================ money

    /// @notice Pull everything credited to the caller.
    function withdrawEarnings() external returns (uint256 amount) {
        Earnings storage e = _earnings[msg.sender];
        amount = uint256(e.credited) - e.withdrawn;
        if (amount == 0) revert ITaskMarket.NothingToWithdraw(msg.sender);
        e.withdrawn = e.credited;
        emit ITaskMarket.EarningsWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Send the protocol's accrued share of task fees through the fee router (burn / validators); anyone.
    /// @dev Routing every task's fee separately would cost each settlement a transfer, a burn and a transfer;
    ///      batching keeps settlement cheap and the split identical.
    function flushProtocolFees() external returns (uint256 amount) {
        amount = pendingProtocolFees;
        if (amount == 0) return 0;
        pendingProtocolFees = 0;
        emit ITaskMarket.ProtocolFeesFlushed(amount);
        feeRouter.routeFee(amount);
    }

    // ================================================================ reads

    /// @notice A task; `seed` is set (and `seedRequestId` reads 0) once the seed is fixed.
    function getTask(uint256 taskId) external view returns (ITaskMarket.Task memory task) {
        task = _tasks[taskId];
        if (task.drawClosesAt != 0) (task.seed, task.seedRequestId) = (bytes32(task.seedRequestId), 0);
    }

    /// @notice The balance `account` can withdraw.
    function earningsOf(address account) external view returns (uint256) {
        Earnings storage e = _earnings[account];
        return uint256(e.credited) - e.withdrawn;
    }

    /// @notice The parameters new tasks are submitted under.
    function params() external view returns (ITaskMarket.MarketParams memory) {
        return _paramsByVersion[_paramsVersion];
    }

    /// @notice The parameters of `version` (0 before the first version: all zero).
    function paramsAt(uint256 version) external view returns (ITaskMarket.MarketParams memory) {
        return _paramsByVersion[version];
    }

    /// @notice The lowest fee a task with `bounty` and `committeeSize` may carry under the current parameters.
    function minimumFee(uint256 bounty, uint8 committeeSize) external view returns (uint256) {
        return _minimumFee(_paramsByVersion[_paramsVersion], bounty, committeeSize);
    }

    /// @notice The price a bid ranks at: `price` discounted by `MAX_REPUTATION_DISCOUNT_BPS * rep / (rep + 10)`.
    /// @dev Never overflows: reputation saturates at 2^128 (the discount is 20% long before) and the products are
    ///      computed in 512 bits.
    function effectivePrice(uint256 price, uint256 rep) public pure returns (uint256) {
        if (rep > type(uint128).max) rep = type(uint128).max;
        uint256 discountBps = MAX_REPUTATION_DISCOUNT_BPS * rep / (rep + HALF_DISCOUNT_REPUTATION);
        return Math.mulDiv(price, BPS - discountBps, BPS);
    }

    // ================================================================ governance

    /// @notice Set the parameters for tasks submitted from now on (tasks already submitted keep theirs).
    function setParams(ITaskMarket.MarketParams calldata params_) external onlyOwner {
        _setParams(params_);
    }

    // ================================================================ internals

    function _implementation() internal view override returns (address) {
        return verification;
    }

    /// @dev The fee must pay every unit of keeper work a task can need (assign, one draw, one paid claim and one
    ///      settlement per seat, settle) and leave at least 1 wei, and be at least `feeBps` of the bounty.
    /// @dev Ends the bidding: the best bid is assigned, or without one the requester is refunded. Pays the caller.
    function _assign(uint256 taskId, ITaskMarket.Task storage t) private {
        if (block.timestamp < t.biddingEndsAt) revert ITaskMarket.BiddingOpen(taskId, t.biddingEndsAt);
        uint256 reward = _paramsOf(t).keeperReward;
        _credit(msg.sender, taskId, reward, REASON_KEEPER);
        if (t.executor == 0) {
            t.status = ITaskMarket.TaskStatus.Refunded;
            _credit(t.requester, taskId, uint256(t.bounty) + t.fee - reward, REASON_REFUND);
            emit ITaskMarket.TaskSettled(taskId, ITaskMarket.TaskStatus.Refunded, 0, 0, msg.sender);
            return;
        }
        t.status = ITaskMarket.TaskStatus.Assigned;
        emit ITaskMarket.TaskAssigned(taskId, t.executor, t.price);
    }

    /// @dev Callers pass a committee size of at most 255 (uint8), so the keeper budget cannot overflow.
    function _minimumFee(ITaskMarket.MarketParams storage p, uint256 bounty, uint256 committeeSize)
        private
        view
        returns (uint256 minFee)
    {
        minFee = Math.mulDiv(bounty, p.feeBps, BPS);
        uint256 keeperBudget = (3 * committeeSize + 2) * uint256(p.keeperReward) + 1;
        if (minFee < keeperBudget) minFee = keeperBudget;
    }

    function _storeTask(uint256 taskId, ITaskMarket.TaskRequest calldata request, uint256 biddingEndsAt, uint24 version)
        private
    {
        ITaskMarket.Task storage t = _tasks[taskId];
        t.requester = msg.sender;
        t.status = ITaskMarket.TaskStatus.Bidding;
        t.committeeSize = request.committeeSize;
        t.minReputation = request.minReputation;
        t.bounty = request.bounty;
        t.fee = request.fee;
        t.biddingEndsAt = uint40(biddingEndsAt);
        t.deadline = request.deadline;
        t.capabilities = request.capabilities;
        t.paramsVersion = version;
    }

    function _emitSubmitted(uint256 taskId, ITaskMarket.TaskRequest calldata r) private {
        emit ITaskMarket.TaskSubmitted(
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

    function _setParams(ITaskMarket.MarketParams memory p) private {
        // Every window lasts at least 10 minutes (many blocks): a window of a few seconds would leave honest members
        // no time to act (and be slashed for it), or no later block for a seat claim.
        _check(p.biddingWindow < MIN_WINDOW || p.biddingWindow > 30 days, "biddingWindow", p.biddingWindow);
        _check(p.maxTaskDuration == 0 || p.maxTaskDuration > 365 days, "maxTaskDuration", p.maxTaskDuration);
        // Seed and draw windows of at most a day each keep every weight read within 3 days of its snapshot, inside
        // the reputation history that is always kept (Reputation.HISTORY_DAYS).
        _check(p.seedTimeout < MIN_WINDOW || p.seedTimeout > 1 days, "seedTimeout", p.seedTimeout);
        _check(p.drawWindow < MIN_WINDOW || p.drawWindow > 1 days, "drawWindow", p.drawWindow);
        _check(p.commitWindow < MIN_WINDOW || p.commitWindow > 7 days, "commitWindow", p.commitWindow);
        _check(p.revealWindow < MIN_WINDOW || p.revealWindow > 7 days, "revealWindow", p.revealWindow);
        _check(p.feeBps > BPS, "feeBps", p.feeBps);
        _check(p.reviewerShareBps > BPS, "reviewerShareBps", p.reviewerShareBps);
        _check(p.keeperReward > 1_000e18, "keeperReward", p.keeperReward);
        _check(p.minStake < MIN_STAKE_FLOOR, "minStake", p.minStake);
        _checkSeverity("missedDeadlineSeverityBps", p.missedDeadlineSeverityBps);
        _checkSeverity("rejectedSeverityBps", p.rejectedSeverityBps);
        _checkSeverity("nonRevealSeverityBps", p.nonRevealSeverityBps);
        _checkSeverity("minoritySeverityBps", p.minoritySeverityBps);
        // No slash-then-exit: Staking refuses a slash delay that its unbonding period (less the appeal window) does
        // not cover, now and on every later change of its own periods. The longest wait for a slash: the whole
        // task, the seed (primary and fallback), the draw, the commit and reveal windows.
        uint256 life = uint256(p.maxTaskDuration) + p.seedTimeout * 2 + p.drawWindow + p.commitWindow + p.revealWindow;
        staking.declareSlashDelay(life);
        uint24 version = _paramsVersion + 1;
        _paramsVersion = version;
        _paramsByVersion[version] = p;
        emit ITaskMarket.MarketParamsSet(p);
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
        revert ITaskMarket.ParameterOutOfRange(text, value);
    }
}
