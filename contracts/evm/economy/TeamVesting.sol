// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ScheduledVault} from "./ScheduledVault.sol";
import {ITeamVesting} from "../interfaces/ITeamVesting.sol";
import {IScheduledVault} from "../interfaces/IScheduledVault.sol";

/// @title The team allocation: linear over `duration` from `start`, nothing before the cliff
/// @notice No owner and no admin: the beneficiary and the schedule are fixed at deployment.
contract TeamVesting is ScheduledVault, ITeamVesting {
    address private immutable _beneficiary;
    /// @inheritdoc ITeamVesting
    uint64 public immutable cliff;
    /// @inheritdoc ITeamVesting
    uint64 public immutable duration;

    constructor(address token_, uint256 allocation_, uint64 start_, uint64 cliff_, uint64 duration_, address beneficiary_)
        ScheduledVault(token_, allocation_, start_)
    {
        if (beneficiary_ == address(0)) revert InvalidVaultParameter("beneficiary");
        if (duration_ == 0 || cliff_ > duration_) revert InvalidVaultParameter("cliff/duration");
        _beneficiary = beneficiary_;
        cliff = cliff_;
        duration = duration_;
    }

    /// @inheritdoc IScheduledVault
    function beneficiary() public view override(ScheduledVault, IScheduledVault) returns (address) {
        return _beneficiary;
    }

    /// @inheritdoc IScheduledVault
    /// @dev At the cliff the share accrued since `start` vests at once (cliff/duration of the allocation).
    ///      The cliff is compared in 256 bits, so no timestamp or schedule makes this view panic.
    function vestedAt(uint64 timestamp) public view override(ScheduledVault, IScheduledVault) returns (uint256) {
        if (uint256(timestamp) < uint256(start) + cliff) return 0;
        uint256 elapsed = timestamp - start;
        if (elapsed >= duration) return allocation;
        return allocation * elapsed / duration;
    }

    /// @inheritdoc ITeamVesting
    function unvestedAt(uint64 timestamp) external view returns (uint256) {
        return allocation - vestedAt(timestamp);
    }
}
