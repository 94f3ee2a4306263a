// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Splits every protocol fee between burning and the validators' reward pool
interface IFeeRouter {
    /// @notice A fee of `amount` paid by `payer` was split.
    event FeeRouted(address indexed payer, uint256 amount, uint256 burned, uint256 toRewards);
    /// @notice Governance changed the burned share.
    event BurnShareSet(uint16 previousBps, uint16 newBps);

    /// @notice The burned share exceeds 100%.
    error BurnShareTooHigh(uint256 bps, uint256 maxBps);
    /// @notice A zero address was given where a contract is required.
    error ZeroAddress();

    /// @notice The ACC token.
    function token() external view returns (address);

    /// @notice Where the non-burned share goes (the validators' reward pool).
    function rewardsPool() external view returns (address);

    /// @notice The burned share in basis points.
    function burnShareBps() external view returns (uint16);

    /// @notice Pull `amount` ACC from the caller (approve or permit first) and split it.
    function routeFee(uint256 amount) external returns (uint256 burned, uint256 toRewards);

    /// @notice Split whatever ACC was sent to the router directly; anyone may call.
    function flush() external returns (uint256 burned, uint256 toRewards);

    /// @notice Set the burned share. Governance (the timelock) only.
    function setBurnShare(uint16 bps) external;
}
