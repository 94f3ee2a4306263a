// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {ProtocolFixture} from "./ProtocolFixture.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";

contract TaskMarketTest is ProtocolFixture {
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

    function test_Bid_LowestReputationDiscountedPriceWins() public {
        uint256 taskId = _submit();
        TestAgent memory other = reviewers[0];
        _bid(taskId, executor, 900e18);
        _bid(taskId, other, 800e18);
        assertEq(market.getTask(taskId).executor, other.id);
        // Give the executor task reputation: 1 point halves nothing but discounts its price by half.
        vm.prank(governance);
        reputation.setWriter(address(this), IReputation.Dimension.Task, true);
        reputation.increase(executor.id, IReputation.Dimension.Task, 1e18);
        _bid(taskId, executor, 900e18); // effective 450 < 800
        assertEq(market.getTask(taskId).executor, executor.id);
        assertEq(market.getTask(taskId).price, 900e18);
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

    function test_Assign_WithoutBidsRefundsEverything() public {
        uint256 taskId = _submit();
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.BiddingOpen.selector, taskId, block.timestamp + 1 hours));
        market.assign(taskId);
        vm.warp(block.timestamp + 1 hours);
        market.assign(taskId);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(market.earningsOf(requester), uint256(BOUNTY) + TASK_FEE);
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

    function test_MissedDeadline_SlashesTheExecutorAndRefundsTheRequester() public {
        uint256 taskId = _assigned(800e18);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.DeadlineNotPassed.selector, taskId, market.getTask(taskId).deadline));
        market.reportMissedDeadline(taskId);
        vm.warp(market.getTask(taskId).deadline + 1);
        vm.prank(keeper);
        market.reportMissedDeadline(taskId);
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(market.earningsOf(requester), uint256(BOUNTY) + TASK_FEE - 1e18);
        assertEq(market.earningsOf(keeper), 1e18);
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE * 9 / 10, "10% slashed");
        assertEq(staking.totalPendingSlashes(), EXECUTOR_STAKE / 10);
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

    function test_Draw_RejectsDuplicatesAndOverfilling() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        uint256[] memory again = new uint256[](1);
        again[0] = members[0];
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.CommitteeFull.selector, taskId));
        market.drawCommittee(taskId, again);
        assertEq(market.getTask(taskId).seats, COMMITTEE);
        assertEq(market.earningsOf(keeper), 1e18, "keeper paid once for filling the committee");
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
        // The committee is now exactly the 10 best keys.
        uint256[] memory top = _bestReviewers(taskId, COMMITTEE);
        vm.warp(market.getTask(taskId).drawClosesAt);
        for (uint256 i; i < COMMITTEE; ++i) {
            vm.prank(_reviewer(top[i]).owner);
            market.commitVote(taskId, top[i], bytes32(uint256(1)));
        }
        assertEq(market.getTask(taskId).commits, COMMITTEE);
    }

    /// @dev A keeper that completes the committee at the last second would leave better candidates no time to
    ///      claim their seats: the committee can only be completed in the first half of the draw window.
    function test_Draw_CompletingTheCommitteeLateIsRefusedSoClaimsHaveTime() public {
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
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.DrawClosed.selector, taskId, lastFill));
        vm.prank(keeper);
        market.drawCommittee(taskId, last);
        vm.warp(lastFill);
        vm.prank(keeper);
        market.drawCommittee(taskId, last);
        assertEq(market.getTask(taskId).seats, COMMITTEE);
        assertGe(t.drawClosesAt - block.timestamp, 15 minutes, "half the draw window left for seat claims");
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

    function test_RetrySeed_UsesTheFallbackWhenTheSourceWithholds() public {
        uint256 taskId = _posted();
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.SeedNotOverdue.selector, taskId, block.timestamp + 1 hours)
        );
        market.retrySeed(taskId);
        vm.roll(block.number + 300); // the local source's target hash is forgotten: withheld
        vm.warp(block.timestamp + 1 hours);
        market.retrySeed(taskId);
        assertTrue(market.getTask(taskId).seedFromFallback);
        vm.roll(block.number + 2);
        market.drawCommittee(taskId, new uint256[](0));
        assertTrue(market.getTask(taskId).seed != bytes32(0));
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

    function test_Batch_CommitRejectsASignatureFromAnotherKeyOrChain() public {
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
        // replaying a valid batch fails: each member commits once
        commits = _signedCommits(taskId, members, votes); // `one[0]` aliased commits[0] in memory
        market.commitVotesBySig(taskId, commits);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.AlreadyCommitted.selector, taskId, members[0]));
        market.commitVotesBySig(taskId, commits);
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
        assertEq(market.earningsOf(keeper), 2e18, "draw + settle");
        // fee 100: keepers 2, reviewers 49 / 7 = 7 each, router 49
        assertEq(t.rewardPerReviewer, 7e18);
        assertEq(market.pendingProtocolFees(), 49e18);
        assertEq(s.token.totalBurned(), burnedBefore, "fees accrue until flushed");
        assertEq(market.flushProtocolFees(), 49e18);
        assertEq(s.token.totalBurned() - burnedBefore, 24.5e18);
        assertEq(market.pendingProtocolFees(), 0);
        assertEq(market.flushProtocolFees(), 0, "an empty flush does nothing");
        assertEq(reputation.reputationOf(executor.id, IReputation.Dimension.Task), 1e18, "capped gain");
        vm.recordLogs();
        market.settleMembers(taskId, members);
        for (uint256 i; i < members.length; ++i) {
            address owner = _reviewer(members[i]).owner;
            assertEq(market.earningsOf(owner), votes[i] ? 7e18 : 0);
        }
        // Reviewer rewards emit no Earned: MemberSettled names the owner credited and the amount.
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 settledEvents;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(market)) continue;
            assertTrue(logs[i].topics[0] != ITaskMarket.Earned.selector, "no Earned for reviewer rewards");
            if (logs[i].topics[0] != ITaskMarket.MemberSettled.selector) continue;
            ++settledEvents;
            address owner = address(uint160(uint256(logs[i].topics[3])));
            (uint256 reward, bool aligned,) = abi.decode(logs[i].data, (uint256, bool, bool));
            assertEq(reward, aligned ? 7e18 : 0);
            if (aligned) assertEq(market.earningsOf(owner), reward, "the event names the account credited");
        }
        assertEq(settledEvents, members.length);
        // A settled seat is cleared: settling it again finds no member.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.NotMember.selector, taskId, members[0]));
        market.settleMembers(taskId, members);
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

    function test_Settle_RejectsBelowTwoThirdsSlashesAndRefunds() public {
        (uint256 taskId, uint256[] memory members) = _drawn();
        bool[] memory votes = _votes(6, 10); // 60%: not enough
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
        assertGt(perReviewer, 0);
        for (uint256 i; i < members.length; ++i) {
            TestAgent memory m = _reviewer(members[i]);
            if (votes[i]) {
                // the six approvers were the minority: lightly slashed (1%), unpaid
                assertEq(staking.stakeOf(m.id), before[i] * 99 / 100);
                assertEq(market.earningsOf(m.owner), 0);
            } else {
                assertEq(staking.stakeOf(m.id), before[i]);
                assertEq(market.earningsOf(m.owner), perReviewer);
            }
        }
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

    function test_Settle_WithNoVotesRefundsWithoutSlashingTheExecutor() public {
        (uint256 taskId,) = _drawn();
        vm.warp(market.getTask(taskId).revealEndsAt);
        market.settle(taskId, new ITaskMarket.Reveal[](0), new uint256[](0));
        assertEq(uint8(market.getTask(taskId).status), uint8(ITaskMarket.TaskStatus.Refunded));
        assertEq(market.earningsOf(requester), BOUNTY);
        assertEq(staking.stakeOf(executor.id), EXECUTOR_STAKE);
    }

    function test_WithdrawEarnings_PaysOnceAndRefusesNothing() public {
        uint256 taskId = _submit();
        vm.warp(block.timestamp + 1 hours);
        market.assign(taskId);
        uint256 before = s.token.balanceOf(requester);
        vm.prank(requester);
        assertEq(market.withdrawEarnings(), uint256(BOUNTY) + TASK_FEE);
        assertEq(s.token.balanceOf(requester), before + BOUNTY + TASK_FEE);
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
