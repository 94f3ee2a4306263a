// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
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
    address internal governance;

    uint256[] public taskIds;
    /// @dev Tasks nobody bids on: they only move task ids along (refunded by `refundFillers`).
    uint256[] public fillers;
    /// @dev Draw batches that named agents already seated (they must be skipped, unpaid).
    uint256 public reseatAttempts;
    mapping(uint256 taskId => uint256[]) internal _members;
    mapping(uint256 taskId => mapping(uint256 agentId => bool)) public memberSettled;
    /// @dev Members of each task settled so far (their keeper reward is no longer held by the market).
    mapping(uint256 taskId => uint256) public settledMembers;
    mapping(uint256 taskId => mapping(uint256 agentId => bool)) internal _voted;
    /// @dev TaskSettled events seen per task (measured from the logs of every call that can settle).
    mapping(uint256 taskId => uint256) public settleCount;
    mapping(uint256 taskId => ITaskMarket.TaskStatus) public firstOutcome;
    /// @dev 0 not revealed, 1 revealed reject, 2 revealed approve.
    mapping(uint256 taskId => mapping(uint256 agentId => uint8)) public revealed;
    /// @dev Member batches that named members already settled or agents never seated (skipped, unpaid).
    uint256 public doublePayAttempts;
    uint256 public fillClosedRefusals;
    /// @dev Seat claims made (a better unseated key takes the worst member's seat).
    uint256 public claimsMade;
    uint256 public partialCommitRefusals;
    uint256 public paramsChanges;
    /// @dev Checks made inside the handler that failed. Recorded rather than reverted: the campaign runs with
    ///      fail_on_revert = false, so a revert would only discard the call.
    uint256 public violations;
    string public lastViolation;
    address[] internal accounts;

    constructor(
        ITaskMarket market_,
        AccToken token_,
        address[] memory requesters_,
        Agent[] memory executors_,
        Agent[] memory reviewers_,
        address keeper_,
        address governance_
    ) {
        market = market_;
        token = token_;
        requesters = requesters_;
        for (uint256 i; i < executors_.length; ++i) executors.push(executors_[i]);
        for (uint256 i; i < reviewers_.length; ++i) reviewers.push(reviewers_[i]);
        keeper = keeper_;
        governance = governance_;
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

    function _check(bool ok, string memory what) internal {
        if (ok) return;
        ++violations;
        lastViolation = what;
    }

    function _reward(uint256 taskId) internal view returns (uint256) {
        return market.paramsAt(market.getTask(taskId).paramsVersion).keeperReward;
    }

    function _seated(uint256 taskId, uint256 id) internal view returns (bool) {
        for (uint256 j; j < _members[taskId].length; ++j) if (_members[taskId][j] == id) return true;
        return false;
    }

    function _settled(ITaskMarket.TaskStatus st) internal pure returns (bool) {
        return st == ITaskMarket.TaskStatus.Accepted || st == ITaskMarket.TaskStatus.Rejected
            || st == ITaskMarket.TaskStatus.Refunded || st == ITaskMarket.TaskStatus.Inconclusive;
    }

    /// @dev Counts the TaskSettled events of the logs recorded since `vm.recordLogs()` and checks that a task's
    ///      outcome never changes once settled.
    function _countSettlements() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(market) || logs[i].topics[0] != ITaskMarket.TaskSettled.selector) continue;
            uint256 taskId = uint256(logs[i].topics[1]);
            ++settleCount[taskId];
            firstOutcome[taskId] = market.getTask(taskId).status;
        }
    }

    /// @dev Marks the members of `ids` that the last call settled (those seated and not yet settled).
    function _markSettled(uint256 taskId, uint256[] memory ids) internal returns (uint256 newly) {
        for (uint256 i; i < ids.length; ++i) {
            if (!_seated(taskId, ids[i]) || memberSettled[taskId][ids[i]]) continue;
            memberSettled[taskId][ids[i]] = true;
            ++newly;
        }
        settledMembers[taskId] += newly;
    }

    // ---------------------------------------------------------------- actions

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 hours));
        vm.roll(block.number + 3);
    }

    /// @dev Governance changes the keeper reward (and so the minimum fee): tasks already submitted keep theirs.
    function setKeeperReward(uint256 reward) external {
        ITaskMarket.MarketParams memory p = market.params();
        p.keeperReward = uint96(bound(reward, 0, 3e18));
        vm.prank(governance);
        market.setParams(p);
        ++paramsChanges;
    }

    function submit(uint256 seed, uint256 bounty) external {
        if (taskIds.length >= 12) return;
        address requester = requesters[seed % requesters.length];
        bounty = bound(bounty, 1e18, 5_000e18);
        ITaskMarket.TaskRequest memory r = ITaskMarket.TaskRequest({
            requirementsHash: keccak256(abi.encode(seed)),
            capabilities: 0x0b,
            bounty: uint88(bounty),
            fee: uint88(market.minimumFee(bounty, 10) + bounty / 20 + (seed % 7)),
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
                fee: uint88(market.minimumFee(1e18, 10)),
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
        vm.recordLogs();
        market.assign(taskId);
        _countSettlements();
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
        vm.recordLogs();
        vm.prank(keeper);
        market.reportMissedDeadline(taskId);
        _countSettlements();
    }

    /// @dev Seats reviewers in a random order (not the best keys: the handler is a lazy keeper), sometimes naming
    ///      members already seated (skipped, unpaid) or more candidates than seats (filling stops when full). After
    ///      the fill phase the draw must revert FillClosed.
    /// @dev In the claim phase, the best unseated reviewer takes the seat of the member with the worst key, as an
    ///      honest keeper does; the keeper must be paid for exactly the first `committeeSize` claims of a task.
    function claim(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Verifying || t.drawClosesAt == 0) return;
        if (t.seats < t.committeeSize || block.timestamp >= t.drawClosesAt) return;
        uint256[] storage members = _members[taskId];
        uint256 worst;
        uint256 worstKey;
        for (uint256 i; i < members.length; ++i) {
            uint256 k = market.sortitionKey(taskId, members[i]);
            if (k > worstKey) (worst, worstKey) = (i, k);
        }
        uint256 best;
        uint256 bestKey = type(uint256).max;
        for (uint256 i; i < reviewers.length; ++i) {
            uint256 id = reviewers[i].id;
            if (_seated(taskId, id)) continue;
            try market.sortitionKey(taskId, id) returns (uint256 k) {
                if (k < bestKey) (best, bestKey) = (id, k);
            } catch {} // not staked enough at the snapshot: no key
        }
        if (bestKey >= worstKey) return;
        uint256 before = market.earningsOf(keeper);
        vm.prank(keeper);
        try market.claimSeat(taskId, best, members[worst]) {
            uint256 reward = market.paramsAt(t.paramsVersion).keeperReward;
            _check(
                market.earningsOf(keeper) - before == (t.claims < t.committeeSize ? reward : 0),
                "a claim pays the keeper reward, for the first committeeSize claims only"
            );
            members[worst] = best;
            ++claimsMade;
        } catch {} // e.g. an agent of the requester's owner: excluded
    }

    function draw(uint256 seed, uint256 count) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Verifying) return;
        if (t.drawClosesAt == 0) {
            try market.drawCommittee(taskId, new uint256[](0)) {}
            catch {
                return; // seed not ready yet (or lapsed)
            }
            t = market.getTask(taskId);
        }
        uint256 fillClosesAt = t.drawClosesAt - market.paramsAt(t.paramsVersion).drawWindow / 2;
        count = bound(count, 0, reviewers.length);
        uint256[] memory picked = new uint256[](count + 1);
        uint256 n;
        uint256 fresh;
        bool again = seed % 3 == 0 && _members[taskId].length != 0;
        if (again) picked[n++] = _members[taskId][(seed >> 24) % _members[taskId].length]; // already seated
        for (uint256 i; i < reviewers.length && n < picked.length; ++i) {
            uint256 id = reviewers[(seed + i) % reviewers.length].id;
            bool seen = _seated(taskId, id);
            for (uint256 j; j < n; ++j) if (picked[j] == id) seen = true;
            if (!seen) {
                picked[n++] = id;
                ++fresh;
            }
        }
        assembly {
            mstore(picked, n)
        }
        if (block.timestamp > fillClosesAt) {
            vm.prank(keeper);
            try market.drawCommittee(taskId, picked) {
                _check(false, "a draw after the fill phase succeeded");
            } catch (bytes memory err) {
                _check(
                    keccak256(err)
                        == keccak256(abi.encodeWithSelector(ITaskMarket.FillClosed.selector, taskId, fillClosesAt)),
                    "a late draw must revert FillClosed"
                );
                ++fillClosedRefusals;
            }
            return;
        }
        if (again) ++reseatAttempts;
        uint256 free = t.committeeSize - t.seats;
        uint256 expected = fresh < free ? fresh : free;
        uint256 earned = market.earningsOf(keeper);
        vm.prank(keeper);
        market.drawCommittee(taskId, picked);
        // Seated in batch order, skipping those already seated, until full.
        uint256 added;
        for (uint256 i; i < n && added < expected; ++i) {
            if (_seated(taskId, picked[i])) continue;
            _members[taskId].push(picked[i]);
            ++added;
        }
        _check(market.getTask(taskId).seats == _members[taskId].length, "seats match the members drawn");
        _check(market.earningsOf(keeper) - earned == expected * _reward(taskId), "the drawer is paid per seat filled");
    }

    function commit(uint256 seed, bool approve) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok || _members[taskId].length == 0) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (t.status != ITaskMarket.TaskStatus.Verifying || t.drawClosesAt == 0) return;
        if (block.timestamp < t.drawClosesAt || block.timestamp >= t.commitEndsAt) return;
        uint256 id = _members[taskId][(seed >> 16) % _members[taskId].length];
        if (_voted[taskId][id]) return;
        bytes32 commitment = market.commitmentOf(taskId, id, approve, bytes32(seed));
        if (t.seats < t.committeeSize) {
            // A committee that did not fill in its fill phase never votes.
            vm.prank(address(uint160(id)));
            try market.commitVote(taskId, id, commitment) {
                _check(false, "a partial committee committed");
            } catch (bytes memory err) {
                _check(
                    keccak256(err) == keccak256(abi.encodeWithSelector(ITaskMarket.CommitteeNotFull.selector, taskId)),
                    "a partial committee's commit must revert CommitteeNotFull"
                );
                ++partialCommitRefusals;
            }
            return;
        }
        _voted[taskId][id] = true;
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

    /// @dev Settles the task if it can be, naming a random part of its members (some maybe settled already); on a
    ///      settled task only the members named and not yet settled are settled, and paid for.
    function settle(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok) return;
        uint256[] memory all = _members[taskId];
        uint256[] memory named = new uint256[](all.length);
        uint256 n;
        for (uint256 i; i < all.length; ++i) if ((seed >> (8 + i)) & 1 == 1) named[n++] = all[i];
        assembly {
            mstore(named, n)
        }
        ITaskMarket.TaskStatus before = market.getTask(taskId).status;
        uint256 earned = market.earningsOf(keeper);
        vm.recordLogs();
        vm.prank(keeper);
        try market.settle(taskId, new ITaskMarket.Reveal[](0), named) {
            _countSettlements();
            uint256 newly = _markSettled(taskId, named);
            if (newly < n) ++doublePayAttempts;
            uint256 paid = newly * _reward(taskId);
            if (before == ITaskMarket.TaskStatus.Verifying) paid += _reward(taskId);
            _check(market.earningsOf(keeper) - earned == paid, "settle pays the task once and each member once");
            _check(market.getTask(taskId).status == firstOutcome[taskId], "an outcome never changes");
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
        bool phase = t.seats == t.committeeSize
            && block.timestamp >= (t.commits == t.seats ? t.drawClosesAt : t.commitEndsAt)
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
        vm.recordLogs();
        try market.settle(taskId, reveals, toSettle) {
            _countSettlements();
            for (uint256 i; i < nr; ++i) {
                _choice[taskId][reveals[i].agentId].committed = false;
                revealed[taskId][reveals[i].agentId] = reveals[i].approve ? 2 : 1;
            }
            _markSettled(taskId, toSettle);
        } catch {}
    }

    /// @dev Settles one member, sometimes naming with it a member already settled and an agent never seated: those
    ///      are skipped and not paid for.
    function settleMembers(uint256 seed) external {
        (uint256 taskId, bool ok) = _pickTask(seed);
        if (!ok || _members[taskId].length == 0) return;
        ITaskMarket.Task memory t = market.getTask(taskId);
        if (!_settled(t.status) || t.drawClosesAt == 0) return;
        uint256[] memory ids = new uint256[](3);
        ids[0] = _members[taskId][(seed >> 16) % _members[taskId].length];
        uint256 n = 1;
        if (seed % 2 == 0) ids[n++] = _members[taskId][(seed >> 32) % _members[taskId].length];
        if (seed % 3 == 0) {
            for (uint256 i; i < reviewers.length; ++i) {
                if (!_seated(taskId, reviewers[i].id)) {
                    ids[n++] = reviewers[i].id;
                    break;
                }
            }
        }
        assembly {
            mstore(ids, n)
        }
        uint256 earned = market.earningsOf(keeper);
        vm.prank(keeper);
        market.settleMembers(taskId, ids);
        uint256 newly = _markSettled(taskId, ids);
        if (newly < n) ++doublePayAttempts;
        _check(market.earningsOf(keeper) - earned == newly * _reward(taskId), "paid per member settled, once");
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
        handler = new MarketHandler(market, s.token, requesters, execs, revs, keeper, governance);
    }

    /// @dev Exactly what the market still owes, each task under its own parameter version: open escrows less the keeper
    ///      work already paid (assign, each seat drawn), the reserved keeper reward of every seated member not yet
    ///      settled and the reward of every aligned member not yet settled (settled tasks), unclaimed earnings, and
    ///      accrued protocol fees.
    function _owed() internal view returns (uint256 owed) {
        uint256 n = handler.taskCount();
        for (uint256 i; i < n; ++i) owed += _owedBy(handler.taskIds(i));
        uint256 f = handler.fillerCount();
        for (uint256 i; i < f; ++i) owed += _owedBy(handler.fillers(i));
        address[] memory accounts = handler.accountsList();
        for (uint256 i; i < accounts.length; ++i) owed += market.earningsOf(accounts[i]);
        owed += market.pendingProtocolFees();
    }

    function _owedBy(uint256 taskId) internal view returns (uint256) {
        ITaskMarket.Task memory t = market.getTask(taskId);
        uint256 reward = market.paramsAt(t.paramsVersion).keeperReward;
        if (t.status == ITaskMarket.TaskStatus.Bidding) return uint256(t.bounty) + t.fee;
        if (t.status == ITaskMarket.TaskStatus.Assigned) return uint256(t.bounty) + t.fee - reward;
        if (t.status == ITaskMarket.TaskStatus.Verifying) {
            return uint256(t.bounty) + t.fee - (1 + uint256(t.seats) + uint256(t.claims)) * reward;
        }
        uint256 unsettled = uint256(t.seats) - handler.settledMembers(taskId);
        uint256 owed = unsettled * reward;
        if (t.rewardPerReviewer == 0) return owed;
        uint256[] memory members = handler.membersOf(taskId);
        uint256 unpaid;
        for (uint256 j; j < members.length; ++j) {
            if (handler.memberSettled(taskId, members[j])) continue;
            uint8 vote = handler.revealed(taskId, members[j]);
            bool aligned = t.status == ITaskMarket.TaskStatus.Inconclusive
                ? vote != 0
                : vote == (t.status == ITaskMarket.TaskStatus.Accepted ? 2 : 1);
            if (aligned) ++unpaid;
        }
        return owed + unpaid * t.rewardPerReviewer;
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

    /// @dev Checks made during handler calls (skips unpaid, per-unit keeper pay, FillClosed, CommitteeNotFull,
    ///      immutable outcomes).
    function invariant_HandlerChecksHold() public view {
        assertEq(handler.violations(), 0, handler.lastViolation());
    }

    /// @dev The ghost count of settled members never exceeds the seats.
    function invariant_SettledMembersNeverExceedSeats() public view {
        uint256 n = handler.taskCount();
        for (uint256 i; i < n; ++i) {
            uint256 taskId = handler.taskIds(i);
            assertLe(handler.settledMembers(taskId), market.getTask(taskId).seats);
            assertEq(handler.membersOf(taskId).length, market.getTask(taskId).seats);
        }
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
        assertGt(handler.doublePayAttempts(), 0, "double payouts were attempted and skipped");
        assertEq(handler.settledMembers(taskId), 10);
        assertEq(handler.violations(), 0, handler.lastViolation());
        _assertMarketHoldsWhatItOwes();
    }
}

