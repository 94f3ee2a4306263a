// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {NonRenounceableOwnable2Step} from "../access/NonRenounceableOwnable2Step.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAgentRegistry} from "../interfaces/IAgentRegistry.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @title Stakes per agent, with unbonding, checkpoints and appealable slashing
/// @notice Owners stake ACC behind their agents. Unstaking goes through an unbonding period during which the stake
///         stays slashable. Slashes are held for an appeal window in which the agent's owner may appeal; an appeal
///         holds the slash until governance reverses it or dismisses the appeal, or until the decision period ends.
///         Then anyone finalizes it (the harmed party's share is paid, the rest burned).
/// @dev Owned by the timelock. Invariants: `balanceOf(this) == totalStaked + totalUnbonding + totalPendingSlashes`
///      (plus anything sent here directly, which nobody can take out), and
///      `unbondingPeriod > maxSlashDelay + appealWindow` (no slash-then-exit).
contract Staking is IStaking, NonRenounceableOwnable2Step {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Basis-point denominator; also the highest severity (everything).
    uint16 public constant MAX_BPS = 10_000;
    /// @notice Lowest severity a slasher may ask for (1%).
    uint16 public constant MIN_SEVERITY_BPS = 100;
    /// @notice Upper bound on the unbonding period governance may set.
    uint256 public constant MAX_UNBONDING_PERIOD = 365 days;
    /// @notice Lower bound on the appeal window governance may set.
    uint256 public constant MIN_APPEAL_WINDOW = 1 days;
    /// @notice Lower bound on the appeal decision period. Governance's fastest path is 13 days at genesis (1 day
    ///         voting delay + 5 days voting + 7 days timelock); 21 days leaves 8 more to draft the proposal and
    ///         gather the proposal threshold, so an appeal filed at any time can be decided.
    uint256 public constant MIN_APPEAL_DECISION_PERIOD = 21 days;
    /// @notice Upper bound on the appeal decision period: how long an appealed slash may stay escrowed undecided.
    uint256 public constant MAX_APPEAL_DECISION_PERIOD = 90 days;
    /// @notice Slash delays are counted in whole hours (rounded up) to find their maximum in O(1).
    uint256 public constant SLASH_DELAY_UNIT = 1 hours;

    /// @dev One slot per agent.
    struct Unbonding {
        uint208 amount;
        uint48 unlocksAt;
    }

    /// @dev Two slots per slash. Agent ids are keys (addresses) and amounts are below ACC's supply (< 2^90).
    struct SlashRecord {
        // slot 0
        uint160 agentId;
        uint96 amount;
        // slot 1
        address harmedParty;
        uint40 appealDeadline;
        uint16 harmedShareBps; // fixed when the slash is made
        SlashStatus status;
    }

    /// @dev One slot per slasher. `current` applies to actions from its declaration on; `owed` (until `owedUntil`)
    ///      is a longer delay declared before, which actions taken under it may still need. `registeredHours` is
    ///      what counts in the maximum: `max(current, owed)` as of the last declaration, in hours rounded up.
    struct SlashDelay {
        uint48 current;
        uint48 owed;
        uint48 owedUntil;
        uint48 registeredHours;
    }

    /// @notice The ACC token staked.
    IERC20 public immutable token;
    /// @notice Whose `ownerOf` decides who may stake for an agent and receives its withdrawals.
    IAgentRegistry public immutable registry;

    /// @notice Accounts allowed to slash (the task market; governance adds others).
    mapping(address slasher => bool) public isSlasher;
    mapping(uint256 agentId => Checkpoints.Trace208) private _active;
    mapping(uint256 agentId => Unbonding) private _unbonding;
    mapping(uint256 slashId => SlashRecord) private _slashes;

    // slot: the two totals every stake movement touches
    uint128 private _totalStaked;
    uint128 private _totalUnbonding;
    // slot: slash bookkeeping and parameters, read together by `slash`
    uint96 private _totalPendingSlashes;
    uint64 private _slashCount;
    uint32 private _unbondingPeriod = 30 days;
    uint32 private _appealWindow = 7 days;
    /// @notice Share of a finalized slash paid to the harmed party (basis points); the rest is burned.
    uint16 public harmedShareBps;

    uint32 private _appealDecisionPeriod = 30 days;
    mapping(uint256 slashId => uint256) private _appealDecisionDeadline;

    // Slash delays: each slasher's registered delay sits in an hour bucket; a two-level bitmap of non-empty buckets
    // (a word per 256 hours, and one word marking the non-empty words) gives the highest one with two reads.
    mapping(address slasher => SlashDelay) private _slashDelays;
    mapping(uint256 hour => uint256 slashers) private _bucketSize;
    mapping(uint256 word => uint256 bits) private _bucketBits;
    uint256 private _bucketWords;

    /// @param initialSlashers allowed to slash from deployment on (the task market); later changes go through governance
    constructor(IERC20 token_, IAgentRegistry registry_, address governance, address[] memory initialSlashers)
        Ownable(governance)
    {
        if (address(token_) == address(0)) revert ParameterOutOfRange("token", 0);
        if (address(registry_) == address(0)) revert ParameterOutOfRange("registry", 0);
        token = token_;
        registry = registry_;
        emit UnbondingPeriodSet(0, _unbondingPeriod);
        emit AppealWindowSet(0, _appealWindow);
        emit HarmedShareSet(0, 0);
        emit AppealDecisionPeriodSet(0, _appealDecisionPeriod);
        for (uint256 i; i < initialSlashers.length; ++i) {
            _setSlasher(initialSlashers[i], true);
        }
    }

    // ------------------------------------------------------------------ owners

    /// @inheritdoc IStaking
    function stake(uint256 agentId, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _requireAgentOwner(agentId);
        uint256 newStake = _active[agentId].latest() + amount;
        _checkpoint(agentId, newStake);
        _totalStaked += SafeCast.toUint128(amount);
        emit Staked(agentId, msg.sender, amount, newStake);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IStaking
    /// @dev The whole bucket (old and new) unlocks `unbondingPeriod` after the latest request.
    function requestUnstake(uint256 agentId, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _requireAgentOwner(agentId);
        uint256 active = _active[agentId].latest();
        if (amount > active) revert InsufficientStake(agentId, active, amount);
        _checkpoint(agentId, active - amount);

        Unbonding storage unbonding = _unbonding[agentId];
        uint256 newUnbonding = unbonding.amount + amount;
        uint256 unlocksAt = block.timestamp + _unbondingPeriod;
        unbonding.amount = uint208(newUnbonding); // every amount here is below totalUnbonding, a uint128
        unbonding.unlocksAt = uint48(unlocksAt);
        _totalStaked -= uint128(amount);
        _totalUnbonding += uint128(amount);
        emit UnstakeRequested(agentId, amount, newUnbonding, unlocksAt);
    }

    /// @inheritdoc IStaking
    /// @dev Anyone may call; the stake always goes to the agent's owner (`registry.ownerOf`).
    function withdraw(uint256 agentId) external returns (uint256 amount) {
        Unbonding memory unbonding = _unbonding[agentId];
        amount = unbonding.amount;
        if (amount == 0) revert NothingToWithdraw(agentId);
        if (block.timestamp < unbonding.unlocksAt) revert StillUnbonding(agentId, unbonding.unlocksAt);
        address agentOwner = registry.ownerOf(agentId);

        delete _unbonding[agentId];
        _totalUnbonding -= uint128(amount);
        emit Withdrawn(agentId, agentOwner, amount);
        token.safeTransfer(agentOwner, amount);
    }

    // ------------------------------------------------------------------ slashing

    /// @inheritdoc IStaking
    /// @dev Takes `severityBps` of the active stake and of the unbonding bucket (each rounded down). When that is
    ///      nothing (no stake) no slash is recorded and `(0, 0)` is returned, so a slasher's flow never reverts on
    ///      an unstaked agent. The harmed share in force now is recorded with the slash and used when it is finalized.
    function slash(uint256 agentId, uint16 severityBps, address harmedParty, bytes32 reason)
        external
        returns (uint256 slashId, uint256 amount)
    {
        if (!isSlasher[msg.sender]) revert NotSlasher(msg.sender);
        if (severityBps < MIN_SEVERITY_BPS || severityBps > MAX_BPS) revert InvalidSeverity(severityBps);

        uint256 active = _active[agentId].latest();
        Unbonding storage unbonding = _unbonding[agentId];
        uint256 unbondingAmount = unbonding.amount;
        uint256 fromActive = active * severityBps / MAX_BPS;
        uint256 fromUnbonding = unbondingAmount * severityBps / MAX_BPS;
        amount = fromActive + fromUnbonding;
        if (amount == 0) return (0, 0);

        if (fromActive != 0) _checkpoint(agentId, active - fromActive);
        if (fromUnbonding != 0) unbonding.amount = uint208(unbondingAmount - fromUnbonding);
        _totalStaked -= uint128(fromActive);
        _totalUnbonding -= uint128(fromUnbonding);
        _totalPendingSlashes += SafeCast.toUint96(amount);
        slashId = ++_slashCount;
        uint256 appealDeadline = block.timestamp + _appealWindow;
        _slashes[slashId] = SlashRecord({
            agentId: SafeCast.toUint160(agentId),
            amount: uint96(amount),
            harmedParty: harmedParty,
            appealDeadline: uint40(appealDeadline),
            harmedShareBps: harmedShareBps,
            status: SlashStatus.Pending
        });
        emit Slashed(slashId, agentId, msg.sender, severityBps, amount, harmedParty, reason, appealDeadline);
    }

    /// @inheritdoc IStaking
    /// @dev Open while `block.timestamp <= appealDeadline`; the current owner of the agent (`registry.ownerOf`)
    ///      appeals. The decision deadline is fixed now, from the `appealDecisionPeriod` in force.
    function appealSlash(uint256 slashId) external {
        SlashRecord storage record = _openSlash(slashId);
        if (record.status == SlashStatus.Appealed) revert AlreadyAppealed(slashId);
        uint256 deadline = record.appealDeadline;
        if (block.timestamp > deadline) revert AppealWindowClosed(slashId, deadline);
        uint256 agentId = record.agentId;
        _requireAgentOwner(agentId);
        uint256 decisionDeadline = block.timestamp + _appealDecisionPeriod;

        record.status = SlashStatus.Appealed;
        _appealDecisionDeadline[slashId] = decisionDeadline;
        emit SlashAppealed(slashId, agentId, msg.sender, decisionDeadline);
    }

    /// @inheritdoc IStaking
    /// @dev Without an appeal: while `block.timestamp <= appealDeadline`. Appealed: while
    ///      `block.timestamp <= appealDecisionDeadline`. The whole amount returns to active stake, also the part that
    ///      was unbonding (the owner may request unstaking again).
    function reverseSlash(uint256 slashId) external onlyOwner {
        SlashRecord storage record = _openSlash(slashId);
        if (record.status == SlashStatus.Appealed) {
            _requireDecisionOpen(slashId);
        } else {
            uint256 deadline = record.appealDeadline;
            if (block.timestamp > deadline) revert AppealWindowClosed(slashId, deadline);
        }
        uint256 agentId = record.agentId;
        uint256 amount = record.amount;

        record.status = SlashStatus.Reversed;
        _checkpoint(agentId, _active[agentId].latest() + amount);
        _totalPendingSlashes -= uint96(amount);
        _totalStaked += uint128(amount);
        emit SlashReversed(slashId, agentId, amount);
    }

    /// @inheritdoc IStaking
    /// @dev Only while the appeal is pending (`block.timestamp <= appealDecisionDeadline`); finalizes like
    ///      `finalizeSlash`.
    function dismissAppeal(uint256 slashId) external onlyOwner {
        SlashRecord storage record = _openSlash(slashId);
        if (record.status != SlashStatus.Appealed) revert NotAppealed(slashId);
        _requireDecisionOpen(slashId);
        emit AppealDismissed(slashId, record.agentId);
        _finalize(slashId, record);
    }

    /// @inheritdoc IStaking
    /// @dev Without an appeal: once `block.timestamp > appealDeadline`. Appealed: once
    ///      `block.timestamp > appealDecisionDeadline`. Without a harmed party everything is burned.
    function finalizeSlash(uint256 slashId) external {
        SlashRecord storage record = _openSlash(slashId);
        if (record.status == SlashStatus.Appealed) {
            uint256 decisionDeadline = _appealDecisionDeadline[slashId];
            if (block.timestamp <= decisionDeadline) revert AppealPending(slashId, decisionDeadline);
        } else {
            uint256 deadline = record.appealDeadline;
            if (block.timestamp <= deadline) revert AppealWindowOpen(slashId, deadline);
        }
        _finalize(slashId, record);
    }

    /// @inheritdoc IStaking
    /// @dev The slasher's delay is registered as `max(delay, a longer delay declared earlier and still owed)`: actions
    ///      taken under an earlier delay `d` may be slashed up to `d` after the declaration that replaced it, so a
    ///      lower declaration lowers the registered delay only at a later declaration (or removal of the slasher)
    ///      made once that time has passed. One record per slasher: when two earlier delays are owed, the longer is
    ///      kept until the later of their ends (conservative). Counted in whole hours, rounded up. At most
    ///      MAX_UNBONDING_PERIOD. A slasher that never declares counts as 0: governance adds slashers.
    function declareSlashDelay(uint256 delay) external {
        if (!isSlasher[msg.sender]) revert NotSlasher(msg.sender);
        if (delay > MAX_UNBONDING_PERIOD) revert ParameterOutOfRange("slashDelay", delay);
        SlashDelay memory previous = _slashDelays[msg.sender];
        // Actions taken under the delay in force until now may be slashed until now + that delay.
        uint256 owed = previous.current;
        uint256 owedUntil = block.timestamp + owed;
        if (previous.owedUntil >= block.timestamp && previous.owed > owed) {
            owed = previous.owed;
            owedUntil = Math.max(owedUntil, previous.owedUntil);
        }
        uint256 registeredHours = Math.ceilDiv(Math.max(delay, owed), SLASH_DELAY_UNIT);

        _slashDelays[msg.sender] = SlashDelay({
            current: uint48(delay),
            owed: uint48(owed),
            owedUntil: uint48(owedUntil),
            registeredHours: uint48(registeredHours)
        });
        _moveBucket(previous.registeredHours, registeredHours);
        uint256 maxDelay = _maxSlashDelay();
        _requireUnbondingCovers(_unbondingPeriod, maxDelay, _appealWindow);
        emit SlashDelayDeclared(msg.sender, delay, registeredHours * SLASH_DELAY_UNIT, maxDelay);
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IStaking
    function stakeOf(uint256 agentId) external view returns (uint256) {
        return _active[agentId].latest();
    }

    /// @inheritdoc IStaking
    /// @dev Reverts with `FutureLookup` for `timepoint >= now`, like ERC-5805 `getPastVotes`.
    function stakeAt(uint256 agentId, uint256 timepoint) external view returns (uint256) {
        if (timepoint >= block.timestamp) revert FutureLookup(timepoint, block.timestamp);
        return _active[agentId].upperLookupRecent(uint48(timepoint));
    }

    /// @inheritdoc IStaking
    function unbondingOf(uint256 agentId) external view returns (uint256 amount, uint256 unlocksAt) {
        Unbonding memory unbonding = _unbonding[agentId];
        return (unbonding.amount, unbonding.unlocksAt);
    }

    /// @inheritdoc IStaking
    /// @dev All zero for an unknown id.
    function pendingSlash(uint256 slashId) external view returns (PendingSlash memory) {
        SlashRecord memory record = _slashes[slashId];
        return PendingSlash({
            agentId: record.agentId,
            amount: record.amount,
            appealDeadline: record.appealDeadline,
            resolved: record.status >= SlashStatus.Reversed,
            harmedParty: record.harmedParty,
            status: record.status,
            appealDecisionDeadline: uint40(_appealDecisionDeadline[slashId])
        });
    }

    /// @notice The harmed party's share (basis points) fixed when slash `slashId` was made.
    function slashHarmedShareBps(uint256 slashId) external view returns (uint16) {
        return _slashes[slashId].harmedShareBps;
    }

    /// @notice Number of slashes recorded; ids run from 1 to this.
    function slashCount() external view returns (uint256) {
        return _slashCount;
    }

    /// @inheritdoc IStaking
    function totalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @inheritdoc IStaking
    function totalUnbonding() external view returns (uint256) {
        return _totalUnbonding;
    }

    /// @inheritdoc IStaking
    function totalPendingSlashes() external view returns (uint256) {
        return _totalPendingSlashes;
    }

    /// @inheritdoc IStaking
    function unbondingPeriod() external view returns (uint256) {
        return _unbondingPeriod;
    }

    /// @inheritdoc IStaking
    function appealWindow() external view returns (uint256) {
        return _appealWindow;
    }

    /// @inheritdoc IStaking
    function appealDecisionPeriod() external view returns (uint256) {
        return _appealDecisionPeriod;
    }

    /// @inheritdoc IStaking
    /// @dev A slasher's declaration stays counted until it re-declares lower (see `declareSlashDelay`) or is removed.
    function maxSlashDelay() external view returns (uint256) {
        return _maxSlashDelay();
    }

    /// @notice The delay `slasher` declared last and the one counted for it in `maxSlashDelay` (whole hours).
    function slashDelayOf(address slasher) external view returns (uint256 declared, uint256 registered) {
        SlashDelay memory d = _slashDelays[slasher];
        return (d.current, uint256(d.registeredHours) * SLASH_DELAY_UNIT);
    }

    // ------------------------------------------------------------------ governance (the timelock)

    /// @inheritdoc IStaking
    function setSlasher(address slasher, bool allowed) external onlyOwner {
        _setSlasher(slasher, allowed);
    }

    /// @dev Removing a slasher takes its delay out of the maximum (it can no longer slash); adding it back puts its
    ///      last registered delay back in, which must still fit the unbonding period.
    function _setSlasher(address slasher, bool allowed) private {
        if (slasher == address(0)) revert ParameterOutOfRange("slasher", 0);
        if (isSlasher[slasher] != allowed) {
            isSlasher[slasher] = allowed;
            uint256 registeredHours = _slashDelays[slasher].registeredHours;
            if (allowed) {
                _moveBucket(0, registeredHours);
                _requireUnbondingCovers(_unbondingPeriod, _maxSlashDelay(), _appealWindow);
            } else {
                _moveBucket(registeredHours, 0);
            }
        }
        emit SlasherSet(slasher, allowed);
    }

    /// @inheritdoc IStaking
    /// @dev At most MAX_UNBONDING_PERIOD and above `maxSlashDelay + appealWindow`. Applies to unstake requests from
    ///      now on.
    function setUnbondingPeriod(uint256 period) external onlyOwner {
        if (period > MAX_UNBONDING_PERIOD) revert ParameterOutOfRange("unbondingPeriod", period);
        _requireUnbondingCovers(period, _maxSlashDelay(), _appealWindow);
        emit UnbondingPeriodSet(_unbondingPeriod, period);
        _unbondingPeriod = uint32(period);
    }

    /// @inheritdoc IStaking
    /// @dev At least MIN_APPEAL_WINDOW and below `unbondingPeriod - maxSlashDelay` (so below MAX_UNBONDING_PERIOD).
    ///      Applies to slashes made from now on.
    function setAppealWindow(uint256 window) external onlyOwner {
        if (window < MIN_APPEAL_WINDOW) revert ParameterOutOfRange("appealWindow", window);
        _requireUnbondingCovers(_unbondingPeriod, _maxSlashDelay(), window);
        emit AppealWindowSet(_appealWindow, window);
        _appealWindow = uint32(window);
    }

    /// @inheritdoc IStaking
    /// @dev Between MIN_APPEAL_DECISION_PERIOD and MAX_APPEAL_DECISION_PERIOD. Applies to appeals filed from now on.
    ///      Unrelated to the unbonding period: appealed stake stays escrowed in the slash, and a reversal returns it
    ///      to active stake, which unbonds afresh.
    function setAppealDecisionPeriod(uint256 period) external onlyOwner {
        if (period < MIN_APPEAL_DECISION_PERIOD || period > MAX_APPEAL_DECISION_PERIOD) {
            revert ParameterOutOfRange("appealDecisionPeriod", period);
        }
        emit AppealDecisionPeriodSet(_appealDecisionPeriod, period);
        _appealDecisionPeriod = uint32(period);
    }

    /// @inheritdoc IStaking
    /// @dev At most 10,000 bps. Applies to slashes made from now on.
    function setHarmedShare(uint16 bps) external onlyOwner {
        if (bps > MAX_BPS) revert ParameterOutOfRange("harmedShareBps", bps);
        emit HarmedShareSet(harmedShareBps, bps);
        harmedShareBps = bps;
    }

    // ------------------------------------------------------------------ internals

    function _requireAgentOwner(uint256 agentId) private view {
        if (registry.ownerOf(agentId) != msg.sender) revert NotAgentOwner(agentId, msg.sender);
    }

    function _checkpoint(uint256 agentId, uint256 value) private {
        _active[agentId].push(uint48(block.timestamp), SafeCast.toUint208(value));
    }

    function _openSlash(uint256 slashId) private view returns (SlashRecord storage record) {
        record = _slashes[slashId];
        if (record.amount == 0) revert UnknownSlash(slashId);
        if (record.status >= SlashStatus.Reversed) revert SlashAlreadyResolved(slashId);
    }

    function _requireDecisionOpen(uint256 slashId) private view {
        uint256 decisionDeadline = _appealDecisionDeadline[slashId];
        if (block.timestamp > decisionDeadline) revert AppealDecisionPeriodOver(slashId, decisionDeadline);
    }

    /// @dev Pays the harmed share and burns the rest of an open slash.
    function _finalize(uint256 slashId, SlashRecord storage record) private {
        uint256 amount = record.amount;
        address harmedParty = record.harmedParty;
        uint256 paid = harmedParty == address(0) ? 0 : amount * record.harmedShareBps / MAX_BPS;
        uint256 burned = amount - paid;

        record.status = SlashStatus.Finalized;
        _totalPendingSlashes -= uint96(amount);
        emit SlashFinalized(slashId, record.agentId, burned, paid);
        if (paid != 0) token.safeTransfer(harmedParty, paid);
        if (burned != 0) ERC20Burnable(address(token)).burn(burned);
    }

    function _requireUnbondingCovers(uint256 unbonding, uint256 maxDelay, uint256 window) private pure {
        if (unbonding <= maxDelay + window) revert UnbondingTooShort(unbonding, maxDelay, window);
    }

    /// @dev The highest non-empty hour bucket, in seconds; 0 when no slasher has declared a delay.
    function _maxSlashDelay() private view returns (uint256) {
        uint256 words = _bucketWords;
        if (words == 0) return 0;
        uint256 word = Math.log2(words);
        return ((word << 8) | Math.log2(_bucketBits[word])) * SLASH_DELAY_UNIT;
    }

    /// @dev Moves one slasher from bucket `fromHours` to bucket `toHours` (0 = none). Hours are at most
    ///      MAX_UNBONDING_PERIOD / 1 hour = 8,760, so words stay below 35.
    function _moveBucket(uint256 fromHours, uint256 toHours) private {
        if (fromHours == toHours) return;
        if (fromHours != 0 && --_bucketSize[fromHours] == 0) {
            uint256 word = fromHours >> 8;
            uint256 bits = _bucketBits[word] & ~(uint256(1) << (fromHours & 0xff));
            _bucketBits[word] = bits;
            if (bits == 0) _bucketWords &= ~(uint256(1) << word);
        }
        if (toHours != 0 && _bucketSize[toHours]++ == 0) {
            uint256 word = toHours >> 8;
            _bucketBits[word] |= uint256(1) << (toHours & 0xff);
            _bucketWords |= uint256(1) << word;
        }
    }
}
