// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {ProtocolFixture} from "./ProtocolFixture.sol";
import {TaskMarket} from "../../../contracts/evm/protocol/TaskMarket.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";
import {AccToken} from "../../../contracts/evm/token/AccToken.sol";

/// @dev Drives many tasks through random steps of their lives: submit, bid, assign, post, miss the deadline, draw,
///      commit, reveal, settle (also twice, also revealing and settling members in the same call), settle members
///      (also twice), withdraw, flush, time passing, and filler tasks nobody bids on, which push task ids around the
///      seat rings (32 words per agent) so that live seats share ring words and overflow. Ghosts record what each
///      task still owes so the market's balance can be checked exactly.
contract MarketHandler is Test {
    struct Agent {
        uint256 id;
        address owner;
    }

    ITaskMarket internal market;
    AccToken internal token;
    address[] internal requesters;
    Agent[] internal executors;
    Agent[] internal reviewers;
    address internal keeper;

    uint256[] public taskIds;
    /// @dev Tasks nobody bids on: they only move task ids along (refunded by `refundFillers`).
    uint256[] public fillers;
    uint256 public reseatAttempts;
    mapping(uint256 taskId => uint256[]) internal _members;
    mapping(uint256 taskId => mapping(uint256 agentId => bool)) public memberSettled;
    mapping(uint256 taskId => mapping(uint256 agentId => bool)) internal _voted;
    mapping(uint256 taskId => uint256) public settleCount;
    /// @dev 0 not revealed, 1 revealed reject, 2 revealed approve.
    mapping(uint256 taskId => mapping(uint256 agentId => uint8)) public revealed;
    uint256 public doublePayAttempts;
    address[] internal accounts;

    constructor(
        ITaskMarket market_,
        AccToken token_,
        address[] memory requesters_,
        Agent[] memory executors_,
        Agent[] memory reviewers_,
        address keeper_
    ) {
        market = market_;
        token = token_;
        requesters = requesters_;
        for (uint256 i; i < executors_.length; ++i) executors.push(executors_[i]);
        for (uint256 i; i < reviewers_.length; ++i) reviewers.push(reviewers_[i]);
        keeper = keeper_;
        accounts = requesters_;
        accounts.push(keeper_);
        accounts.push(address(this)); // settles and flushes are sent by the handler itself
        for (uint256 i; i < executors_.length; ++i) accounts.push(executors_[i].owner);
        for (uint256 i; i < reviewers_.length; ++i) accounts.push(reviewers_[i].owner);
    }

    function accountsList() external view returns (address[] memory) {
        return accounts;
    }

    function taskCount() external view returns (uint256) {
        return taskIds.length;
    }

    function membersOf(uint256 taskId) external view returns (uint256[] memory) {
        return _members[taskId];
    }

    function _pickTask(uint256 seed) internal view returns (uint256 taskId, bool ok) {
        if (taskIds.length == 0) return (0, false);
        return (taskIds[seed % taskIds.length], true);
    }

    // ---------------------------------------------------------------- actions

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 hours));
        vm.roll(block.number + 3);
    }

    function submit(uint256 seed, uint256 bounty) external {
        if (taskIds.length >= 12) return;
        address requester = requesters[seed % requesters.length];
        bounty = bound(bounty, 1e18, 5_000e18);
        ITaskMarket.TaskRequest memory r = ITaskMarket.TaskRequest({
            requirementsHash: keccak256(abi.encode(seed)),
            capabilities: 0x0b,
            bounty: uint88(bounty),
            fee: uint88(bounty / 10 + 3e18 + (seed % 7)),
            deadline: uint40(block.timestamp + 1 days),
            committeeSize: 10,
            minReputation: 0
        });
        vm.prank(requester);
        taskIds.push(market.submitTask(r, ITaskMarket.Permit(0, 0, bytes32(0), bytes32(0))));
    }

    function submitFillers(uint256 count) external {
        if (fillers.length >= 64) return;
        count = bound(count, 1, 31);
        for (uint256 i; i < count; ++i) {
            ITaskMarket.TaskRequest memory r = ITaskMarket.TaskRequest({
                requirementsHash: bytes32(fillers.length),
                capabilities: 0x0b,
                bounty: 1e18,
                fee: 3e18,
                deadline: uint40(block.timestamp + 1 days),
                committeeSize: 10,
                minReputation: 0
            });
            vm.prank(requesters[0]);
            fillers.push(market.submitTask(r, ITaskMarket.Permit(0, 0, bytes32(0), bytes32(0))));
        }
    }

    function refundFillers() external {
        for (uint256 i; i < fillers.length; ++i) {
            ITaskMarket.Task memory t = market.getTask(fillers[i]);
            if (t.status == ITaskMarket.TaskStatus.Bidding && block.timestamp >= t.biddingEndsAt) market.assign(fillers[i]);
        }
    }

    function fillerCount() external view returns (uint256) {
        return fillers.length;
    }

    function bid(uint256 seed, uint256 price) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Bidding || block.timestamp >= t.biddingEndsAt) return;
        Agent memory a = executors[(seed >> 8) % executors.length];
        vm.prank(a.owner);
        market.bid(taskId, a.id, uint96(bound(price, 1, t.bounty)));
    }

    function assign(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Bidding || block.timestamp < t.biddingEndsAt) return;
        market.assign(taskId);
    }

    function postResult(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Assigned || block.timestamp > t.deadline) return;
        vm.prank(address(uint160(t.executor)));
        market.postResult(taskId, keccak256(abi.encode(seed)), "");
    }

    function reportMissed(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Assigned || block.timestamp <= t.deadline) return;
        vm.prank(keeper);
        market.reportMissedDeadline(taskId);
    }

    /// @dev Seats reviewers in a random order (not the best keys: the handler is a lazy keeper).
    function draw(uint256 seed, uint256 count) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Verifying) return;
        if (t.drawClosesAt != 0 && block.timestamp >= t.drawClosesAt) return;
        if (t.drawClosesAt == 0) {
            try market.drawCommittee(taskId, new uint256[](0)) {}
            catch {
                return; // seed not ready yet
            }
        }
        uint256 free = t.committeeSize - t.seats;
        count = bound(count, 0, free);
        uint256[] memory picked = new uint256[](count);
        uint256 n;
        for (uint256 i; i < reviewers.length && n < count; ++i) {
            uint256 id = reviewers[(seed + i) % reviewers.length].id;
            bool seated;
            for (uint256 j; j < _members[taskId].length; ++j) if (_members[taskId][j] == id) seated = true;
            for (uint256 j; j < n; ++j) if (picked[j] == id) seated = true;
            if (!seated) picked[n++] = id;
        }
        assembly {
            mstore(picked, n)
        }
        vm.prank(keeper);
        market.drawCommittee(taskId, picked);
        for (uint256 i; i < n; ++i) _members[taskId].push(picked[i]);
        // A member is never seated twice in one task, whichever word (ring or overflow) holds its seat.
        if (seed % 3 == 0 && _members[taskId].length != 0 && market.getTask(taskId).seats < t.committeeSize) {
            uint256 again = _members[taskId][(seed >> 24) % _members[taskId].length];
            uint256[] memory one = new uint256[](1);
            one[0] = again;
            ++reseatAttempts;
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.AlreadyMember.selector, taskId, again));
            vm.prank(keeper);
            market.drawCommittee(taskId, one);
        }
    }

    function commit(uint256 seed, bool approve) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok || _members[taskId].length == 0) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Verifying || t.drawClosesAt == 0) return;
        if (block.timestamp < t.drawClosesAt || block.timestamp >= t.commitEndsAt) return;
        uint256 id = _members[taskId][(seed >> 16) % _members[taskId].length];
        if (_voted[taskId][id]) return;
        _voted[taskId][id] = true;
        bytes32 commitment = market.commitmentOf(taskId, id, approve, bytes32(seed));
        vm.prank(address(uint160(id)));
        market.commitVote(taskId, id, commitment);
        _choice[taskId][id] = Choice(approve, bytes32(seed), true);
    }

    struct Choice {
        bool approve;
        bytes32 salt;
        bool committed;
    }

    mapping(uint256 taskId => mapping(uint256 agentId => Choice)) internal _choice;

    function reveal(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok || _members[taskId].length == 0) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Verifying || t.drawClosesAt == 0) return;
        uint256 opensAt = t.commits == t.seats ? t.drawClosesAt : t.commitEndsAt;
        if (block.timestamp < opensAt || block.timestamp >= t.revealEndsAt) return;
        uint256 id = _members[taskId][(seed >> 16) % _members[taskId].length];
        Choice memory c = _choice[taskId][id];
        if (!c.committed) return;
        _choice[taskId][id].committed = false;
        market.revealVote(taskId, id, c.approve, c.salt);
        revealed[taskId][id] = c.approve ? 2 : 1;
    }

    function settle(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        try market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0)) {
            ++settleCount[taskId];
        } catch {}
    }

    /// @dev The keeper's one call: reveal every opening it holds, settle, and settle every member not yet settled.
    function revealAndSettleAll(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Verifying || t.drawClosesAt == 0) return;
        uint256[] memory members = _members[taskId];
        ITaskMarket.Reveal[] memory reveals = new ITaskMarket.Reveal[](members.length);
        uint256[] memory toSettle = new uint256[](members.length);
        uint256 nr;
        uint256 ns;
        bool phase = block.timestamp >= (t.commits == t.seats ? t.drawClosesAt : t.commitEndsAt)
            && block.timestamp < t.revealEndsAt;
        for (uint256 i; i < members.length; ++i) {
            Choice memory c = _choice[taskId][members[i]];
            if (phase && c.committed) reveals[nr++] = ITaskMarket.Reveal(members[i], c.approve, c.salt);
            if (!memberSettled[taskId][members[i]]) toSettle[ns++] = members[i];
        }
        assembly {
            mstore(reveals, nr)
            mstore(toSettle, ns)
        }
        try market.settle(taskId, reveals, toSettle) {
            ++settleCount[taskId];
            for (uint256 i; i < nr; ++i) {
                _choice[taskId][reveals[i].agentId].committed = false;
                revealed[taskId][reveals[i].agentId] = reveals[i].approve ? 2 : 1;
            }
            for (uint256 i; i < ns; ++i) memberSettled[taskId][toSettle[i]] = true;
        } catch {}
    }

    function settleMembers(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok || _members[taskId].length == 0) return;
        ITaskMarket.TaskStatus st = market.getTask(taskId).status;
        if (st != ITaskMarket.TaskStatus.Accepted && st != ITaskMarket.TaskStatus.Rejected
                && st != ITaskMarket.TaskStatus.Refunded) return;
        uint256 id = _members[taskId][(seed >> 16) % _members[taskId].length];
        uint256[] memory one = new uint256[](1);
        one[0] = id;
        if (memberSettled[taskId][id]) {
            ++doublePayAttempts;
            // A settled seat is cleared: settling it again finds no member.
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotMember.selector, taskId, id));
            market.settleMembers(taskId, one);
            return;
        }
        market.settleMembers(taskId, one);
        memberSettled[taskId][id] = true;
    }

    function withdraw(uint256 seed) external {
        address a = accounts[seed % accounts.length];
        if (market.earningsOf(a) == 0) return;
        vm.prank(a);
        market.withdrawEarnings();
    }

    function flush() external {
        market.flushProtocolFees();
    }
}

