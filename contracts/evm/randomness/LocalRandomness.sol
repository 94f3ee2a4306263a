// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRandomnessSource} from "../interfaces/IRandomnessSource.sol";

/// @title Randomness from the hash of a block that did not exist when the seed was requested
/// @notice For tests and the localnet (and as a fallback). The seed of a request is
///         keccak256(blockhash(target), requestId, this), with target = request block + `delay`. It can be read
///         from the block after the target until the EVM forgets the hash (256 blocks); `fulfill` stores it so it
///         outlives that. A block producer can bias it; Base uses Chainlink VRF instead.
contract LocalRandomness is IRandomnessSource {
    struct Request {
        address consumer;
        uint64 targetBlock;
        bool stored;
    }

    uint64 public immutable delay;
    uint256 public requestCount;
    mapping(uint256 requestId => Request) public requests;
    mapping(uint256 requestId => bytes32) private _seeds;

    constructor(uint64 delayBlocks) {
        delay = delayBlocks == 0 ? 1 : delayBlocks;
    }

    /// @inheritdoc IRandomnessSource
    function request() external returns (uint256 requestId) {
        requestId = ++requestCount;
        requests[requestId] = Request(msg.sender, uint64(block.number) + delay, false);
        emit RandomnessRequested(requestId, msg.sender);
    }

    /// @inheritdoc IRandomnessSource
    function seedOf(uint256 requestId) public view returns (bool ready, bytes32 seed) {
        Request memory r = requests[requestId];
        if (r.consumer == address(0)) revert UnknownRequest(requestId);
        if (r.stored) return (true, _seeds[requestId]);
        if (block.number <= r.targetBlock) return (false, bytes32(0));
        bytes32 h = blockhash(r.targetBlock);
        if (h == bytes32(0)) return (false, bytes32(0)); // older than 256 blocks and never stored: withheld
        return (true, keccak256(abi.encode(h, requestId, address(this))));
    }

    /// @inheritdoc IRandomnessSource
    /// @dev The hash of the target block is readable for 256 blocks; after that, an unstored seed is gone.
    function expired(uint256 requestId) external view returns (bool) {
        Request memory r = requests[requestId];
        if (r.consumer == address(0)) revert UnknownRequest(requestId);
        return !r.stored && block.number > uint256(r.targetBlock) + 256;
    }

    /// @notice Store the seed so it stays readable after 256 blocks; anyone may call. Returns whether it is ready.
    function fulfill(uint256 requestId) external returns (bool ready) {
        bytes32 seed;
        (ready, seed) = seedOf(requestId);
        if (!ready || requests[requestId].stored) return ready;
        requests[requestId].stored = true;
        _seeds[requestId] = seed;
        emit RandomnessFulfilled(requestId, seed);
    }
}
