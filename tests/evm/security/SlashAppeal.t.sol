// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {GovernanceFixture} from "../utils/GovernanceFixture.sol";
import {SuiteFixture} from "../utils/SuiteFixture.sol";
import {RegistryStakingFixture} from "../protocol/RegistryStakingFixture.sol";
import {IStaking} from "../../../contracts/evm/interfaces/IStaking.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";

/// @dev Security review items 6 (no slash could be appealed) and 11 (parameter changes broke no-slash-then-exit),
///      on the deployed suite: its registry and staking, its governor and timelock, and a voting population.
///      Slashes come from the deployed market's address (the slasher the deployment grants); slash delays are
///      declared by `taskSlasher`, a slasher standing for the market's params setter.
contract SlashAppealTest is GovernanceFixture, RegistryStakingFixture {
    uint8 internal constant AGAINST = 0;
    uint8 internal constant FOR = 1;
    uint256 internal constant EXECUTOR_STAKE = 50_000e18;
    uint16 internal constant REJECTED_SEVERITY = 2_000;

    address internal attacker = makeAddr("attacker");
    address internal taskSlasher = makeAddr("task slasher");
    TestAgent internal executor;

    function setUp() public override(GovernanceFixture, RegistryStakingFixture) {
        super.setUp();
        registry = s.registry;
        staking = s.staking;
        attestor = suiteAttestor;
        attestorPk = suiteAttestorPk;
        executor = _activeAgent("executor", EXECUTOR_STAKE);
        vm.prank(governance); // setup shortcut for a critical proposal: a second slasher, like the market
        staking.setSlasher(taskSlasher, true);
        vm.warp(block.timestamp + 1);
    }

    // ------------------------------------------------------------------ item 6: appeals are reachable

    /// The original attack: the executor is slashed, governance starts voting on the reversal at once, and on day 7
    /// (still voting) anyone finalizes: the stake was burned before governance could possibly act. Now the owner's
    /// appeal holds the slash, the attacker's finalization reverts, and the real governor's reversal lands.
    function test_Attack_FinalizeOnDay7WhileGovernanceVotesNowFailsAndTheRealGovernorReverses() public {
        (uint256 slashId, uint256 amount) = _rejectionSlash();
        uint256 slashedAt = block.timestamp;
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE - amount);

        vm.prank(executor.owner);
        staking.appealSlash(slashId);
        uint256 decisionDeadline = slashedAt + staking.appealDecisionPeriod();

        vm.warp(slashedAt + 2 days); // the proposal is drafted and made two days later
        string memory d = "reverse the rejection slash of the executor";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(staking), abi.encodeCall(IStaking.reverseSlash, (slashId)), d);
        _toVoting(id);
        _vote(id, alice, FOR);
        _vote(id, bob, FOR);
        _vote(id, carol, AGAINST);

        vm.warp(slashedAt + 7 days + 1); // the appeal window is over, governance still votes
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Active));
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealPending.selector, slashId, decisionDeadline));
        vm.prank(attacker);
        staking.finalizeSlash(slashId);

        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Succeeded));
        _queueAndExecute(t, v, c, d); // queue, the 7-day timelock, execute
        assertLe(block.timestamp, decisionDeadline, "the whole governance path fits the decision period");

        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE, "the stake returns");
        assertEq(uint8(staking.pendingSlash(slashId).status), uint8(IStaking.SlashStatus.Reversed));
        assertEq(staking.totalPendingSlashes(), 0);
        _assertBalanceMatchesTotals();
        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, slashId));
        vm.prank(attacker);
        staking.finalizeSlash(slashId);
    }

    /// The bound on the decision period holds against the deployed governance: the fastest path (voting delay +
    /// voting period + timelock delay, 13 days) is shorter than the shortest decision period governance may set,
    /// even for an appeal filed on the last second of the appeal window.
    function test_Attack_TheDecisionPeriodAlwaysExceedsGovernancesFastestPath() public view {
        uint256 fastest = s.governor.votingDelay() + s.governor.votingPeriod() + s.timelock.getMinDelay();
        assertEq(fastest, 13 days);
        assertGt(staking.MIN_APPEAL_DECISION_PERIOD(), fastest);
        assertGt(staking.appealDecisionPeriod(), fastest);
    }

    function test_Attack_ADismissedAppealFinalizesThroughTheRealGovernor() public {
        (uint256 slashId, uint256 amount) = _rejectionSlash();
        vm.prank(executor.owner);
        staking.appealSlash(slashId);
        uint256 burnedBefore = s.token.totalBurned();

        string memory d = "dismiss the executor's appeal";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(staking), abi.encodeCall(IStaking.dismissAppeal, (slashId)), d);
        _toVoting(id);
        _vote(id, alice, FOR);
        _toVoteEnd(id);
        _queueAndWait(t, v, c, d);
        bytes32 h = keccak256(bytes(d));
        vm.expectEmit(address(staking));
        emit IStaking.AppealDismissed(slashId, executor.id);
        vm.expectEmit(address(staking));
        emit IStaking.SlashFinalized(slashId, executor.id, amount, 0);
        s.governor.execute(t, v, c, h);

        assertEq(uint8(staking.pendingSlash(slashId).status), uint8(IStaking.SlashStatus.Finalized));
        assertEq(s.token.totalBurned() - burnedBefore, amount, "no harmed share at genesis: all burned");
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE - amount);
        assertEq(staking.totalPendingSlashes(), 0);
        _assertBalanceMatchesTotals();
    }

    function test_Attack_AnAppealGovernanceDefeatsExpiresAndFinalizes() public {
        (uint256 slashId, uint256 amount) = _rejectionSlash();
        vm.prank(executor.owner);
        staking.appealSlash(slashId);
        uint256 decisionDeadline = block.timestamp + 30 days;

        (uint256 id,,,) =
            _propose(alice, address(staking), abi.encodeCall(IStaking.reverseSlash, (slashId)), "reverse, rejected");
        _toVoting(id);
        _vote(id, alice, AGAINST);
        _vote(id, bob, FOR);
        _toVoteEnd(id);
        assertEq(uint8(_state(id)), uint8(IGovernor.ProposalState.Defeated));

        vm.warp(decisionDeadline);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealPending.selector, slashId, decisionDeadline));
        staking.finalizeSlash(slashId);
        vm.warp(decisionDeadline + 1);
        uint256 burnedBefore = s.token.totalBurned();
        vm.prank(attacker);
        staking.finalizeSlash(slashId);
        assertEq(s.token.totalBurned() - burnedBefore, amount);
        _assertBalanceMatchesTotals();
    }

    function test_Attack_WithoutAnAppealFinalizationAfterTheWindowStillWorks() public {
        (uint256 slashId, uint256 amount) = _rejectionSlash();
        uint256 deadline = block.timestamp + 7 days;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealWindowOpen.selector, slashId, deadline));
        staking.finalizeSlash(slashId);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealWindowClosed.selector, slashId, deadline));
        vm.prank(executor.owner);
        staking.appealSlash(slashId);
        uint256 burnedBefore = s.token.totalBurned();
        vm.prank(attacker);
        staking.finalizeSlash(slashId);
        assertEq(s.token.totalBurned() - burnedBefore, amount);
        assertEq(staking.totalPendingSlashes(), 0);
        _assertBalanceMatchesTotals();
    }

    // ------------------------------------------------------------------ item 11: no slash-then-exit

    /// An executor holds a task whose rejection slash may come up to a whole task life after it acted. Governance
    /// shortens the unbonding period to just above the appeal window (the old check's only condition), so the
    /// executor could unstake and withdraw before the slash. The setter now reverts, through the real governor.
    function test_Attack_ShorteningUnbondingBelowTheTaskLifeToEscapeARejectionSlashReverts() public {
        uint256 life = _genesisTaskLife();
        vm.prank(taskSlasher); // what the market's params setter does
        staking.declareSlashDelay(life);
        uint256 maxDelay = staking.maxSlashDelay();
        assertEq(maxDelay, 7 days + 15 hours, "7 days 14.5 hours, in whole hours");

        string memory d = "unbonding: one week and a second";
        (uint256 id, address[] memory t, uint256[] memory v, bytes[] memory c) =
            _propose(alice, address(staking), abi.encodeCall(IStaking.setUnbondingPeriod, (7 days + 1)), d);
        assertTrue(s.governor.isCritical(id));
        _toVoting(id);
        _vote(id, alice, FOR);
        _vote(id, bob, FOR);
        _vote(id, carol, FOR);
        _toVoteEnd(id);
        _queueAndWait(t, v, c, d);
        bytes32 h = keccak256(bytes(d));

        // The executor takes a task now and would unstake the moment the change lands.
        uint256 acceptedAt = block.timestamp;
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 7 days + 1, maxDelay, 7 days));
        s.governor.execute(t, v, c, h);
        assertEq(staking.unbondingPeriod(), 30 days);

        vm.prank(executor.owner);
        staking.requestUnstake(executor.id, EXECUTOR_STAKE);
        (, uint256 unlocksAt) = staking.unbondingOf(executor.id);
        assertGt(unlocksAt, acceptedAt + life + staking.appealWindow());

        // The rejection lands at the end of the task life: the unbonding stake is still there to slash.
        vm.warp(acceptedAt + life);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StillUnbonding.selector, executor.id, unlocksAt));
        staking.withdraw(executor.id);
        (, uint256 amount) = _rejectionSlash();
        assertEq(amount, EXECUTOR_STAKE * REJECTED_SEVERITY / 10_000);
        _assertBalanceMatchesTotals();
    }

    /// The same escape through the other two levers: a longer appeal window, or the market lengthening its tasks.
    function test_Attack_LengtheningTheAppealWindowOrTheTaskLifePastTheUnbondingReverts() public {
        uint256 life = _genesisTaskLife();
        vm.prank(taskSlasher);
        staking.declareSlashDelay(life);
        uint256 maxDelay = staking.maxSlashDelay();

        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 30 days, maxDelay, 23 days));
        vm.prank(governance);
        staking.setAppealWindow(23 days);

        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 30 days, 23 days, 7 days));
        vm.prank(taskSlasher);
        staking.declareSlashDelay(23 days);

        // Lowering the market's task life does not free the unbonding period while old tasks may still slash.
        vm.prank(taskSlasher);
        staking.declareSlashDelay(1 days);
        assertEq(staking.maxSlashDelay(), maxDelay);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 8 days, maxDelay, 7 days));
        vm.prank(governance);
        staking.setUnbondingPeriod(8 days);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev The deployed market rejects the executor's result (its rejection severity).
    function _rejectionSlash() internal returns (uint256 slashId, uint256 amount) {
        vm.prank(address(s.market));
        (slashId, amount) = staking.slash(executor.id, REJECTED_SEVERITY, address(0), "rejected");
        assertGt(slashId, 0);
    }

    /// @dev A whole task life at genesis, computed as the market's params setter computes it.
    function _genesisTaskLife() internal pure returns (uint256) {
        ITaskMarket.MarketParams memory p = _marketParams();
        return uint256(p.maxTaskDuration) + p.seedTimeout * 2 + p.drawWindow + p.commitWindow + p.revealWindow;
    }

    function _assertBalanceMatchesTotals() internal view {
        assertEq(
            s.token.balanceOf(address(staking)),
            staking.totalStaked() + staking.totalUnbonding() + staking.totalPendingSlashes(),
            "balance == totals"
        );
    }
}