/// @dev The protocol plus a handler over two requesters, two executors and the reviewers.
abstract contract MarketHandlerSetup is ProtocolFixture {
    MarketHandler internal handler;

    function setUp() public virtual override {
        super.setUp();
        address[] memory requesters = new address[](2);
        requesters[0] = requester;
        requesters[1] = makeAddr("requester2");
        _fund(requesters[1], 1_000_000e18);
        vm.prank(requesters[1]);
        s.token.approve(address(market), type(uint256).max);
        MarketHandler.Agent[] memory execs = new MarketHandler.Agent[](2);
        execs[0] = MarketHandler.Agent(executor.id, executor.owner);
        TestAgent memory second = _activeAgent("executor2", EXECUTOR_STAKE);
        execs[1] = MarketHandler.Agent(second.id, second.owner);
        MarketHandler.Agent[] memory revs = new MarketHandler.Agent[](reviewers.length);
        for (uint256 i; i < reviewers.length; ++i) revs[i] = MarketHandler.Agent(reviewers[i].id, reviewers[i].owner);
        vm.warp(block.timestamp + 1);
        handler = new MarketHandler(market, s.token, requesters, execs, revs, keeper);
    }

    /// @dev Exactly what the market still owes: open escrows (less the draw reward already credited), reviewer
    ///      rewards of settled tasks not yet settled per member, unclaimed earnings, and accrued protocol fees.
    function _owed() internal view returns (uint256 owed) {
        ITaskMarket.MarketParams memory p = market.params();
        uint256 n = handler.taskCount();
        for (uint256 i; i < n; ++i) {
            uint256 taskId = handler.taskIds(i);
            ITaskMarket.Task memory t = market.getTask(taskId);
            if (t.status == ITaskMarket.TaskStatus.Bidding || t.status == ITaskMarket.TaskStatus.Assigned
                    || t.status == ITaskMarket.TaskStatus.Verifying) {
                owed += uint256(t.bounty) + t.fee;
                if (t.seats == t.committeeSize) owed -= p.keeperReward;
            } else if (t.rewardPerReviewer != 0) {
                uint256[] memory members = handler.membersOf(taskId);
                uint8 alignedVote = t.status == ITaskMarket.TaskStatus.Accepted ? 2 : 1;
                uint256 unpaid;
                for (uint256 j; j < members.length; ++j) {
                    bool aligned = handler.revealed(taskId, members[j]) == alignedVote;
                    if (aligned && !handler.memberSettled(taskId, members[j])) ++unpaid;
                }
                owed += unpaid * t.rewardPerReviewer;
            }
        }
        uint256 f = handler.fillerCount();
        for (uint256 i; i < f; ++i) {
            ITaskMarket.Task memory t = market.getTask(handler.fillers(i));
            if (t.status == ITaskMarket.TaskStatus.Bidding) owed += uint256(t.bounty) + t.fee;
        }
        address[] memory accounts = handler.accountsList();
        for (uint256 i; i < accounts.length; ++i) owed += market.earningsOf(accounts[i]);
        owed += market.pendingProtocolFees();
    }

    function _assertMarketHoldsWhatItOwes() internal view {
        assertEq(s.token.balanceOf(address(market)), _owed());
    }
}

