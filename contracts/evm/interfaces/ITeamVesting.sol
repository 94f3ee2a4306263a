// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IScheduledVault} from "./IScheduledVault.sol";

/// @title The team allocation: linear vesting with a cliff to a fixed beneficiary
interface ITeamVesting is IScheduledVault {
    /// @notice Seconds from start before anything vests.
    function cliff() external view returns (uint64);

    /// @notice Seconds from start until everything has vested.
    function duration() external view returns (uint64);

    /// @notice The part of the allocation not yet vested at `timestamp`.
    function unvestedAt(uint64 timestamp) external view returns (uint256);
}
