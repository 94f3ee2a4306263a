// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernanceFixture} from "../utils/GovernanceFixture.sol";
import {Treasury} from "../../../contracts/evm/economy/Treasury.sol";
import {FeeRouter} from "../../../contracts/evm/economy/FeeRouter.sol";
import {IAgentClusterGovernor} from "../../../contracts/evm/interfaces/IAgentClusterGovernor.sol";
import {ICriticalProposalRegistry} from "../../../contracts/evm/interfaces/ICriticalProposalRegistry.sol";
import {IAgentClusterTimelock} from "../../../contracts/evm/interfaces/IAgentClusterTimelock.sol";

contract GovernanceTest is GovernanceFixture {
    uint8 internal constant AGAINST = 0;
    uint8 internal constant FOR = 1;
    uint8 internal constant ABSTAIN = 2;

    function _bigTreasuryTransfer() internal view returns (bytes memory) {
        return abi.encodeCall(Treasury.transfer, (IERC20(address(s.token)), outsider, 2_000_000e18));
    }

    function _standardChange() internal pure returns (bytes memory) {
        return abi.encodeCall(FeeRouter.setBurnShare, (6_000));
    }

    // ---------------------------------------------------------------- thresholds

    function test_ProposalThreshold_IsOnePercentOfCirculatingSupply() public view {
        assertEq(s.governor.proposalThresholdBps(), 100);
        assertEq(s.governor.proposalThreshold(), s.token.circulatingSupplyAt(block.timestamp - 1) / 100);
        assertGt(s.governor.proposalThreshold(), 0);
    }

    function test_Quorum_IsTenPercentOfCirculatingSupplyAtTheSnapshot() public {
        (uint256 id,,,) = _propose(alice, address(s.feeRouter), _standardChange(), "q");
        _toVoting(id);
        uint256 snapshot = s.governor.proposalSnapshot(id);
        assertEq(s.governor.quorum(snapshot), s.token.circulatingSupplyAt(snapshot) / 10);
        assertEq(s.governor.quorum(snapshot), circulating / 10);
    }

    function test_Propose_RevertsBelowTheThreshold() public {
        uint256 threshold = s.governor.proposalThreshold();
        uint256 frankVotes = s.token.getVotes(frank);
        assertLt(frankVotes, threshold);
        address[] memory targets = new address[](1);
        targets[0] = address(s.feeRouter);
        bytes[] memory calldatas = new bytes[](1);
        calldatas[0] = _standardChange();
        vm.expectRevert(
            abi.encodeWithSelector(IGovernor.GovernorInsufficientProposerVotes.selector, frank, frankVotes, threshold)
        );
        vm.prank(frank);
        s.governor.propose(targets, new uint256[](1), calldatas, "too small");

        vm.expectRevert(
            abi.encodeWithSelector(IGovernor.GovernorInsufficientProposerVotes.selector, outsider, 0, threshold)
        );
        vm.prank(outsider);
        s.governor.propose(targets, new uint256[](1), calldatas, "nothing at all");
    }

    // ---------------------------------------------------------------- standard proposals

    function test_StandardProposal_PassesBySimpleMajorityAndExecutesAfterTheTimelock() public {
        string memory d = "raise the burn share";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(s.feeRouter), _standardChange(), d);
        assertFalse(s.governor.isCritical(id));
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Pending));
        _toVoting(id);
        _vote(id, bob, FOR); // 20%
        _vote(id, carol, AGAINST); // 15%
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Succeeded));
        _queueAndExecute(t, v, c, d);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Executed));
        assertEq(s.feeRouter.burnShareBps(), 6_000);
    }

    function test_StandardProposal_FailsWithoutQuorum() public {
        (uint256 id,,,) = _propose(alice, address(s.feeRouter), _standardChange(), "quiet");
        _toVoting(id);
        _vote(id, erin, FOR); // 9.5% < 10%
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Defeated));
    }

    function test_Quorum_CountsAgainstAndAbstainVotesAsParticipation() public {
        (uint256 id,,,) = _propose(alice, address(s.feeRouter), _standardChange(), "participation");
        _toVoting(id);
        _vote(id, erin, FOR); // 9.5%
        _vote(id, frank, ABSTAIN); // 0.5%: together exactly the quorum
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Succeeded));
        assertEq(s.governor.COUNTING_MODE(), "support=bravo&quorum=for,against,abstain");
    }

    function test_StandardProposal_FailsOnATie() public {
        (uint256 id,,,) = _propose(alice, address(s.feeRouter), _standardChange(), "tie");
        _toVoting(id);
        _vote(id, carol, FOR);
        _vote(id, dave, AGAINST);
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Defeated));
    }

    function test_Execute_RevertsBeforeTheSevenDayTimelockEnds() public {
        string memory d = "too eager";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(s.feeRouter), _standardChange(), d);
        _toVoting(id);
        _vote(id, alice, FOR);
        _toVoteEnd(id);
        bytes32 h = keccak256(bytes(d));
        s.governor.queue(t, v, c, h);
        assertEq(s.governor.proposalEta(id), block.timestamp + 7 days);
        vm.warp(block.timestamp + 7 days - 1);
        bytes32 op = s.timelock.hashOperationBatch(t, v, c, 0, h ^ bytes32(bytes20(address(s.governor))));
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                op,
                bytes32(1 << uint8(TimelockController.OperationState.Ready))
            )
        );
        s.governor.execute(t, v, c, h);
        vm.warp(block.timestamp + 1);
        s.governor.execute(t, v, c, h);
        assertEq(s.feeRouter.burnShareBps(), 6_000);
    }

    function test_Timelock_RefusesDirectSchedulingByAnyoneButTheGovernor() public {
        vm.expectRevert();
        vm.prank(alice);
        s.timelock.schedule(address(s.feeRouter), 0, _standardChange(), 0, 0, 7 days);
    }

    // ---------------------------------------------------------------- critical proposals

    function test_CriticalProposal_PassesWithTwoThirdsAndExecutes() public {
        string memory d = "large grant";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(s.treasury), _bigTreasuryTransfer(), d);
        assertTrue(s.governor.isCritical(id));
        _toVoting(id);
        _vote(id, alice, FOR); // 40%
        _vote(id, bob, AGAINST); // 20%: For is exactly 2/3 of For + Against
        _vote(id, erin, ABSTAIN); // abstentions do not count toward the 2/3
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Succeeded));
        _queueAndExecute(t, v, c, d);
        assertEq(s.token.balanceOf(outsider), 2_000_000e18);
    }

    function test_CriticalProposal_FailsWithSixtyPercentFor() public {
        string memory d = "large grant, weak support";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(s.treasury), _bigTreasuryTransfer(), d);
        _toVoting(id);
        _vote(id, carol, FOR); // 15%
        _vote(id, dave, FOR); // 15%
        _vote(id, bob, AGAINST); // 20%: For is 60%
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Defeated));
        vm.expectRevert();
        s.governor.queue(t, v, c, keccak256(bytes(d)));
    }

    function test_SameSixtyPercentVote_PassesAStandardProposal() public {
        (uint256 id,,,) = _propose(alice, address(s.feeRouter), _standardChange(), "sixty");
        _toVoting(id);
        _vote(id, carol, FOR);
        _vote(id, dave, FOR);
        _vote(id, bob, AGAINST);
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Succeeded));
    }

    function test_Classification_ComesFromTheCallsNotTheProposer() public {
        address[] memory t = new address[](2);
        bytes[] memory c = new bytes[](2);
        t[0] = address(s.feeRouter);
        c[0] = _standardChange();
        t[1] = address(s.treasury);
        c[1] = _bigTreasuryTransfer();
        uint256 expectedId = s.governor.hashProposal(t, new uint256[](2), c, keccak256("STANDARD: routine fee tweak"));
        vm.expectEmit(address(s.governor));
        emit IAgentClusterGovernor.ProposalClassified(expectedId, true);
        vm.prank(alice);
        uint256 id = s.governor.propose(t, new uint256[](2), c, "STANDARD: routine fee tweak");
        assertTrue(s.governor.isCritical(id));
    }

    function test_SmallTreasuryTransfer_IsStandard() public {
        bytes memory small = abi.encodeCall(Treasury.transfer, (IERC20(address(s.token)), outsider, 1_000_000e18));
        (uint256 id,,,) = _propose(alice, address(s.treasury), small, "small grant");
        assertFalse(s.governor.isCritical(id));
    }

    function test_ChangingTheCriticalList_IsItselfCritical() public {
        bytes memory weaken = abi.encodeCall(
            ICriticalProposalRegistry.clearRule, (address(s.treasury), Treasury.transfer.selector)
        );
        string memory d = "weaken the list";
        (uint256 id,,,) = _propose(alice, address(s.criticalRegistry), weaken, d);
        assertTrue(s.governor.isCritical(id));
        _toVoting(id);
        _vote(id, carol, FOR);
        _vote(id, dave, FOR);
        _vote(id, bob, AGAINST); // 60% is not enough to weaken the list
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Defeated));
    }

    function test_ClassificationIsFixedAtProposeTime() public {
        bytes memory small = abi.encodeCall(Treasury.transfer, (IERC20(address(s.token)), outsider, 10e18));
        (uint256 id,,,) = _propose(alice, address(s.treasury), small, "before the rule change");
        vm.prank(address(s.timelock));
        s.criticalRegistry.setRule(
            ICriticalProposalRegistry.Rule(
                address(s.treasury), Treasury.transfer.selector, ICriticalProposalRegistry.RuleKind.Always, 0, 0, 0
            )
        );
        assertFalse(s.governor.isCritical(id));
        (uint256 id2,,,) = _propose(alice, address(s.treasury), small, "after the rule change");
        assertTrue(s.governor.isCritical(id2));
    }

    function test_Timings_AreOneDayDelayFiveDaysVotingSevenDaysTimelock() public view {
        assertEq(s.governor.votingDelay(), 1 days);
        assertEq(s.governor.votingPeriod(), 5 days);
        assertEq(s.timelock.getMinDelay(), 7 days);
    }

    function test_Proposer_CanCancelWhilePendingAndNothingRunsAfterwards() public {
        string memory d = "withdrawn";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(s.feeRouter), _standardChange(), d);
        assertTrue(s.governor.proposalNeedsQueuing(id));
        vm.prank(alice);
        s.governor.cancel(t, v, c, keccak256(bytes(d)));
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Canceled));
        _toVoting(id);
        vm.expectRevert();
        vm.prank(bob);
        s.governor.castVote(id, FOR);
    }

    // ---------------------------------------------------------------- governance-set parameters

    function test_SetProposalThreshold_TakesBasisPointsThroughACriticalProposal() public {
        string memory d = "threshold to 2.5%";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(s.governor), abi.encodeCall(GovernorSettings.setProposalThreshold, (250)), d);
        assertTrue(s.governor.isCritical(id));
        _toVoting(id);
        _vote(id, alice, FOR);
        _vote(id, bob, FOR);
        _toVoteEnd(id);
        _queueAndExecute(t, v, c, d);
        assertEq(s.governor.proposalThresholdBps(), 250);
        assertEq(s.governor.proposalThreshold(), s.token.circulatingSupplyAt(block.timestamp - 1) * 250 / 10_000);
    }

    function test_SetProposalThreshold_AboveAllRevertsAtExecution() public {
        string memory d = "threshold to 100.01%";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(s.governor), abi.encodeCall(GovernorSettings.setProposalThreshold, (10_001)), d);
        _toVoting(id);
        _vote(id, alice, FOR);
        _toVoteEnd(id);
        bytes32 h = keccak256(bytes(d));
        s.governor.queue(t, v, c, h);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.expectRevert(abi.encodeWithSelector(IAgentClusterGovernor.ProposalThresholdTooHigh.selector, 10_001, 10_000));
        s.governor.execute(t, v, c, h);
        assertEq(s.governor.proposalThresholdBps(), 100);
    }

    function test_GovernorSettings_OnlyThroughGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, alice));
        vm.prank(alice);
        GovernorSettings(payable(address(s.governor))).setVotingPeriod(1);
    }

    // ---------------------------------------------------------------- floors

    function test_Floors_DefaultToTenMillionQuorumAndOneMillionThreshold() public view {
        assertEq(s.governor.quorumFloor(), 10_000_000e18);
        assertEq(s.governor.quorumFloorAt(0), 10_000_000e18);
        assertEq(s.governor.proposalThresholdFloor(), 1_000_000e18);
    }

    function test_Floors_BindWhenTheFractionIsSmaller() public {
        string memory d = "quorum 1%";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) = _propose(
            alice, address(s.governor), abi.encodeWithSignature("updateQuorumNumerator(uint256)", uint256(1)), d
        );
        _toVoting(id);
        _vote(id, alice, FOR);
        _vote(id, bob, FOR);
        _toVoteEnd(id);
        _queueAndExecute(t, v, c, d);
        vm.warp(block.timestamp + 1);
        assertEq(s.governor.quorum(block.timestamp - 1), QUORUM_FLOOR, "1% of ~113M is below the floor");
    }

    function test_SetQuorumFloor_IsCriticalAndCheckpointed() public {
        string memory d = "quorum floor 20M";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(s.governor), abi.encodeCall(IAgentClusterGovernor.setQuorumFloor, (20_000_000e18)), d);
        assertTrue(s.governor.isCritical(id));
        uint256 snapshot = s.governor.proposalSnapshot(id);
        _passByAliceAndBob(id, t, v, c, d);
        vm.expectEmit(address(s.governor));
        emit IAgentClusterGovernor.QuorumFloorSet(10_000_000e18, 20_000_000e18);
        s.governor.execute(t, v, c, keccak256(bytes(d)));
        assertEq(s.governor.quorumFloor(), 20_000_000e18);
        assertEq(s.governor.quorumFloorAt(snapshot), 10_000_000e18, "past proposals keep their floor");
        vm.warp(block.timestamp + 1);
        assertEq(s.governor.quorum(block.timestamp - 1), 20_000_000e18);
    }

    /// @dev Alice and Bob vote For (2/3 of the votes here: enough for a critical proposal), the vote ends, and the
    ///      proposal is queued with its timelock delay passed.
    function _passByAliceAndBob(uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c, string memory d)
        internal
    {
        _toVoting(id);
        _vote(id, alice, FOR);
        _vote(id, bob, FOR);
        _toVoteEnd(id);
        _queueAndWait(t, v, c, d);
    }

    /// @dev Runs `data` on the governor through a passed critical proposal and expects execution to revert with `err`.
    function _governorCallReverts(bytes memory data, bytes memory err, string memory d) internal {
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) = _propose(alice, address(s.governor), data, d);
        _passByAliceAndBob(id, t, v, c, d);
        vm.expectRevert(err);
        s.governor.execute(t, v, c, keccak256(bytes(d)));
    }

    function test_SetFloors_OutOfBoundsRevert() public {
        bytes4 quorumErr = IAgentClusterGovernor.QuorumFloorOutOfBounds.selector;
        bytes4 thresholdErr = IAgentClusterGovernor.ProposalThresholdFloorOutOfBounds.selector;
        _governorCallReverts(
            abi.encodeCall(IAgentClusterGovernor.setQuorumFloor, (999_999e18)),
            abi.encodeWithSelector(quorumErr, 999_999e18, 1_000_000e18, 50_000_000e18),
            "quorum floor too low"
        );
        _governorCallReverts(
            abi.encodeCall(IAgentClusterGovernor.setQuorumFloor, (50_000_001e18)),
            abi.encodeWithSelector(quorumErr, 50_000_001e18, 1_000_000e18, 50_000_000e18),
            "quorum floor too high"
        );
        _governorCallReverts(
            abi.encodeCall(IAgentClusterGovernor.setProposalThresholdFloor, (0)),
            abi.encodeWithSelector(thresholdErr, 0, 100_000e18, 10_000_000e18),
            "threshold floor zero"
        );
        _governorCallReverts(
            abi.encodeCall(IAgentClusterGovernor.setProposalThresholdFloor, (10_000_001e18)),
            abi.encodeWithSelector(thresholdErr, 10_000_001e18, 100_000e18, 10_000_000e18),
            "threshold floor too high"
        );
        assertEq(s.governor.quorumFloor(), 10_000_000e18);
        assertEq(s.governor.proposalThresholdFloor(), 1_000_000e18);
    }

    function test_SetProposalThresholdFloor_RaisesTheThreshold() public {
        string memory d = "threshold floor 5M";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) = _propose(
            alice, address(s.governor), abi.encodeCall(IAgentClusterGovernor.setProposalThresholdFloor, (5_000_000e18)), d
        );
        assertTrue(s.governor.isCritical(id));
        _passByAliceAndBob(id, t, v, c, d);
        vm.expectEmit(address(s.governor));
        emit IAgentClusterGovernor.ProposalThresholdFloorSet(1_000_000e18, 5_000_000e18);
        s.governor.execute(t, v, c, keccak256(bytes(d)));
        assertEq(s.governor.proposalThreshold(), 5_000_000e18);
    }

    function test_SetFloors_OnlyThroughGovernance() public {
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, alice));
        vm.prank(alice);
        s.governor.setQuorumFloor(2_000_000e18);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, alice));
        vm.prank(alice);
        s.governor.setProposalThresholdFloor(2_000_000e18);
    }

    // ---------------------------------------------------------------- timelock roles

    function test_TimelockRole_CanBeHandedOverGrantFirstThenRevoke() public {
        bytes32 canceller = s.timelock.CANCELLER_ROLE();
        address other = makeAddr("otherCanceller");
        vm.startPrank(address(s.timelock));
        s.timelock.grantRole(canceller, other);
        assertEq(s.timelock.roleMemberCount(canceller), 2);
        s.timelock.revokeRole(canceller, address(s.governor));
        assertEq(s.timelock.roleMemberCount(canceller), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAgentClusterTimelock.TimelockRoleWouldBeEmpty.selector, canceller, other)
        );
        s.timelock.revokeRole(canceller, other);
        // Revoking from an account that does not hold the role changes nothing and is allowed.
        s.timelock.revokeRole(canceller, address(s.governor));
        vm.stopPrank();
    }
}
