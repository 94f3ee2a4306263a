// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RegistryStakingFixture} from "./RegistryStakingFixture.sol";
import {Staking} from "../../../contracts/evm/protocol/Staking.sol";
import {IStaking} from "../../../contracts/evm/interfaces/IStaking.sol";
import {IAgentRegistry} from "../../../contracts/evm/interfaces/IAgentRegistry.sol";
import {AccToken} from "../../../contracts/evm/token/AccToken.sol";

contract StakingTest is RegistryStakingFixture {
    uint256 internal constant STAKE = 50_000e18;
    bytes32 internal constant REASON = keccak256("task-42: no result");

    TestAgent internal alice;
    address internal stranger = makeAddr("stranger");

    function setUp() public override {
        super.setUp();
        alice = _activeAgent("alice", 0);
    }

    // ------------------------------------------------------------------ deployment

    function test_Constructor_SetsGovernanceDefaultsAndEmitsThem() public {
        assertEq(staking.owner(), governance);
        assertEq(address(staking.token()), address(s.token));
        assertEq(address(staking.registry()), address(registry));
        assertEq(staking.unbondingPeriod(), 30 days);
        assertEq(staking.appealWindow(), 7 days);
        assertEq(staking.harmedShareBps(), 0);
        assertEq(staking.appealDecisionPeriod(), 30 days);
        assertEq(staking.maxSlashDelay(), 0);
        assertTrue(staking.isSlasher(slasher));

        vm.expectEmit();
        emit IStaking.UnbondingPeriodSet(0, 30 days);
        vm.expectEmit();
        emit IStaking.AppealWindowSet(0, 7 days);
        vm.expectEmit();
        emit IStaking.HarmedShareSet(0, 0);
        vm.expectEmit();
        emit IStaking.AppealDecisionPeriodSet(0, 30 days);
        new Staking(s.token, registry, governance, new address[](0));
    }

    function test_Constructor_RevertsForZeroTokenOrRegistry() public {
        vm.expectRevert(abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "token", 0));
        new Staking(IERC20(address(0)), registry, governance, new address[](0));
        vm.expectRevert(abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "registry", 0));
        new Staking(s.token, IAgentRegistry(address(0)), governance, new address[](0));
    }

    // ------------------------------------------------------------------ stake

    function test_Stake_AddsToTheAgentsActiveStake() public {
        vm.expectEmit(address(staking));
        emit IStaking.Staked(alice.id, alice.owner, STAKE, STAKE);
        _stake(alice, STAKE);
        vm.expectEmit(address(staking));
        emit IStaking.Staked(alice.id, alice.owner, 1e18, STAKE + 1e18);
        _stake(alice, 1e18);

        assertEq(staking.stakeOf(alice.id), STAKE + 1e18);
        assertEq(staking.totalStaked(), STAKE + 1e18);
        assertEq(s.token.balanceOf(address(staking)), STAKE + 1e18);
        assertEq(s.token.balanceOf(alice.owner), OWNER_FUNDS - BOND - FEE - STAKE - 1e18);
    }

    function test_Stake_RevertsForZeroOthersAndUnknownAgents() public {
        vm.expectRevert(IStaking.ZeroAmount.selector);
        _stake(alice, 0);

        _fund(stranger, 1e18);
        vm.startPrank(stranger);
        s.token.approve(address(staking), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IStaking.NotAgentOwner.selector, alice.id, stranger));
        staking.stake(alice.id, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IAgentRegistry.AgentNotRegistered.selector, 42));
        staking.stake(42, 1e18);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ stake history

    function test_StakeAt_ReadsTheActiveStakeAtPastTimestamps() public {
        uint256 t0 = block.timestamp;
        _stake(alice, 100e18);
        vm.warp(t0 + 10);
        _stake(alice, 50e18);
        vm.warp(t0 + 20);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 30e18);
        vm.warp(t0 + 30);
        vm.prank(slasher);
        staking.slash(alice.id, 5_000, harmed, REASON); // 60 of 120 active, 15 of 30 unbonding
        vm.warp(t0 + 40);

        assertEq(staking.stakeAt(alice.id, t0 - 1), 0);
        assertEq(staking.stakeAt(alice.id, t0), 100e18);
        assertEq(staking.stakeAt(alice.id, t0 + 9), 100e18);
        assertEq(staking.stakeAt(alice.id, t0 + 10), 150e18);
        assertEq(staking.stakeAt(alice.id, t0 + 20), 120e18);
        assertEq(staking.stakeAt(alice.id, t0 + 29), 120e18);
        assertEq(staking.stakeAt(alice.id, t0 + 30), 60e18);
        assertEq(staking.stakeAt(alice.id, t0 + 39), 60e18);
        assertEq(staking.stakeOf(alice.id), 60e18);
    }

    function test_StakeAt_RevertsForNowAndTheFuture() public {
        _stake(alice, STAKE);
        vm.expectRevert(abi.encodeWithSelector(IStaking.FutureLookup.selector, block.timestamp, block.timestamp));
        staking.stakeAt(alice.id, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IStaking.FutureLookup.selector, block.timestamp + 1, block.timestamp));
        staking.stakeAt(alice.id, block.timestamp + 1);
    }

    function test_StakeAt_SeveralChangesInOneSecondLeaveOneCheckpoint() public {
        _stake(alice, 10e18);
        _stake(alice, 5e18);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 3e18);
        vm.warp(block.timestamp + 1);
        assertEq(staking.stakeAt(alice.id, block.timestamp - 1), 12e18);
    }

    // ------------------------------------------------------------------ unstake and withdraw

    function test_Unstake_MovesStakeToUnbondingAndWithdrawPaysTheOwnerAfterThePeriod() public {
        _stake(alice, STAKE);
        uint256 unlocksAt = block.timestamp + 30 days;
        vm.expectEmit(address(staking));
        emit IStaking.UnstakeRequested(alice.id, 20_000e18, 20_000e18, unlocksAt);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 20_000e18);

        assertEq(staking.stakeOf(alice.id), STAKE - 20_000e18);
        (uint256 amount, uint256 unlocks) = staking.unbondingOf(alice.id);
        assertEq(amount, 20_000e18);
        assertEq(unlocks, unlocksAt);
        assertEq(staking.totalStaked(), STAKE - 20_000e18);
        assertEq(staking.totalUnbonding(), 20_000e18);

        vm.warp(unlocksAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StillUnbonding.selector, alice.id, unlocksAt));
        staking.withdraw(alice.id);

        vm.warp(unlocksAt);
        uint256 before = s.token.balanceOf(alice.owner);
        vm.expectEmit(address(staking));
        emit IStaking.Withdrawn(alice.id, alice.owner, 20_000e18);
        vm.prank(stranger); // anyone may trigger it; the stake goes to the owner
        assertEq(staking.withdraw(alice.id), 20_000e18);
        assertEq(s.token.balanceOf(alice.owner), before + 20_000e18);
        assertEq(staking.totalUnbonding(), 0);
        (amount, unlocks) = staking.unbondingOf(alice.id);
        assertEq(amount + unlocks, 0);

        vm.expectRevert(abi.encodeWithSelector(IStaking.NothingToWithdraw.selector, alice.id));
        staking.withdraw(alice.id);
    }

    function test_Unstake_ANewRequestAddsToTheBucketAndRestartsTheClock() public {
        _stake(alice, STAKE);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 10_000e18);
        vm.warp(block.timestamp + 29 days);
        uint256 unlocksAt = block.timestamp + 30 days;
        vm.expectEmit(address(staking));
        emit IStaking.UnstakeRequested(alice.id, 5_000e18, 15_000e18, unlocksAt);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 5_000e18);

        vm.warp(block.timestamp + 2 days); // the first request alone would have unlocked
        vm.expectRevert(abi.encodeWithSelector(IStaking.StillUnbonding.selector, alice.id, unlocksAt));
        staking.withdraw(alice.id);
        vm.warp(unlocksAt);
        assertEq(staking.withdraw(alice.id), 15_000e18);
    }

    function test_Unstake_RevertsForZeroTooMuchAndOthers() public {
        _stake(alice, STAKE);
        vm.startPrank(alice.owner);
        vm.expectRevert(IStaking.ZeroAmount.selector);
        staking.requestUnstake(alice.id, 0);
        vm.expectRevert(abi.encodeWithSelector(IStaking.InsufficientStake.selector, alice.id, STAKE, STAKE + 1));
        staking.requestUnstake(alice.id, STAKE + 1);
        vm.stopPrank();

        vm.expectRevert(abi.encodeWithSelector(IStaking.NotAgentOwner.selector, alice.id, stranger));
        vm.prank(stranger);
        staking.requestUnstake(alice.id, 1);
    }

    function test_Withdraw_RevertsWithNothingUnbonding() public {
        _stake(alice, STAKE);
        vm.expectRevert(abi.encodeWithSelector(IStaking.NothingToWithdraw.selector, alice.id));
        staking.withdraw(alice.id);
    }

    function test_Withdraw_StillPaysAnExitedAgentsOwner() public {
        _stake(alice, STAKE);
        vm.startPrank(alice.owner);
        staking.requestUnstake(alice.id, STAKE);
        registry.requestExit(alice.id);
        vm.stopPrank();
        vm.warp(block.timestamp + 30 days);
        assertEq(staking.withdraw(alice.id), STAKE);
        assertEq(registry.withdrawBond(alice.id), BOND);
        assertEq(s.token.balanceOf(alice.owner), OWNER_FUNDS - FEE);
    }

    function testFuzz_StakeUnstakeWithdraw_ReturnsExactlyWhatWasUnstaked(uint256 staked, uint256 unstaked) public {
        staked = bound(staked, 1, OWNER_FUNDS - BOND - FEE);
        unstaked = bound(unstaked, 1, staked);
        _stake(alice, staked);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, unstaked);
        vm.warp(block.timestamp + 30 days);
        assertEq(staking.withdraw(alice.id), unstaked);
        assertEq(staking.stakeOf(alice.id), staked - unstaked);
        assertEq(s.token.balanceOf(address(staking)), staked - unstaked);
        assertEq(s.token.balanceOf(alice.owner), OWNER_FUNDS - BOND - FEE - (staked - unstaked));
    }

    // ------------------------------------------------------------------ slash

    function test_Slash_TakesTheSameFractionOfActiveAndUnbondingStake() public {
        _stake(alice, 80_000e18);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 20_000e18);
        uint256 deadline = block.timestamp + 7 days;

        vm.expectEmit(address(staking));
        emit IStaking.Slashed(1, alice.id, slasher, 2_500, 20_000e18, harmed, REASON, deadline);
        vm.prank(slasher);
        (uint256 slashId, uint256 amount) = staking.slash(alice.id, 2_500, harmed, REASON);

        assertEq(slashId, 1);
        assertEq(amount, 20_000e18); // 15,000 of 60,000 active + 5,000 of 20,000 unbonding
        assertEq(staking.stakeOf(alice.id), 45_000e18);
        (uint256 unbonding,) = staking.unbondingOf(alice.id);
        assertEq(unbonding, 15_000e18);
        assertEq(staking.totalStaked(), 45_000e18);
        assertEq(staking.totalUnbonding(), 15_000e18);
        assertEq(staking.totalPendingSlashes(), 20_000e18);
        assertEq(s.token.balanceOf(address(staking)), 80_000e18, "slashed stake is held, not moved, until final");

        IStaking.PendingSlash memory p = staking.pendingSlash(slashId);
        assertEq(p.agentId, alice.id);
        assertEq(p.amount, 20_000e18);
        assertEq(p.appealDeadline, deadline);
        assertFalse(p.resolved);
        assertEq(p.harmedParty, harmed);
        assertEq(staking.slashCount(), 1);
    }

    function test_Slash_AnUnstakingAgentCannotEscape() public {
        // The agent sees a slash coming and tries to leave with everything.
        _stake(alice, STAKE);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, STAKE);
        vm.warp(block.timestamp + 3 days);
        vm.prank(slasher);
        (, uint256 amount) = staking.slash(alice.id, 4_000, harmed, REASON);
        assertEq(amount, 20_000e18);

        vm.warp(block.timestamp + 30 days);
        uint256 before = s.token.balanceOf(alice.owner);
        assertEq(staking.withdraw(alice.id), STAKE - 20_000e18, "withdraws only what the slash left");
        assertEq(s.token.balanceOf(alice.owner) - before, STAKE - 20_000e18);
        staking.finalizeSlash(1);
        assertEq(s.token.balanceOf(address(staking)), 0);
    }

    function test_Slash_FullSeverityTakesEverything() public {
        _stake(alice, STAKE);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 1e18);
        vm.prank(slasher);
        (, uint256 amount) = staking.slash(alice.id, 10_000, harmed, REASON);
        assertEq(amount, STAKE);
        assertEq(staking.stakeOf(alice.id), 0);
        vm.warp(block.timestamp + 30 days);
        vm.expectRevert(abi.encodeWithSelector(IStaking.NothingToWithdraw.selector, alice.id));
        staking.withdraw(alice.id);
    }

    function test_Slash_OfAnAgentWithoutStakeRecordsNothing() public {
        vm.recordLogs();
        vm.prank(slasher);
        (uint256 slashId, uint256 amount) = staking.slash(alice.id, 10_000, harmed, REASON);
        assertEq(slashId, 0);
        assertEq(amount, 0);
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(staking.slashCount(), 0);

        _stake(alice, 99); // 1% of 99 wei rounds to nothing
        vm.prank(slasher);
        (slashId, amount) = staking.slash(alice.id, 100, harmed, REASON);
        assertEq(slashId + amount, 0);
        assertEq(staking.stakeOf(alice.id), 99);
    }

    function test_Slash_RevertsForNonSlashersAndInvalidSeverity() public {
        _stake(alice, STAKE);
        vm.expectRevert(abi.encodeWithSelector(IStaking.NotSlasher.selector, stranger));
        vm.prank(stranger);
        staking.slash(alice.id, 1_000, harmed, REASON);

        vm.expectRevert(abi.encodeWithSelector(IStaking.NotSlasher.selector, governance));
        vm.prank(governance); // governance is not a slasher unless it names itself
        staking.slash(alice.id, 1_000, harmed, REASON);

        vm.startPrank(slasher);
        vm.expectRevert(abi.encodeWithSelector(IStaking.InvalidSeverity.selector, 99));
        staking.slash(alice.id, 99, harmed, REASON);
        vm.expectRevert(abi.encodeWithSelector(IStaking.InvalidSeverity.selector, 10_001));
        staking.slash(alice.id, 10_001, harmed, REASON);
        vm.expectRevert(abi.encodeWithSelector(IStaking.InvalidSeverity.selector, 0));
        staking.slash(alice.id, 0, harmed, REASON);
        staking.slash(alice.id, 100, harmed, REASON);
        staking.slash(alice.id, 10_000, harmed, REASON);
        vm.stopPrank();
    }

    function test_Slash_RevokedSlasherCannotSlash() public {
        _stake(alice, STAKE);
        vm.prank(governance);
        staking.setSlasher(slasher, false);
        vm.expectRevert(abi.encodeWithSelector(IStaking.NotSlasher.selector, slasher));
        vm.prank(slasher);
        staking.slash(alice.id, 1_000, harmed, REASON);
    }

    function testFuzz_Slash_IsProportionalAndConservesTokens(uint256 active, uint256 unbonding, uint16 severity)
        public
    {
        active = bound(active, 0, 500_000e18);
        unbonding = bound(unbonding, 0, 400_000e18);
        severity = uint16(bound(severity, 100, 10_000));
        if (active + unbonding == 0) active = 1;
        _stake(alice, active + unbonding);
        if (unbonding != 0) {
            vm.prank(alice.owner);
            staking.requestUnstake(alice.id, unbonding);
        }
        vm.prank(slasher);
        (, uint256 amount) = staking.slash(alice.id, severity, harmed, REASON);

        uint256 fromActive = active * severity / 10_000;
        uint256 fromUnbonding = unbonding * severity / 10_000;
        assertEq(amount, fromActive + fromUnbonding);
        assertEq(staking.stakeOf(alice.id), active - fromActive);
        (uint256 leftUnbonding,) = staking.unbondingOf(alice.id);
        assertEq(leftUnbonding, unbonding - fromUnbonding);
        assertLe(amount, (active + unbonding) * severity / 10_000);
        assertGe(amount + 1, (active + unbonding) * severity / 10_000);
        _assertBalanceMatchesTotals();
    }

    // ------------------------------------------------------------------ appeal: reverse

    function test_ReverseSlash_WithinTheWindowRestoresActiveStake() public {
        _stake(alice, 80_000e18);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 20_000e18);
        vm.prank(slasher);
        (uint256 slashId,) = staking.slash(alice.id, 5_000, harmed, REASON); // 30,000 + 10,000

        vm.warp(block.timestamp + 7 days); // the deadline itself is still inside the window
        vm.expectEmit(address(staking));
        emit IStaking.SlashReversed(slashId, alice.id, 40_000e18);
        vm.prank(governance);
        staking.reverseSlash(slashId);

        assertEq(staking.stakeOf(alice.id), 70_000e18, "the whole amount returns to active stake");
        (uint256 unbonding,) = staking.unbondingOf(alice.id);
        assertEq(unbonding, 10_000e18);
        assertEq(staking.totalStaked(), 70_000e18);
        assertEq(staking.totalPendingSlashes(), 0);
        assertTrue(staking.pendingSlash(slashId).resolved);
        _assertBalanceMatchesTotals();

        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, slashId));
        vm.prank(governance);
        staking.reverseSlash(slashId);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, slashId));
        staking.finalizeSlash(slashId);
    }

    function test_ReverseSlash_RevertsAfterTheWindowForOthersAndForUnknownSlashes() public {
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 slashId,) = staking.slash(alice.id, 1_000, harmed, REASON);
        uint256 deadline = block.timestamp + 7 days;

        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, slasher));
        vm.prank(slasher);
        staking.reverseSlash(slashId);

        vm.expectRevert(abi.encodeWithSelector(IStaking.UnknownSlash.selector, 2));
        vm.prank(governance);
        staking.reverseSlash(2);

        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealWindowClosed.selector, slashId, deadline));
        vm.prank(governance);
        staking.reverseSlash(slashId);
    }

    // ------------------------------------------------------------------ appeal: finalize

    function test_FinalizeSlash_AfterTheWindowPaysTheHarmedShareAndBurnsTheRest() public {
        vm.prank(governance);
        staking.setHarmedShare(2_500);
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 slashId, uint256 amount) = staking.slash(alice.id, 2_000, harmed, REASON); // 10,000 ACC
        uint256 deadline = block.timestamp + 7 days;

        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealWindowOpen.selector, slashId, deadline));
        staking.finalizeSlash(slashId);

        vm.warp(deadline + 1);
        uint256 burnedBefore = s.token.totalBurned();
        uint256 supplyBefore = s.token.totalSupply();
        vm.expectEmit(address(staking));
        emit IStaking.SlashFinalized(slashId, alice.id, 7_500e18, 2_500e18);
        vm.prank(stranger); // anyone
        staking.finalizeSlash(slashId);

        assertEq(amount, 10_000e18);
        assertEq(s.token.balanceOf(harmed), 2_500e18);
        assertEq(s.token.totalBurned(), burnedBefore + 7_500e18);
        assertEq(s.token.totalSupply(), supplyBefore - 7_500e18);
        assertEq(staking.totalPendingSlashes(), 0);
        assertEq(staking.stakeOf(alice.id), 40_000e18);
        assertTrue(staking.pendingSlash(slashId).resolved);
        _assertBalanceMatchesTotals();

        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, slashId));
        staking.finalizeSlash(slashId);
        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, slashId));
        vm.prank(governance);
        staking.reverseSlash(slashId);
    }

    function test_FinalizeSlash_WithDefaultShareOrNoHarmedPartyBurnsEverything() public {
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 first,) = staking.slash(alice.id, 1_000, harmed, REASON); // default share 0
        vm.prank(governance);
        staking.setHarmedShare(10_000);
        vm.prank(slasher);
        (uint256 second, uint256 secondAmount) = staking.slash(alice.id, 1_000, address(0), REASON);
        vm.warp(block.timestamp + 7 days + 1);

        uint256 burnedBefore = s.token.totalBurned();
        staking.finalizeSlash(first);
        staking.finalizeSlash(second);
        assertEq(s.token.balanceOf(harmed), 0);
        assertEq(s.token.totalBurned(), burnedBefore + 5_000e18 + secondAmount);
    }

    function test_FinalizeSlash_UsesTheShareInForceWhenTheSlashWasMade() public {
        vm.prank(governance);
        staking.setHarmedShare(5_000);
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 slashId,) = staking.slash(alice.id, 1_000, harmed, REASON);
        assertEq(staking.slashHarmedShareBps(slashId), 5_000);
        vm.prank(governance);
        staking.setHarmedShare(0);
        vm.warp(block.timestamp + 7 days + 1);
        staking.finalizeSlash(slashId);
        assertEq(s.token.balanceOf(harmed), 2_500e18);
    }

    function test_FinalizeSlash_RevertsForAnUnknownSlash() public {
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnknownSlash.selector, 0));
        staking.finalizeSlash(0);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnknownSlash.selector, 1));
        staking.finalizeSlash(1);
    }

    function test_AppealWindowChangesApplyToLaterSlashesOnly() public {
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 first,) = staking.slash(alice.id, 1_000, harmed, REASON);
        vm.prank(governance);
        staking.setAppealWindow(14 days);
        vm.prank(slasher);
        (uint256 second,) = staking.slash(alice.id, 1_000, harmed, REASON);
        assertEq(staking.pendingSlash(first).appealDeadline, block.timestamp + 7 days);
        assertEq(staking.pendingSlash(second).appealDeadline, block.timestamp + 14 days);
    }

    function testFuzz_SlashThenResolve_KeepsBalanceEqualToTotals(uint16 severity, uint16 share, bool reverse) public {
        severity = uint16(bound(severity, 100, 10_000));
        share = uint16(bound(share, 0, 10_000));
        vm.prank(governance);
        staking.setHarmedShare(share);
        _stake(alice, STAKE);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, STAKE / 3);
        vm.prank(slasher);
        (uint256 slashId, uint256 amount) = staking.slash(alice.id, severity, harmed, REASON);
        _assertBalanceMatchesTotals();

        uint256 burnedBefore = s.token.totalBurned();
        if (reverse) {
            vm.prank(governance);
            staking.reverseSlash(slashId);
            assertEq(staking.stakeOf(alice.id) + staking.totalUnbonding(), STAKE);
        } else {
            vm.warp(block.timestamp + 7 days + 1);
            staking.finalizeSlash(slashId);
            uint256 paid = amount * share / 10_000;
            assertEq(s.token.balanceOf(harmed), paid);
            assertEq(s.token.totalBurned() - burnedBefore, amount - paid);
        }
        _assertBalanceMatchesTotals();
        assertEq(s.token.totalSupply() + s.token.totalBurned(), SUPPLY);
    }

    // ------------------------------------------------------------------ appeal: filed by the owner

    function test_AppealSlash_HoldsTheSlashUntilTheDecisionDeadline() public {
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 slashId, uint256 amount) = staking.slash(alice.id, 2_000, harmed, REASON);
        uint256 appealDeadline = block.timestamp + 7 days;

        vm.warp(block.timestamp + 3 days);
        uint256 decisionDeadline = block.timestamp + 30 days;
        vm.expectEmit(address(staking));
        emit IStaking.SlashAppealed(slashId, alice.id, alice.owner, decisionDeadline);
        vm.prank(alice.owner);
        staking.appealSlash(slashId);
        IStaking.PendingSlash memory p = staking.pendingSlash(slashId);
        assertEq(uint8(p.status), uint8(IStaking.SlashStatus.Appealed));
        assertEq(p.appealDecisionDeadline, decisionDeadline);
        assertEq(p.appealDeadline, appealDeadline);
        assertFalse(p.resolved);

        vm.warp(appealDeadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealPending.selector, slashId, decisionDeadline));
        staking.finalizeSlash(slashId);
        vm.warp(decisionDeadline);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealPending.selector, slashId, decisionDeadline));
        staking.finalizeSlash(slashId);
        assertEq(staking.totalPendingSlashes(), amount, "escrowed in the pending slash meanwhile");
        _assertBalanceMatchesTotals();

        // Governance did not decide in time: the appeal expired and the slash finalizes.
        vm.warp(decisionDeadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealDecisionPeriodOver.selector, slashId, decisionDeadline));
        vm.prank(governance);
        staking.reverseSlash(slashId);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealDecisionPeriodOver.selector, slashId, decisionDeadline));
        vm.prank(governance);
        staking.dismissAppeal(slashId);
        vm.expectEmit(address(staking));
        emit IStaking.SlashFinalized(slashId, alice.id, amount, 0);
        staking.finalizeSlash(slashId);
        assertEq(uint8(staking.pendingSlash(slashId).status), uint8(IStaking.SlashStatus.Finalized));
        assertTrue(staking.pendingSlash(slashId).resolved);
        assertEq(staking.totalPendingSlashes(), 0);
        _assertBalanceMatchesTotals();
    }

    function test_AppealSlash_RevertsForOthersUnknownResolvedClosedAndRepeated() public {
        _stake(alice, STAKE);
        vm.startPrank(slasher);
        (uint256 first,) = staking.slash(alice.id, 1_000, harmed, REASON);
        (uint256 second,) = staking.slash(alice.id, 1_000, harmed, REASON);
        (uint256 third,) = staking.slash(alice.id, 1_000, harmed, REASON);
        vm.stopPrank();
        uint256 deadline = block.timestamp + 7 days;

        vm.expectRevert(abi.encodeWithSelector(IStaking.NotAgentOwner.selector, alice.id, stranger));
        vm.prank(stranger);
        staking.appealSlash(first);
        vm.expectRevert(abi.encodeWithSelector(IStaking.NotAgentOwner.selector, alice.id, alice.key));
        vm.prank(alice.key); // the agent's own key is not its owner
        staking.appealSlash(first);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnknownSlash.selector, 4));
        vm.prank(alice.owner);
        staking.appealSlash(4);

        vm.prank(alice.owner);
        staking.appealSlash(first);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AlreadyAppealed.selector, first));
        vm.prank(alice.owner);
        staking.appealSlash(first);

        vm.prank(governance);
        staking.reverseSlash(second);
        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, second));
        vm.prank(alice.owner);
        staking.appealSlash(second);

        vm.warp(deadline); // the deadline itself is inside the window
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.AppealWindowClosed.selector, third, deadline));
        vm.prank(alice.owner);
        staking.appealSlash(third);
    }

    function test_AppealSlash_OnTheLastSecondOfTheWindow() public {
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 slashId,) = staking.slash(alice.id, 1_000, harmed, REASON);
        vm.warp(block.timestamp + 7 days);
        vm.prank(alice.owner);
        staking.appealSlash(slashId);
        assertEq(staking.pendingSlash(slashId).appealDecisionDeadline, block.timestamp + 30 days);
    }

    function test_ReverseSlash_AnAppealedSlashAfterTheWindowUntilTheDecisionDeadline() public {
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 slashId, uint256 amount) = staking.slash(alice.id, 2_000, harmed, REASON);
        vm.prank(alice.owner);
        staking.appealSlash(slashId);
        uint256 decisionDeadline = block.timestamp + 30 days;

        vm.warp(decisionDeadline); // long after the 7-day window, the last second of the decision period
        vm.expectEmit(address(staking));
        emit IStaking.SlashReversed(slashId, alice.id, amount);
        vm.prank(governance);
        staking.reverseSlash(slashId);
        assertEq(staking.stakeOf(alice.id), STAKE);
        assertEq(uint8(staking.pendingSlash(slashId).status), uint8(IStaking.SlashStatus.Reversed));
        assertEq(staking.totalPendingSlashes(), 0);
        _assertBalanceMatchesTotals();

        vm.warp(decisionDeadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, slashId));
        staking.finalizeSlash(slashId);
        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, slashId));
        vm.prank(governance);
        staking.dismissAppeal(slashId);
    }

    function test_DismissAppeal_FinalizesAtOnce() public {
        vm.prank(governance);
        staking.setHarmedShare(2_500);
        _stake(alice, STAKE);
        vm.prank(slasher);
        (uint256 slashId, uint256 amount) = staking.slash(alice.id, 2_000, harmed, REASON); // 10,000 ACC

        vm.expectRevert(abi.encodeWithSelector(IStaking.NotAppealed.selector, slashId));
        vm.prank(governance);
        staking.dismissAppeal(slashId);

        vm.prank(alice.owner);
        staking.appealSlash(slashId);
        vm.warp(block.timestamp + 14 days);
        uint256 burnedBefore = s.token.totalBurned();
        vm.expectEmit(address(staking));
        emit IStaking.AppealDismissed(slashId, alice.id);
        vm.expectEmit(address(staking));
        emit IStaking.SlashFinalized(slashId, alice.id, amount * 3 / 4, amount / 4);
        vm.prank(governance);
        staking.dismissAppeal(slashId);

        assertEq(s.token.balanceOf(harmed), amount / 4);
        assertEq(s.token.totalBurned() - burnedBefore, amount * 3 / 4);
        assertEq(uint8(staking.pendingSlash(slashId).status), uint8(IStaking.SlashStatus.Finalized));
        assertEq(staking.totalPendingSlashes(), 0);
        _assertBalanceMatchesTotals();
        vm.expectRevert(abi.encodeWithSelector(IStaking.SlashAlreadyResolved.selector, slashId));
        staking.finalizeSlash(slashId);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnknownSlash.selector, 2));
        vm.prank(governance);
        staking.dismissAppeal(2);
    }

    function test_AppealDecisionPeriod_IsFixedWhenTheAppealIsFiled() public {
        _stake(alice, STAKE);
        vm.startPrank(slasher);
        (uint256 first,) = staking.slash(alice.id, 1_000, harmed, REASON);
        (uint256 second,) = staking.slash(alice.id, 1_000, harmed, REASON);
        vm.stopPrank();
        vm.prank(alice.owner);
        staking.appealSlash(first);
        vm.prank(governance);
        staking.setAppealDecisionPeriod(60 days);
        vm.prank(alice.owner);
        staking.appealSlash(second);
        assertEq(staking.pendingSlash(first).appealDecisionDeadline, block.timestamp + 30 days);
        assertEq(staking.pendingSlash(second).appealDecisionDeadline, block.timestamp + 60 days);
    }

    function test_PendingSlash_OfAnUnknownIdIsAllZero() public view {
        IStaking.PendingSlash memory p = staking.pendingSlash(12345);
        assertEq(uint8(p.status), uint8(IStaking.SlashStatus.None));
        assertEq(p.amount, 0);
        assertEq(p.appealDecisionDeadline, 0);
        assertFalse(p.resolved);
    }

    // ------------------------------------------------------------------ slash delays (no slash-then-exit)

    function test_DeclareSlashDelay_KeepsTheMaximumOverSlashers() public {
        address other = makeAddr("other slasher");
        vm.prank(governance);
        staking.setSlasher(other, true);

        vm.expectEmit(address(staking));
        emit IStaking.SlashDelayDeclared(slasher, 10 days, 10 days, 10 days);
        vm.prank(slasher);
        staking.declareSlashDelay(10 days);
        vm.prank(other);
        staking.declareSlashDelay(5 days);
        assertEq(staking.maxSlashDelay(), 10 days);

        // Lowering: actions taken under the 10 days may still be slashed for 10 more days, so it stays counted.
        vm.expectEmit(address(staking));
        emit IStaking.SlashDelayDeclared(slasher, 3 days, 10 days, 10 days);
        vm.prank(slasher);
        staking.declareSlashDelay(3 days);
        (uint256 declared, uint256 registered) = staking.slashDelayOf(slasher);
        assertEq(declared, 3 days);
        assertEq(registered, 10 days);
        vm.warp(block.timestamp + 10 days);
        vm.prank(slasher);
        staking.declareSlashDelay(3 days); // still owed at the last second; one record keeps it 3 days more
        assertEq(staking.maxSlashDelay(), 10 days);
        vm.warp(block.timestamp + 3 days + 1);
        vm.expectEmit(address(staking));
        emit IStaking.SlashDelayDeclared(slasher, 3 days, 3 days, 5 days);
        vm.prank(slasher);
        staking.declareSlashDelay(3 days);
        assertEq(staking.maxSlashDelay(), 5 days);

        // Removing a slasher takes its delay out (it cannot slash any more); adding it back puts it back.
        vm.prank(governance);
        staking.setSlasher(other, false);
        assertEq(staking.maxSlashDelay(), 3 days);
        vm.prank(governance);
        staking.setSlasher(other, true);
        assertEq(staking.maxSlashDelay(), 5 days);
        vm.prank(governance);
        staking.setSlasher(other, true); // no change: counted once
        vm.prank(governance);
        staking.setSlasher(other, false);
        assertEq(staking.maxSlashDelay(), 3 days);
        vm.prank(governance);
        staking.setSlasher(slasher, false);
        assertEq(staking.maxSlashDelay(), 0);
    }

    function test_DeclareSlashDelay_RoundsUpToWholeHoursAndSharesBuckets() public {
        address other = makeAddr("other slasher");
        vm.prank(governance);
        staking.setSlasher(other, true);
        uint256 life = 7 days + 14 hours + 30 minutes; // the genesis market's whole task life
        vm.prank(slasher);
        staking.declareSlashDelay(life);
        assertEq(staking.maxSlashDelay(), 7 days + 15 hours);
        vm.prank(other);
        staking.declareSlashDelay(7 days + 14 hours + 1); // same hour bucket
        vm.prank(governance);
        staking.setSlasher(slasher, false);
        assertEq(staking.maxSlashDelay(), 7 days + 15 hours, "the bucket still holds the other slasher");
        vm.prank(governance);
        staking.setSlasher(other, false);
        assertEq(staking.maxSlashDelay(), 0);
    }

    function test_DeclareSlashDelay_RevertsForNonSlashersTooLongAndWhenUnbondingIsTooShort() public {
        vm.expectRevert(abi.encodeWithSelector(IStaking.NotSlasher.selector, stranger));
        vm.prank(stranger);
        staking.declareSlashDelay(1 days);
        vm.startPrank(slasher);
        vm.expectRevert(abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "slashDelay", 365 days + 1));
        staking.declareSlashDelay(365 days + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 30 days, 23 days, 7 days));
        staking.declareSlashDelay(23 days);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 30 days, 23 days, 7 days));
        staking.declareSlashDelay(23 days - 1 hours + 1); // rounds up to 23 days
        staking.declareSlashDelay(23 days - 1 hours);
        assertEq(staking.maxSlashDelay(), 23 days - 1 hours);
        staking.declareSlashDelay(0);
        vm.stopPrank();
        assertEq(staking.maxSlashDelay(), 23 days - 1 hours, "the 23 days are still owed");
    }

    function test_Setters_KeepUnbondingAboveTheSlashDelayPlusTheAppealWindow() public {
        vm.prank(slasher);
        staking.declareSlashDelay(10 days);
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 17 days, 10 days, 7 days));
        staking.setUnbondingPeriod(17 days);
        staking.setUnbondingPeriod(17 days + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 17 days + 1, 10 days, 8 days));
        staking.setAppealWindow(8 days);
        staking.setUnbondingPeriod(30 days);
        staking.setAppealWindow(20 days - 1);

        // A removed slasher comes back only if its delay still fits.
        staking.setSlasher(slasher, false);
        staking.setUnbondingPeriod(20 days);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 20 days, 10 days, 20 days - 1));
        staking.setSlasher(slasher, true);
        vm.stopPrank();
    }

    function test_StakeAt_BeforeGenesisOrAnyStakeIsZero() public {
        _stake(alice, STAKE);
        vm.warp(block.timestamp + 1);
        assertEq(staking.stakeAt(alice.id, 0), 0);
        assertEq(staking.stakeAt(alice.id, 1), 0);
        assertEq(staking.stakeAt(alice.id, block.timestamp - 2), 0);
        assertEq(staking.stakeAt(alice.id, block.timestamp - 1), STAKE);
        assertEq(staking.stakeAt(12345, block.timestamp - 1), 0);
    }

    // ------------------------------------------------------------------ governance

    function test_Governance_SettersEmitAndApply() public {
        vm.startPrank(governance);
        vm.expectEmit(address(staking));
        emit IStaking.SlasherSet(stranger, true);
        staking.setSlasher(stranger, true);
        assertTrue(staking.isSlasher(stranger));

        vm.expectEmit(address(staking));
        emit IStaking.UnbondingPeriodSet(30 days, 60 days);
        staking.setUnbondingPeriod(60 days);
        assertEq(staking.unbondingPeriod(), 60 days);

        vm.expectEmit(address(staking));
        emit IStaking.AppealWindowSet(7 days, 10 days);
        staking.setAppealWindow(10 days);
        assertEq(staking.appealWindow(), 10 days);

        vm.expectEmit(address(staking));
        emit IStaking.HarmedShareSet(0, 10_000);
        staking.setHarmedShare(10_000);
        assertEq(staking.harmedShareBps(), 10_000);

        vm.expectEmit(address(staking));
        emit IStaking.AppealDecisionPeriodSet(30 days, 45 days);
        staking.setAppealDecisionPeriod(45 days);
        assertEq(staking.appealDecisionPeriod(), 45 days);
        vm.stopPrank();
    }

    function test_Governance_SettersRejectOutOfRangeValues() public {
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "slasher", 0));
        staking.setSlasher(address(0), true);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 7 days, 0, 7 days));
        staking.setUnbondingPeriod(7 days); // must exceed the appeal window
        vm.expectRevert(abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "unbondingPeriod", 365 days + 1));
        staking.setUnbondingPeriod(365 days + 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.UnbondingTooShort.selector, 30 days, 0, 30 days));
        staking.setAppealWindow(30 days); // must stay below the unbonding period
        vm.expectRevert(abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "appealWindow", 1 days - 1));
        staking.setAppealWindow(1 days - 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "harmedShareBps", 10_001));
        staking.setHarmedShare(10_001);
        vm.expectRevert(
            abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "appealDecisionPeriod", 21 days - 1)
        );
        staking.setAppealDecisionPeriod(21 days - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStaking.ParameterOutOfRange.selector, "appealDecisionPeriod", 90 days + 1)
        );
        staking.setAppealDecisionPeriod(90 days + 1);
        staking.setAppealDecisionPeriod(21 days);
        staking.setAppealDecisionPeriod(90 days);

        staking.setUnbondingPeriod(7 days + 1);
        staking.setAppealWindow(1 days);
        staking.setUnbondingPeriod(365 days);
        staking.setAppealWindow(365 days - 1);
        vm.stopPrank();
    }

    function test_Governance_SettersAreTimelockOnly() public {
        bytes memory unauthorized = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, slasher);
        vm.startPrank(slasher);
        vm.expectRevert(unauthorized);
        staking.setSlasher(slasher, true);
        vm.expectRevert(unauthorized);
        staking.setUnbondingPeriod(60 days);
        vm.expectRevert(unauthorized);
        staking.setAppealWindow(3 days);
        vm.expectRevert(unauthorized);
        staking.setHarmedShare(1);
        vm.expectRevert(unauthorized);
        staking.setAppealDecisionPeriod(30 days);
        vm.expectRevert(unauthorized);
        staking.reverseSlash(1);
        vm.expectRevert(unauthorized);
        staking.dismissAppeal(1);
        vm.expectRevert(unauthorized);
        staking.transferOwnership(slasher);
        vm.stopPrank();
    }

    function test_UnbondingPeriodChangesApplyToLaterRequests() public {
        _stake(alice, STAKE);
        vm.prank(governance);
        staking.setUnbondingPeriod(10 days);
        vm.prank(alice.owner);
        staking.requestUnstake(alice.id, 1e18);
        (, uint256 unlocksAt) = staking.unbondingOf(alice.id);
        assertEq(unlocksAt, block.timestamp + 10 days);
    }

    function _assertBalanceMatchesTotals() internal view {
        assertEq(
            s.token.balanceOf(address(staking)),
            staking.totalStaked() + staking.totalUnbonding() + staking.totalPendingSlashes(),
            "balance == totals"
        );
    }
}

