// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title AgentCluster's additions to the OpenZeppelin TimelockController
interface IAgentClusterTimelock {
    /// @notice Revoking or renouncing `role` from `account` would leave the role with no holder at all (no admin,
    ///         proposer, canceller or executor): the protocol could never change again, so it is refused.
    error TimelockRoleWouldBeEmpty(bytes32 role, address account);

    /// @notice How many accounts hold `role` (the open executor role counts address(0) as its holder).
    function roleMemberCount(bytes32 role) external view returns (uint256);
}
