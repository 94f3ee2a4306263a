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
import {IAccToken} from "../interfaces/IAccToken.sol";
import {IAgentClusterGovernor} from "../interfaces/IAgentClusterGovernor.sol";
import {ICriticalProposalRegistry} from "../interfaces/ICriticalProposalRegistry.sol";

/// @title AgentCluster governance
/// @notice Threshold and quorum are fractions of ACC's circulating supply; quorum counts every vote cast;
///         standard proposals pass by simple majority, critical ones by 2/3 of For + Against; every change
///         waits in the timelock. Criticality comes from the registry, judged on the proposal's own calls.
/// @dev GovernorSettings' proposal threshold value is read as basis points of circulating supply.
contract AgentClusterGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    IAgentClusterGovernor
{
    uint256 public constant MAX_BPS = 10_000;

    /// @notice The list that decides which proposals are critical.
    ICriticalProposalRegistry public immutable criticalRegistry;

    mapping(uint256 proposalId => bool) private _critical;

    constructor(
        IVotes token_,
        TimelockController timelock_,
        ICriticalProposalRegistry registry_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 thresholdBps_,
        uint256 quorumPercent_
    )
        Governor("AgentClusterGovernor")
        GovernorSettings(votingDelay_, votingPeriod_, thresholdBps_)
        GovernorVotes(token_)
        GovernorVotesQuorumFraction(quorumPercent_)
        GovernorTimelockControl(timelock_)
    {
        criticalRegistry = registry_;
    }

    /// @inheritdoc IAgentClusterGovernor
    function isCritical(uint256 proposalId) external view returns (bool) {
        return _critical[proposalId];
    }

    /// @inheritdoc IAgentClusterGovernor
    function proposalThresholdBps() public view returns (uint256) {
        return GovernorSettings.proposalThreshold();
    }

    /// @notice Votes needed to propose: `proposalThresholdBps` of the circulating supply one second ago.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return IAccToken(address(token())).circulatingSupplyAt(clock() - 1) * proposalThresholdBps() / MAX_BPS;
    }

    /// @notice Participation needed at `timepoint`: `quorumNumerator`% of the circulating supply then.
    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return IAccToken(address(token())).circulatingSupplyAt(timepoint) * quorumNumerator(timepoint)
            / quorumDenominator();
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
        return quorum(proposalSnapshot(proposalId)) <= forVotes + against + abstain;
    }

    function _voteSucceeded(uint256 proposalId)
        internal
        view
        override(Governor, GovernorCountingSimple)
        returns (bool) {
        (uint256 against, uint256 forVotes,) = proposalVotes(proposalId);
        if (forVotes <= against) return false;
        if (!_critical[proposalId]) return true;
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
        // Standard is the default value: only critical proposals pay for a storage write.
        if (critical) _critical[proposalId] = true;
        emit ProposalClassified(proposalId, critical);
    }

    function _setProposalThreshold(uint256 newProposalThreshold) internal override {
        if (newProposalThreshold > MAX_BPS) revert ProposalThresholdTooHigh(newProposalThreshold, MAX_BPS);
        super._setProposalThreshold(newProposalThreshold);
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