/// @dev Random stake / unstake / withdraw / slash / reverse / finalize / warp over three agents, with ghost
///      accounting per agent.
contract StakingHandler is Test {
    Staking internal staking;
    AccToken internal token;
    address internal governance;
    address internal slasher;
    address internal harmed;
    uint256[] internal agentIds;
    address[] internal owners;

    mapping(uint256 agentId => uint256) public ghostStaked;
    mapping(uint256 agentId => uint256) public ghostWithdrawn;
    mapping(uint256 agentId => uint256) public ghostSlashedFinal; // finalized slashes: burned or paid out
    mapping(uint256 agentId => uint256) public ghostPending; // unresolved slashes
    uint256[] internal openSlashes;

    constructor(
        Staking staking_,
        AccToken token_,
        address governance_,
        address slasher_,
        address harmed_,
        uint256[] memory agentIds_,
        address[] memory owners_
    ) {
        staking = staking_;
        token = token_;
        governance = governance_;
        slasher = slasher_;
        harmed = harmed_;
        agentIds = agentIds_;
        owners = owners_;
    }

    function agentCount() external view returns (uint256) {
        return agentIds.length;
    }

    function agentAt(uint256 i) external view returns (uint256) {
        return agentIds[i];
    }

    function stake(uint256 who, uint256 amount) external {
        who = who % agentIds.length;
        amount = bound(amount, 1, token.balanceOf(owners[who]) / 4 + 1);
        vm.prank(owners[who]);
        staking.stake(agentIds[who], amount);
        ghostStaked[agentIds[who]] += amount;
    }

    function requestUnstake(uint256 who, uint256 amount) external {
        who = who % agentIds.length;
        uint256 active = staking.stakeOf(agentIds[who]);
        if (active == 0) return;
        vm.prank(owners[who]);
        staking.requestUnstake(agentIds[who], bound(amount, 1, active));
    }

    function withdraw(uint256 who) external {
        who = who % agentIds.length;
        (uint256 amount, uint256 unlocksAt) = staking.unbondingOf(agentIds[who]);
        if (amount == 0 || block.timestamp < unlocksAt) return;
        ghostWithdrawn[agentIds[who]] += staking.withdraw(agentIds[who]);
    }

    function slash(uint256 who, uint16 severity) external {
        who = who % agentIds.length;
        vm.prank(slasher);
        (uint256 slashId, uint256 amount) =
            staking.slash(agentIds[who], uint16(bound(severity, 100, 10_000)), harmed, bytes32(0));
        if (slashId == 0) return;
        ghostPending[agentIds[who]] += amount;
        openSlashes.push(slashId);
    }

    function appeal(uint256 which) external {
        if (openSlashes.length == 0) return;
        uint256 slashId = openSlashes[which % openSlashes.length];
        IStaking.PendingSlash memory p = staking.pendingSlash(slashId);
        if (p.status != IStaking.SlashStatus.Pending || block.timestamp > p.appealDeadline) return;
        vm.prank(_ownerOf(p.agentId));
        staking.appealSlash(slashId);
    }

    function dismiss(uint256 which) external {
        if (openSlashes.length == 0) return;
        uint256 index = which % openSlashes.length;
        IStaking.PendingSlash memory p = staking.pendingSlash(openSlashes[index]);
        if (p.status != IStaking.SlashStatus.Appealed || block.timestamp > p.appealDecisionDeadline) return;
        vm.prank(governance);
        staking.dismissAppeal(openSlashes[index]);
        ghostPending[p.agentId] -= p.amount;
        ghostSlashedFinal[p.agentId] += p.amount;
        _close(index);
    }

    function reverse(uint256 which) external {
        if (openSlashes.length == 0) return;
        uint256 index = which % openSlashes.length;
        IStaking.PendingSlash memory p = staking.pendingSlash(openSlashes[index]);
        if (block.timestamp > _decisionDeadline(p)) return;
        vm.prank(governance);
        staking.reverseSlash(openSlashes[index]);
        ghostPending[p.agentId] -= p.amount;
        _close(index);
    }

    function finalize(uint256 which) external {
        if (openSlashes.length == 0) return;
        uint256 index = which % openSlashes.length;
        IStaking.PendingSlash memory p = staking.pendingSlash(openSlashes[index]);
        if (block.timestamp <= _decisionDeadline(p)) return;
        staking.finalizeSlash(openSlashes[index]);
        ghostPending[p.agentId] -= p.amount;
        ghostSlashedFinal[p.agentId] += p.amount;
        _close(index);
    }

    function setHarmedShare(uint16 bps) external {
        vm.prank(governance);
        staking.setHarmedShare(uint16(bound(bps, 0, 10_000)));
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + bound(secondsAhead, 1, 20 days));
    }

    /// @dev The last moment governance may reverse: the appeal window, or the decision deadline of an appeal.
    function _decisionDeadline(IStaking.PendingSlash memory p) private pure returns (uint256) {
        return p.status == IStaking.SlashStatus.Appealed ? p.appealDecisionDeadline : p.appealDeadline;
    }

    function _ownerOf(uint256 agentId) private view returns (address) {
        for (uint256 i; i < agentIds.length; ++i) {
            if (agentIds[i] == agentId) return owners[i];
        }
        return address(0); // unreachable: every slash is of one of the handler's agents
    }

    function _close(uint256 index) private {
        openSlashes[index] = openSlashes[openSlashes.length - 1];
        openSlashes.pop();
    }
}

