// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title AgentCluster's additions to the OpenZeppelin Governor
/// @notice Quorum and proposal threshold are fractions of circulating supply with absolute floors (in ACC) that
///         hold from the first block: quorum = max(quorumNumerator% x circulating, quorumFloor), threshold =
///         max(thresholdBps x circulating, proposalThresholdFloor).
interface IAgentClusterGovernor {
    /// @notice Proposal `proposalId` was classified at creation.
    event ProposalClassified(uint256 indexed proposalId, bool critical);
    /// @notice The quorum floor changed (applies to proposals whose snapshot is at or after the change).
    event QuorumFloorSet(uint256 oldFloor, uint256 newFloor);
    /// @notice The proposal threshold floor changed.
    event ProposalThresholdFloorSet(uint256 oldFloor, uint256 newFloor);

    /// @notice A proposal threshold above 100% of circulating supply.
    error ProposalThresholdTooHigh(uint256 bps, uint256 maxBps);
    /// @notice A quorum floor outside [`min`, `max`].
    error QuorumFloorOutOfBounds(uint256 floor, uint256 min, uint256 max);
    /// @notice A proposal threshold floor outside [`min`, `max`].
    error ProposalThresholdFloorOutOfBounds(uint256 floor, uint256 min, uint256 max);

    /// @notice Whether `proposalId` is critical (needs 2/3 of For + Against).
    function isCritical(uint256 proposalId) external view returns (bool);

    /// @notice The participation the proposal needs: `quorumNumerator`% of the circulating supply at its snapshot less
    ///         what the non-voting protocol holders (stakes, bonds, escrow) held when it was made, never below the
    ///         quorum floor at the snapshot. Reverts for an unknown proposal or before the snapshot has passed.
    function proposalQuorum(uint256 proposalId) external view returns (uint256);

    /// @notice The proposal threshold in basis points of circulating supply.
    function proposalThresholdBps() external view returns (uint256);

    /// @notice The least participation any proposal needs, in ACC (18 decimals), now.
    function quorumFloor() external view returns (uint256);

    /// @notice The quorum floor in force at `timepoint` (the initial floor for any time before deployment).
    function quorumFloorAt(uint256 timepoint) external view returns (uint256);

    /// @notice The least voting power a proposer needs, in ACC (18 decimals).
    function proposalThresholdFloor() external view returns (uint256);

    /// @notice Set the quorum floor. Governance only (a critical proposal); within [MIN_QUORUM_FLOOR, MAX_QUORUM_FLOOR].
    function setQuorumFloor(uint256 newFloor) external;

    /// @notice Set the proposal threshold floor. Governance only (a critical proposal); within
    ///         [MIN_PROPOSAL_THRESHOLD_FLOOR, MAX_PROPOSAL_THRESHOLD_FLOOR].
    function setProposalThresholdFloor(uint256 newFloor) external;
}
