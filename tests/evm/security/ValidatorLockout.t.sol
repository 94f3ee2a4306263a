// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ProtocolFixture} from "../protocol/ProtocolFixture.sol";
import {Reputation} from "../../../contracts/evm/protocol/Reputation.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";
import {IAgentRegistry} from "../../../contracts/evm/interfaces/IAgentRegistry.sol";
import {IStaking} from "../../../contracts/evm/interfaces/IStaking.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";

/// @dev Security review item 2, "honest validators can be locked out on purpose". With one step of reputation history,
///      anyone could make a validator's reputation at a committee snapshot unreadable by getting that validator's
///      reputation written twice after the snapshot (settling it as the member of cheap side tasks in two blocks right
///      after the target result was posted): every draw of that validator for the target task then reverted. These
///      tests perform the attack against the whole protocol and against Reputation alone, and show that the snapshot
///      read still answers, with the value at the start of the snapshot's day.
contract ValidatorLockoutTest is ProtocolFixture {
    IReputation.Dimension internal constant VALIDATOR = IReputation.Dimension.Validator;
    uint256 internal constant SIDE_TASKS = 3;

    /// @dev An honest task settled with every member aligned, so the reviewers hold validator reputation.
    function _honestHistory() internal returns (uint256[] memory members) {
        uint256 taskId;
        (taskId, members) = _drawn();
        bool[] memory votes = _votes(COMMITTEE, COMMITTEE);
        _commitAll(taskId, members, votes);
        _revealAll(taskId, members, votes);
        vm.prank(keeper);
        market.settle(taskId, new ITaskMarket.Reveal[](0), members);
        assertGt(reputation.reputationOf(members[0], VALIDATOR), 0, "the honest validator has reputation");
    }

    /// @dev The attacker's cheap side tasks, each with `victim` on its (full) committee beside nine other reviewers,
    ///      all voting honestly: once every member has revealed, the attacker (as keeper) may settle whenever it
    ///      chooses, and settling the victim writes its validator reputation. Left unsettled.
    function _sideTasksWith(uint256 victim) internal returns (uint256[] memory ids) {
        ids = new uint256[](SIDE_TASKS);
        for (uint256 i; i < SIDE_TASKS; ++i) {
            ids[i] = _submit();
            _bid(ids[i], executor, 800e18);
        }
        vm.warp(block.timestamp + 1 hours);
        for (uint256 i; i < SIDE_TASKS; ++i) {
            market.assign(ids[i]);
            vm.prank(executor.key);
            market.postResult(ids[i], keccak256("side result"), "ipfs://side");
        }
        _seedReady();
        uint256[] memory committee = new uint256[](COMMITTEE);
        committee[0] = victim;
        uint256 n = 1;
        for (uint256 i; n < COMMITTEE; ++i) {
            if (reviewers[i].id != victim) committee[n++] = reviewers[i].id;
        }
        uint256 opens;
        for (uint256 i; i < SIDE_TASKS; ++i) {
            vm.prank(keeper);
            market.drawCommittee(ids[i], committee);
            uint256 closes = market.getTask(ids[i]).drawClosesAt;
            if (closes > opens) opens = closes;
        }
        vm.warp(opens);
        bool[] memory approve = _votes(COMMITTEE, COMMITTEE);
        for (uint256 i; i < SIDE_TASKS; ++i) {
            _commitAll(ids[i], committee, approve);
            _revealAll(ids[i], committee, approve);
        }
    }

    /// @dev The target task, assigned and ready for its result.
    function _targetAssigned() internal returns (uint256 taskId) {
        taskId = _submit();
        _bid(taskId, executor, 800e18);
        vm.warp(block.timestamp + 1 hours);
        market.assign(taskId);
    }

    /// @dev The attack: each side task settled with the victim in its own block, right after the target's result.
    function _settleSideTasksInSeparateBlocks(uint256[] memory sideTasks, uint256 victim) internal {
        uint256[] memory only = new uint256[](1);
        only[0] = victim;
        for (uint256 i; i < sideTasks.length; ++i) {
            vm.roll(block.number + 1);
            vm.warp(block.timestamp + 12);
            uint256 before = reputation.reputationOf(victim, VALIDATOR);
            vm.prank(keeper);
            market.settle(sideTasks[i], new ITaskMarket.Reveal[](0), only);
            assertGt(reputation.reputationOf(victim, VALIDATOR), before, "the side task wrote the victim's reputation");
        }
    }

    /// @dev The target's committee still takes the victim, with the weight read before the attack.
    function _assertVictimDrawable(uint256 target, uint256 victim, uint256 readBeforeAttack) internal {
        uint256 snapshot = uint256(market.getTask(target).resultPostedAt) - 1;
        assertEq(reputation.reputationAt(victim, VALIDATOR, snapshot), readBeforeAttack, "the snapshot read moved");
        uint256[] memory ids = new uint256[](1);
        ids[0] = victim;
        assertEq(reputation.reputationsAt(ids, VALIDATOR, snapshot)[0], readBeforeAttack);

        _seedReady();
        vm.prank(keeper);
        market.drawCommittee(target, new uint256[](0)); // fixes the seed
        uint256 key = market.sortitionKey(target, victim);
        assertGt(key, 0, "the victim's key answers");
        vm.prank(keeper);
        market.drawCommittee(target, ids);
        assertEq(market.getTask(target).seats, 1, "the victim is seated");
        assertEq(market.sortitionKey(target, victim), key, "the key does not move with later writes");
    }

    function test_Attack_SideTaskSettlementsRightAfterTheResultCannotLockOutAValidator() public {
        uint256 victim = _honestHistory()[0];
        vm.warp(block.timestamp + 2 days); // the victim's last write is from an earlier day
        uint256[] memory sideTasks = _sideTasksWith(victim);
        uint256 target = _targetAssigned();

        vm.prank(executor.key);
        market.postResult(target, keccak256("result"), "ipfs://result");
        uint256 snapshot = block.timestamp - 1;
        uint256 readBeforeAttack = reputation.reputationAt(victim, VALIDATOR, snapshot);
        assertGt(readBeforeAttack, 0);

        _settleSideTasksInSeparateBlocks(sideTasks, victim);
        _assertVictimDrawable(target, victim, readBeforeAttack);
    }

    /// @dev The harder timing: the victim was already written earlier on the snapshot's day (so the snapshot is read
    ///      from its history, not its current record), the result is posted just before midnight and the side tasks
    ///      are settled on both sides of it.
    function test_Attack_AcrossMidnightWithTheVictimWrittenEarlierThatDay() public {
        uint256 victim = _honestHistory()[0];
        vm.warp(block.timestamp + 1 days);
        uint256[] memory sideTasks = _sideTasksWith(victim);
        // On a later day: the victim is written once in the morning (an ordinary settlement), the target's result
        // comes at 23:59:40.
        uint256 nextDay = block.timestamp - block.timestamp % 1 days + 1 days;
        vm.warp(nextDay + 1 hours);
        uint256[] memory first = new uint256[](1);
        first[0] = sideTasks[0];
        _settleSideTasksInSeparateBlocks(first, victim);
        uint256 dayStartValue = reputation.reputationAt(victim, VALIDATOR, block.timestamp);
        uint256 afterMorningWrite = reputation.reputationOf(victim, VALIDATOR);
        vm.warp(nextDay + 1 days - 20 - 1 hours);
        uint256 target = _targetAssigned();
        assertEq(block.timestamp, nextDay + 1 days - 20);

        vm.prank(executor.key);
        market.postResult(target, keccak256("result"), "ipfs://result");
        uint256 readBeforeAttack = reputation.reputationAt(victim, VALIDATOR, block.timestamp - 1);

        uint256[] memory rest = new uint256[](SIDE_TASKS - 1);
        for (uint256 i; i < rest.length; ++i) {
            rest[i] = sideTasks[i + 1];
        }
        _settleSideTasksInSeparateBlocks(rest, victim); // 23:59:52 and 00:00:04
        assertEq(block.timestamp / 1 days, nextDay / 1 days + 1, "the attack crossed midnight");
        _assertVictimDrawable(target, victim, readBeforeAttack);
        assertEq(readBeforeAttack, dayStartValue, "the snapshot reads the start of its day");
        assertLt(dayStartValue, afterMorningWrite, "the morning's write counts from the next day");
    }
}

