// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {ProtocolFixture} from "./ProtocolFixture.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";

/// @dev Seat storage reuse (each agent's ring of seat words, with the overflow mapping when a word is still live) and
///      the keeper's one-call reveal + settle + settle members.
contract SeatRingTest is ProtocolFixture {
    // ---------------------------------------------------------------- helpers

    /// @dev Commits everyone, then reveals, settles and settles the members in one call.
    function _finish(uint256 taskId, uint256[] memory members) internal {
        bool[] memory votes = _votes(members.length, members.length);
        _commitAll(taskId, members, votes);
        vm.prank(keeper);
        market.settle(taskId, _reveals(members, votes), members);
    }

    function _contains(uint256[] memory ids, uint256 id) internal pure returns (bool) {
        for (uint256 i; i < ids.length; ++i) if (ids[i] == id) return true;
        return false;
    }

    /// @dev Storage slots of `target` written by the last recorded calls.
    function _writes(address target) internal returns (bytes32[] memory slots) {
        (, slots) = vm.accesses(target);
    }

    // ---------------------------------------------------------------- reuse

    function test_Seat_ReusesTheRingWordOfASettledTaskWithTheSameResidue() public {
        uint256 first = _posted();
        _seedReady();
        vm.prank(keeper);
        market.drawCommittee(first, new uint256[](0)); // fixes the seed
        uint256[] memory firstMembers = _bestReviewers(first, COMMITTEE);
        vm.record();
        vm.prank(keeper);
        market.drawCommittee(first, firstMembers);
        bytes32[] memory firstSeats = _seatWords(first, 1);
        assertEq(firstSeats.length, COMMITTEE, "one seat word per member, tagged with the task");
        _finish(first, firstMembers);
        assertEq(uint8(market.getTask(first).status), uint8(ITaskMarket.TaskStatus.Accepted));
        for (uint256 i; i < firstSeats.length; ++i) {
            uint256 word = uint256(vm.load(address(market), firstSeats[i]));
            assertEq(word >> 192, first, "a freed word keeps its tag");
            assertEq(word & 0x7f, 5, "and is FREE, not zero");
        }

        uint256[] memory skipped = _fillerTasksUntil(first);
        vm.warp(block.timestamp + 1 hours);
        _refund(skipped);
        uint256 second = _posted();
        assertEq(second, first + SEAT_RING);
        _seedReady();
        vm.prank(keeper);
        market.drawCommittee(second, new uint256[](0));
        uint256[] memory members = _bestReviewers(second, COMMITTEE);
        uint256 both;
        for (uint256 i; i < members.length; ++i) {
            if (_contains(firstMembers, members[i])) ++both;
        }
        assertGe(both, 6, "10 of 14 reviewers twice: at least 6 sit on both");

        vm.record();
        vm.prank(keeper);
        market.drawCommittee(second, members);
        bytes32[] memory secondSeats = _seatWords(second, 1);
        assertEq(secondSeats.length, COMMITTEE);
        uint256 reused;
        for (uint256 i; i < secondSeats.length; ++i) {
            for (uint256 j; j < firstSeats.length; ++j) if (secondSeats[i] == firstSeats[j]) ++reused;
        }
        assertEq(reused, both, "every member of both committees got its first seat's word back");

        // The reused words behave as seats: the second task runs to the end and pays its members once.
        address owner = _reviewer(members[0]).owner;
        uint256 before = market.earningsOf(owner);
        _finish(second, members);
        ITaskMarket.Task memory t = market.getTask(second);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(market.earningsOf(owner) - before, t.rewardPerReviewer);
    }

    /// @dev Slots written since `vm.record()` that now hold a seat word of `taskId` in `state`.
    function _seatWords(uint256 taskId, uint256 state) internal returns (bytes32[] memory found) {
        bytes32[] memory written = _writes(address(market));
        found = new bytes32[](written.length);
        uint256 n;
        for (uint256 i; i < written.length; ++i) {
            uint256 word = uint256(vm.load(address(market), written[i]));
            if (word >> 192 != taskId || word & 0x7f != state) continue;
            bool seen;
            for (uint256 j; j < n; ++j) if (found[j] == written[i]) seen = true;
            if (!seen) found[n++] = written[i];
        }
        assembly ("memory-safe") {
            mstore(found, n)
        }
    }

    // ---------------------------------------------------------------- overflow

    /// @dev A member of a live task drawn for another task with the same residue gets an overflow seat; both tasks
    ///      work independently, and once the first task frees the ring word the overflow seat still counts (no
    ///      second seat for the same agent).
    function test_Seat_OverflowsWhenTheRingWordIsLiveAndSkipsAnAgentAlreadySeated() public {
        (uint256 first, uint256[] memory firstMembers) = _drawn();
        uint256[] memory skipped = _fillerTasksUntil(first);
        vm.prank(requester);
        uint256 second = market.submitTask(_request(), _noPermit());
        assertEq(second % SEAT_RING, first % SEAT_RING);
        _bid(second, executor, 800e18);
        vm.warp(block.timestamp + 1 hours);
        _refund(skipped);
        market.assign(second);
        vm.prank(executor.key);
        market.postResult(second, keccak256("result 2"), "ipfs://result-2");
        _seedReady();
        vm.prank(keeper);
        market.drawCommittee(second, new uint256[](0));
        uint256[] memory members = _bestReviewers(second, COMMITTEE);
        uint256 shared;
        for (uint256 i; i < members.length; ++i) {
            if (_contains(firstMembers, members[i])) shared = members[i];
        }
        assertTrue(shared != 0);

        // The first task's seat of `shared` is live (drawn, not settled): the second seat overflows.
        vm.prank(keeper);
        market.drawCommittee(second, _single(shared));
        assertEq(market.getTask(second).seats, 1);
        uint256 keeperEarned = market.earningsOf(keeper);
        vm.recordLogs();
        vm.prank(keeper);
        market.drawCommittee(second, _single(shared)); // already seated (overflow): skipped
        assertEq(_memberDrawnEvents(), 0);
        assertEq(market.getTask(second).seats, 1);
        assertEq(market.earningsOf(keeper), keeperEarned, "a skipped agent is not paid for");

        // The first task runs to the end and frees the ring word; settling the freed seat again is skipped.
        _finish(first, firstMembers);
        address settler = makeAddr("late settler");
        vm.prank(settler);
        market.settleMembers(first, _single(shared));
        assertEq(market.earningsOf(settler), 0, "nothing settled, nothing paid");

        // The freed word does not hide the overflow seat: `shared` still cannot take a second seat.
        keeperEarned = market.earningsOf(keeper);
        vm.recordLogs();
        vm.prank(keeper);
        market.drawCommittee(second, _single(shared));
        assertEq(_memberDrawnEvents(), 0);
        assertEq(market.getTask(second).seats, 1);
        assertEq(market.earningsOf(keeper), keeperEarned);

        // The rest of the second committee, whose members' words the first task also freed.
        uint256[] memory others = new uint256[](members.length - 1);
        uint256 n;
        for (uint256 i; i < members.length; ++i) if (members[i] != shared) others[n++] = members[i];
        vm.prank(keeper);
        market.drawCommittee(second, others);
        assertEq(market.getTask(second).seats, COMMITTEE);

        // Commit, reveal and settle find the overflow seat like any other.
        address owner = _reviewer(shared).owner;
        uint256 before = market.earningsOf(owner);
        _finish(second, members);
        ITaskMarket.Task memory t = market.getTask(second);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(t.reveals, COMMITTEE);
        assertEq(market.earningsOf(owner) - before, t.rewardPerReviewer, "the overflow seat is paid once");
        vm.recordLogs();
        vm.prank(settler);
        market.settleMembers(second, _single(shared));
        assertEq(market.earningsOf(owner) - before, t.rewardPerReviewer, "and only once");
        assertEq(market.earningsOf(settler), 0);
    }

    function _memberDrawnEvents() internal returns (uint256 n) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(market) && logs[i].topics[0] == ITaskMarket.MemberDrawn.selector) ++n;
        }
    }

    // ---------------------------------------------------------------- one-call settlement

    function test_Settle_RevealsSettlesAndPaysMembersInOneCall() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(8, 10);
        _commitAll(taskId, members, votes);
        vm.recordLogs();
        vm.prank(keeper);
        market.settle(taskId, _reveals(members, votes), members);
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(t.reveals, 10);
        assertEq(t.approvals, 8);
        // fee 100: keeper work 22 (assign, 10 seats, settle, 10 members), reviewers 39 / 8 aligned, router the rest
        assertEq(t.rewardPerReviewer, uint256(39e18) / 8);
        assertEq(market.earningsOf(keeper), 10e18 + 1e18 + 10e18, "seats, settle and members in one call");
        for (uint256 i; i < members.length; ++i) {
            assertEq(market.earningsOf(_reviewer(members[i]).owner), votes[i] ? t.rewardPerReviewer : 0);
        }
        uint256 settled;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(market) && logs[i].topics[0] == ITaskMarket.MemberSettled.selector) {
                ++settled;
            }
        }
        assertEq(settled, members.length);
        // Settled once: settling again is skipped and pays nobody.
        vm.prank(keeper);
        market.settleMembers(taskId, _single(members[3]));
        assertEq(market.earningsOf(keeper), 21e18);
        assertEq(market.earningsOf(_reviewer(members[3]).owner), t.rewardPerReviewer);
    }

    function test_Settle_WithRevealsOutsideTheRevealPhaseReverts() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(10, 10);
        vm.warp(market.getTask(taskId).drawClosesAt);
        // Only one member committed: reveals open when the commit window ends.
        bytes32 c = market.commitmentOf(taskId, members[0], true, _salt(members[0]));
        vm.prank(_reviewer(members[0]).owner);
        market.commitVote(taskId, members[0], c);
        ITaskMarket.Task memory t = market.getTask(taskId);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotInPhase.selector, taskId, t.commitEndsAt, t.revealEndsAt));
        market.settle(taskId, _reveals(_single(members[0]), votes), new uint256[](0));
        // A wrong opening is refused and nothing is settled.
        vm.warp(t.commitEndsAt);
        ITaskMarket.Reveal[] memory bad = new ITaskMarket.Reveal[](1);
        bad[0] = ITaskMarket.Reveal(members[0], false, _salt(members[0]));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.CommitmentMismatch.selector, taskId, members[0]));
        market.settle(taskId, bad, new uint256[](0));
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Verifying));
        // Before the reveal window ends, with one of ten revealed, settlement waits.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.RevealNotOver.selector, taskId, t.revealEndsAt));
        market.settle(taskId, _reveals(_single(members[0]), votes), new uint256[](0));
    }
}