contract MarketInvariantTest is MarketHandlerSetup {
    function setUp() public override {
        super.setUp();
        targetContract(address(handler));
    }

    function invariant_MarketHoldsExactlyWhatItOwes() public view {
        _assertMarketHoldsWhatItOwes();
    }

    function invariant_AccConserved() public view {
        assertEq(s.token.totalSupply() + s.token.totalBurned(), SUPPLY);
    }

    function invariant_NoTaskSettlesTwice() public view {
        uint256 n = handler.taskCount();
        for (uint256 i; i < n; ++i) assertLe(handler.settleCount(handler.taskIds(i)), 1);
    }

    function invariant_StakingHoldsStakesAndPendingSlashes() public view {
        assertEq(
            s.token.balanceOf(address(staking)),
            staking.totalStaked() + staking.totalUnbonding() + staking.totalPendingSlashes()
        );
    }
}

/// @dev Guards the invariant campaign itself: a fixed walk through the handler must reach settled tasks and
///      member settlements, so the invariants above are checked in states where money actually moved.
contract MarketHandlerReachTest is MarketHandlerSetup {
    function test_HandlerReachesSettlementAndMemberPayouts() public {
        handler.submit(1, 1_000e18);
        handler.bid(0, 500e18);
        handler.warp(1 hours);
        handler.assign(0);
        handler.postResult(0);
        handler.warp(10);
        handler.draw(0, 10);
        vm.warp(market.getTask(handler.taskIds(0)).drawClosesAt);
        for (uint256 i; i < 40; ++i) handler.commit(i << 16, i % 5 != 0);
        for (uint256 i; i < 40; ++i) handler.reveal(i << 16);
        vm.warp(market.getTask(handler.taskIds(0)).revealEndsAt);
        handler.settle(0);
        for (uint256 i; i < 40; ++i) handler.settleMembers(i << 16);
        uint256 taskId = handler.taskIds(0);
        assertEq(handler.settleCount(taskId), 1);
        assertTrue(market.getTask(taskId).status != ITaskMarket.TaskStatus.Verifying);
        assertGt(handler.doublePayAttempts(), 0, "double payouts were attempted and refused");
        _assertMarketHoldsWhatItOwes();
    }
}

