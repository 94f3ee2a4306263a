// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {ProtocolFixture} from "./ProtocolFixture.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";
import {WithholdingRandomness} from "./ProtocolFixture.sol";

contract TaskMarketTest is ProtocolFixture {
    /// @dev How many events with `topic0` the market emitted since `vm.recordLogs()`.
    function _countLogs(bytes32 topic0) internal returns (uint256 n) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(market) && logs[i].topics[0] == topic0) ++n;
        }
    }

    /// @dev Lets this test contract write Task reputation (as the market does).
    function _giveTaskReputation(uint256 agentId, uint256 amount) internal {
        vm.prank(address(market));
        reputation.increase(agentId, IReputation.Dimension.Task, amount);
    }
    // ---------------------------------------------------------------- submit

    function test_Submit_EscrowsBountyAndFee() public {
        uint256 before = s.token.balanceOf(requester);
        uint256 taskId = _submit();
        assertEq(s.token.balanceOf(address(market)), uint256(BOUNTY) + TASK_FEE);
        assertEq(s.token.balanceOf(requester), before - BOUNTY - TASK_FEE);
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Bidding));
        assertEq(t.requester, requester);
        assertEq(t.committeeSize, COMMITTEE);
    }

    function test_Submit_WithPermitNeedsNoPriorApproval() public {
        (address payer, uint256 pk) = makeAddrAndKey("permitPayer");
        _fund(payer, 10_000e18);
        ITaskMarket.TaskRequest memory r = _request();
        uint256 amount = uint256(r.bounty) + r.fee;
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                s.token.DOMAIN_SEPARATOR(),
                keccak256(
                    abi.encode(
                        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                        payer,
                        address(market),
                        amount,
                        s.token.nonces(payer),
                        deadline
                    )
                )
            )
        );
        (uint8 v, bytes32 rr, bytes32 ss) = vm.sign(pk, digest);
        vm.prank(payer);
        uint256 taskId = market.submitTask(r, ITaskMarket.Permit(deadline, v, rr, ss));
        assertEq(market.getTask(taskId).requester, payer);
        assertEq(s.token.balanceOf(payer), 10_000e18 - amount);
    }

    function test_Submit_RejectsBadRequests() public {
        ITaskMarket.TaskRequest memory r = _request();
        r.committeeSize = 9;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.InvalidCommitteeSize.selector, 9, 10, 100));
        vm.prank(requester);
        market.submitTask(r, _noPermit());

        r = _request();
        r.committeeSize = 101;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.InvalidCommitteeSize.selector, 101, 10, 100));
        vm.prank(requester);
        market.submitTask(r, _noPermit());

        r = _request();
        r.bounty = 0;
        vm.expectRevert(ITaskMarket.ZeroBounty.selector);
        vm.prank(requester);
        market.submitTask(r, _noPermit());

        r = _request();
        r.fee = 49e18; // 5% of 1,000 is 50
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.FeeTooLow.selector, 49e18, 50e18));
        vm.prank(requester);
        market.submitTask(r, _noPermit());

        r = _request();
        r.deadline = uint40(block.timestamp + 30 minutes);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.InvalidDeadline.selector, r.deadline, block.timestamp + 1 hours + 1, block.timestamp + 3 days
            )
        );
        vm.prank(requester);
        market.submitTask(r, _noPermit());
    }

    // ---------------------------------------------------------------- route

    /// @dev Bids rank by `effectivePrice` (reputation discounts by at most 20%); the winner keeps its own price.
    function test_Bid_LowestEffectivePriceWinsAndTheWinnerKeepsItsOwnPrice() public {
        uint256 taskId = _submit();
        TestAgent memory other = reviewers[0];
        _bid(taskId, executor, 880e18);
        _bid(taskId, other, 800e18);
        assertEq(market.getTask(taskId).executor, other.id);
        // 1 point: 2000 * 1 / 11 = 181 bps off, 880 ranks at 864.07: still above 800.
        _giveTaskReputation(executor.id, 1e18);
        _bid(taskId, executor, 880e18);
        assertEq(market.getTask(taskId).executor, other.id, "one point is not worth 10%");
        // 10 points: half the maximum discount, 10% off: 880 ranks at 792.
        _giveTaskReputation(executor.id, 9e18);
        vm.expectEmit(address(market));
        emit ITaskMarket.BidPlaced(taskId, executor.id, 880e18, 792e18, true);
        _bid(taskId, executor, 880e18);
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(t.executor, executor.id);
        assertEq(t.price, 880e18, "paid its own price, not the discounted one");
        assertEq(t.bestEffectivePrice, 792e18);
        // A tie keeps the earlier bid.
        _bid(taskId, other, 792e18);
        assertEq(market.getTask(taskId).executor, executor.id);
    }

    function test_EffectivePrice_DiscountsByReputationAtMostTwentyPercent() public view {
        assertEq(market.effectivePrice(1_000e18, 0), 1_000e18);
        assertEq(market.effectivePrice(1_000e18, 1e18), 981.9e18); // 2000 * 1/11 = 181 bps
        assertEq(market.effectivePrice(1_000e18, 10e18), 900e18); // half the maximum at 10 points
        assertEq(market.effectivePrice(1_000e18, 30e18), 850e18); // 2000 * 30/40
        assertEq(market.effectivePrice(1_000e18, 1_000_000e18), 800.1e18); // 1999 bps (rounded down)
        assertEq(market.effectivePrice(1_000e18, type(uint256).max), 800.1e18); // saturated: 1999 bps
        assertGt(market.effectivePrice(1_000e18, type(uint256).max), 800e18 - 1, "never below 80%");
    }

    function test_Bid_RejectsIneligibleAgents() public {
        uint256 taskId = _submit();
        TestAgent memory pending = _newAgent("pending");
        _register(pending);
        _stake(pending, 10_000e18);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.AgentNotEligible.selector, pending.id));
        _bid(taskId, pending, 1e18);

        TestAgent memory poor = _activeAgent("poor", 999e18);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.InsufficientStake.selector, poor.id, 999e18, 1_000e18));
        _bid(taskId, poor, 1e18);

        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.InvalidPrice.selector, BOUNTY + 1, BOUNTY));
        _bid(taskId, executor, BOUNTY + 1);

        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotAgentController.selector, executor.id, requester));
        vm.prank(requester);
        market.bid(taskId, executor.id, 1e18);
    }

    function test_Bid_RejectsAgentsBelowTheReputationFloor() public {
        ITaskMarket.TaskRequest memory r = _request();
        r.minReputation = 1;
        vm.prank(requester);
        uint256 taskId = market.submitTask(r, _noPermit());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ReputationTooLow.selector, executor.id, 0, 1e18));
        _bid(taskId, executor, 1e18);
    }

    function test_Bid_SuspendedAgentCannotBid() public {
        uint256 taskId = _submit();
        vm.warp(block.timestamp + 7 days + 1); // attestation expired, no transaction needed
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.BiddingClosed.selector, taskId, market.getTask(taskId).biddingEndsAt));
        _bid(taskId, executor, 1e18);
        uint256 later = _submit();
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.AgentNotEligible.selector, executor.id));
        _bid(later, executor, 1e18);
    }

    function test_Bid_RequesterCannotBidWithItsOwnAgent() public {
        TestAgent memory own = _activeAgent("requesterAgent", 5_000e18);
        vm.prank(own.owner);
        s.token.approve(address(market), type(uint256).max);
        vm.prank(own.owner);
        uint256 taskId = market.submitTask(_request(), _noPermit());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.RequesterCannotParticipate.selector, taskId, own.id));
        _bid(taskId, own, 1e18);
    }

    function test_Assign_WithoutBidsRefundsAllButTheAssignReward() public {
        uint256 taskId = _submit();
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.BiddingOpen.selector, taskId, block.timestamp + 1 hours));
        market.assign(taskId);
        vm.warp(block.timestamp + 1 hours);
        market.assign(taskId);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(market.earningsOf(requester), uint256(BOUNTY) + TASK_FEE - 1e18);
        assertEq(market.earningsOf(address(this)), 1e18, "the assigner is paid one keeperReward");
        assertEq(s.token.balanceOf(address(market)), uint256(BOUNTY) + TASK_FEE, "everything still owed");
    }

    // ---------------------------------------------------------------- execute

    function test_PostResult_OnlyByTheExecutorBeforeTheDeadline() public {
        uint256 taskId = _assigned(800e18);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotAgentController.selector, executor.id, keeper));
        vm.prank(keeper);
        market.postResult(taskId, bytes32(uint256(1)), "");
        vm.warp(market.getTask(taskId).deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.DeadlinePassed.selector, taskId, market.getTask(taskId).deadline));
        vm.prank(executor.owner);
        market.postResult(taskId, bytes32(uint256(1)), "");
    }

    function test_MissedDeadline_SlashesTheExecutorAndRefundsAllButTwoKeeperRewards() public {
        _giveTaskReputation(executor.id, 3e18);
        uint256 taskId = _assigned(800e18);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.DeadlineNotPassed.selector, taskId, market.getTask(taskId).deadline));
        market.reportMissedDeadline(taskId);
        vm.warp(market.getTask(taskId).deadline + 1);
        uint256 repBefore = reputation.reputationOf(executor.id, IReputation.Dimension.Task); // decays with time
        vm.prank(keeper);
        market.reportMissedDeadline(taskId);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(market.earningsOf(requester), uint256(BOUNTY) + TASK_FEE - 2e18, "assign and report were paid");
        assertEq(market.earningsOf(keeper), 1e18);
        assertEq(market.earningsOf(address(this)), 1e18, "the assigner");
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE * 9 / 10, "10% slashed");
        assertEq(staking.totalPendingSlashes(), EXECUTOR_STAKE / 10);
        assertEq(reputation.reputationOf(executor.id, IReputation.Dimension.Task), repBefore - 1e18, "one point lost");
    }

    // ---------------------------------------------------------------- verify

    function test_Draw_WaitsForTheSeed() public {
        uint256 taskId = _posted();
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedNotReady.selector, taskId));
        market.drawCommittee(taskId, new uint256[](0));
        _seedReady();
        market.drawCommittee(taskId, new uint256[](0));
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertTrue(t.seed != bytes32(0));
        assertEq(t.drawClosesAt, block.timestamp + 30 minutes);
    }

    function test_Draw_ExcludesTheExecutorAndTheRequestersAgents() public {
        uint256 taskId = _posted();
        _seedReady();
        uint256[] memory ids = new uint256[](1);
        ids[0] = executor.id;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ExcludedFromCommittee.selector, taskId, executor.id));
        market.drawCommittee(taskId, ids);
    }

    /// @dev Keepers racing on one task never revert each other: seated agents (also repeated in one batch) are skipped,
    ///      filling stops at a full committee (nothing after it is even checked), and each seat filled is paid once.
    function test_Draw_SkipsSeatedAgentsAndStopsWhenFullPayingPerSeat() public {
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, _noIds());
        uint256[] memory all = _bestReviewers(taskId, reviewers.length);
        vm.prank(keeper);
        market.drawCommittee(taskId, _first(all, 4));
        assertEq(market.getTask(taskId).seats, 4);
        assertEq(market.earningsOf(keeper), 4e18, "paid per seat filled");

        uint256[] memory batch = new uint256[](16);
        for (uint256 i; i < 5; ++i) batch[i] = all[i]; // four seated, one new
        batch[5] = all[4]; // repeated in the batch
        for (uint256 i = 5; i < 14; ++i) batch[i + 1] = all[i];
        batch[15] = executor.id; // past the full committee: never checked
        address rival = makeAddr("rival keeper");
        vm.recordLogs();
        vm.prank(rival);
        market.drawCommittee(taskId, batch);
        assertEq(_countLogs(ITaskMarket.MemberDrawn.selector), 6);
        assertEq(market.getTask(taskId).seats, COMMITTEE);
        assertEq(market.earningsOf(rival), 6e18, "six seats filled");

        vm.prank(rival);
        market.drawCommittee(taskId, all); // full: nothing happens, nothing is paid
        assertEq(market.getTask(taskId).seats, COMMITTEE);
        assertEq(market.earningsOf(rival), 6e18);
        assertEq(market.earningsOf(keeper), 4e18);

        // The committee is exactly the first ten candidates.
        vm.warp(market.getTask(taskId).drawClosesAt);
        for (uint256 i; i < COMMITTEE; ++i) {
            vm.prank(_reviewer(all[i]).owner);
            market.commitVote(taskId, all[i], bytes32(uint256(1)));
        }
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotMember.selector, taskId, all[COMMITTEE]));
        vm.prank(_reviewer(all[COMMITTEE]).owner);
        market.commitVote(taskId, all[COMMITTEE], bytes32(uint256(1)));
    }

    function test_Draw_ClaimSeatReplacesAWorseMemberAndRefusesABetterOne() public {
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, new uint256[](0));
        uint256[] memory best = _bestReviewers(taskId, reviewers.length);
        // The keeper seats the 10 worst candidates instead of the 10 best.
        uint256[] memory worst = new uint256[](COMMITTEE);
        for (uint256 i; i < COMMITTEE; ++i) worst[i] = best[best.length - 1 - i];
        vm.prank(keeper);
        market.drawCommittee(taskId, worst);
        // Each left-out better candidate takes the seat of one of the worst members.
        for (uint256 i; i < best.length - COMMITTEE; ++i) {
            vm.prank(_reviewer(best[i]).owner);
            market.claimSeat(taskId, best[i], worst[i]);
        }
        // An evicted candidate cannot take a seat back from a member with a better key.
        uint256 kEvicted = market.sortitionKey(taskId, worst[0]);
        uint256 kMember = market.sortitionKey(taskId, best[0]);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.KeyNotBetter.selector, taskId, kEvicted, kMember));
        vm.prank(_reviewer(worst[0]).owner);
        market.claimSeat(taskId, worst[0], best[0]);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotMember.selector, taskId, worst[1]));
        vm.prank(_reviewer(worst[0]).owner);
        market.claimSeat(taskId, worst[0], worst[1]);
        _assertCommitteeIsTheBestKeys(taskId);
    }

    /// @dev A keeper that completes the committee at the last second would leave better candidates no time to
    ///      claim their seats: the committee can only be completed in the first half of the draw window.
    function test_Draw_FillingAfterHalfTheDrawWindowRevertsFillClosedSoClaimsHaveTime() public {
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, new uint256[](0));
        uint256[] memory best = _bestReviewers(taskId, COMMITTEE);
        uint256[] memory nine = new uint256[](COMMITTEE - 1);
        for (uint256 i; i < nine.length; ++i) nine[i] = best[i];
        market.drawCommittee(taskId, nine);
        ITaskMarket.Task memory t = market.getTask(taskId);
        uint256 lastFill = t.drawClosesAt - 15 minutes;
        vm.warp(lastFill + 1);
        uint256[] memory last = new uint256[](1);
        last[0] = best[COMMITTEE - 1];
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.FillClosed.selector, taskId, lastFill));
        vm.prank(keeper);
        market.drawCommittee(taskId, last);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.FillClosed.selector, taskId, lastFill));
        market.drawCommittee(taskId, _noIds()); // even an empty draw
        vm.warp(lastFill);
        vm.prank(keeper);
        market.drawCommittee(taskId, last);
        assertEq(market.getTask(taskId).seats, COMMITTEE);
        assertGe(t.drawClosesAt - block.timestamp, 15 minutes, "half the draw window left for seat claims");
        // Claims need the full committee and work until the draw window closes.
        uint256 outsider = _bestReviewers(taskId, COMMITTEE + 1)[COMMITTEE];
        vm.warp(t.drawClosesAt - 1);
        vm.expectRevert( // a worse key, but the claim phase is open
            abi.encodeWithSelector(
                ITaskMarket.KeyNotBetter.selector,
                taskId,
                market.sortitionKey(taskId, outsider),
                market.sortitionKey(taskId, best[0])
            )
        );
        vm.prank(_reviewer(outsider).owner);
        market.claimSeat(taskId, outsider, best[0]);
        vm.warp(t.drawClosesAt);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.DrawClosed.selector, taskId, t.drawClosesAt));
        vm.prank(_reviewer(outsider).owner);
        market.claimSeat(taskId, outsider, best[0]);
    }

    function test_ClaimSeat_NeedsAFullCommittee() public {
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, _noIds());
        uint256[] memory all = _bestReviewers(taskId, reviewers.length);
        // Seat the nine worst; the best candidate cannot claim a seat before the committee is full.
        uint256[] memory worst = new uint256[](COMMITTEE - 1);
        for (uint256 i; i < worst.length; ++i) worst[i] = all[all.length - 1 - i];
        market.drawCommittee(taskId, worst);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.CommitteeNotFull.selector, taskId));
        vm.prank(_reviewer(all[0]).owner);
        market.claimSeat(taskId, all[0], worst[0]);
        market.drawCommittee(taskId, _single(all[1]));
        vm.prank(_reviewer(all[0]).owner);
        market.claimSeat(taskId, all[0], worst[0]);
        assertEq(market.getTask(taskId).seats, COMMITTEE, "a claim swaps a seat, the count stays");
    }

    function test_Weight_IgnoresStakeAddedAfterTheResult() public {
        uint256 taskId = _posted();
        TestAgent memory r = reviewers[0];
        _seedReady();
        market.drawCommittee(taskId, new uint256[](0));
        uint256 keyBefore = market.sortitionKey(taskId, r.id);
        _stake(r, 500_000e18); // after seeing the seed
        assertEq(market.sortitionKey(taskId, r.id), keyBefore, "key must not move");
    }

    /// @dev A primary source that withholds (never ready, never expired): after `seedTimeout` anyone switches the task
    ///      to the fallback source, once; the task then runs normally on the fallback's seed.
    function test_RetrySeed_OnceSwitchesToTheFallbackWhenThePrimaryWithholds() public {
        WithholdingRandomness withholding = new WithholdingRandomness();
        market = _marketWithPrimary(withholding);
        uint256 taskId = _posted();
        uint256 retryAt = market.getTask(taskId).resultPostedAt + _marketParams().seedTimeout;
        _seedReady();
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedNotReady.selector, taskId));
        market.drawCommittee(taskId, _noIds());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedNotReady.selector, taskId));
        market.settle(taskId, _noReveals(), _noIds()); // withheld is not expired: nothing to settle yet
        vm.warp(retryAt - 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedNotOverdue.selector, taskId, retryAt));
        market.retrySeed(taskId);
        vm.warp(retryAt);
        vm.expectEmit(address(market));
        emit ITaskMarket.SeedRequested(taskId, address(fallbackRandomness), fallbackRandomness.requestCount() + 1);
        market.retrySeed(taskId);
        assertTrue(market.getTask(taskId).seedFromFallback);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedAlreadyRetried.selector, taskId));
        market.retrySeed(taskId);
        vm.warp(retryAt + 30 minutes); // still before the fix deadline (two seed timeouts after the result)
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedAlreadyRetried.selector, taskId));
        market.retrySeed(taskId); // once: even the fallback withholding would not allow a second retry

        vm.roll(block.number + 2);
        vm.prank(keeper);
        market.drawCommittee(taskId, _noIds());
        ITaskMarket.Task memory t = market.getTask(taskId);
        (bool ready, bytes32 seed) = fallbackRandomness.seedOf(fallbackRandomness.requestCount());
        assertTrue(ready);
        assertEq(t.seed, seed, "the fallback's seed");
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.DrawClosed.selector, taskId, t.drawClosesAt));
        market.retrySeed(taskId);
        uint256[] memory members = _bestReviewers(taskId, COMMITTEE);
        vm.prank(keeper);
        market.drawCommittee(taskId, members);
        bool[] memory votes = _votes(COMMITTEE, COMMITTEE);
        _commitAll(taskId, members, votes);
        market.settle(taskId, _reveals(members, votes), members);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(market.earningsOf(executor.owner), 800e18);
        assertEq(withholding.requestCount(), 1, "the primary was asked once");
    }

    /// @dev With LocalRandomness as primary, a seed nobody fixed within 256 blocks is expired: it cannot be retried
    ///      (that would re-roll an observable seed) and the task settles as refunded, the executor penalised as for
    ///      a missed deadline.
    function test_Settle_ExpiredSeedRefundsTheRequesterAndPenalisesTheExecutor() public {
        _giveTaskReputation(executor.id, 3e18);
        uint256 taskId = _posted();
        vm.roll(block.number + 200);
        vm.warp(block.timestamp + 2 hours);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.SeedNotReady.selector, taskId));
        market.settle(taskId, _noReveals(), _noIds()); // still readable: not expired
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.SeedNotOverdue.selector, taskId, market.getTask(taskId).resultPostedAt + 1 hours
            )
        );
        market.retrySeed(taskId); // ready: no retry either
        vm.roll(block.number + 100);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.SeedNotOverdue.selector, taskId, market.getTask(taskId).resultPostedAt + 1 hours
            )
        );
        market.retrySeed(taskId);
        uint256 requesterBefore = market.earningsOf(requester);
        uint256 repBefore = reputation.reputationOf(executor.id, IReputation.Dimension.Task);
        vm.prank(keeper);
        market.settle(taskId, _noReveals(), _noIds());
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(t.drawClosesAt, 0);
        assertEq(market.earningsOf(requester) - requesterBefore, uint256(BOUNTY) + TASK_FEE - 2e18, "all but assign + settle");
        assertEq(market.earningsOf(keeper), 1e18);
        assertEq(market.earningsOf(executor.owner), 0);
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE * 9 / 10, "missedDeadlineSeverityBps");
        assertEq(reputation.reputationOf(executor.id, IReputation.Dimension.Task), repBefore - 1e18, "one point lost");
        assertEq(market.pendingProtocolFees(), 0);
        // Never verified: no member settlement, no second settlement.
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.WrongStatus.selector, taskId, ITaskMarket.TaskStatus.Refunded, ITaskMarket.TaskStatus.Verifying
            )
        );
        market.settle(taskId, _noReveals(), _noIds());
    }

    function test_CommitAndReveal_EnforcePhasesAndCommitments() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        TestAgent memory m = _reviewer(members[0]);
        bytes32 c = market.commitmentOf(taskId, m.id, true, _salt(m.id));
        ITaskMarket.Task memory t = market.getTask(taskId);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotInPhase.selector, taskId, t.drawClosesAt, t.commitEndsAt));
        vm.prank(m.owner);
        market.commitVote(taskId, m.id, c);
        vm.warp(t.drawClosesAt);
        vm.prank(m.owner);
        market.commitVote(taskId, m.id, c);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.AlreadyCommitted.selector, taskId, m.id));
        vm.prank(m.owner);
        market.commitVote(taskId, m.id, c);
        TestAgent memory outsider = reviewers[reviewers.length - 1];
        bool isMember;
        for (uint256 i; i < members.length; ++i) if (members[i] == outsider.id) isMember = true;
        if (!isMember) {
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotMember.selector, taskId, outsider.id));
            vm.prank(outsider.owner);
            market.commitVote(taskId, outsider.id, c);
        }
        vm.warp(t.commitEndsAt);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.CommitmentMismatch.selector, taskId, m.id));
        market.revealVote(taskId, m.id, false, _salt(m.id));
        market.revealVote(taskId, m.id, true, _salt(m.id));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotCommitted.selector, taskId, m.id));
        market.revealVote(taskId, m.id, true, _salt(m.id));
    }

    function _signedCommits(uint256 taskId, uint256[] memory members, bool[] memory votes)
        internal
        view
        returns (ITaskMarket.SignedCommit[] memory commits)
    {
        commits = new ITaskMarket.SignedCommit[](members.length);
        for (uint256 i; i < members.length; ++i) {
            bytes32 c = market.commitmentOf(taskId, members[i], votes[i], _salt(members[i]));
            commits[i] = ITaskMarket.SignedCommit(members[i], c, _sign(_reviewer(members[i]).keyPk, _commitDigest(taskId, members[i], c)));
        }
    }

    /// @dev The EIP-712 digest built here from the type strings, independently of the contract.
    function _commitDigest(uint256 taskId, uint256 agentId, bytes32 commitment) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH, keccak256("AgentCluster TaskMarket"), keccak256("1"), block.chainid, address(market)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(keccak256("Commit(uint256 taskId,uint256 agentId,bytes32 commitment)"), taskId, agentId, commitment)
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function test_Batch_CommitsBySignatureAndRevealsInOneTransactionEach() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(9, 10);
        vm.warp(market.getTask(taskId).drawClosesAt);
        vm.prank(keeper);
        market.commitVotesBySig(taskId, _signedCommits(taskId, members, votes));
        assertEq(market.getTask(taskId).commits, 10);
        ITaskMarket.Reveal[] memory reveals = new ITaskMarket.Reveal[](members.length);
        for (uint256 i; i < members.length; ++i) reveals[i] = ITaskMarket.Reveal(members[i], votes[i], _salt(members[i]));
        vm.prank(keeper);
        market.revealVotes(taskId, reveals);
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(t.reveals, 10);
        assertEq(t.approvals, 9);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Accepted));
    }

    function test_Batch_CommitRejectsASignatureFromAnotherKeyOrChainAndSkipsMembersAlreadyCommitted() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(10, 10);
        vm.warp(market.getTask(taskId).drawClosesAt);
        ITaskMarket.SignedCommit[] memory commits = _signedCommits(taskId, members, votes);
        // signed by the owner, not the agent key
        ITaskMarket.SignedCommit[] memory one = new ITaskMarket.SignedCommit[](1);
        one[0] = commits[0];
        one[0].signature = _sign(uint256(keccak256("someone else")), _commitDigest(taskId, members[0], commits[0].commitment));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.InvalidCommitSignature.selector, taskId, members[0]));
        market.commitVotesBySig(taskId, one);
        // a signature made for another chain id does not verify here
        uint256 chain = block.chainid;
        vm.chainId(chain + 1);
        one[0].signature = _sign(_reviewer(members[0]).keyPk, _commitDigest(taskId, members[0], commits[0].commitment));
        vm.chainId(chain);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.InvalidCommitSignature.selector, taskId, members[0]));
        market.commitVotesBySig(taskId, one);
        // a relayer commits four members; the full batch landing next commits only the other six
        commits = _signedCommits(taskId, members, votes); // `one[0]` aliased commits[0] in memory
        market.commitVotesBySig(taskId, _signedCommits(taskId, _first(members, 4), votes));
        assertEq(market.getTask(taskId).commits, 4);
        vm.recordLogs();
        market.commitVotesBySig(taskId, commits);
        assertEq(_countLogs(ITaskMarket.VoteCommitted.selector), 6);
        assertEq(market.getTask(taskId).commits, COMMITTEE);
        // replaying it changes nothing (each member commits once), but a bad signature in it still reverts
        vm.recordLogs();
        market.commitVotesBySig(taskId, commits);
        assertEq(_countLogs(ITaskMarket.VoteCommitted.selector), 0);
        assertEq(market.getTask(taskId).commits, COMMITTEE);
        commits[3].signature = _sign(uint256(keccak256("someone else")), _commitDigest(taskId, members[3], commits[3].commitment));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.InvalidCommitSignature.selector, taskId, members[3]));
        market.commitVotesBySig(taskId, commits);
        // a single commit of an already committed member still reverts
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.AlreadyCommitted.selector, taskId, members[0]));
        vm.prank(_reviewer(members[0]).owner);
        market.commitVote(taskId, members[0], commits[0].commitment);
    }

    function test_Batch_RevealVotesSkipsOpeningsAlreadyRevealed() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(8, 10);
        _commitAll(taskId, members, votes);
        for (uint256 i; i < 3; ++i) market.revealVote(taskId, members[i], votes[i], _salt(members[i]));
        vm.recordLogs();
        market.revealVotes(taskId, _reveals(members, votes));
        assertEq(_countLogs(ITaskMarket.VoteRevealed.selector), 7);
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(t.reveals, 10);
        assertEq(t.approvals, 8, "each approval counted once");
        vm.recordLogs();
        market.revealVotes(taskId, _reveals(members, votes));
        assertEq(_countLogs(ITaskMarket.VoteRevealed.selector), 0);
        t = market.getTask(taskId);
        assertEq(t.reveals, 10);
        assertEq(t.approvals, 8);
        // A revealed vote cannot be opened the other way by a batch either (skipped, not re-counted).
        ITaskMarket.Reveal[] memory flipped = _reveals(_first(members, 1), votes);
        flipped[0].approve = !flipped[0].approve;
        market.revealVotes(taskId, flipped);
        assertEq(market.getTask(taskId).approvals, 8);
        // A single reveal of an opening already revealed still reverts.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotCommitted.selector, taskId, members[0]));
        market.revealVote(taskId, members[0], votes[0], _salt(members[0]));
        // settle's reveals are skipped the same way
        market.settle(taskId, _reveals(members, votes), _noIds());
        t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(t.reveals, 10);
        assertEq(t.approvals, 8);
    }

    // ---------------------------------------------------------------- settle

    function test_Settle_AcceptsAtTwoThirdsAndPaysEveryone() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(7, 10); // 70% approve
        _commitAll(taskId, members, votes);
        _revealAll(taskId, members, votes); // all committed: reveal opens early
        uint256 burnedBefore = s.token.totalBurned();
        vm.prank(keeper);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(market.earningsOf(executor.owner), 800e18);
        assertEq(market.earningsOf(requester), 200e18, "unspent bounty back");
        assertEq(market.earningsOf(keeper), 11e18, "ten seats drawn + settle");
        // fee 100: keeper work 22 (assign, 10 draws, settle, 10 member settlements), rest 78: reviewers 39 / 7,
        // the protocol the remainder
        uint256 perReviewer = uint256(39e18) / 7;
        uint256 toProtocol = 78e18 - 7 * perReviewer;
        assertEq(t.rewardPerReviewer, perReviewer);
        assertEq(toProtocol, 39e18 + 4);
        assertEq(market.pendingProtocolFees(), toProtocol);
        assertEq(s.token.totalBurned(), burnedBefore, "fees accrue until flushed");
        assertEq(market.flushProtocolFees(), toProtocol);
        assertEq(s.token.totalBurned() - burnedBefore, toProtocol / 2);
        assertEq(market.pendingProtocolFees(), 0);
        assertEq(market.flushProtocolFees(), 0, "an empty flush does nothing");
        assertEq(
            reputation.reputationOf(executor.id, IReputation.Dimension.Task), 0.78e18, "0.02 point per protocol ACC"
        );
        uint256 assignerBefore = market.earningsOf(address(this));
        vm.recordLogs();
        market.settleMembers(taskId, members);
        assertEq(market.earningsOf(address(this)) - assignerBefore, 10e18, "paid per member settled");
        for (uint256 i; i < members.length; ++i) {
            address owner = _reviewer(members[i]).owner;
            assertEq(market.earningsOf(owner), votes[i] ? perReviewer : 0);
        }
        // Reviewer rewards emit no Earned: MemberSettled names the owner credited and the amount.
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 settledEvents;
        uint256 earnedEvents;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(market)) continue;
            if (logs[i].topics[0] == ITaskMarket.Earned.selector) {
                // the only Earned is the member settler's keeper pay
                ++earnedEvents;
                assertEq(address(uint160(uint256(logs[i].topics[1]))), address(this), "no Earned for reviewer rewards");
                assertEq(logs[i].topics[3], bytes32("keeper"));
                assertEq(abi.decode(logs[i].data, (uint256)), 10e18);
                continue;
            }
            if (logs[i].topics[0] != ITaskMarket.MemberSettled.selector) continue;
            ++settledEvents;
            address owner = address(uint160(uint256(logs[i].topics[3])));
            (uint256 reward, bool aligned,) = abi.decode(logs[i].data, (uint256, bool, bool));
            assertEq(reward, aligned ? perReviewer : 0);
            if (aligned) assertEq(market.earningsOf(owner), reward, "the event names the account credited");
        }
        assertEq(settledEvents, members.length);
        assertEq(earnedEvents, 1);
        // A settled seat is cleared: settling it again is skipped, pays nobody and emits nothing.
        uint256 settlerBefore = market.earningsOf(address(this));
        vm.recordLogs();
        market.settleMembers(taskId, members);
        assertEq(_countLogs(ITaskMarket.MemberSettled.selector), 0);
        assertEq(market.earningsOf(address(this)), settlerBefore);
        assertEq(market.earningsOf(_reviewer(members[0]).owner), perReviewer, "paid once");
        // Everything owed is held: the market holds exactly the unwithdrawn earnings.
        uint256 owed = market.earningsOf(requester) + market.earningsOf(keeper) + market.earningsOf(address(this))
            + market.earningsOf(executor.owner);
        for (uint256 i; i < members.length; ++i) owed += market.earningsOf(_reviewer(members[i]).owner);
        assertEq(s.token.balanceOf(address(market)), owed);
    }

    function test_Settle_ExactlyTwoThirdsOfRevealedVotesAccepts() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        uint256[] memory six = new uint256[](6);
        for (uint256 i; i < 6; ++i) six[i] = members[i];
        bool[] memory votes = _votes(4, 6);
        _commitAll(taskId, six, votes);
        vm.warp(market.getTask(taskId).commitEndsAt);
        _revealAll(taskId, six, votes);
        vm.warp(market.getTask(taskId).revealEndsAt);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Accepted));
    }

    function test_Settle_RejectsAtTwoThirdsOfRevealedRejectionsSlashesAndRefunds() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(3, 10); // 7 of 10 reject: 21 >= 20
        _commitAll(taskId, members, votes);
        _revealAll(taskId, members, votes);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Rejected));
        assertEq(market.earningsOf(requester), BOUNTY);
        assertEq(market.earningsOf(executor.owner), 0);
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE * 8 / 10, "20% slashed");
        uint256[] memory before = new uint256[](members.length);
        for (uint256 i; i < members.length; ++i) before[i] = staking.stakeOf(members[i]);
        market.settleMembers(taskId, members);
        uint256 perReviewer = market.getTask(taskId).rewardPerReviewer;
        assertEq(perReviewer, uint256(39e18) / 7);
        for (uint256 i; i < members.length; ++i) {
            TestAgent memory m = _reviewer(members[i]);
            if (votes[i]) {
                // the three approvers were the minority: lightly slashed (1%), unpaid
                assertEq(staking.stakeOf(m.id), before[i] * 99 / 100);
                assertEq(market.earningsOf(m.owner), 0);
            } else {
                assertEq(staking.stakeOf(m.id), before[i]);
                assertEq(market.earningsOf(m.owner), perReviewer);
            }
        }
    }

    /// @dev 5 approvals, 4 rejections, 1 silent: neither side has 2/3 of the 9 revealed votes. The bounty goes back,
    ///      the executor keeps its stake and reputation, every revealed member is aligned (paid, reputation gain),
    ///      the silent member is slashed.
    function test_Settle_NeitherTwoThirdsIsInconclusivePaysEveryRevealedMemberAndSlashesOnlyTheSilent() public {
        _giveTaskReputation(executor.id, 3e18);
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(5, 10);
        _commitAll(taskId, members, votes);
        _revealAll(taskId, _first(members, 9), votes);
        vm.warp(market.getTask(taskId).revealEndsAt);
        uint256[] memory stakes = new uint256[](COMMITTEE);
        uint256[] memory reps = new uint256[](COMMITTEE);
        for (uint256 i; i < COMMITTEE; ++i) {
            stakes[i] = staking.stakeOf(members[i]);
            reps[i] = reputation.reputationOf(members[i], IReputation.Dimension.Validator);
        }
        uint256 executorRep = reputation.reputationOf(executor.id, IReputation.Dimension.Task);
        assertGt(executorRep, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, ITaskMarket.TaskStatus.Inconclusive, 5, 9, keeper);
        vm.prank(keeper);
        market.settle(taskId, _noReveals(), members);
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Inconclusive));
        assertEq(t.aligned, 9);
        uint256 perReviewer = uint256(39e18) / 9; // rest 78, half to the nine aligned
        assertEq(t.rewardPerReviewer, perReviewer);
        assertEq(market.pendingProtocolFees(), 78e18 - 9 * perReviewer);
        // Validator reputation is bought with the protocol's share: 0.02 point per ACC, shared by the nine (in 1e12).
        uint256 alignedGain = ((78e18 - 9 * perReviewer) * 2e16 / 1e18 / 9) / 1e12 * 1e12;
        assertEq(uint256(t.reviewerGain) * 1e12, alignedGain);
        assertLt(alignedGain, 0.1e18, "below the cap at this fee");
        assertEq(market.earningsOf(requester), BOUNTY, "bounty refunded");
        assertEq(market.earningsOf(executor.owner), 0, "executor not paid");
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE, "executor not slashed");
        assertEq(reputation.reputationOf(executor.id, IReputation.Dimension.Task), executorRep, "nor its reputation touched");
        assertEq(market.earningsOf(keeper), 10e18 + 1e18 + 10e18, "draws, settle, members");
        for (uint256 i; i < 9; ++i) {
            TestAgent memory m = _reviewer(members[i]);
            assertEq(market.earningsOf(m.owner), perReviewer, "approvers and rejecters both paid");
            assertEq(staking.stakeOf(m.id), stakes[i], "no revealed member slashed");
            assertEq(reputation.reputationOf(m.id, IReputation.Dimension.Validator), reps[i] + alignedGain, "aligned gain");
        }
        TestAgent memory silent = _reviewer(members[9]);
        assertEq(market.earningsOf(silent.owner), 0);
        assertEq(staking.stakeOf(silent.id), stakes[9] * 98 / 100, "2% for not revealing");
        assertLe(reputation.reputationOf(silent.id, IReputation.Dimension.Validator), reps[9]);
    }

    function test_Settle_SilentReviewersAreSlashedAndNotPaid() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        uint256[] memory eight = new uint256[](8);
        for (uint256 i; i < 8; ++i) eight[i] = members[i];
        bool[] memory votes = _votes(8, 8);
        _commitAll(taskId, eight, votes);
        vm.warp(market.getTask(taskId).commitEndsAt);
        _revealAll(taskId, eight, votes);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.RevealNotOver.selector, taskId, market.getTask(taskId).revealEndsAt));
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        vm.warp(market.getTask(taskId).revealEndsAt);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        TestAgent memory silent = _reviewer(members[9]);
        uint256 stakeBefore = staking.stakeOf(silent.id);
        market.settleMembers(taskId, members);
        assertEq(staking.stakeOf(silent.id), stakeBefore * 98 / 100, "2% for not revealing");
        assertEq(market.earningsOf(silent.owner), 0);
    }

    function test_Settle_WithNoVotesRefundsWithoutSlashingTheExecutorButSlashesTheSilentMembers() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        vm.warp(market.getTask(taskId).revealEndsAt);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(market.earningsOf(requester), BOUNTY);
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE);
        assertEq(market.getTask(taskId).rewardPerReviewer, 0);
        assertEq(market.pendingProtocolFees(), 78e18, "no aligned reviewer: the rest goes to the protocol");
        uint256[] memory stakes = new uint256[](COMMITTEE);
        for (uint256 i; i < COMMITTEE; ++i) stakes[i] = staking.stakeOf(members[i]);
        vm.prank(keeper);
        market.settleMembers(taskId, members);
        for (uint256 i; i < COMMITTEE; ++i) {
            assertEq(staking.stakeOf(members[i]), stakes[i] * 98 / 100, "silent: 2%");
            assertEq(market.earningsOf(_reviewer(members[i]).owner), 0);
        }
    }

    function test_WithdrawEarnings_PaysOnceAndRefusesNothing() public {
        uint256 taskId = _submit();
        vm.warp(block.timestamp + 1 hours);
        market.assign(taskId);
        uint256 before = s.token.balanceOf(requester);
        vm.prank(requester);
        assertEq(market.withdrawEarnings(), uint256(BOUNTY) + TASK_FEE - 1e18);
        assertEq(s.token.balanceOf(requester), before + BOUNTY + TASK_FEE - 1e18);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NothingToWithdraw.selector, requester));
        vm.prank(requester);
        market.withdrawEarnings();
    }

    function test_SetParams_OnlyGovernanceAndBounded() public {
        ITaskMarket.MarketParams memory p = _marketParams();
        vm.expectRevert();
        market.setParams(p);
        p.maxTaskDuration = 30 days;
        vm.expectRevert();
        vm.prank(governance);
        market.setParams(p);
        p = _marketParams();
        p.rejectedSeverityBps = 50;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ParameterOutOfRange.selector, "rejectedSeverityBps", 50));
        vm.prank(governance);
        market.setParams(p);
        p = _marketParams();
        p.minStake = 1e18 - 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ParameterOutOfRange.selector, "minStake", 1e18 - 1));
        vm.prank(governance);
        market.setParams(p);
        p = _marketParams();
        p.keeperReward = 1_000e18 + 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ParameterOutOfRange.selector, "keeperReward", 1_000e18 + 1));
        vm.prank(governance);
        market.setParams(p);
        p = _marketParams();
        p.feeBps = 10_001;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ParameterOutOfRange.selector, "feeBps", 10_001));
        vm.prank(governance);
        market.setParams(p);
        p = _marketParams();
        p.reviewerShareBps = 10_001;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ParameterOutOfRange.selector, "reviewerShareBps", 10_001));
        vm.prank(governance);
        market.setParams(p);
        // Seed and draw windows of at most a day keep every weight read inside the kept reputation history.
        p = _marketParams();
        p.seedTimeout = 1 days + 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ParameterOutOfRange.selector, "seedTimeout", 1 days + 1));
        vm.prank(governance);
        market.setParams(p);
        p = _marketParams();
        p.drawWindow = 1 days + 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ParameterOutOfRange.selector, "drawWindow", 1 days + 1));
        vm.prank(governance);
        market.setParams(p);
        p = _marketParams();
        p.drawWindow = 1; // no room for a fill phase and a claim phase
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.ParameterOutOfRange.selector, "drawWindow", 1));
        vm.prank(governance);
        market.setParams(p);
        // The edges are accepted, each as a new version.
        p = _marketParams();
        p.minStake = 1e18;
        p.keeperReward = 1_000e18;
        vm.prank(governance);
        market.setParams(p);
        assertEq(market.params().minStake, 1e18);
        assertEq(market.paramsAt(2).keeperReward, 1_000e18);
        assertEq(market.paramsAt(3).keeperReward, 0, "no third version");
    }

    // ---------------------------------------------------------------- fee, keeper pay, params versions

    function test_MinimumFee_CoversEveryUnitOfKeeperWorkPlusOneWei() public {
        assertEq(market.minimumFee(1_000e18, 10), 50e18, "5% of the bounty");
        assertEq(market.minimumFee(1e18, 10), 32e18 + 1, "(3 * 10 + 2) keeper rewards + 1");
        assertEq(market.minimumFee(1e18, 100), 302e18 + 1);
        assertEq(market.minimumFee(6_040e18, 100), 302e18 + 1, "5% of 6,040 is 1 wei short of the keeper budget");
        assertEq(market.minimumFee(6_060e18, 100), 303e18, "5% of 6,060");
        ITaskMarket.TaskRequest memory r = _request();
        r.bounty = 1e18;
        r.fee = 32e18;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.FeeTooLow.selector, 32e18, 32e18 + 1));
        vm.prank(requester);
        market.submitTask(r, _noPermit());
        // A minimum-fee task runs to the end: every unit of keeper work done is paid; the claim budget nobody used
        // (10 ACC) and the 1 wei are left to split between the reviewers and the protocol.
        r.fee = 32e18 + 1;
        (uint256 taskId, uint256[] memory members) = _drawnRequest(r, 1e18);
        bool[] memory votes = _votes(COMMITTEE, COMMITTEE);
        _commitAll(taskId, members, votes);
        vm.prank(keeper);
        market.settle(taskId, _reveals(members, votes), members);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(market.earningsOf(keeper), 21e18, "10 draws, settle, 10 members");
        assertEq(market.earningsOf(address(this)), 1e18, "assign");
        assertEq(market.getTask(taskId).rewardPerReviewer, 0.5e18, "half of the 10 ACC + 1 wei, shared by ten");
        assertEq(market.pendingProtocolFees(), 5e18 + 1, "the rest");
        assertEq(s.token.balanceOf(address(market)), 33e18 + 1, "all still held as earnings and protocol fees");
    }

    /// @dev The fee pays each unit of keeper work to whoever did it: the assigner, each drawer per seat, the settler
    ///      and each member settler per member; the rest splits between aligned reviewers and the protocol. Nothing is
    ///      left over and nothing is paid twice.
    function test_KeeperWork_PaidPerUnitToWhoeverDidItAndTheFeeSplitsExactly() public {
        address[4] memory k = [makeAddr("k0"), makeAddr("k1"), makeAddr("k2"), makeAddr("k3")];
        uint256 taskId = _submit();
        _bid(taskId, executor, 800e18);
        vm.warp(block.timestamp + 1 hours);
        vm.prank(k[0]);
        market.assign(taskId);
        vm.prank(executor.key);
        market.postResult(taskId, keccak256("result"), "");
        _seedReady();
        vm.prank(k[1]);
        market.drawCommittee(taskId, _noIds()); // fixing the seed alone is not paid
        assertEq(market.earningsOf(k[1]), 0);
        uint256[] memory members = _bestReviewers(taskId, COMMITTEE);
        vm.prank(k[1]);
        market.drawCommittee(taskId, _first(members, 3));
        vm.prank(k[2]);
        market.drawCommittee(taskId, members);
        bool[] memory votes = _votes(9, 10);
        _commitAll(taskId, members, votes);
        vm.prank(k[3]);
        market.settle(taskId, _reveals(members, votes), _first(members, 4));
        vm.prank(k[0]);
        market.settleMembers(taskId, members);
        assertEq(market.earningsOf(k[0]), 1e18 + 6e18, "assign + 6 members");
        assertEq(market.earningsOf(k[1]), 3e18, "3 seats");
        assertEq(market.earningsOf(k[2]), 7e18, "7 seats");
        assertEq(market.earningsOf(k[3]), 1e18 + 4e18, "settle + 4 members");
        uint256 keepers = 22e18;
        uint256 perReviewer = market.getTask(taskId).rewardPerReviewer;
        assertEq(perReviewer, uint256(39e18) / 9);
        assertEq(keepers + 9 * perReviewer + market.pendingProtocolFees(), TASK_FEE, "the fee, exactly");
        uint256 held = market.earningsOf(requester) + market.earningsOf(executor.owner) + market.pendingProtocolFees();
        for (uint256 i; i < 4; ++i) held += market.earningsOf(k[i]);
        for (uint256 i; i < COMMITTEE; ++i) held += market.earningsOf(_reviewer(members[i]).owner);
        assertEq(held, uint256(BOUNTY) + TASK_FEE);
        assertEq(s.token.balanceOf(address(market)), held);
    }

    /// @dev A committee that is not full when the fill phase closes never votes: settle (after the fill phase) refunds
    ///      the bounty and everything of the fee not spent on keeper work; its members are released without consequence
    ///      and the settler is paid per member.
    function test_Settle_VoidCommitteeRefundsAndReleasesMembersWithoutConsequences() public {
        uint256 taskId = _posted();
        _seedReady();
        market.drawCommittee(taskId, _noIds());
        uint256[] memory all = _bestReviewers(taskId, reviewers.length);
        uint256[] memory seven = _first(all, 7);
        vm.prank(keeper);
        market.drawCommittee(taskId, seven);
        uint256 lastFill = _lastFillTime(taskId);
        vm.warp(lastFill);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.RevealNotOver.selector, taskId, lastFill));
        market.settle(taskId, _noReveals(), _noIds()); // the fill phase is inclusive: it may still fill
        vm.warp(lastFill + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.CommitteeNotFull.selector, taskId));
        vm.prank(_reviewer(all[7]).owner);
        market.claimSeat(taskId, all[7], seven[6]);
        vm.warp(market.getTask(taskId).drawClosesAt);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.CommitteeNotFull.selector, taskId));
        vm.prank(_reviewer(seven[0]).owner);
        market.commitVote(taskId, seven[0], bytes32(uint256(1)));

        uint256[] memory stakes = new uint256[](7);
        uint256[] memory reps = new uint256[](7);
        for (uint256 i; i < 7; ++i) {
            stakes[i] = staking.stakeOf(seven[i]);
            reps[i] = reputation.reputationOf(seven[i], IReputation.Dimension.Validator);
        }
        address settler = makeAddr("settler");
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, ITaskMarket.TaskStatus.Refunded, 0, 0, settler);
        vm.prank(settler);
        market.settle(taskId, _noReveals(), _noIds());
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Refunded));
        // fee 100 - (2 + 2 * 7) keeper rewards = 84 back with the bounty
        assertEq(market.earningsOf(requester), uint256(BOUNTY) + 84e18);
        assertEq(market.earningsOf(settler), 1e18);
        assertEq(market.earningsOf(executor.owner), 0);
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE, "nobody slashed");
        assertEq(market.pendingProtocolFees(), 0);
        assertEq(t.rewardPerReviewer, 0);

        // Members released: no reward, no slash, no reputation change; settler paid per member (outsiders skipped).
        uint256[] memory named = _first(all, 9); // two of them never seated
        vm.recordLogs();
        vm.prank(settler);
        market.settleMembers(taskId, named);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 released;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(market) || logs[i].topics[0] != ITaskMarket.MemberSettled.selector) continue;
            ++released;
            assertEq(address(uint160(uint256(logs[i].topics[3]))), address(0));
            (uint256 reward, bool aligned, bool slashed) = abi.decode(logs[i].data, (uint256, bool, bool));
            assertEq(reward, 0);
            assertFalse(aligned);
            assertFalse(slashed);
        }
        assertEq(released, 7);
        assertEq(market.earningsOf(settler), 1e18 + 7e18);
        for (uint256 i; i < 7; ++i) {
            assertEq(staking.stakeOf(seven[i]), stakes[i]);
            assertEq(reputation.reputationOf(seven[i], IReputation.Dimension.Validator), reps[i]);
            assertEq(market.earningsOf(_reviewer(seven[i]).owner), 0);
        }
        // Every wei of bounty + fee is accounted for.
        assertEq(
            market.earningsOf(requester) + market.earningsOf(settler) + market.earningsOf(keeper)
                + market.earningsOf(address(this)),
            uint256(BOUNTY) + TASK_FEE
        );
        assertEq(s.token.balanceOf(address(market)), uint256(BOUNTY) + TASK_FEE);
    }

    /// @dev A keeper whose settle lands after another's: its reveals are ignored (even a wrong opening) and only the
    ///      members it names that are still unsettled are settled and paid.
    function test_Settle_OnASettledTaskIgnoresRevealsAndSettlesOnlyTheNamedMembers() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(10, 10);
        _commitAll(taskId, members, votes);
        _revealAll(taskId, _first(members, 8), votes);
        vm.warp(market.getTask(taskId).revealEndsAt);
        market.settle(taskId, _noReveals(), _first(members, 3));
        ITaskMarket.Reveal[] memory late = _reveals(members, votes);
        late[9].salt = bytes32(0); // would revert CommitmentMismatch if it were processed
        address second = makeAddr("second keeper");
        vm.recordLogs();
        vm.prank(second);
        market.settle(taskId, late, members);
        assertEq(_countLogs(ITaskMarket.MemberSettled.selector), 7);
        ITaskMarket.Task memory t = market.getTask(taskId);
        assertEq(uint8(t.status), uint8(ITaskMarket.TaskStatus.Accepted));
        assertEq(t.reveals, 8, "late reveals ignored");
        assertEq(market.earningsOf(second), 7e18, "no settle reward, 7 members");
        vm.prank(second);
        market.settle(taskId, late, members); // nothing left: pays nothing, reverts nothing
        assertEq(market.earningsOf(second), 7e18);
        // A task that never reached verification cannot be "settled" again.
        uint256 unbid = _submit();
        vm.warp(block.timestamp + 1 hours);
        market.assign(unbid);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.WrongStatus.selector, unbid, ITaskMarket.TaskStatus.Refunded, ITaskMarket.TaskStatus.Verifying
            )
        );
        market.settle(unbid, _noReveals(), _noIds());
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.WrongStatus.selector, unbid, ITaskMarket.TaskStatus.Refunded, ITaskMarket.TaskStatus.Accepted
            )
        );
        market.settleMembers(unbid, _noIds());
    }

    /// @dev Agents named that never held a seat, and members already settled, are skipped by settleMembers.
    function test_SettleMembers_SkipsMembersAlreadySettledAndAgentsNeverSeated() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(10, 10);
        _commitAll(taskId, members, votes);
        _revealAll(taskId, members, votes);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.WrongStatus.selector, taskId, ITaskMarket.TaskStatus.Verifying, ITaskMarket.TaskStatus.Accepted
            )
        );
        market.settleMembers(taskId, members); // not settled yet
        market.settle(taskId, _noReveals(), _noIds());
        uint256[] memory named = new uint256[](reviewers.length + 2);
        for (uint256 i; i < reviewers.length; ++i) named[i] = reviewers[i].id; // 4 never seated
        named[reviewers.length] = executor.id;
        named[reviewers.length + 1] = members[0]; // twice
        market.settleMembers(taskId, _first(members, 2));
        vm.recordLogs();
        vm.prank(keeper);
        market.settleMembers(taskId, named);
        assertEq(_countLogs(ITaskMarket.MemberSettled.selector), 8);
        assertEq(market.earningsOf(keeper), 10e18 + 8e18, "draws + the 8 members it settled");
        uint256 perReviewer = market.getTask(taskId).rewardPerReviewer;
        for (uint256 i; i < COMMITTEE; ++i) assertEq(market.earningsOf(_reviewer(members[i]).owner), perReviewer);
    }

    /// @dev A task keeps the parameters of its submission for its whole life; later tasks use the new version.
    function test_SetParams_MakesANewVersionAndTasksKeepTheirSubmissionParams() public {
        uint256 old = _submit();
        assertEq(market.getTask(old).paramsVersion, 1);
        ITaskMarket.MarketParams memory p = _marketParams();
        p.keeperReward = 2e18;
        p.reviewerShareBps = 8_000;
        p.drawWindow = 1 hours;
        p.minStake = 25_000e18; // more than reviewers 0..4 hold
        p.feeBps = 1_000;
        vm.expectEmit(address(market));
        emit ITaskMarket.MarketParamsSet(p);
        vm.prank(governance);
        market.setParams(p);
        assertEq(market.paramsAt(1).keeperReward, 1e18);
        assertEq(market.paramsAt(2).keeperReward, 2e18);
        assertEq(market.params().minStake, 25_000e18);
        assertEq(market.minimumFee(BOUNTY, COMMITTEE), 100e18);
        assertEq(market.minimumFee(1e18, COMMITTEE), 64e18 + 1);

        // The old task: old keeper reward, draw window, minimum stake and reviewer share.
        _bid(old, executor, 800e18);
        vm.warp(block.timestamp + 1 hours);
        market.assign(old);
        assertEq(market.earningsOf(address(this)), 1e18, "assign paid at version 1");
        vm.prank(executor.key);
        market.postResult(old, keccak256("result"), "");
        _seedReady();
        market.drawCommittee(old, _noIds());
        assertEq(market.getTask(old).drawClosesAt, block.timestamp + 30 minutes, "version 1 draw window");
        uint256[] memory members = _bestReviewers(old, COMMITTEE); // all 14 qualify at minStake 1,000
        assertGt(market.sortitionKey(old, reviewers[0].id), 0, "20,000 staked is enough at version 1");
        vm.prank(keeper);
        market.drawCommittee(old, members);
        assertEq(market.earningsOf(keeper), 10e18);
        bool[] memory votes = _votes(10, 10);
        _commitAll(old, members, votes);
        vm.prank(keeper);
        market.settle(old, _reveals(members, votes), members);
        assertEq(market.getTask(old).rewardPerReviewer, 3.9e18, "78 * 50% / 10");
        assertEq(market.earningsOf(keeper), 10e18 + 1e18 + 10e18);
        assertEq(market.pendingProtocolFees(), 39e18);

        // A new task: version 2 throughout.
        ITaskMarket.TaskRequest memory r = _request();
        r.fee = 99e18;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.FeeTooLow.selector, 99e18, 100e18));
        vm.prank(requester);
        market.submitTask(r, _noPermit());
        r.fee = 100e18;
        vm.prank(requester);
        uint256 fresh = market.submitTask(r, _noPermit());
        assertEq(market.getTask(fresh).paramsVersion, 2);
        _bid(fresh, executor, 800e18);
        vm.warp(block.timestamp + 1 hours);
        market.assign(fresh);
        assertEq(market.earningsOf(address(this)), 1e18 + 2e18, "assign paid at version 2");
        vm.prank(executor.key);
        market.postResult(fresh, keccak256("result"), "");
        _seedReady();
        market.drawCommittee(fresh, _noIds());
        assertEq(market.getTask(fresh).drawClosesAt, block.timestamp + 1 hours, "version 2 draw window");
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.InsufficientStake.selector, reviewers[0].id, REVIEWER_STAKE, 25_000e18
            )
        );
        market.drawCommittee(fresh, _single(reviewers[0].id));
        vm.prank(keeper);
        market.drawCommittee(fresh, _single(reviewers[5].id)); // 25,000 staked
        assertEq(market.earningsOf(keeper), 21e18 + 2e18, "a seat pays 2 at version 2");
    }

    function test_Settle_ExecutorGainIsTwoHundredthsOfAPointPerProtocolAccCappedAtOnePoint() public {
        // A large fee: rest 478, half to the protocol = 239 ACC, worth 4.78 points uncapped.
        ITaskMarket.TaskRequest memory r = _request();
        r.fee = 500e18;
        (uint256 taskId, uint256[] memory members) = _drawnRequest(r, 800e18);
        bool[] memory votes = _votes(10, 10);
        _commitAll(taskId, members, votes);
        market.settle(taskId, _reveals(members, votes), _noIds());
        assertEq(market.pendingProtocolFees(), 239e18);
        assertEq(reputation.reputationOf(executor.id, IReputation.Dimension.Task), 1e18, "capped at one point");
    }

    // ---------------------------------------------------------------- attacks

    /// @dev A requester and an executor (different owners, colluding) farm reputation with self-dealt tasks.
    ///      Each round costs the protocol fee, of which at least a quarter is burned, and the reputation gained is
    ///      proportional to the price paid (capped per task): farming is bought, not free.
    function test_Attack_CollusiveFarmingCostsFeesProportionalToReputation() public {
        uint256 burned0 = s.token.totalBurned();
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(10, 10);
        _commitAll(taskId, members, votes);
        _revealAll(taskId, members, votes);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        market.flushProtocolFees();
        uint256 gained = reputation.reputationOf(executor.id, IReputation.Dimension.Task);
        uint256 burned = s.token.totalBurned() - burned0;
        assertGt(burned, 0);
        assertLe(gained, 1e18, "one point at most per task");
        // at least 20 ACC burned per point of reputation at these parameters
        assertGe(burned * 1e18 / gained, 20e18);
    }
}
