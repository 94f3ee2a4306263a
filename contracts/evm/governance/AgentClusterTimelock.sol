// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title The timelock that owns every parameter and the treasury
/// @notice OpenZeppelin's TimelockController with no external admin: it administers itself, the governor is its
///         only proposer and canceller, and anyone may execute an operation whose delay has passed.
contract AgentClusterTimelock is TimelockController {
    constructor(uint256 minDelay, address governor)
        TimelockController(minDelay, _single(governor), _single(address(0)), address(0))
    {}

    function _single(address account) private pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = account;
    }
}
