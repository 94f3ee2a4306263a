// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IAgentClusterTimelock} from "../interfaces/IAgentClusterTimelock.sol";

/// @title The timelock that owns every parameter and the treasury
/// @notice OpenZeppelin's TimelockController with no external admin: it administers itself, the governor is its
///         only proposer and canceller, and anyone may execute an operation whose delay has passed. No role can be
///         emptied: a `revokeRole` or `renounceRole` that would remove a role's last holder reverts, so governance
///         can never lock itself out (hand a role over by granting the new holder first, then revoking).
contract AgentClusterTimelock is TimelockController, IAgentClusterTimelock {
    mapping(bytes32 role => uint256) private _members;

    constructor(uint256 minDelay, address governor)
        TimelockController(minDelay, _single(governor), _single(address(0)), address(0))
    {}

    /// @inheritdoc IAgentClusterTimelock
    function roleMemberCount(bytes32 role) external view returns (uint256) {
        return _members[role];
    }

    /// @dev Counts holders; runs for the constructor's grants too (RoleGranted is emitted by AccessControl).
    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted) ++_members[role];
    }

    /// @dev Refuses to remove the last holder of any role; revokeRole and renounceRole both end here.
    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        if (hasRole(role, account) && _members[role] == 1) revert TimelockRoleWouldBeEmpty(role, account);
        revoked = super._revokeRole(role, account);
        if (revoked) --_members[role];
    }

    function _single(address account) private pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = account;
    }
}
