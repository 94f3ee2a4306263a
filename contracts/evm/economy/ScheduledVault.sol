// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IScheduledVault} from "../interfaces/IScheduledVault.sol";

/// @title Common part of the emission vaults and the team vesting
/// @dev Holds `allocation` of one token and releases `vestedAt(now)` of it, plus anything sent in beyond
///      the allocation (immediately). `released` never exceeds `vestedAt(now) + extras`.
abstract contract ScheduledVault is IScheduledVault {
    using SafeERC20 for IERC20;

    /// @inheritdoc IScheduledVault
    address public immutable token;
    /// @inheritdoc IScheduledVault
    uint256 public immutable allocation;
    /// @inheritdoc IScheduledVault
    uint64 public immutable start;
    /// @inheritdoc IScheduledVault
    uint256 public released;

    constructor(address token_, uint256 allocation_, uint64 start_) {
        if (token_ == address(0)) revert InvalidVaultParameter("token");
        if (allocation_ == 0) revert InvalidVaultParameter("allocation");
        if (start_ == 0) revert InvalidVaultParameter("start");
        token = token_;
        allocation = allocation_;
        start = start_;
    }

    /// @inheritdoc IScheduledVault
    function beneficiary() public view virtual returns (address);

    /// @inheritdoc IScheduledVault
    function vestedAt(uint64 timestamp) public view virtual returns (uint256);

    /// @inheritdoc IScheduledVault
    function releasable() public view returns (uint256) {
        uint256 received = IERC20(token).balanceOf(address(this)) + released;
        uint256 extras = received > allocation ? received - allocation : 0;
        uint256 available = vestedAt(uint64(block.timestamp)) + extras;
        // `released` never exceeds `available` (both only grow, and a release pays exactly the difference);
        // saturating keeps this view from panicking even if that ever failed.
        return available > released ? available - released : 0;
    }

    /// @inheritdoc IScheduledVault
    function release() external returns (uint256 amount) {
        address to = beneficiary();
        if (to == address(0)) revert NoBeneficiary();
        amount = releasable();
        if (amount == 0) return 0;
        released += amount;
        emit Released(to, amount, released);
        IERC20(token).safeTransfer(to, amount);
    }
}
