// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Reputation} from "../../../contracts/evm/protocol/Reputation.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";
import {IAgentRegistry} from "../../../contracts/evm/interfaces/IAgentRegistry.sol";
import {IStaking} from "../../../contracts/evm/interfaces/IStaking.sol";

/// @dev Drives Reputation at random: increases, decreases and sets on many agents and dimensions while time passes
///      (hundreds of days per step, so runs cross several eras), and runs of daily writes to one agent (so its ring of
///      `HISTORY_DAYS` checkpoints goes round). Ghosts record an upper bound per value (what was added or set) and
///      count any change that did not apply exactly to the value read just before it, and, around every write, for
///      every agent of the dimension, `reputationAt` today, 7, 8 and 30 days back: any read at most 7 day starts
///      back that reverts, any read that changed value or came back after reverting, any revert other than
///      `ReputationHistoryPruned(agent, dayStart)`, and any `reputationsAt` that differs from the single reads.
contract ReputationHandler is Test {
    uint256 internal constant AGENTS = 8;
    uint256 internal constant DIMENSIONS = 3; // Task, Validator, Compute: Social has no writer by design

    Reputation internal rep;

    mapping(uint256 agentId => mapping(uint256 dimension => uint256)) public ceiling;
    uint256 public inexactChanges;
    uint256 public pastRewrites;
    uint256 public guaranteedReverts;
    uint256 public wrongErrors;
    uint256 public batchMismatches;
    uint256 public prunedReads;
    uint256 public calls;

    uint256 internal constant HISTORY_DAYS = 8;
    /// @dev Days back of the reads around each write: up to HISTORY_DAYS - 1 they never revert; older ones may.
    uint256[4] internal DEPTHS = [uint256(0), 7, 8, 30];

    struct Read {
        bool answered;
        uint256 value;
    }

    constructor(Reputation rep_) {
        rep = rep_;
    }

    function agentIds() public pure returns (uint256[] memory ids) {
        ids = new uint256[](AGENTS);
        for (uint256 i; i < AGENTS; ++i) {
            ids[i] = 0x1000 + i;
        }
    }

    /// @dev An increase, with the value after it and every kept past value checked.
    function _increaseChecked(uint256 agentId, IReputation.Dimension dimension, uint256 amount) internal {
        uint256 before = rep.reputationOf(agentId, dimension);
        Read[] memory past = _past(dimension);
        rep.increase(agentId, dimension, amount);
        _checkPast(dimension, past);
        _check(agentId, dimension, before + amount);
        ceiling[agentId][uint8(dimension)] += amount;
    }

    function increase(uint256 agentSeed, uint256 dimensionSeed, uint256 amount) external {
        (uint256 agentId, IReputation.Dimension dimension) = _pick(agentSeed, dimensionSeed);
        amount = bound(amount, 0, 1e26);
        _increaseChecked(agentId, dimension, amount);
    }

    function decrease(uint256 agentSeed, uint256 dimensionSeed, uint256 amount) external {
        (uint256 agentId, IReputation.Dimension dimension) = _pick(agentSeed, dimensionSeed);
        uint256 before = rep.reputationOf(agentId, dimension);
        amount = bound(amount, 0, before * 2 + 1);
        Read[] memory past = _past(dimension);
        rep.decrease(agentId, dimension, amount);
        _checkPast(dimension, past);
        _check(agentId, dimension, amount < before ? before - amount : 0);
    }

    /// @dev Batches of three ids (repeats allowed): each occurrence applies once, in order.
    function increaseMany(uint256 agentSeed, uint256 dimensionSeed, uint256 amount) external {
        (uint256[] memory ids, uint256[] memory before, IReputation.Dimension dimension) = _batch(agentSeed, dimensionSeed);
        amount = bound(amount, 0, 1e26);
        Read[] memory past = _past(dimension);
        rep.increaseMany(ids, dimension, amount);
        _checkPast(dimension, past);
        for (uint256 i; i < ids.length; ++i) {
            _check(ids[i], dimension, before[i] + amount * _occurrences(ids, ids[i]));
            if (_firstOccurrence(ids, i)) ceiling[ids[i]][uint8(dimension)] += amount * _occurrences(ids, ids[i]);
        }
    }

    function decreaseMany(uint256 agentSeed, uint256 dimensionSeed, uint256 amount) external {
        (uint256[] memory ids, uint256[] memory before, IReputation.Dimension dimension) = _batch(agentSeed, dimensionSeed);
        amount = bound(amount, 0, before[0] + 1);
        Read[] memory past = _past(dimension);
        rep.decreaseMany(ids, dimension, amount);
        _checkPast(dimension, past);
        for (uint256 i; i < ids.length; ++i) {
            uint256 removed = amount * _occurrences(ids, ids[i]);
            _check(ids[i], dimension, removed < before[i] ? before[i] - removed : 0);
        }
    }

    function _batch(uint256 agentSeed, uint256 dimensionSeed)
        internal
        returns (uint256[] memory ids, uint256[] memory before, IReputation.Dimension dimension)
    {
        (ids, dimension) = (new uint256[](3), IReputation.Dimension.Task);
        (ids[0], dimension) = _pick(agentSeed, dimensionSeed);
        ids[1] = 0x1000 + (agentSeed >> 8) % AGENTS;
        ids[2] = 0x1000 + (agentSeed >> 16) % AGENTS;
        before = new uint256[](3);
        for (uint256 i; i < 3; ++i) before[i] = rep.reputationOf(ids[i], dimension);
    }

    function _occurrences(uint256[] memory ids, uint256 id) internal pure returns (uint256 n) {
        for (uint256 i; i < ids.length; ++i) if (ids[i] == id) ++n;
    }

    function _firstOccurrence(uint256[] memory ids, uint256 index) internal pure returns (bool) {
        for (uint256 i; i < index; ++i) if (ids[i] == ids[index]) return false;
        return true;
    }

    function set(uint256 agentSeed, uint256 dimensionSeed, uint256 value) external {
        (uint256 agentId, IReputation.Dimension dimension) = _pick(agentSeed, dimensionSeed);
        value = bound(value, 0, 1e27);
        Read[] memory past = _past(dimension);
        rep.set(agentId, dimension, value);
        _checkPast(dimension, past);
        _check(agentId, dimension, value);
        ceiling[agentId][uint8(dimension)] = value;
    }

    /// @dev Increases on `days_` days in a row (about a day apart), each checked like `increase`.
    function writeDaily(uint256 agentSeed, uint256 dimensionSeed, uint256 amount, uint256 days_) external {
        (uint256 agentId, IReputation.Dimension dimension) = _pick(agentSeed, dimensionSeed);
        amount = bound(amount, 0, 1e24);
        days_ = bound(days_, 1, 12);
        for (uint256 i; i < days_; ++i) {
            vm.warp(block.timestamp + 21 hours + uint256(keccak256(abi.encode(agentSeed, amount, i))) % 6 hours);
            _increaseChecked(agentId, dimension, amount);
        }
    }

    function warp(uint256 secondsAhead) external {
        ++calls;
        vm.warp(block.timestamp + bound(secondsAhead, 1, 400 days));
    }

    function _pick(uint256 agentSeed, uint256 dimensionSeed)
        internal
        returns (uint256 agentId, IReputation.Dimension dimension)
    {
        ++calls;
        agentId = 0x1000 + agentSeed % AGENTS;
        dimension = IReputation.Dimension(dimensionSeed % DIMENSIONS);
    }

    function _check(uint256 agentId, IReputation.Dimension dimension, uint256 expected) internal {
        if (rep.reputationOf(agentId, dimension) != expected) ++inexactChanges;
    }

    /// @dev Every agent's read at each depth (agent-major), and the batch read of each depth checked against them.
    function _past(IReputation.Dimension dimension) internal returns (Read[] memory reads) {
        uint256[] memory ids = agentIds();
        reads = new Read[](AGENTS * DEPTHS.length);
        for (uint256 j; j < DEPTHS.length; ++j) {
            uint256 t = block.timestamp - DEPTHS[j] * 1 days;
            uint256 firstPruned = type(uint256).max;
            for (uint256 i; i < AGENTS; ++i) {
                Read memory read = _read(ids[i], dimension, t);
                reads[i * DEPTHS.length + j] = read;
                if (!read.answered && firstPruned == type(uint256).max) firstPruned = i;
            }
            try rep.reputationsAt(ids, dimension, t) returns (uint256[] memory values) {
                if (firstPruned != type(uint256).max) ++batchMismatches;
                for (uint256 i; i < AGENTS; ++i) {
                    if (values[i] != reads[i * DEPTHS.length + j].value) ++batchMismatches;
                }
            } catch (bytes memory reason) {
                if (firstPruned == type(uint256).max || keccak256(reason) != keccak256(_pruned(ids[firstPruned], t))) {
                    ++batchMismatches;
                }
            }
        }
    }

    /// @dev One read: answered, or reverted with exactly `ReputationHistoryPruned` (anything else is counted).
    function _read(uint256 agentId, IReputation.Dimension dimension, uint256 t) internal returns (Read memory read) {
        try rep.reputationAt(agentId, dimension, t) returns (uint256 value) {
            (read.answered, read.value) = (true, value);
        } catch (bytes memory reason) {
            if (keccak256(reason) != keccak256(_pruned(agentId, t))) ++wrongErrors;
            ++prunedReads;
        }
    }

    function _pruned(uint256 agentId, uint256 t) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IReputation.ReputationHistoryPruned.selector, agentId, t - t % 1 days);
    }

    /// @dev After a write: a read at most HISTORY_DAYS - 1 days back is answered, before and after, with the same
    ///      value; an older one may have left the ring (before or because of the write), but if it is answered after
    ///      the write it was answered before with the same value.
    function _checkPast(IReputation.Dimension dimension, Read[] memory before) internal {
        Read[] memory afterWrite = _past(dimension);
        for (uint256 i; i < afterWrite.length; ++i) {
            if (DEPTHS[i % DEPTHS.length] < HISTORY_DAYS && !(before[i].answered && afterWrite[i].answered)) {
                ++guaranteedReverts;
            }
            if (afterWrite[i].answered && !(before[i].answered && before[i].value == afterWrite[i].value)) {
                ++pastRewrites;
            }
        }
    }
}

