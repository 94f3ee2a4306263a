// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAccToken} from "../interfaces/IAccToken.sol";
import {IAgentClusterGovernor} from "../interfaces/IAgentClusterGovernor.sol";
import {ICriticalProposalRegistry} from "../interfaces/ICriticalProposalRegistry.sol";

/// @title AgentCluster governance
/// @notice Threshold and quorum are fractions of ACC's circulating supply, never below absolute floors that hold
///         from the first block (at genesis almost nothing circulates, so fractions alone would let the first
///         holder decide alone); quorum counts every vote cast; standard proposals pass by simple majority,
///         critical ones by 2/3 of For + Against; every change waits in the timelock. Criticality comes from the
///         registry, judged on the proposal's own calls.
/// @dev GovernorSettings' proposal threshold value is read as basis points of circulating supply. The quorum floor
///      is checkpointed (like the quorum numerator), so changing it never moves the quorum of a running proposal.
contract AgentClusterGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    IAgentClusterGovernor
{
    using Checkpoints for Checkpoints.Trace208;

    uint256 public constant MAX_BPS = 10_000;
    /// @notice Bounds of the quorum floor: 0.1% to 5% of the genesis supply (1e9 ACC).
    uint256 public constant MIN_QUORUM_FLOOR = 1_000_000e18;
    uint256 public constant MAX_QUORUM_FLOOR = 50_000_000e18;
    /// @notice Bounds of the proposal threshold floor: 0.01% to 1% of the genesis supply.
    uint256 public constant MIN_PROPOSAL_THRESHOLD_FLOOR = 100_000e18;
    uint256 public constant MAX_PROPOSAL_THRESHOLD_FLOOR = 10_000_000e18;

    /// @notice The list that decides which proposals are critical.
    ICriticalProposalRegistry public immutable criticalRegistry;

    /// @inheritdoc IAgentClusterGovernor
    uint256 public proposalThresholdFloor;
    Checkpoints.Trace208 private _quorumFloor;
    /// @dev Per proposal, in one slot: its class, and the ACC the non-voting protocol holders held when it was made.
    struct ProposalBasis {
        bool critical;
        uint248 nonVoting;
    }

    mapping(uint256 proposalId => ProposalBasis) private _basis;

    /// @param thresholdBps_ proposal threshold in basis points of circulating supply (at most 10,000)
    /// @param quorumPercent_ quorum in percent of circulating supply at the snapshot
    /// @param quorumFloor_ least quorum in ACC, within [MIN_QUORUM_FLOOR, MAX_QUORUM_FLOOR]
    /// @param proposalThresholdFloor_ least proposal threshold in ACC, within the threshold floor bounds
    constructor(
        IVotes token_,
        TimelockController timelock_,
        ICriticalProposalRegistry registry_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 thresholdBps_,
        uint256 quorumPercent_,
        uint256 quorumFloor_,
        uint256 proposalThresholdFloor_
    )
        Governor("AgentClusterGovernor")
        GovernorSettings(votingDelay_, votingPeriod_, thresholdBps_)
        GovernorVotes(token_)
        GovernorVotesQuorumFraction(quorumPercent_)
        GovernorTimelockControl(timelock_)
    {
        criticalRegistry = registry_;
        // Keyed at time 0, so the floor also applies to any timepoint before deployment.
        _checkQuorumFloor(quorumFloor_);
        _quorumFloor.push(0, SafeCast.toUint208(quorumFloor_));
        emit QuorumFloorSet(0, quorumFloor_);
        _setProposalThresholdFloor(proposalThresholdFloor_);
    }

    /// @inheritdoc IAgentClusterGovernor
    function quorumFloor() external view returns (uint256) {
        return _quorumFloor.latest();
    }

    /// @inheritdoc IAgentClusterGovernor
    function quorumFloorAt(uint256 timepoint) public view returns (uint256) {
        // The checkpoint at key 0 makes every lookup land on a value; larger timepoints read the latest floor.
        uint48 key = timepoint > type(uint48).max ? type(uint48).max : uint48(timepoint);
        return _quorumFloor.upperLookupRecent(key);
    }

    /// @inheritdoc IAgentClusterGovernor
    function setQuorumFloor(uint256 newFloor) external onlyGovernance {
        _checkQuorumFloor(newFloor);
        uint256 old = _quorumFloor.latest();
        _quorumFloor.push(clock(), SafeCast.toUint208(newFloor));
        emit QuorumFloorSet(old, newFloor);
    }

    /// @inheritdoc IAgentClusterGovernor
    function setProposalThresholdFloor(uint256 newFloor) external onlyGovernance {
        _setProposalThresholdFloor(newFloor);
    }

    /// @inheritdoc IAgentClusterGovernor
    function isCritical(uint256 proposalId) external view returns (bool) {
        return _basis[proposalId].critical;
    }

    /// @inheritdoc IAgentClusterGovernor
    function proposalThresholdBps() public view returns (uint256) {
        return GovernorSettings.proposalThreshold();
    }

    /// @notice Votes needed to propose: `proposalThresholdBps` of the voting supply (circulating supply one second
    ///         ago, less what the non-voting protocol holders hold now), and never less than `proposalThresholdFloor`.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        uint48 now_ = clock();
        uint256 circulating = now_ == 0 ? 0 : IAccToken(address(token())).circulatingSupplyAt(now_ - 1);
        uint256 fraction = _lessNonVoting(circulating, IAccToken(address(token())).nonVotingBalance())
            * proposalThresholdBps() / MAX_BPS;
        return fraction > proposalThresholdFloor ? fraction : proposalThresholdFloor;
    }

    /// @notice Participation needed at `timepoint` before non-voting holdings are taken out: `quorumNumerator`% of
    ///         the circulating supply then, and never less than the quorum floor then. A proposal applies
    ///         `proposalQuorum`, which is never more. Reverts (ERC5805FutureLookup) for `timepoint >= now`, like OZ.
    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return _quorum(timepoint, 0);
    }

    /// @inheritdoc IAgentClusterGovernor
    /// @dev Stakes, bonds and escrow cannot vote, so they leave the quorum base: they are read when the proposal is
    ///      made (reading them at the snapshot would cost every stake and task a token checkpoint), and the floor
    ///      bounds what moving ACC into the protocol right before proposing could take off the quorum.
    function proposalQuorum(uint256 proposalId) public view returns (uint256) {
        uint256 snapshot = proposalSnapshot(proposalId);
        if (snapshot == 0) revert GovernorNonexistentProposal(proposalId);
        return _quorum(snapshot, _basis[proposalId].nonVoting);
    }

    function _quorum(uint256 timepoint, uint256 nonVoting) private view returns (uint256) {
        uint256 base = _lessNonVoting(IAccToken(address(token())).circulatingSupplyAt(timepoint), nonVoting);
        uint256 fraction = base * quorumNumerator(timepoint) / quorumDenominator();
        uint256 floor = quorumFloorAt(timepoint);
        return fraction > floor ? fraction : floor;
    }

    function _lessNonVoting(uint256 circulating, uint256 nonVoting) private pure returns (uint256) {
        return circulating > nonVoting ? circulating - nonVoting : 0;
    }

    /// @notice Votes are counted For / Against / Abstain; all three count toward quorum.
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure override(IGovernor, GovernorCountingSimple) returns (string memory) {
        return "support=bravo&quorum=for,against,abstain";
    }

    function _quorumReached(uint256 proposalId)
        internal
        view
        override(Governor, GovernorCountingSimple)
        returns (bool) {
        (uint256 against, uint256 forVotes, uint256 abstain) = proposalVotes(proposalId);
        return proposalQuorum(proposalId) <= forVotes + against + abstain;
    }

    function _voteSucceeded(uint256 proposalId)
        internal
        view
        override(Governor, GovernorCountingSimple)
        returns (bool) {
        (uint256 against, uint256 forVotes,) = proposalVotes(proposalId);
        if (forVotes <= against) return false;
        if (!_basis[proposalId].critical) return true;
        return forVotes * 3 >= (forVotes + against) * 2;
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        bool critical = criticalRegistry.isCriticalProposal(targets, calldatas);
        uint256 nonVoting = IAccToken(address(token())).nonVotingBalance();
        _basis[proposalId] = ProposalBasis(critical, uint248(nonVoting));
        emit ProposalClassified(proposalId, critical);
    }

    function _setProposalThreshold(uint256 newProposalThreshold) internal override {
        if (newProposalThreshold > MAX_BPS) revert ProposalThresholdTooHigh(newProposalThreshold, MAX_BPS);
        super._setProposalThreshold(newProposalThreshold);
    }

    function _checkQuorumFloor(uint256 newFloor) private pure {
        if (newFloor < MIN_QUORUM_FLOOR || newFloor > MAX_QUORUM_FLOOR) {
            revert QuorumFloorOutOfBounds(newFloor, MIN_QUORUM_FLOOR, MAX_QUORUM_FLOOR);
        }
    }

    function _setProposalThresholdFloor(uint256 newFloor) private {
        if (newFloor < MIN_PROPOSAL_THRESHOLD_FLOOR || newFloor > MAX_PROPOSAL_THRESHOLD_FLOOR) {
            revert ProposalThresholdFloorOutOfBounds(
                newFloor, MIN_PROPOSAL_THRESHOLD_FLOOR, MAX_PROPOSAL_THRESHOLD_FLOOR
            );
        }
        emit ProposalThresholdFloorSet(proposalThresholdFloor, newFloor);
        proposalThresholdFloor = newFloor;
    }

    // ---------------------------------------------------------------- required overrides

    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