/// @dev Guards the new outcomes in the campaign: an inconclusive committee (5 against 5), a void committee (not full
///      when its fill phase closed: late draws refused, commits refused, settled as refunded, members released), and a
///      parameter change between submission and settlement (the owed amounts follow each task's own version).
contract MarketHandlerOutcomesReachTest is MarketHandlerSetup {
    function test_HandlerReachesInconclusiveVoidCommitteesAndParamsVersions() public {
        handler.submit(1, 1_000e18); // task 1 (index 0)
        handler.submit(2, 2_000e18); // task 2 (index 1)
        handler.setKeeperReward(2e18); // both tasks keep version 1 (1 ACC per unit of keeper work)
        handler.submitFillers(1); // task 3, version 2
        assertEq(market.getTask(handler.fillers(0)).paramsVersion, 2);
        assertEq(market.getTask(handler.fillers(0)).fee, 64e18 + 1, "version 2's minimum fee");
        handler.bid(0, 500e18);
        handler.bid(1, 500e18);
        handler.warp(1 hours);
        handler.assign(0);
        handler.assign(1);
        handler.refundFillers(); // no bid: refunded at version 2
        _assertMarketHoldsWhatItOwes();
        handler.postResult(0);
        handler.postResult(1);
        handler.warp(10);
        handler.draw(0, 10); // task 1: full
        handler.draw(1, 3); // task 2: four seats (one more candidate than asked)
        _assertMarketHoldsWhatItOwes();
        vm.warp(market.getTask(handler.taskIds(0)).drawClosesAt);
        handler.draw(1, 6); // task 2: too late, FillClosed
        assertGt(handler.fillClosedRefusals(), 0, "late draws were refused");
        for (uint256 i; i < 40; ++i) handler.commit(1 + (i << 16), true); // task 2: partial committee
        assertGt(handler.partialCommitRefusals(), 0, "a partial committee cannot commit");
        for (uint256 i; i < 40; ++i) handler.commit(i << 16, i % 2 == 0); // task 1: 5 approve, 5 reject
        for (uint256 i; i < 40; ++i) handler.reveal(i << 16);
        handler.settle(0); // names nobody (seed bits zero): members stay owed
        handler.settle(1);
        ITaskMarket.Task memory t1 = market.getTask(handler.taskIds(0));
        ITaskMarket.Task memory t2 = market.getTask(handler.taskIds(1));
        assertEq(uint8(t1.status), uint8(ITaskMarket.TaskStatus.Inconclusive));
        assertEq(t1.aligned, 10);
        assertGt(t1.rewardPerReviewer, 0);
        assertEq(uint8(t2.status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(t2.seats, 4);
        _assertMarketHoldsWhatItOwes();
        for (uint256 i; i < 40; ++i) handler.settleMembers(i << 16);
        for (uint256 i; i < 40; ++i) handler.settleMembers(1 + (i << 16));
        handler.settle(1 + (0xff << 8)); // a late settle naming members: all settled already, nothing paid
        assertEq(handler.settledMembers(handler.taskIds(0)), 10);
        assertEq(handler.settledMembers(handler.taskIds(1)), 4);
        assertEq(handler.settleCount(handler.taskIds(0)), 1);
        assertEq(handler.settleCount(handler.taskIds(1)), 1);
        assertGt(handler.doublePayAttempts(), 0);
        assertEq(handler.violations(), 0, handler.lastViolation());
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
        handler.draw(0, 5); // reviewers 0-5 (one more candidate than asked)
        handler.draw(0, 4); // one of them again (skipped), then reviewers 6-9
        // Task 33 from reviewer 3 on: reviewers 3-9 hold live seats of task 1 in the same ring words, so their
        // seats overflow; the second batch names one of them again (skipped).
        handler.draw(3, 5);
        handler.draw(3, 4);
        assertEq(market.getTask(handler.taskIds(0)).seats, 10);
        assertEq(market.getTask(handler.taskIds(1)).seats, 10);
        assertGt(handler.reseatAttempts(), 0, "re-seating was attempted and skipped");
        // The draws above seated reviewers in list order, not by key: claims fix both committees.
        for (uint256 i; i < 8; ++i) handler.claim(i % 2);
        assertGt(handler.claimsMade(), 0, "better keys claimed seats");
        assertEq(handler.violations(), 0, handler.lastViolation());
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
