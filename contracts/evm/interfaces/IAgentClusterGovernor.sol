// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title AgentCluster's additions to the OpenZeppelin Governor
interface IAgentClusterGovernor {
    /// @notice Proposal `proposalId` was classified at creation.
    event ProposalClassified(uint256 indexed proposalId, bool critical);

    /// @notice A proposal threshold above 100% of circulating supply.
    error ProposalThresholdTooHigh(uint256 bps, uint256 maxBps);

    /// @notice Whether `proposalId` is critical (needs 2/3 of For + Against).
    function isCritical(uint256 proposalId) external view returns (bool);

    /// @notice The proposal threshold in basis points of circulating supply.
    function proposalThresholdBps() external view returns (uint256);
}
