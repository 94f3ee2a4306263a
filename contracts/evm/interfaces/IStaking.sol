// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Stakes per agent, with unbonding, checkpoints and appealable slashing
interface IStaking {
    /// @notice Life of a slash: `None` (unknown id) -> `Pending` -> (`Appealed` ->) `Reversed` or `Finalized`.
    enum SlashStatus {
        None,
        Pending,
        Appealed,
        Reversed,
        Finalized
    }

    struct PendingSlash {
        uint256 agentId;
        uint128 amount;
        uint40 appealDeadline;
        bool resolved;
        address harmedParty;
        SlashStatus status;
        /// @dev Zero unless an appeal was filed; governance decides until then, finalization waits for it.
        uint40 appealDecisionDeadline;
    }

    event Staked(uint256 indexed agentId, address indexed from, uint256 amount, uint256 newStake);
    event UnstakeRequested(uint256 indexed agentId, uint256 amount, uint256 totalUnbonding, uint256 unlocksAt);
    event Withdrawn(uint256 indexed agentId, address indexed to, uint256 amount);
    event Slashed(
        uint256 indexed slashId,
        uint256 indexed agentId,
        address indexed slasher,
        uint16 severityBps,
        uint256 amount,
        address harmedParty,
        bytes32 reason,
        uint256 appealDeadline
    );
    event SlashReversed(uint256 indexed slashId, uint256 indexed agentId, uint256 amount);
    event SlashAppealed(
        uint256 indexed slashId, uint256 indexed agentId, address indexed agentOwner, uint256 decisionDeadline
    );
    event AppealDismissed(uint256 indexed slashId, uint256 indexed agentId);
    event SlashFinalized(uint256 indexed slashId, uint256 indexed agentId, uint256 burned, uint256 paidToHarmed);
    event SlasherSet(address indexed slasher, bool allowed);
    event UnbondingPeriodSet(uint256 previousPeriod, uint256 newPeriod);
    event AppealWindowSet(uint256 previousWindow, uint256 newWindow);
    event HarmedShareSet(uint16 previousBps, uint16 newBps);
    event AppealDecisionPeriodSet(uint256 previousPeriod, uint256 newPeriod);
    /// @param registeredDelay what counts for this slasher now (>= `delay` while a longer earlier delay is owed)
    event SlashDelayDeclared(address indexed slasher, uint256 delay, uint256 registeredDelay, uint256 maxSlashDelay);

    error NotAgentOwner(uint256 agentId, address caller);
    error ZeroAmount();
    error InsufficientStake(uint256 agentId, uint256 available, uint256 requested);
    error StillUnbonding(uint256 agentId, uint256 unlocksAt);
    error NothingToWithdraw(uint256 agentId);
    error NotSlasher(address caller);
    error InvalidSeverity(uint16 severityBps);
    error UnknownSlash(uint256 slashId);
    error SlashAlreadyResolved(uint256 slashId);
    error AppealWindowOpen(uint256 slashId, uint256 appealDeadline);
    error AppealWindowClosed(uint256 slashId, uint256 appealDeadline);
    error AlreadyAppealed(uint256 slashId);
    error NotAppealed(uint256 slashId);
    error AppealPending(uint256 slashId, uint256 decisionDeadline);
    error AppealDecisionPeriodOver(uint256 slashId, uint256 decisionDeadline);
    /// @notice No slash-then-exit: the unbonding period must exceed the longest slash delay plus the appeal window.
    error UnbondingTooShort(uint256 unbondingPeriod, uint256 maxSlashDelay, uint256 appealWindow);
    error ParameterOutOfRange(string parameter, uint256 value);
    /// @notice `stakeAt` reads only the past: stake at `timepoint >= now` may still change.
    error FutureLookup(uint256 timepoint, uint256 nowTimestamp);

    /// @notice Add `amount` ACC (approve first) to the stake of an agent the caller owns.
    function stake(uint256 agentId, uint256 amount) external;
    /// @notice Move `amount` from active stake to unbonding; unlocks after the unbonding period (restarted).
    function requestUnstake(uint256 agentId, uint256 amount) external;
    /// @notice Pay out unlocked unbonding stake to the agent's owner.
    function withdraw(uint256 agentId) external returns (uint256 amount);

    /// @notice Slash `severityBps` (100-10,000) of the agent's active and unbonding stake; held for appeal.
    function slash(uint256 agentId, uint16 severityBps, address harmedParty, bytes32 reason)
        external
        returns (uint256 slashId, uint256 amount);
    /// @notice The slashed agent's owner appeals within the appeal window; finalization then waits for governance
    ///         (`reverseSlash` or `dismissAppeal`) or for `appealDecisionPeriod` after filing, whichever comes first.
    function appealSlash(uint256 slashId) external;
    /// @notice Governance reverses a slash within its appeal window or, once appealed, until the appeal's decision
    ///         deadline; the amount returns to active stake.
    function reverseSlash(uint256 slashId) external;
    /// @notice Governance rejects a pending appeal (before its decision deadline); the slash is finalized at once.
    function dismissAppeal(uint256 slashId) external;
    /// @notice Anyone finalizes after the appeal window, or after the decision deadline of an appeal: the harmed
    ///         share is paid, the rest burned.
    function finalizeSlash(uint256 slashId) external;
    /// @notice Called by a slasher: the longest time between an agent's action and the slash this slasher may make
    ///         for it. Reverts with `UnbondingTooShort` unless `unbondingPeriod > maxSlashDelay + appealWindow`.
    function declareSlashDelay(uint256 delay) external;

    function stakeOf(uint256 agentId) external view returns (uint256);
    /// @notice Active stake at a past timestamp (checkpointed).
    function stakeAt(uint256 agentId, uint256 timepoint) external view returns (uint256);
    function unbondingOf(uint256 agentId) external view returns (uint256 amount, uint256 unlocksAt);
    function pendingSlash(uint256 slashId) external view returns (PendingSlash memory);
    function totalStaked() external view returns (uint256);
    function totalUnbonding() external view returns (uint256);
    function totalPendingSlashes() external view returns (uint256);
    function unbondingPeriod() external view returns (uint256);
    function appealWindow() external view returns (uint256);
    /// @notice How long governance has to decide an appeal after it is filed.
    function appealDecisionPeriod() external view returns (uint256);
    /// @notice The longest slash delay any current slasher has declared (still owes), rounded up to whole hours.
    function maxSlashDelay() external view returns (uint256);

    function setSlasher(address slasher, bool allowed) external;
    function setUnbondingPeriod(uint256 period) external;
    function setAppealWindow(uint256 window) external;
    function setHarmedShare(uint16 bps) external;
    /// @notice Time governance has to decide an appeal (applies to appeals filed from now on).
    function setAppealDecisionPeriod(uint256 period) external;
}
