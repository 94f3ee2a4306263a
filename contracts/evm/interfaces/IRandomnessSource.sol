// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title One interface for every source of randomness the protocol uses
/// @notice A consumer requests a seed and reads it once the source has produced it. Sources: LocalRandomness
///         (the hash of a future block; tests and localnet) and ChainlinkVrfRandomness (VRF v2.5; Base).
///         Consumers handle a source that withholds with their own timeout (see TaskMarket).
interface IRandomnessSource {
    event RandomnessRequested(uint256 indexed requestId, address indexed consumer);
    event RandomnessFulfilled(uint256 indexed requestId, bytes32 seed);

    error UnknownRequest(uint256 requestId);
    error NotAllowedConsumer(address caller);

    /// @notice Ask for a fresh seed for the caller.
    function request() external returns (uint256 requestId);

    /// @notice The seed of `requestId` once it exists; `ready` is false before that (or if it was withheld).
    function seedOf(uint256 requestId) external view returns (bool ready, bytes32 seed);

    /// @notice Whether `requestId` can never produce a seed any more (its seed was observable and was not stored
    ///         in time). A consumer must not re-request on expiry: that would let whoever saw the seed re-roll it.
    function expired(uint256 requestId) external view returns (bool);
}
