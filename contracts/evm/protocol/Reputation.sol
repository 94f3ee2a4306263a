// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NonRenounceableOwnable2Step} from "../access/NonRenounceableOwnable2Step.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {IAgentRegistry} from "../interfaces/IAgentRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {AccGenesis} from "../libraries/AccGenesis.sol";
import {ReputationMath} from "../libraries/ReputationMath.sol";

/// @title Four-dimensional agent reputation, decaying with a 90-day half-life, with O(1) network totals
/// @notice Task and Validator reputation are written by the task market, Compute by the registry; Social comes
///         only from endorsements by Active, staked agents and is bounded by the endorser's Task reputation.
/// @dev Storage is normalised per era (see `ReputationMath`): each agent and dimension keeps `n` with the era it
///      belongs to; an older era's `n` is shifted right by 32 bits per era when read or written.
///
///      What "exact" means here, per dimension, with N the number of agents that ever held a nonzero value in it:
///      - Within an era the stored total is the integer sum of the agents' normalised values: each write adds
///        `n_new - n_old` to it, with no rounding. With no era crossed yet, `normalisedTotal == Σ normalisedOf`.
///      - Crossing an era shifts the total and every agent's `n` right by 32 bits, each rounded down, so the
///        total may exceed the sum by the dropped fractions: `Σ n <= total < Σ n + N` in normalised units,
///        i.e. less than 1 wei of value per agent at the start of the era, decaying with everything else.
///      - Reading rounds each value down, so `Σ reputationOf <= totalReputation < Σ reputationOf + 2N`
///        (`< N` before the first era crossing): the total never under-counts and is at most 2 wei per agent
///        above the sum of what the agents read.
///      - A value written at `t` reads back exactly at `t` (normalising rounds up, reading rounds down) and never
///        reads above it later; it equals the value decayed by `Decay.factor(elapsed)` to well within 1e-9.
///
///      Past values are kept per day (`CHECKPOINT_PERIOD`): the first write of a day to an (agent, dimension) moves
///      the record it replaces into that agent's history; later writes the same day push nothing. The history is
///      the last record of each earlier day with writes, ascending in write time, kept in a ring of the latest
///      `HISTORY_DAYS` such days, and `reputationAt(t)` is the last value written before the start of `t`'s day,
///      decayed to that day start. A checkpoint per write would cost a fresh slot per write (a committee's settlement
///      could not afford it); one per day in a ring costs a slot rewrite on an agent's first write of a day. A read
///      whose day starts at most `HISTORY_DAYS - 1` days before today's (any read less than 7 days old) never
///      reverts, however many writes followed: at most one checkpoint per later day can have been pushed since, so
///      the one it needs is still in the ring. Once an agent has written on more than `HISTORY_DAYS` days, even a read
///      from before its first write may revert (the checkpoint that showed nothing came earlier is gone).
contract Reputation is IReputation, NonRenounceableOwnable2Step {
    using SafeCast for uint256;

    uint16 public constant MAX_BPS = 10_000;
    uint256 public constant MAX_ENDORSEMENTS_LIMIT = 1_000;
    uint256 public constant MAX_ENDORSEMENT_CAP = 1_000e18;
    /// @notice Past reputation is answered per period: `reputationAt(t)` is the value at the start of `t`'s period.
    uint256 public constant CHECKPOINT_PERIOD = 1 days;
    /// @notice Checkpoints kept per agent and dimension: the last records of the latest 8 earlier days with writes, in
    ///         a ring. A read less than 7 days old is always answered; the committee draw reads at most 3 days back.
    uint256 public constant HISTORY_DAYS = 8;

    /// @dev One value: normalised amount, its era, when it was written, and how many checkpoints the agent's history
    ///      in this dimension holds (kept here, in the slot every write rewrites anyway, so pushing a checkpoint
    ///      writes no separate length slot). `endorsementsGiven` is used in the Task record only: `endorse` reads that
    ///      slot anyway for the endorser's power, so the counter costs no slot. 240 of 256 bits.
    struct Record {
        uint128 normalised;
        uint16 era;
        uint40 updatedAt;
        uint40 checkpoints;
        uint16 endorsementsGiven;
    }

    /// @dev A past value: the last record of a day with writes (184 bits, one slot).
    struct Checkpoint {
        uint128 normalised;
        uint16 era;
        uint40 updatedAt;
    }

    struct Total {
        uint240 normalised;
        uint16 era;
    }

    struct EndorsementParameters {
        uint16 maxEndorsements;
        uint16 bps;
        uint112 cap;
        uint112 minStake;
    }

    enum Change {
        Increase,
        Decrease,
        Set
    }

    IAgentRegistry public immutable registry;
    IStaking public immutable staking;
    /// @notice Origin of the era grid; nothing decays before it.
    uint64 public immutable genesisTime;

    mapping(uint256 agentId => Record[4]) private _current;
    /// @dev Per agent and dimension, checkpoint `i` (for `Record.checkpoints - HISTORY_DAYS <= i < Record.checkpoints`)
    ///      at `i % HISTORY_DAYS`: ascending in `updatedAt`, each from a different day, all from days before the current
    ///      record's day. Once the ring has gone round, a day's first write rewrites a slot (about 5,000 gas) instead
    ///      of claiming a fresh one (22,100), and an agent's storage stops growing.
    mapping(uint256 agentId => Checkpoint[HISTORY_DAYS][4]) private _history;
    Total[4] private _totals;
    EndorsementParameters private _endorsement;

    /// @notice Whether `writer` may increase, decrease and set `dimension`.
    mapping(address writer => mapping(Dimension => bool)) public isWriter;
    /// @notice Whether `endorser` has endorsed `endorsee` (each pair once, ever).
    mapping(uint256 endorser => mapping(uint256 endorsee => bool)) public hasEndorsed;

    modifier onlyWriter(Dimension dimension) {
        if (!isWriter[msg.sender][dimension]) revert NotWriter(msg.sender, dimension);
        _;
    }

    /// @param initialWriters granted at deployment (the task market for Task and Validator, the registry for
    ///        Compute); later changes go through governance
    constructor(
        IAgentRegistry registry_,
        IStaking staking_,
        address governance,
        uint64 genesisTime_,
        WriterGrant[] memory initialWriters
    ) Ownable(governance) {
        if (address(registry_) == address(0)) revert ParameterOutOfRange("registry", 0);
        if (address(staking_) == address(0)) revert ParameterOutOfRange("staking", 0);
        registry = registry_;
        staking = staking_;
        genesisTime = genesisTime_;
        _setEndorsementParameters(16, 10e18, 1_000, 1_000e18);
        for (uint256 i; i < initialWriters.length; ++i) {
            _setWriter(initialWriters[i].writer, initialWriters[i].dimension, true);
        }
    }

    // ------------------------------------------------------------------ writers

    /// @inheritdoc IReputation
    /// @dev Adds `amount` to the value decayed to now.
    function increase(uint256 agentId, Dimension dimension, uint256 amount) external onlyWriter(dimension) {
        (uint256 era, uint256 factor) = _positionAt(block.timestamp);
        _change(agentId, dimension, Change.Increase, amount, era, factor);
    }

    /// @inheritdoc IReputation
    function decrease(uint256 agentId, Dimension dimension, uint256 amount) external onlyWriter(dimension) {
        (uint256 era, uint256 factor) = _positionAt(block.timestamp);
        _change(agentId, dimension, Change.Decrease, amount, era, factor);
    }

    /// @inheritdoc IReputation
    function increaseMany(uint256[] calldata agentIds, Dimension dimension, uint256 amount)
        external
        onlyWriter(dimension)
    {
        _changeMany(agentIds, dimension, Change.Increase, amount);
    }

    /// @inheritdoc IReputation
    function decreaseMany(uint256[] calldata agentIds, Dimension dimension, uint256 amount)
        external
        onlyWriter(dimension)
    {
        _changeMany(agentIds, dimension, Change.Decrease, amount);
    }

    /// @inheritdoc IReputation
    function set(uint256 agentId, Dimension dimension, uint256 value) external onlyWriter(dimension) {
        (uint256 era, uint256 factor) = _positionAt(block.timestamp);
        _change(agentId, dimension, Change.Set, value, era, factor);
    }

    // ------------------------------------------------------------------ endorsements

    /// @inheritdoc IReputation
    /// @dev The amount is `min(endorsementCap, Task reputation of the endorser x endorsementBps)`; it may be zero,
    ///      in which case the pair and the endorser's slot are still used. Social reputation never feeds endorsement
    ///      power, so a ring of agents endorsing each other cannot grow its own power.
    function endorse(uint256 endorser, uint256 endorsee) external {
        if (endorser == endorsee) revert SelfEndorsement(endorser);
        if (registry.ownerOf(endorser) != msg.sender) revert NotAgentOwner(endorser, msg.sender);
        EndorsementParameters memory p = _endorsement;
        bool active = registry.statusOf(endorser) == IAgentRegistry.AgentStatus.Active;
        if (!active || staking.stakeOf(endorser) < p.minStake) revert EndorserNotEligible(endorser);
        if (registry.statusOf(endorsee) == IAgentRegistry.AgentStatus.None) revert EndorseeNotRegistered(endorsee);
        if (hasEndorsed[endorser][endorsee]) revert AlreadyEndorsed(endorser, endorsee);
        Record storage endorserTask = _current[endorser][uint8(Dimension.Task)];
        Record memory task = endorserTask;
        if (task.endorsementsGiven >= p.maxEndorsements) {
            revert EndorsementLimitReached(endorser, p.maxEndorsements);
        }

        hasEndorsed[endorser][endorsee] = true;
        endorserTask.endorsementsGiven = task.endorsementsGiven + 1;
        (uint256 era, uint256 factor) = _positionAt(block.timestamp);
        uint256 power = _valueOf(task, era, factor) * p.bps / MAX_BPS;
        uint256 amount = power < p.cap ? power : p.cap;
        emit Endorsed(endorser, endorsee, amount);
        if (amount != 0) _change(endorsee, Dimension.Social, Change.Increase, amount, era, factor);
    }

    // ------------------------------------------------------------------ governance (the timelock)

    /// @inheritdoc IReputation
    /// @dev Social reputation comes only from `endorse`, so no writer may be allowed on it.
    function setWriter(address writer, Dimension dimension, bool allowed) external onlyOwner {
        _setWriter(writer, dimension, allowed);
    }

    function _setWriter(address writer, Dimension dimension, bool allowed) private {
        if (allowed && dimension == Dimension.Social) revert ParameterOutOfRange("dimension", uint256(dimension));
        isWriter[writer][dimension] = allowed;
        emit WriterSet(writer, dimension, allowed);
    }

    /// @notice Set the endorsement rules.
    /// @dev Bounds: 1 <= maxEndorsements <= 1,000; cap <= 1,000e18; bps <= 10,000; 1 <= minStake <= ACC supply.
    ///      A zero cap or zero bps switches endorsement gains off. Applies to endorsements made afterwards.
    function setEndorsementParameters(uint256 maxEndorsements_, uint256 cap, uint16 bps, uint256 minStake)
        external
        onlyOwner
    {
        _setEndorsementParameters(maxEndorsements_, cap, bps, minStake);
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IReputation
    function reputationOf(uint256 agentId, Dimension dimension) external view returns (uint256) {
        (uint256 era, uint256 factor) = _positionAt(block.timestamp);
        return _valueOf(_current[agentId][uint8(dimension)], era, factor);
    }

    /// @inheritdoc IReputation
    /// @dev The value in force at the start of `timepoint`'s day (`CHECKPOINT_PERIOD`), decayed to that day start:
    ///      changes made during a day count from the next day on. Exact, and never reverting for a `timepoint` less
    ///      than `HISTORY_DAYS - 1` (7) days before the current block, however many writes followed; 0 before the agent's
    ///      first write in `dimension` (before genesis too). Older reads whose checkpoint left the ring revert with
    ///      `ReputationHistoryPruned`; times after the current block with `ReputationFutureLookup`.
    function reputationAt(uint256 agentId, Dimension dimension, uint256 timepoint) external view returns (uint256) {
        if (timepoint > block.timestamp) revert ReputationFutureLookup(timepoint, block.timestamp);
        uint256 dayStart = timepoint - timepoint % CHECKPOINT_PERIOD;
        (uint256 era, uint256 factor) = _positionAt(dayStart);
        return _reputationAt(agentId, dimension, dayStart, era, factor);
    }

    /// @inheritdoc IReputation
    /// @dev `reputationAt` for each agent, with the day start's era and decay factor computed once.
    function reputationsAt(uint256[] calldata agentIds, Dimension dimension, uint256 timepoint)
        external
        view
        returns (uint256[] memory values)
    {
        if (timepoint > block.timestamp) revert ReputationFutureLookup(timepoint, block.timestamp);
        uint256 dayStart = timepoint - timepoint % CHECKPOINT_PERIOD;
        (uint256 era, uint256 factor) = _positionAt(dayStart);
        values = new uint256[](agentIds.length);
        for (uint256 i; i < agentIds.length; ++i) {
            values[i] = _reputationAt(agentIds[i], dimension, dayStart, era, factor);
        }
    }

    /// @notice How many earlier days with writes the agent's history in `dimension` has seen (the current record's
    ///         day excepted); the latest `HISTORY_DAYS` of them are kept.
    function checkpointCount(uint256 agentId, Dimension dimension) external view returns (uint256) {
        return _current[agentId][uint8(dimension)].checkpoints;
    }

    /// @dev The last value written before `dayStart` (a period boundary), decayed with `era` and `factor` (those of
    ///      `dayStart`): the current record if it was written before `dayStart`, else the last checkpoint written
    ///      before it (checkpoints ascend in `updatedAt`: binary search), else nothing yet (0).
    function _reputationAt(uint256 agentId, Dimension dimension, uint256 dayStart, uint256 era, uint256 factor)
        private
        view
        returns (uint256)
    {
        Record memory current = _current[agentId][uint8(dimension)];
        // A never-written record has updatedAt 0 and value 0, which is right for any day.
        if (current.updatedAt < dayStart) return _valueOf(current.normalised, current.era, era, factor);
        uint256 count = current.checkpoints;
        if (count == 0) return 0; // first written on dayStart's day or later
        Checkpoint[HISTORY_DAYS] storage history = _history[agentId][uint8(dimension)];
        // A committee snapshot is hours old, so the answer is almost always the newest checkpoint: one read.
        Checkpoint memory found = history[(count - 1) % HISTORY_DAYS];
        if (found.updatedAt >= dayStart) {
            // Over the checkpoints still kept, [first, count): those below `low` were written before dayStart; those
            // at `high` and above were not.
            uint256 first = count > HISTORY_DAYS ? count - HISTORY_DAYS : 0;
            uint256 low = first;
            uint256 high = count - 1;
            while (low < high) {
                uint256 mid = (low + high) / 2;
                if (history[mid % HISTORY_DAYS].updatedAt < dayStart) low = mid + 1;
                else high = mid;
            }
            if (low == 0) return 0; // every checkpoint is from dayStart's day or later: before the first write
            if (low == first) revert ReputationHistoryPruned(agentId, dayStart);
            found = history[(low - 1) % HISTORY_DAYS];
        }
        return _valueOf(found.normalised, found.era, era, factor);
    }

    /// @inheritdoc IReputation
    /// @dev At least the sum of the agents' values and less than 2 wei per agent above it (see the contract NatSpec).
    function totalReputation(Dimension dimension) external view returns (uint256) {
        (uint256 era, uint256 factor) = _positionAt(block.timestamp);
        Total memory total = _totals[uint8(dimension)];
        return ReputationMath.denormalise(ReputationMath.rebase(total.normalised, total.era, era), factor);
    }

    /// @inheritdoc IReputation
    function getSummary(uint256 agentId)
        external
        view
        returns (uint256 task, uint256 validator, uint256 compute, uint256 social, uint256 total)
    {
        (uint256 era, uint256 factor) = _positionAt(block.timestamp);
        Record[4] storage records = _current[agentId];
        task = _valueOf(records[uint8(Dimension.Task)], era, factor);
        validator = _valueOf(records[uint8(Dimension.Validator)], era, factor);
        compute = _valueOf(records[uint8(Dimension.Compute)], era, factor);
        social = _valueOf(records[uint8(Dimension.Social)], era, factor);
        total = task + validator + compute + social;
    }

    /// @notice The agent's normalised value in the current era (the unit in which totals are exact).
    function normalisedOf(uint256 agentId, Dimension dimension) external view returns (uint256) {
        Record memory record = _current[agentId][uint8(dimension)];
        return ReputationMath.rebase(record.normalised, record.era, currentEra());
    }

    /// @notice The network total of a dimension in normalised units of the current era.
    function normalisedTotal(Dimension dimension) external view returns (uint256) {
        Total memory total = _totals[uint8(dimension)];
        return ReputationMath.rebase(total.normalised, total.era, currentEra());
    }

    /// @notice The era (32 half-lives since genesis) the current block falls in.
    function currentEra() public view returns (uint256 era) {
        (era,) = _positionAt(block.timestamp);
    }

    /// @notice How many endorsements `endorser` has given (at most `maxEndorsements`).
    function endorsementCount(uint256 endorser) external view returns (uint256) {
        return _current[endorser][uint8(Dimension.Task)].endorsementsGiven;
    }

    /// @notice The most endorsements one agent may give.
    function maxEndorsements() external view returns (uint256) {
        return _endorsement.maxEndorsements;
    }

    /// @notice The most Social reputation one endorsement adds.
    function endorsementCap() external view returns (uint256) {
        return _endorsement.cap;
    }

    /// @notice The share of the endorser's Task reputation an endorsement adds, in basis points.
    function endorsementBps() external view returns (uint16) {
        return _endorsement.bps;
    }

    /// @notice The active stake an endorser needs.
    function minEndorserStake() external view returns (uint256) {
        return _endorsement.minStake;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Applies a change at the current block, whose era and era factor the caller computed once.
    function _change(uint256 agentId, Dimension dimension, Change kind, uint256 amount, uint256 era, uint256 factor)
        private
    {
        Record memory old = _current[agentId][uint8(dimension)];
        uint256 oldNormalised = ReputationMath.rebase(old.normalised, old.era, era);
        uint256 oldValue = ReputationMath.denormalise(oldNormalised, factor);
        uint256 newValue;
        if (kind == Change.Increase) newValue = oldValue + amount;
        else if (kind == Change.Decrease) newValue = amount < oldValue ? oldValue - amount : 0;
        else newValue = amount;
        uint256 newNormalised = ReputationMath.normalise(newValue, factor);

        _record(agentId, dimension, old, newNormalised, era);
        Total memory total = _totals[uint8(dimension)];
        // total >= Σ n over agents (floors of shifted sums dominate sums of floors), so this cannot underflow.
        uint256 newTotal = ReputationMath.rebase(total.normalised, total.era, era) + newNormalised - oldNormalised;
        _totals[uint8(dimension)] = Total({normalised: newTotal.toUint240(), era: uint16(era)});

        emit ReputationChanged(agentId, dimension, newValue.toInt256() - oldValue.toInt256(), newValue);
    }

    /// @dev The same change for several agents: each agent's record is written as by `_change`, the dimension total
    ///      once, by the exact sum of the agents' normalised differences (a repeated id is applied twice, in order).
    function _changeMany(uint256[] calldata agentIds, Dimension dimension, Change kind, uint256 amount) private {
        (uint256 era, uint256 factor) = _positionAt(block.timestamp);
        uint256 added;
        uint256 removed;
        for (uint256 i; i < agentIds.length; ++i) {
            uint256 agentId = agentIds[i];
            Record memory old = _current[agentId][uint8(dimension)];
            uint256 oldNormalised = ReputationMath.rebase(old.normalised, old.era, era);
            uint256 oldValue = ReputationMath.denormalise(oldNormalised, factor);
            uint256 newValue;
            if (kind == Change.Increase) newValue = oldValue + amount;
            else newValue = amount < oldValue ? oldValue - amount : 0;
            uint256 newNormalised = ReputationMath.normalise(newValue, factor);
            _record(agentId, dimension, old, newNormalised, era);
            added += newNormalised;
            removed += oldNormalised;
            emit ReputationChanged(agentId, dimension, newValue.toInt256() - oldValue.toInt256(), newValue);
        }
        Total memory total = _totals[uint8(dimension)];
        // As in `_change`: the rebased total is at least the sum of the old values, so this cannot underflow.
        uint256 newTotal = ReputationMath.rebase(total.normalised, total.era, era) + added - removed;
        _totals[uint8(dimension)] = Total({normalised: newTotal.toUint240(), era: uint16(era)});
    }

    /// @dev Stores the new current value. The first write of a day first moves the old record (the last of an
    ///      earlier day, the value in force at this day's start) into the history; later writes the same day push
    ///      nothing, so many writes in a day cost no more than one. The first write ever has nothing to keep: the
    ///      value before it is 0.
    function _record(uint256 agentId, Dimension dimension, Record memory old, uint256 newNormalised, uint256 era)
        private
    {
        uint256 checkpoints = old.checkpoints;
        if (old.updatedAt != 0 && old.updatedAt / CHECKPOINT_PERIOD != block.timestamp / CHECKPOINT_PERIOD) {
            _history[agentId][uint8(dimension)][checkpoints % HISTORY_DAYS] =
                Checkpoint({normalised: old.normalised, era: old.era, updatedAt: old.updatedAt});
            ++checkpoints; // at most one per day: 40 bits never overflow
        }
        _current[agentId][uint8(dimension)] = Record({
            normalised: newNormalised.toUint128(),
            era: era.toUint16(),
            updatedAt: block.timestamp.toUint40(),
            checkpoints: uint40(checkpoints),
            endorsementsGiven: old.endorsementsGiven
        });
    }

    function _setEndorsementParameters(uint256 maxEndorsements_, uint256 cap, uint16 bps, uint256 minStake) private {
        if (maxEndorsements_ == 0 || maxEndorsements_ > MAX_ENDORSEMENTS_LIMIT) {
            revert ParameterOutOfRange("maxEndorsements", maxEndorsements_);
        }
        if (cap > MAX_ENDORSEMENT_CAP) revert ParameterOutOfRange("endorsementCap", cap);
        if (bps > MAX_BPS) revert ParameterOutOfRange("endorsementBps", bps);
        if (minStake == 0 || minStake > AccGenesis.TOTAL_SUPPLY) revert ParameterOutOfRange("minStake", minStake);
        _endorsement = EndorsementParameters({
            maxEndorsements: uint16(maxEndorsements_), bps: bps, cap: uint112(cap), minStake: uint112(minStake)
        });
        emit EndorsementParametersSet(maxEndorsements_, cap, bps, minStake);
    }

    function _positionAt(uint256 timepoint) private view returns (uint256 era, uint256 factor) {
        return ReputationMath.position(genesisTime, timepoint);
    }

    function _valueOf(Record memory record, uint256 era, uint256 factor) private pure returns (uint256) {
        return _valueOf(record.normalised, record.era, era, factor);
    }

    /// @dev The value at a point of era `era` and era factor `factor` of `normalised` stored in era `storedEra`.
    function _valueOf(uint256 normalised, uint256 storedEra, uint256 era, uint256 factor)
        private
        pure
        returns (uint256)
    {
        return ReputationMath.denormalise(ReputationMath.rebase(normalised, storedEra, era), factor);
    }
}