contract ReputationInvariantsTest is Test {
    uint64 internal constant GENESIS = 1_750_000_000;

    Reputation internal rep;
    ReputationHandler internal handler;

    function setUp() public {
        vm.warp(GENESIS);
        rep = new Reputation(
            IAgentRegistry(makeAddr("registry")),
            IStaking(makeAddr("staking")),
            address(this),
            GENESIS,
            new IReputation.WriterGrant[](0)
        );
        handler = new ReputationHandler(rep);
        rep.setWriter(address(handler), IReputation.Dimension.Task, true);
        rep.setWriter(address(handler), IReputation.Dimension.Validator, true);
        rep.setWriter(address(handler), IReputation.Dimension.Compute, true);
        targetContract(address(handler));
    }

    /// @dev The documented bounds: Σ n <= total < Σ n + N in normalised units; Σ v <= total < Σ v + 2N in value.
    function invariant_TotalsAreTheSumOfTheAgentsWithinTheDocumentedBounds() public view {
        uint256[] memory ids = handler.agentIds();
        for (uint256 d; d < 4; ++d) {
            IReputation.Dimension dimension = IReputation.Dimension(d);
            uint256 sumValues;
            uint256 sumNormalised;
            for (uint256 i; i < ids.length; ++i) {
                sumValues += rep.reputationOf(ids[i], dimension);
                sumNormalised += rep.normalisedOf(ids[i], dimension);
            }
            uint256 normalisedTotal = rep.normalisedTotal(dimension);
            uint256 total = rep.totalReputation(dimension);
            assertGe(normalisedTotal, sumNormalised, "normalised total under-counts");
            assertLt(normalisedTotal, sumNormalised + ids.length, "normalised total drifts");
            assertGe(total, sumValues, "total under-counts");
            assertLt(total, sumValues + 2 * ids.length, "total drifts");
        }
    }

    function invariant_NoValueExceedsWhatWasAddedOrSet() public view {
        uint256[] memory ids = handler.agentIds();
        for (uint256 i; i < ids.length; ++i) {
            for (uint256 d; d < 3; ++d) {
                assertLe(rep.reputationOf(ids[i], IReputation.Dimension(d)), handler.ceiling(ids[i], d));
            }
            assertEq(rep.reputationOf(ids[i], IReputation.Dimension.Social), 0, "social only from endorsements");
        }
    }

    function invariant_EveryChangeAppliesExactlyToTheValueReadNow() public view {
        assertEq(handler.inexactChanges(), 0);
    }

    function invariant_WritesNeverChangeThePast() public view {
        assertEq(handler.pastRewrites(), 0);
    }

    function invariant_ReadsOfTheLastHistoryDaysNeverRevert() public view {
        assertEq(handler.guaranteedReverts(), 0);
    }

    function invariant_OldReadsRevertOnlyWithReputationHistoryPruned() public view {
        assertEq(handler.wrongErrors(), 0);
    }

    function invariant_BatchReadsMatchTheSingleReads() public view {
        assertEq(handler.batchMismatches(), 0);
    }

    function invariant_SummaryIsTheSumOfTheDimensions() public view {
        uint256[] memory ids = handler.agentIds();
        for (uint256 i; i < ids.length; ++i) {
            (uint256 task, uint256 validator, uint256 compute, uint256 social, uint256 total) = rep.getSummary(ids[i]);
            assertEq(task, rep.reputationOf(ids[i], IReputation.Dimension.Task));
            assertEq(validator, rep.reputationOf(ids[i], IReputation.Dimension.Validator));
            assertEq(compute, rep.reputationOf(ids[i], IReputation.Dimension.Compute));
            assertEq(total, task + validator + compute + social);
        }
    }

    function afterInvariant() external view {
        assertGt(handler.calls(), 0);
    }
}
