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

    /// @dev Two tasks with the same agents: the first pays for every first-time storage slot (first reputation
    ///      record, first earnings credit, ...); the second is the steady state an active network sees, and is
    ///      the figure each operation is reported at. Both totals are recorded.
    function test_Gas_TaskLifecycleWithTenMembers() public {
        prefix = "first_task.";
        _route();
        _draw();
        _vote();
        _settle();
        vm.snapshotValue(G, "first_task.task_total_10_members", total);
        vm.warp(block.timestamp + 1 days);

        prefix = "";
        total = 0;
        _route();
        _draw();
        _vote();
        _settle();
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

    function _route() internal {
        vm.prank(requester);
        taskId = market.submitTask(_request(), _noPermit());
        total += _snap("submit_task");
        _bid(taskId, executor, 800e18);
        total += _snap("bid");
        vm.warp(block.timestamp + 1 hours);
        market.assign(taskId);
        total += _snap("assign");
        vm.prank(executor.key);
        market.postResult(taskId, keccak256("result"), "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
        total += _snap("post_result");
    }

    /// @dev The keeper reads the seed off-chain, computes the keys and seats the committee.
    function _draw() internal {
        _seedReady();
        members = _bestReviewersOffchain(taskId);
        vm.prank(keeper);
        market.drawCommittee(taskId, _slice(0, 1));
        total += _snap("draw_committee_first_member");
        vm.prank(keeper);
        market.drawCommittee(taskId, _slice(1, COMMITTEE));
        uint256 rest = _snap("draw_committee_9_more");
        total += rest;
        vm.snapshotValue(G, string.concat(prefix, "draw_committee_per_member"), (rest - 21_000) / 9);
    }

    /// @dev Member 0 commits and reveals itself (the agent-facing calls); the keeper relays the other nine.
    function _vote() internal {
        vm.warp(market.getTask(taskId).drawClosesAt);
        bytes32 c0 = market.commitmentOf(taskId, members[0], true, _salt(members[0]));
        vm.prank(_reviewer(members[0]).owner);
        market.commitVote(taskId, members[0], c0);
        total += _snap("commit");
        ITaskMarket.SignedCommit[] memory commits = new ITaskMarket.SignedCommit[](COMMITTEE - 1);
        ITaskMarket.Reveal[] memory reveals = new ITaskMarket.Reveal[](COMMITTEE - 1);
        for (uint256 i = 1; i < COMMITTEE; ++i) {
            uint256 id = members[i];
            bytes32 c = market.commitmentOf(taskId, id, true, _salt(id));
            commits[i - 1] =
                ITaskMarket.SignedCommit(id, c, _sign(_reviewer(id).keyPk, market.commitDigest(taskId, id, c)));
            reveals[i - 1] = ITaskMarket.Reveal(id, true, _salt(id));
        }
        vm.prank(keeper);
        market.commitVotesBySig(taskId, commits);
        uint256 batch = _snap("commit_by_sig_batch_9");
        total += batch;
        vm.snapshotValue(G, string.concat(prefix, "commit_by_sig_per_member"), (batch - 21_000) / 9);
        market.revealVote(taskId, members[0], true, _salt(members[0]));
        total += _snap("reveal");
        vm.prank(keeper);
        market.revealVotes(taskId, reveals);
        batch = _snap("reveal_batch_9");
        total += batch;
        vm.snapshotValue(G, string.concat(prefix, "reveal_batch_per_member"), (batch - 21_000) / 9);
    }

    function _settle() internal {
        vm.prank(keeper);
        market.settle(taskId);
        total += _snap("settle_fixed");
        market.settleMembers(taskId, _slice(0, 1));
        total += _snap("settle_members_1");
        market.settleMembers(taskId, _slice(1, COMMITTEE));
        uint256 nine = _snap("settle_members_9");
        total += nine;
        vm.snapshotValue(G, string.concat(prefix, "settle_per_member"), (nine - 21_000) / 9);
    }

    function _slice(uint256 from, uint256 to) internal view returns (uint256[] memory out) {
        out = new uint256[](to - from);
        for (uint256 i = from; i < to; ++i) out[i - from] = members[i];
    }

    function _snap(string memory name) internal returns (uint256 gas) {
        gas = vm.snapshotGasLastCall(G, string.concat(prefix, name));
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
