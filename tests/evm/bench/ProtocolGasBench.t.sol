// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolFixture} from "../protocol/ProtocolFixture.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";

/// @dev Gas of each protocol operation as a whole transaction (run with --isolate), written to
///      snapshots/protocol.json; `task_total_10_members` sums every transaction of one task's life.
contract ProtocolGasBench is ProtocolFixture {
    string internal constant G = "protocol";

    function test_Gas_AgentLifecycle() public {
        TestAgent memory a = _newAgent("bench");
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _bindingSignature(a, deadline);
        vm.prank(a.owner);
        registry.register(a.key, AGENT_URI, CAPS, VECTOR_HASH, deadline, sig);
        vm.snapshotGasLastCall(G, "register");

        _attest(a.id, 1);
        vm.snapshotGasLastCall(G, "attest");

        vm.prank(a.owner);
        staking.stake(a.id, 10_000e18);
        vm.snapshotGasLastCall(G, "stake");

        vm.prank(a.owner);
        staking.requestUnstake(a.id, 4_000e18);
        vm.snapshotGasLastCall(G, "request_unstake");

        vm.prank(slasher);
        (uint256 slashId,) = staking.slash(a.id, 1_000, harmed, "bench");
        vm.snapshotGasLastCall(G, "slash");

        vm.prank(governance);
        staking.reverseSlash(slashId);
        vm.snapshotGasLastCall(G, "appeal_reverse");

        vm.warp(block.timestamp + staking.unbondingPeriod());
        vm.prank(a.owner);
        staking.withdraw(a.id);
        vm.snapshotGasLastCall(G, "withdraw");
    }

    uint256 internal total;
    uint256 internal taskId;
    uint256[] internal members;
    string internal prefix;
    bool internal measuring;

    /// @dev Full tasks run before the steady-state one, so that every reviewer of the pool has sat on committees
    ///      (its seat ring word for the measured task is in use) and carries reputation history, as agents of an
    ///      active network do. The full tasks all have ids = 1 mod SEAT_RING, like the measured one; the ids in
    ///      between go to tasks that nobody bids on (refunded), standing in for the rest of the network's traffic.
    uint256 internal constant WARMUP_TASKS = 16;

    /// @dev The first task of a fresh network pays for every first-time storage slot (first seat, first reputation
    ///      record, first earnings credit, ...); after `WARMUP_TASKS` more tasks with the same agents, the next one
    ///      is the steady state an active network sees, and is the figure each operation is reported at. Both
    ///      totals are recorded. The total follows the path the keepers take: the whole committee drawn in one
    ///      transaction, the members' signed commits relayed in one batch, then the reveals, settlement and the
    ///      members' consequences in one transaction. The single-member calls (an agent committing or revealing
    ///      itself, a one-member draw) and the parts of the last call are measured on branches of the state that
    ///      are then discarded.
    function test_Gas_TaskLifecycleWithTenMembers() public {
        measuring = true;
        prefix = "first_task.";
        _lifecycle();
        vm.snapshotValue(G, "first_task.task_total_10_members", total);

        measuring = false;
        vm.warp(block.timestamp + 1 days);
        // One warm-up task a day: an agent active for more than a week has gone once round its reputation history
        // ring (Reputation.HISTORY_DAYS), so its first write of a day rewrites a checkpoint slot, as in a live network.
        // Several requesters in turn: the executor of an active network works for many, so its Task reputation
        // grows most days (one gain per requester per week) and its history ring goes round too.
        address[4] memory requesters = [requester, _newRequester("r1"), _newRequester("r2"), _newRequester("r3")];
        for (uint256 i; i < WARMUP_TASKS; ++i) {
            requester = requesters[i % requesters.length];
            _otherTrafficUntilRingWraps();
            _lifecycle();
            vm.warp(block.timestamp + 1 days);
            // Attestations last 7 days here; the attestation keeper renews them, as in a live network.
            if (i % 5 == 4) _renewAttestations(uint64(2 + i / 5));
        }
        // The measured task comes from a requester this executor has not worked for lately, so it gains Task
        // reputation as most accepted tasks of an active network do (one gain per requester per week); the
        // requester has used the market before (the refunded filler tasks here), so its earnings slot exists.
        requester = _newRequester("measured");
        _otherTrafficUntilRingWraps();
        assertLt(s.token.balanceOf(requester), 100_000e18, "the requester used the market (filler tasks, refunded less the assign reward)");

        vm.warp(block.timestamp + 1 days);
        measuring = true;
        prefix = "";
        total = 0;
        _lifecycle();
        assertEq(taskId % SEAT_RING, 1, "the measured task shares its seat ring words with the warm-up tasks");
        // Everything a task needs from submission to settled members. Withdrawals of earnings and the fee flush
        // are batched across many tasks, so they are measured on their own, not added.
        vm.snapshotValue(G, "task_total_10_members", total);

        vm.prank(executor.owner);
        market.withdrawEarnings();
        _snap("claim");
        market.flushProtocolFees();
        _snap("flush_protocol_fees");
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Accepted));
    }

    function _newRequester(string memory name) internal returns (address r) {
        r = makeAddr(string.concat("requester ", name));
        _fund(r, 100_000e18);
        vm.prank(r);
        s.token.approve(address(market), type(uint256).max);
    }

    function _renewAttestations(uint64 nonce) internal {
        _attest(executor.id, nonce);
        for (uint256 i; i < reviewers.length; ++i) {
            _attest(reviewers[i].id, nonce);
        }
    }

    /// @dev Tasks nobody bids on until the next task id is 1 mod SEAT_RING, refunded; the requester withdraws.
    function _otherTrafficUntilRingWraps() internal {
        uint256[] memory ids = _fillerTasksUntil(1);
        vm.warp(block.timestamp + 1 hours);
        _refund(ids);
        if (market.earningsOf(requester) != 0) {
            vm.prank(requester);
            market.withdrawEarnings();
        }
    }

    function _lifecycle() internal {
        _route();
        _draw();
        _vote();
        _settle();
    }

    function _route() internal {
        vm.prank(requester);
        taskId = market.submitTask(_request(), _noPermit());
        total += _snap("submit_task");
        _bid(taskId, executor, 800e18);
        total += _snap("bid");
        vm.warp(block.timestamp + 1 hours);
        // A keeper's separate `assign` (measured on a discarded branch); the executor's post assigns by itself.
        uint256 branch = vm.snapshotState();
        market.assign(taskId);
        _snap("assign");
        vm.revertToState(branch);
        vm.prank(executor.key);
        market.postResult(taskId, keccak256("result"), "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
        total += _snap("post_result_assigning");
    }

    /// @dev The keeper reads the seed off-chain, computes the keys and seats the whole committee in one call; the
    ///      one-member draw (which also fixes the seed) is measured on a discarded branch for the per-member figure.
    function _draw() internal {
        _seedReady();
        members = _bestReviewersOffchain(taskId);
        uint256 branch = vm.snapshotState();
        vm.prank(keeper);
        market.drawCommittee(taskId, _slice(0, 1));
        uint256 one = _snap("draw_committee_first_member");
        vm.revertToState(branch);

        vm.prank(keeper);
        market.drawCommittee(taskId, _slice(0, COMMITTEE));
        uint256 all = _snap("draw_committee_10");
        total += all;
        if (measuring) {
            vm.snapshotValue(G, string.concat(prefix, "draw_committee_per_member"), (all - one) / (COMMITTEE - 1));
        }
    }

    ITaskMarket.Reveal[] internal reveals;

    /// @dev Every member signs its commit and hands its opening to the keeper, which relays the commits in one batch;
    ///      the agent-facing single commit and reveal are measured on a discarded branch.
    function _vote() internal {
        vm.warp(market.getTask(taskId).drawClosesAt);
        ITaskMarket.SignedCommit[] memory commits = new ITaskMarket.SignedCommit[](COMMITTEE);
        delete reveals;
        for (uint256 i; i < COMMITTEE; ++i) {
            uint256 id = members[i];
            bytes32 c = market.commitmentOf(taskId, id, true, _salt(id));
            commits[i] = ITaskMarket.SignedCommit(id, c, _sign(_reviewer(id).keyPk, market.commitDigest(taskId, id, c)));
            reveals.push(ITaskMarket.Reveal(id, true, _salt(id)));
        }

        uint256 branch = vm.snapshotState();
        vm.prank(_reviewer(members[0]).owner);
        market.commitVote(taskId, members[0], commits[0].commitment);
        _snap("commit");
        vm.revertToState(branch);

        vm.prank(keeper);
        market.commitVotesBySig(taskId, commits);
        uint256 batch = _snap("commit_by_sig_batch_10");
        total += batch;
        if (measuring) {
            vm.snapshotValue(G, string.concat(prefix, "commit_by_sig_per_member"), (batch - 21_000) / COMMITTEE);
        }

        branch = vm.snapshotState();
        market.revealVote(taskId, members[0], true, _salt(members[0]));
        _snap("reveal");
        vm.revertToState(branch);
    }

    /// @dev The keeper reveals the openings it holds, settles and settles the members in one call. The parts are
    ///      measured on a discarded branch: the reveals alone, settlement alone (the fixed part), one member, then
    ///      the other nine.
    function _settle() internal {
        uint256 branch = vm.snapshotState();
        vm.prank(keeper);
        market.revealVotes(taskId, reveals);
        uint256 batch = _snap("reveal_batch_10");
        if (measuring) {
            vm.snapshotValue(G, string.concat(prefix, "reveal_batch_per_member"), (batch - 21_000) / COMMITTEE);
        }
        vm.prank(keeper);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        _snap("settle_fixed");
        vm.prank(keeper);
        market.settleMembers(taskId, _slice(0, 1));
        _snap("settle_members_1");
        vm.prank(keeper);
        market.settleMembers(taskId, _slice(1, COMMITTEE));
        uint256 nine = _snap("settle_members_9");
        if (measuring) vm.snapshotValue(G, string.concat(prefix, "settle_per_member"), (nine - 21_000) / 9);
        vm.revertToState(branch);

        vm.prank(keeper);
        market.settle(taskId, reveals, members);
        total += _snap("reveal_and_settle_10");
    }

    function _slice(uint256 from, uint256 to) internal view returns (uint256[] memory out) {
        out = new uint256[](to - from);
        for (uint256 i = from; i < to; ++i) out[i - from] = members[i];
    }

    /// @dev The last call's whole-transaction gas, recorded under `name` while measuring.
    function _snap(string memory name) internal returns (uint256 gas) {
        if (measuring) gas = vm.snapshotGasLastCall(G, string.concat(prefix, name));
    }

    /// @dev What the keeper computes off-chain: the seed is fixed by the first draw, so read keys after fixing it
    ///      in a throwaway snapshot of the state.
    function _bestReviewersOffchain(uint256 forTask) internal returns (uint256[] memory ids) {
        uint256 snap = vm.snapshotState();
        market.drawCommittee(forTask, new uint256[](0));
        ids = _bestReviewers(forTask, COMMITTEE);
        vm.revertToState(snap);
    }
}