/// @dev Guards the ring/overflow part of the campaign: two live tasks whose ids are equal mod 32 share reviewers, so
///      seats overflow, and both still settle and pay exactly.
contract MarketHandlerOverflowReachTest is MarketHandlerSetup {
    function test_HandlerReachesOverflowSeatsAndOneCallSettlement() public {
        handler.submit(1, 1_000e18); // task 1
        handler.submitFillers(31); // tasks 2..32
        handler.submit(2, 1_000e18); // task 33: ring words of task 1
        assertEq(handler.taskIds(1) - handler.taskIds(0), 32);
        handler.bid(0, 500e18);
        handler.bid(1, 500e18);
        handler.warp(1 hours);
        handler.refundFillers();
        handler.assign(0);
        handler.assign(1);
        handler.postResult(0);
        handler.postResult(1);
        handler.warp(10);
        handler.draw(0, 6); // reviewers 0-5, then a refused attempt to seat one of them again
        handler.draw(0, 4); // reviewers 6-9
        // Task 33 from reviewer 3 on: reviewers 3-9 hold live seats of task 1 in the same ring words, so their
        // seats overflow; a refused re-seat follows the first batch.
        handler.draw(3, 6);
        handler.draw(3, 4);
        assertEq(market.getTask(handler.taskIds(0)).seats, 10);
        assertEq(market.getTask(handler.taskIds(1)).seats, 10);
        assertGt(handler.reseatAttempts(), 0, "re-seating was attempted and refused");
        for (uint256 t; t < 2; ++t) {
            vm.warp(market.getTask(handler.taskIds(t)).drawClosesAt);
            for (uint256 i; i < 40; ++i) handler.commit(t + (i << 16), i % 4 != 0);
            handler.revealAndSettleAll(t);
            assertEq(handler.settleCount(handler.taskIds(t)), 1, "revealed, settled and members settled in one call");
            _assertMarketHoldsWhatItOwes();
        }
        for (uint256 i; i < 40; ++i) handler.settleMembers(i << 16);
        assertGt(handler.doublePayAttempts(), 0);
        _assertMarketHoldsWhatItOwes();
    }
}