/// @dev The same attack on Reputation alone, at any scale: many writes in many blocks and days after a snapshot.
contract ReputationLockoutTest is Test {
    uint64 internal constant GENESIS = 1_750_000_000;
    uint256 internal constant VICTIM = 7;
    IReputation.Dimension internal constant VALIDATOR = IReputation.Dimension.Validator;

    Reputation internal rep;
    address internal market = makeAddr("market");

    function setUp() public {
        vm.warp(GENESIS);
        rep = new Reputation(
            IAgentRegistry(makeAddr("registry")),
            IStaking(makeAddr("staking")),
            makeAddr("governance"),
            GENESIS,
            new IReputation.WriterGrant[](0)
        );
        vm.prank(makeAddr("governance"));
        rep.setWriter(market, VALIDATOR, true);
    }

    function test_Attack_ManyWritesAfterTheSnapshotNeverHideIt() public {
        vm.startPrank(market);
        rep.increase(VICTIM, VALIDATOR, 40e18);
        vm.warp(block.timestamp + 3 days + 5 hours);
        rep.increase(VICTIM, VALIDATOR, 2e18); // written earlier on the snapshot's day
        vm.warp(block.timestamp + 2 hours);
        uint256 snapshot = block.timestamp - 1;
        uint256 atSnapshot = rep.reputationAt(VICTIM, VALIDATOR, snapshot);
        uint256 dayStart = snapshot - snapshot % 1 days;
        uint256 atDayStart = rep.reputationAt(VICTIM, VALIDATOR, dayStart);
        assertGt(atSnapshot, 0);

        uint256[] memory ids = new uint256[](2);
        (ids[0], ids[1]) = (VICTIM, VICTIM + 1);
        for (uint256 i; i < 200; ++i) {
            vm.roll(block.number + 1);
            // Five days of writes: the market reads a snapshot at most 3 days old, well inside HISTORY_DAYS.
            vm.warp(block.timestamp + (i % 40 == 39 ? 1 days : 12));
            if (i % 3 == 0) rep.decrease(VICTIM, VALIDATOR, 1e18);
            else if (i % 3 == 1) rep.increaseMany(ids, VALIDATOR, 1e17);
            else rep.set(VICTIM, VALIDATOR, i * 1e16);
            assertEq(rep.reputationAt(VICTIM, VALIDATOR, snapshot), atSnapshot);
            assertEq(rep.reputationsAt(ids, VALIDATOR, snapshot)[0], atSnapshot);
            assertEq(rep.reputationsAt(ids, VALIDATOR, snapshot)[1], 0, "written only after the snapshot");
        }
        vm.stopPrank();
        assertEq(atSnapshot, atDayStart, "the value at the snapshot's day start");
        assertNotEq(
            atDayStart, rep.reputationAt(VICTIM, VALIDATOR, dayStart + 1 days), "later writes count the next day"
        );
        assertEq(rep.checkpointCount(VICTIM, VALIDATOR), 1 + 5, "one checkpoint per earlier day with writes");
    }
}
