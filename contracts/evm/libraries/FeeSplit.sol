// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title How a protocol fee is divided between burning and rewards
library FeeSplit {
    uint256 internal constant BPS = 10_000;

    /// @notice `burned` rounds down; the odd wei of an odd amount goes to rewards, never to the burn.
    function split(uint256 amount, uint256 burnBps) internal pure returns (uint256 burned, uint256 toRewards) {
        burned = amount * burnBps / BPS;
        toRewards = amount - burned;
    }
}
