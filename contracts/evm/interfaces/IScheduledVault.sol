// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title A vault that releases a fixed allocation of one token on a time schedule
interface IScheduledVault {
    /// @notice `amount` was released to `beneficiary`.
    event Released(address indexed beneficiary, uint256 amount, uint256 totalReleased);

    /// @notice The vault has no beneficiary to release to.
    error NoBeneficiary();
    /// @notice A constructor argument was the zero address or zero.
    error InvalidVaultParameter(string parameter);

    /// @notice The token this vault holds.
    function token() external view returns (address);

    /// @notice The scheduled allocation (what the schedule releases in total).
    function allocation() external view returns (uint256);

    /// @notice When the schedule starts (unix seconds).
    function start() external view returns (uint64);

    /// @notice Who receives released tokens.
    function beneficiary() external view returns (address);

    /// @notice Tokens released so far, schedule and extras together.
    function released() external view returns (uint256);

    /// @notice The part of the allocation the schedule has made available by `timestamp`.
    function vestedAt(uint64 timestamp) external view returns (uint256);

    /// @notice What `release()` would pay now.
    function releasable() external view returns (uint256);

    /// @notice Pay everything releasable to the beneficiary; anyone may call. Returns the amount (0 changes nothing).
    function release() external returns (uint256 amount);
}