contract StakingInvariantTest is RegistryStakingFixture {
    StakingHandler internal handler;

    function setUp() public override {
        super.setUp();
        uint256[] memory ids = new uint256[](3);
        address[] memory owners = new address[](3);
        for (uint256 i; i < 3; ++i) {
            TestAgent memory agent = _activeAgent(string.concat("agent", vm.toString(i)), 0);
            ids[i] = agent.id;
            owners[i] = agent.owner;
        }
        handler = new StakingHandler(staking, s.token, governance, slasher, harmed, ids, owners);
        vm.prank(governance);
        staking.setHarmedShare(3_000);
        targetContract(address(handler));
    }

    function invariant_BalanceEqualsTotals() public view {
        assertEq(
            s.token.balanceOf(address(staking)),
            staking.totalStaked() + staking.totalUnbonding() + staking.totalPendingSlashes()
        );
    }

    function invariant_EachAgentsTokensAreAccountedFor() public view {
        uint256 sumActive;
        uint256 sumUnbonding;
        uint256 sumPending;
        for (uint256 i; i < handler.agentCount(); ++i) {
            uint256 id = handler.agentAt(i);
            (uint256 unbonding,) = staking.unbondingOf(id);
            uint256 active = staking.stakeOf(id);
            uint256 pending = handler.ghostPending(id);
            // staked == active + unbonding + pending slashes + withdrawn + finalized slashes, hence an agent never
            // withdraws more than it staked minus its finalized slashes.
            assertEq(
                active + unbonding + pending + handler.ghostWithdrawn(id) + handler.ghostSlashedFinal(id),
                handler.ghostStaked(id)
            );
            assertLe(handler.ghostWithdrawn(id), handler.ghostStaked(id) - handler.ghostSlashedFinal(id));
            sumActive += active;
            sumUnbonding += unbonding;
            sumPending += pending;
        }
        assertEq(staking.totalStaked(), sumActive);
        assertEq(staking.totalUnbonding(), sumUnbonding);
        assertEq(staking.totalPendingSlashes(), sumPending);
    }

    function invariant_SupplyPlusBurnedIsConstant() public view {
        assertEq(s.token.totalSupply() + s.token.totalBurned(), SUPPLY);
    }
}
