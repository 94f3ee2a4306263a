// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Ownership that can move (two steps) but never be given up
/// @notice Shared by every owned contract of the suite: without an owner, a contract's parameters or funds would be
///         frozen forever, so renouncing is impossible rather than merely critical.
interface INonRenounceableOwnership {
    /// @notice `renounceOwnership` was called: ownership can be transferred, never renounced.
    error OwnershipCannotBeRenounced();
}
