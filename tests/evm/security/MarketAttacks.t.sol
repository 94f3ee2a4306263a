// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProtocolFixture} from "../protocol/ProtocolFixture.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";
import {IStaking} from "../../../contracts/evm/interfaces/IStaking.sol";
import {Sortition} from "../../../contracts/evm/libraries/Sortition.sol";

/// @notice The market attacks of the security review, each performed against the fixed contracts: every test runs
///         the exploit as it was demonstrated and asserts that it no longer pays.
contract MarketAttacksTest is ProtocolFixture {
    // ------------------------------------------------------------------ helpers

    function _fillClosesAt(uint256 taskId) internal view returns (uint256) {
        return market.getTask(taskId).drawClosesAt - _marketParams().drawWindow / 2;
    }

    function _ids(TestAgent[] memory agents) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](agents.length);
        for (uint256 i; i < agents.length; ++i) ids[i] = agents[i].id;
    }

    /// @dev Minimum-stake agents owned by one attacker (Sybils).
    function _sybils(uint256 n) internal returns (TestAgent[] memory agents) {
        agents = new TestAgent[](n);
        for (uint256 i; i < n; ++i) {
            agents[i] = _activeAgent(string.concat("sybil", vm.toString(i)), _marketParams().minStake);
        }
    }

    function _commitAndReveal(uint256 taskId, uint256[] memory members, bool[] memory votes) internal {
        _commitAll(taskId, members, votes);
        _revealAll(taskId, members, votes);
    }

    // ------------------------------------------------------------------ 1. a committee that never completes

    /// @dev The demonstrated exploit: just after the fill phase a colluding keeper seats size-1 Sybils of its
    ///      choice, so the committee can never be completed (and so never contested by claims), then votes with it.
    function test_Attack_PartialCommitteeOfSybilsCannotVoteOrPayTheExecutor() public {
        TestAgent[] memory sybils = _sybils(COMMITTEE - 1);
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, _noIds()); // fixes the seed, seats nobody
        vm.warp(_fillClosesAt(taskId) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.FillClosed.selector, taskId, _fillClosesAt(taskId)));
        vm.prank(keeper);
        market.drawCommittee(taskId, _ids(sybils));

        // Seated in time, a partial committee still cannot commit, reveal or decide anything.
        uint256 taskId2 = _posted();
        _seedReady();
        vm.prank(keeper);
        market.drawCommittee(taskId2, _ids(sybils));
        vm.warp(market.getTask(taskId2).drawClosesAt);
        bytes32 c = market.commitmentOf(taskId2, sybils[0].id, true, _salt(sybils[0].id));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.CommitteeNotFull.selector, taskId2));
        vm.prank(sybils[0].owner);
        market.commitVote(taskId2, sybils[0].id, c);

        uint256 executorEarnings = market.earningsOf(executor.owner);
        vm.warp(market.getTask(taskId2).revealEndsAt);
        market.settle(taskId2, _noReveals(), _ids(sybils));
        assertEq(uint8(market.getTask(taskId2).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(market.earningsOf(executor.owner), executorEarnings, "the colluding executor is not paid");
    }

    /// @dev The demonstrated exploit's second face: an offline validator seated alone, again and again, lost stake to
    ///      non-reveal slashes. A committee that never formed never votes, so nobody is slashed for not voting.
    function test_Attack_OfflineValidatorSeatedAloneIsNeverSlashed() public {
        TestAgent memory victim = reviewers[0];
        uint256 stake0 = staking.stakeOf(victim.id);
        for (uint256 i; i < 5; ++i) {
            uint256 taskId = _posted();
            _seedReady();
            uint256[] memory one = new uint256[](1);
            one[0] = victim.id;
            vm.prank(keeper);
            market.drawCommittee(taskId, one);
            vm.warp(market.getTask(taskId).revealEndsAt);
            market.settle(taskId, _noReveals(), one);
            assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        }
        assertEq(staking.stakeOf(victim.id), stake0, "no non-reveal slash for a committee that never formed");
    }

    /// @dev Better keys always get their chance: the fill phase ends half-way, so a committee completed at the last
    ///      moment of filling still leaves the whole claim phase for the agents the keeper left out.
    function test_Attack_LastSecondCompletionStillLeavesTheClaimPhase() public {
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, _noIds());
        uint256[] memory ranked = _bestReviewers(taskId, reviewers.length);
        uint256[] memory worst = new uint256[](COMMITTEE);
        for (uint256 i; i < COMMITTEE; ++i) worst[i] = ranked[ranked.length - 1 - i];
        vm.warp(_fillClosesAt(taskId));
        vm.prank(keeper);
        market.drawCommittee(taskId, worst);
        vm.warp(block.timestamp + 1);
        for (uint256 i; i < ranked.length - COMMITTEE; ++i) {
            vm.prank(_reviewer(ranked[i]).owner);
            market.claimSeat(taskId, ranked[i], worst[i]);
        }
        _assertCommitteeIsTheBestKeys(taskId);
    }

    /// @dev Found by the review of the fixes: a requester filled its own task's committee in the fill phase with 7 of
    ///      its agents and 3 honest validators with poor keys, to outvote and slash them; seat claims would fix it,
    ///      but nobody was paid to make them. Claims are now paid keeper work (the first `committeeSize` of a task),
    ///      so an honest keeper replaces every packed seat with the sortition's best keys, and is paid for each.
    function test_Attack_PackedCommitteeIsReplacedByPaidClaims() public {
        TestAgent[] memory sybils = _sybils(7);
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, _noIds());
        uint256[] memory ranked = _bestReviewers(taskId, reviewers.length);
        uint256[] memory packed = new uint256[](COMMITTEE);
        for (uint256 i; i < 7; ++i) packed[i] = sybils[i].id;
        for (uint256 i; i < 3; ++i) packed[7 + i] = ranked[ranked.length - 1 - i]; // drafted victims, worst keys
        address attacker = makeAddr("attacker keeper");
        vm.prank(attacker);
        market.drawCommittee(taskId, packed);

        // The honest keeper computes the sortition off-chain and claims every seat a better key deserves.
        address honest = makeAddr("honest keeper");
        uint256[] memory best = _bestReviewers(taskId, COMMITTEE);
        for (uint256 i; i < COMMITTEE; ++i) {
            vm.prank(honest);
            market.claimSeat(taskId, best[i], packed[i]);
        }
        assertEq(market.earningsOf(honest), COMMITTEE * _marketParams().keeperReward, "each claim paid");
        assertEq(market.getTask(taskId).claims, COMMITTEE);
        // The committee that votes is the 10 best keys: no Sybil, no drafted victim.
        vm.warp(market.getTask(taskId).drawClosesAt);
        bool[] memory votes = _votes(COMMITTEE, COMMITTEE);
        _commitAll(taskId, best, votes);
        for (uint256 i; i < 7; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotMember.selector, taskId, sybils[i].id));
            vm.prank(sybils[i].owner);
            market.commitVote(taskId, sybils[i].id, bytes32(uint256(1)));
        }
        // Claims beyond the committee size are allowed but unpaid, and the fee covered every unit of work.
        market.settle(taskId, _reveals(best, votes), best);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Accepted));
        vm.prank(attacker);
        market.withdrawEarnings(); // its ten seats were drawn, so paid; the claims undid them
        vm.prank(honest);
        market.withdrawEarnings();
        _assertSolvent();
    }

    // ------------------------------------------------------------------ 7. keeper reward read twice

    function _drawnWith(uint88 bounty, uint88 fee) internal returns (uint256 taskId, uint256[] memory members) {
        ITaskMarket.TaskRequest memory r = _request();
        r.bounty = bounty;
        r.fee = fee;
        return _drawnRequest(r, bounty);
    }

    /// @dev Raising the keeper reward by 1 wei after submission made minimum-fee tasks unsettleable; lowering it made
    ///      the market pay out more than it held. Every task keeps the parameters it was submitted under.
    function test_Attack_KeeperRewardChangeAfterSubmitNeitherBricksNorDrainsTheMarket() public {
        // A small bounty, so the minimum fee is exactly the keeper budget (plus 1 wei).
        uint88 minFee = uint88(market.minimumFee(1e18, COMMITTEE));
        assertEq(minFee, (3 * uint256(COMMITTEE) + 2) * _marketParams().keeperReward + 1);
        (uint256 taskId, uint256[] memory members) = _drawnWith(1e18, minFee);
        ITaskMarket.MarketParams memory p = market.params();
        p.keeperReward += 1;
        vm.prank(governance);
        market.setParams(p);
        bool[] memory votes = _votes(COMMITTEE, COMMITTEE);
        _commitAndReveal(taskId, members, votes);
        vm.prank(keeper);
        market.settle(taskId, _noReveals(), members);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Accepted));

        // Lowered to zero: the next task still pays the reward it was submitted with, and the market stays solvent.
        (uint256 taskId2, uint256[] memory members2) = _drawnWith(BOUNTY, TASK_FEE);
        uint256 submittedReward = market.paramsAt(market.getTask(taskId2).paramsVersion).keeperReward;
        assertEq(submittedReward, _marketParams().keeperReward + 1);
        p.keeperReward = 0;
        vm.prank(governance);
        market.setParams(p);
        uint256 keeperBefore = market.earningsOf(keeper);
        _commitAndReveal(taskId2, members2, votes);
        vm.prank(keeper);
        market.settle(taskId2, _noReveals(), members2);
        assertEq(
            market.earningsOf(keeper) - keeperBefore,
            (1 + COMMITTEE) * submittedReward,
            "settle + every member at the submitted reward"
        );
        _assertSolvent();
    }

    /// @dev Everything the market owes, withdrawn by every account it credited, leaves it holding the protocol's
    ///      pending fees and nothing else.
    function _assertSolvent() internal {
        address[] memory accounts = new address[](3 + reviewers.length);
        accounts[0] = requester;
        accounts[1] = keeper;
        accounts[2] = executor.owner;
        for (uint256 i; i < reviewers.length; ++i) accounts[3 + i] = reviewers[i].owner;
        accounts = _withThis(accounts);
        for (uint256 i; i < accounts.length; ++i) {
            if (market.earningsOf(accounts[i]) == 0) continue;
            vm.prank(accounts[i]);
            market.withdrawEarnings();
        }
        assertEq(s.token.balanceOf(address(market)), market.pendingProtocolFees());
    }

    function _withThis(address[] memory accounts) internal view returns (address[] memory all) {
        all = new address[](accounts.length + 1);
        for (uint256 i; i < accounts.length; ++i) all[i] = accounts[i];
        all[accounts.length] = address(this);
    }

    // ------------------------------------------------------------------ 8. bought reputation

    /// @dev The demonstrated exploit: a farmer that bought reputation with self-dealt tasks won a 100-ACC job bidding
    ///      1,000. Reputation now discounts a bid by at most 20%, and the winner is paid its own price.
    function test_Attack_BoughtReputationCannotWinAtTenTimesThePrice() public {
        TestAgent memory honest = reviewers[0];
        // Even an absurd reputation is worth at most a 20% discount.
        vm.prank(address(market));
        reputation.increase(executor.id, IReputation.Dimension.Task, 10_000e18);
        uint256 taskId = _submit();
        _bid(taskId, executor, 1_000e18);
        _bid(taskId, honest, 100e18);
        assertEq(market.getTask(taskId).executor, uint160(honest.id), "the honest 100-ACC bid wins");
        assertEq(market.getTask(taskId).price, 100e18);
        assertGe(market.effectivePrice(1_000e18, 10_000e18), 800e18);
    }

    /// @dev Reputation is bought only with fees that reach the protocol (half burned): a point costs at least 50 ACC
    ///      sent to the fee router, whatever the requester and executor pass between themselves.
    function test_Attack_SelfDealtMinimumFeeTasksBuyReputationOnlyWithProtocolFees() public {
        uint256 pending0 = market.pendingProtocolFees();
        uint256 rep0 = reputation.reputationOf(executor.id, IReputation.Dimension.Task);
        for (uint256 i; i < 3; ++i) {
            (uint256 taskId, uint256[] memory members) = _drawnWith(1e18, uint88(market.minimumFee(1e18, COMMITTEE)));
            _commitAndReveal(taskId, members, _votes(COMMITTEE, COMMITTEE));
            market.settle(taskId, _noReveals(), members);
        }
        uint256 gained = reputation.reputationOf(executor.id, IReputation.Dimension.Task) - rep0;
        uint256 toProtocol = market.pendingProtocolFees() - pending0;
        // gained <= 0.02 point per ACC to the protocol, i.e. >= 50 ACC per point
        assertLe(gained * 50, toProtocol, "at least 50 ACC of protocol fees per point");
    }

    /// @dev One requester feeding one executor accepted tasks over and over built reputation from a single
    ///      relationship. An executor gains from one requester at most once a week; other requesters still count.
    function test_Attack_RepeatedTasksFromOneRequesterGainReputationOncePerWeek() public {
        (uint256 t1, uint256[] memory m1) = _drawnRequest(_request(), 800e18);
        _commitAndReveal(t1, m1, _votes(COMMITTEE, COMMITTEE));
        market.settle(t1, _noReveals(), m1);
        uint256 afterFirst = reputation.reputationOf(executor.id, IReputation.Dimension.Task);
        assertGt(afterFirst, 0);
        for (uint256 i; i < 2; ++i) {
            (uint256 t, uint256[] memory m) = _drawnRequest(_request(), 800e18);
            _commitAndReveal(t, m, _votes(COMMITTEE, COMMITTEE));
            market.settle(t, _noReveals(), m);
            assertEq(uint8(market.getTask(t).status), uint8(ITaskMarket.TaskStatus.Accepted));
        }
        assertLe(reputation.reputationOf(executor.id, IReputation.Dimension.Task), afterFirst, "no gain from repeats");

        // Another requester's accepted task counts.
        address other = makeAddr("another requester");
        _fund(other, 10_000e18);
        vm.prank(other);
        s.token.approve(address(market), type(uint256).max);
        requester = other;
        uint256 before = reputation.reputationOf(executor.id, IReputation.Dimension.Task);
        (uint256 t2, uint256[] memory m2) = _drawnRequest(_request(), 800e18);
        _commitAndReveal(t2, m2, _votes(COMMITTEE, COMMITTEE));
        market.settle(t2, _noReveals(), m2);
        assertGt(reputation.reputationOf(executor.id, IReputation.Dimension.Task), before, "a new counterparty counts");
    }

    /// @dev Found by the review of the fixes: a requester filling its own 1-wei tasks' committees with its own
    ///      validators farmed 0.1 validator point per member per task for free, then outweighed honest stake in
    ///      other requesters' draws. Validator reputation is now bought with the fee that reaches the protocol, and a
    ///      weight counts at most 10 points of it.
    function test_Attack_SelfFilledCommitteesCannotFarmValidatorWeight() public {
        uint256[] memory before = new uint256[](reviewers.length);
        for (uint256 i; i < reviewers.length; ++i) {
            before[i] = reputation.reputationOf(reviewers[i].id, IReputation.Dimension.Validator);
        }
        uint256 pending0 = market.pendingProtocolFees();
        for (uint256 i; i < 3; ++i) {
            (uint256 taskId, uint256[] memory members) =
                _drawnWith(1, uint88(market.minimumFee(1, COMMITTEE)));
            _commitAndReveal(taskId, members, _votes(COMMITTEE, COMMITTEE));
            market.settle(taskId, _noReveals(), members);
            assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Accepted));
        }
        uint256 gained;
        for (uint256 i; i < reviewers.length; ++i) {
            uint256 nowRep = reputation.reputationOf(reviewers[i].id, IReputation.Dimension.Validator);
            if (nowRep > before[i]) gained += nowRep - before[i];
        }
        // Every point of validator reputation cost at least 50 ACC sent to the fee router (half burned): the old rule
        // gave 0.1 point per member and task, 3 points here, for 3 wei.
        assertLe(gained * 50, market.pendingProtocolFees() - pending0, "at least 50 ACC of protocol fees per point");
        // However much reputation, the weight is at most 11x the stake's.
        TestAgent memory r = reviewers[0];
        vm.prank(address(market));
        reputation.increase(r.id, IReputation.Dimension.Validator, 1_000e18);
        vm.warp(block.timestamp + 1 days); // a day's reputation counts from the next day
        uint256 taskId2 = _posted();
        _seedReady();
        market.drawCommittee(taskId2, _noIds());
        uint256 snapshot = market.getTask(taskId2).resultPostedAt - 1;
        assertGt(reputation.reputationAt(r.id, IReputation.Dimension.Validator, snapshot), 900e18);
        uint256 cappedWeight = staking.stakeAt(r.id, snapshot) / 1e15 * 11;
        assertEq(
            market.sortitionKey(taskId2, r.id),
            Sortition.key(market.getTask(taskId2).seed, taskId2, r.id, cappedWeight),
            "reputation beyond 10 points adds no weight"
        );
    }

    // ------------------------------------------------------------------ 9. the 2/3 rule both ways

    /// @dev The demonstrated exploit: 6 honest approvals against 4 rejections rejected the task and slashed the 6
    ///      honest approvers as the minority. Neither side reached 2/3: the outcome is inconclusive, nobody is slashed.
    function test_Attack_ThreeTenthsPlusOneCannotRejectAndSlashTheHonestMajority() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(6, COMMITTEE);
        _commitAndReveal(taskId, members, votes);
        uint256[] memory stakes = new uint256[](COMMITTEE);
        for (uint256 i; i < COMMITTEE; ++i) stakes[i] = staking.stakeOf(members[i]);
        uint256 executorStake = staking.stakeOf(executor.id);
        uint256 requesterBefore = market.earningsOf(requester);
        market.settle(taskId, _noReveals(), members);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Inconclusive));
        for (uint256 i; i < COMMITTEE; ++i) assertEq(staking.stakeOf(members[i]), stakes[i], "no reviewer slashed");
        assertEq(staking.stakeOf(executor.id), executorStake, "executor not slashed");
        assertEq(market.earningsOf(requester) - requesterBefore, BOUNTY, "bounty refunded");
    }

    // ------------------------------------------------------------------ 10. seed re-rolling

    /// @dev The demonstrated exploit: let the local seed lapse (256 blocks) and re-request it until it suits.
    ///      Retrying is allowed once and never on expiry; a lapsed seed settles the task against the executor,
    ///      who could have fixed it with a draw while it was readable.
    function test_Attack_LapsedSeedCannotBeRerolled() public {
        uint256 taskId = _posted();
        vm.roll(block.number + 300);
        vm.warp(block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedNotOverdue.selector, taskId, block.timestamp));
        market.retrySeed(taskId);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedNotReady.selector, taskId));
        market.drawCommittee(taskId, _noIds());
        uint256 stake0 = staking.stakeOf(executor.id);
        market.settle(taskId, _noReveals(), _noIds());
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertLt(staking.stakeOf(executor.id), stake0, "the executor bears a lapsed seed");
        assertEq(market.getTask(taskId).drawClosesAt, 0, "no seed was ever fixed");
    }

    /// @dev A keeper holding a task back to draw it days later would read weights from a snapshot whose reputation
    ///      history may be gone, or pick its moment. The seed must be fixed within two seed timeouts of the result;
    ///      past that, the task settles against the executor, who could have drawn as soon as the seed was readable.
    function test_Attack_SeedFixedLateCannotDrawFromAStaleSnapshot() public {
        uint256 taskId = _posted();
        _seedReady();
        uint256 fixBy = market.getTask(taskId).resultPostedAt + 2 * _marketParams().seedTimeout;
        vm.warp(fixBy + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedFixDeadlinePassed.selector, taskId, fixBy));
        market.drawCommittee(taskId, _bestReviewersUnchecked());
        uint256 stake0 = staking.stakeOf(executor.id);
        market.settle(taskId, _noReveals(), _noIds());
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertLt(staking.stakeOf(executor.id), stake0);
    }

    /// @dev Candidates named without reading keys (the seed is not fixed yet, so keys cannot be read).
    function _bestReviewersUnchecked() internal view returns (uint256[] memory ids) {
        ids = new uint256[](COMMITTEE);
        for (uint256 i; i < COMMITTEE; ++i) ids[i] = reviewers[i].id;
    }

    // ------------------------------------------------------------------ 13. batches and unpaid work

    /// @dev The demonstrated exploit: one front-run item reverted a whole keeper batch. Items already done are
    ///      skipped, and only the work actually done is paid.
    function test_Attack_FrontRunItemsNoLongerRevertKeeperBatches() public {
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, _noIds());
        uint256[] memory members = _bestReviewers(taskId, COMMITTEE);
        uint256[] memory first = new uint256[](1);
        first[0] = members[0];
        address rival = makeAddr("rival keeper");
        vm.prank(rival);
        market.drawCommittee(taskId, first); // front-runs one seat of the keeper's batch
        uint256 before = market.earningsOf(keeper);
        vm.prank(keeper);
        market.drawCommittee(taskId, members);
        assertEq(market.getTask(taskId).seats, COMMITTEE);
        assertEq(market.earningsOf(keeper) - before, (COMMITTEE - 1) * _marketParams().keeperReward, "paid per seat filled");

        bool[] memory votes = _votes(COMMITTEE, COMMITTEE);
        vm.warp(market.getTask(taskId).drawClosesAt);
        bytes32 c0 = market.commitmentOf(taskId, members[0], true, _salt(members[0]));
        vm.prank(_reviewer(members[0]).owner);
        market.commitVote(taskId, members[0], c0); // commits itself before the relayed batch lands
        for (uint256 i = 1; i < COMMITTEE; ++i) {
            bytes32 c = market.commitmentOf(taskId, members[i], true, _salt(members[i]));
            vm.prank(_reviewer(members[i]).owner);
            market.commitVote(taskId, members[i], c);
        }
        market.revealVote(taskId, members[0], true, _salt(members[0])); // front-runs one reveal of the batch
        ITaskMarket.Reveal[] memory reveals = new ITaskMarket.Reveal[](COMMITTEE);
        for (uint256 i; i < COMMITTEE; ++i) reveals[i] = ITaskMarket.Reveal(members[i], votes[i], _salt(members[i]));
        uint256[] memory half = new uint256[](5);
        for (uint256 i; i < 5; ++i) half[i] = members[i];
        vm.prank(rival);
        market.settle(taskId, reveals, half); // a rival settles the task and half the members
        before = market.earningsOf(keeper);
        vm.prank(keeper);
        market.settle(taskId, reveals, members); // lands second: only the five remaining members are settled
        assertEq(market.earningsOf(keeper) - before, 5 * _marketParams().keeperReward, "paid per member settled");
        assertEq(market.getTask(taskId).reveals, COMMITTEE);
    }

    /// @dev A keeper whose openings arrive after the reveal window still settles: the late openings are ignored.
    function test_Attack_LateOpeningsDoNotRevertTheSettlement() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(COMMITTEE, COMMITTEE);
        _commitAll(taskId, members, votes);
        for (uint256 i; i < 8; ++i) market.revealVote(taskId, members[i], votes[i], _salt(members[i]));
        vm.warp(market.getTask(taskId).revealEndsAt);
        ITaskMarket.Reveal[] memory late = new ITaskMarket.Reveal[](2);
        late[0] = ITaskMarket.Reveal(members[8], true, _salt(members[8]));
        late[1] = ITaskMarket.Reveal(members[9], true, _salt(members[9]));
        vm.prank(keeper);
        market.settle(taskId, late, members);
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(t.reveals, 8, "late openings did not count");
    }

    /// @dev A candidate that stops being eligible (here: it exits) between the keeper's computation and its
    ///      transaction no longer makes the whole batch revert: it is skipped, the rest are seated and paid.
    function test_Attack_CandidateExitingBeforeTheBatchLandsIsSkipped() public {
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, _noIds());
        uint256[] memory candidates = _bestReviewers(taskId, COMMITTEE + 1);
        TestAgent memory quitter = _reviewer(candidates[0]);
        vm.prank(quitter.owner);
        registry.requestExit(quitter.id);
        vm.prank(keeper);
        market.drawCommittee(taskId, candidates);
        assertEq(market.getTask(taskId).seats, COMMITTEE);
        assertEq(market.earningsOf(keeper), COMMITTEE * _marketParams().keeperReward, "paid per seat filled");
        // A single claim for an ineligible agent still says why it fails.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.AgentNotEligible.selector, quitter.id));
        market.claimSeat(taskId, quitter.id, candidates[1]);
    }

    /// @dev Nobody was paid to settle silent or minority members, so their penalties could be left unapplied.
    function test_Attack_SettlingSilentAndMinorityMembersIsPaid() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(7, COMMITTEE); // 7 approve, 3 reject: accepted, 3 in the minority
        _commitAll(taskId, members, votes);
        for (uint256 i; i < 8; ++i) market.revealVote(taskId, members[i], votes[i], _salt(members[i]));
        vm.warp(market.getTask(taskId).revealEndsAt);
        market.settle(taskId, _noReveals(), _noIds());
        uint256[] memory losers = new uint256[](3); // one minority reveal, two silent
        losers[0] = members[7];
        losers[1] = members[8];
        losers[2] = members[9];
        uint256 stakeSilent = staking.stakeOf(members[8]);
        uint256 before = market.earningsOf(keeper);
        vm.prank(keeper);
        market.settleMembers(taskId, losers);
        assertEq(market.earningsOf(keeper) - before, 3 * _marketParams().keeperReward);
        assertLt(staking.stakeOf(members[8]), stakeSilent, "silent member slashed");
    }

    // ------------------------------------------------------------------ 14. views never panic

    /// @dev Extreme inputs once made views panic (0x11); the market's pure and view helpers answer for any input.
    function testFuzz_Attack_MarketViewsNeverPanicOnExtremeInputs(uint256 price, uint256 rep, uint256 bounty, uint8 size)
        public
        view
    {
        uint256 effective = market.effectivePrice(price, rep);
        assertLe(effective, price);
        if (price != 0) assertGe(effective, price - price / 5 - 1, "at most 20% off");
        uint256 fee = market.minimumFee(bounty, size);
        assertGt(fee, 0);
        market.getTask(bound(bounty, 0, 1_000_000));
        market.paramsAt(bound(price, 0, 1_000_000));
    }
}
