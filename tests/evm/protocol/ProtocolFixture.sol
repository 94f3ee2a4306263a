// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RegistryStakingFixture} from "./RegistryStakingFixture.sol";
import {Reputation} from "../../../contracts/evm/protocol/Reputation.sol";
import {TaskMarket} from "../../../contracts/evm/protocol/TaskMarket.sol";
import {TaskMarketBase} from "../../../contracts/evm/protocol/market/TaskMarketBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {LocalRandomness} from "../../../contracts/evm/randomness/LocalRandomness.sol";
import {ITaskMarket} from "../../../contracts/evm/interfaces/ITaskMarket.sol";
import {IReputation} from "../../../contracts/evm/interfaces/IReputation.sol";
import {IFeeRouter} from "../../../contracts/evm/interfaces/IFeeRouter.sol";
import {IRandomnessSource} from "../../../contracts/evm/interfaces/IRandomnessSource.sol";

/// @dev A primary source that withholds: its seeds are never ready and never expire (a VRF that does not answer).
contract WithholdingRandomness is IRandomnessSource {
    uint256 public requestCount;

    function request() external returns (uint256 requestId) {
        requestId = ++requestCount;
        emit RandomnessRequested(requestId, msg.sender);
    }

    function seedOf(uint256) external pure returns (bool ready, bytes32 seed) {
        return (false, bytes32(0));
    }

    function expired(uint256) external pure returns (bool) {
        return false;
    }
}

/// @dev The whole protocol on top of the foundation: registry, staking, reputation, randomness and the market,
///      wired by governance (the timelock) as the deployment does.
abstract contract ProtocolFixture is RegistryStakingFixture {
    uint256 internal constant REVIEWER_STAKE = 20_000e18;
    uint256 internal constant EXECUTOR_STAKE = 50_000e18;
    uint88 internal constant BOUNTY = 1_000e18;
    uint88 internal constant TASK_FEE = 100e18;
    uint8 internal constant COMMITTEE = 10;

    Reputation internal reputation;
    ITaskMarket internal market;
    LocalRandomness internal localRandomness;
    LocalRandomness internal fallbackRandomness;

    address internal requester = makeAddr("requester");
    address internal keeper = makeAddr("keeper");
    TestAgent internal executor;
    TestAgent[] internal reviewers;

    /// @dev Shorter windows than production so tests walk tasks quickly; the deployment uses them.
    function _marketParams() internal pure override returns (ITaskMarket.MarketParams memory) {
        return ITaskMarket.MarketParams({
            biddingWindow: 1 hours,
            maxTaskDuration: 3 days,
            seedTimeout: 1 hours,
            drawWindow: 30 minutes,
            commitWindow: 2 hours,
            revealWindow: 2 hours,
            feeBps: 500,
            reviewerShareBps: 5_000,
            keeperReward: 1e18,
            minStake: 1_000e18,
            missedDeadlineSeverityBps: 1_000,
            rejectedSeverityBps: 2_000,
            nonRevealSeverityBps: 200,
            minoritySeverityBps: 100
        });
    }

    function setUp() public virtual override {
        super.setUp();
        // The deployed suite itself (SuiteFixture), not copies: registry, staking, reputation, randomness and the
        // market wired exactly as scripts/evm/Deploy.s.sol wires them.
        registry = s.registry;
        staking = s.staking;
        reputation = s.reputation;
        market = ITaskMarket(address(s.market));
        localRandomness = LocalRandomness(address(s.randomness));
        fallbackRandomness = s.fallbackRandomness;
        vm.startPrank(governance);
        registry.setAttestor(attestor, true);
        staking.setSlasher(slasher, true);
        vm.stopPrank();

        _fund(requester, 1_000_000e18);
        vm.prank(requester);
        s.token.approve(address(market), type(uint256).max);
        executor = _activeAgent("executor", EXECUTOR_STAKE);
        for (uint256 i; i < 14; ++i) {
            reviewers.push(_activeAgent(string.concat("reviewer", vm.toString(i)), REVIEWER_STAKE + i * 1_000e18));
        }
        vm.warp(block.timestamp + 1);
    }

    // ------------------------------------------------------------------ markets and params

    function _keeperReward() internal pure returns (uint256) {
        return _marketParams().keeperReward;
    }

    /// @dev A second market on the same suite with `primary` as its seed source (fallback: the suite's), wired as
    ///      scripts/evm/AgentClusterDeployment.sol wires the market: slasher on staking (granted before construction,
    ///      whose parameter check declares the market's slash delay), Task and Validator reputation writer.
    ///      The requester approves it.
    function _marketWithPrimary(IRandomnessSource primary) internal returns (ITaskMarket m) {
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        vm.startPrank(governance);
        staking.setSlasher(predicted, true);
        reputation.setWriter(predicted, IReputation.Dimension.Task, true);
        reputation.setWriter(predicted, IReputation.Dimension.Validator, true);
        vm.stopPrank();
        TaskMarket built = new TaskMarket(
            TaskMarketBase.Dependencies({
                token: IERC20(address(s.token)),
                registry: registry,
                staking: staking,
                reputation: reputation,
                feeRouter: IFeeRouter(address(s.feeRouter)),
                randomness: primary,
                fallbackRandomness: IRandomnessSource(address(fallbackRandomness))
            }),
            governance,
            _marketParams()
        );
        require(address(built) == predicted, "market address predicted");
        m = ITaskMarket(address(built));
        vm.prank(requester);
        s.token.approve(address(m), type(uint256).max);
    }

    // ------------------------------------------------------------------ flows

    function _request() internal view returns (ITaskMarket.TaskRequest memory) {
        return ITaskMarket.TaskRequest({
            requirementsHash: keccak256("summarise the attached paper"),
            capabilities: CAPS,
            bounty: BOUNTY,
            fee: TASK_FEE,
            deadline: uint40(block.timestamp + 1 days),
            committeeSize: COMMITTEE,
            minReputation: 0
        });
    }

    function _noPermit() internal pure returns (ITaskMarket.Permit memory) {
        return ITaskMarket.Permit(0, 0, bytes32(0), bytes32(0));
    }

    function _submit() internal returns (uint256 taskId) {
        vm.prank(requester);
        taskId = market.submitTask(_request(), _noPermit());
    }

    function _bid(uint256 taskId, TestAgent memory agent, uint96 price) internal {
        vm.prank(agent.owner);
        market.bid(taskId, agent.id, price);
    }

    function _assigned(uint96 price) internal returns (uint256 taskId) {
        taskId = _submit();
        _bid(taskId, executor, price);
        vm.warp(block.timestamp + 1 hours);
        market.assign(taskId);
    }

    function _posted() internal returns (uint256 taskId) {
        taskId = _assigned(800e18);
        vm.prank(executor.key);
        market.postResult(taskId, keccak256("result"), "ipfs://result");
    }

    /// @dev TaskMarket's seat ring size (a private constant there): a seat of task t uses its agent's word t % SEAT_RING.
    uint256 internal constant SEAT_RING = 32;

    /// @dev Submits tasks nobody bids on until the next task id is `residue` mod SEAT_RING; refund them with `_refund`
    ///      once their bidding window has passed.
    function _fillerTasksUntil(uint256 residue) internal returns (uint256[] memory ids) {
        uint256 first = market.taskCount() + 1;
        uint256 next = first;
        while (next % SEAT_RING != residue % SEAT_RING) {
            vm.prank(requester);
            market.submitTask(_request(), _noPermit());
            ++next;
        }
        ids = new uint256[](next - first);
        for (uint256 i; i < ids.length; ++i) ids[i] = first + i;
    }

    /// @dev Assigns tasks without bids, which refunds their requester.
    function _refund(uint256[] memory ids) internal {
        for (uint256 i; i < ids.length; ++i) market.assign(ids[i]);
    }

    /// @dev Rolls past the local source's target block so the seed is readable.
    function _seedReady() internal {
        vm.roll(block.number + 3);
        vm.warp(block.timestamp + 6);
    }

    /// @dev The `n` reviewers with the smallest keys for this task (what an honest keeper submits).
    function _bestReviewers(uint256 taskId, uint256 n) internal view returns (uint256[] memory ids) {
        uint256 count = reviewers.length;
        uint256[] memory all = new uint256[](count);
        uint256[] memory keys = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            all[i] = reviewers[i].id;
            keys[i] = market.sortitionKey(taskId, all[i]);
        }
        for (uint256 i; i < count; ++i) {
            for (uint256 j = i + 1; j < count; ++j) {
                if (keys[j] < keys[i]) {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    (all[i], all[j]) = (all[j], all[i]);
                }
            }
        }
        ids = new uint256[](n);
        for (uint256 i; i < n; ++i) ids[i] = all[i];
    }

    function _reviewer(uint256 agentId) internal view returns (TestAgent memory) {
        for (uint256 i; i < reviewers.length; ++i) {
            if (reviewers[i].id == agentId) return reviewers[i];
        }
        revert("not a reviewer");
    }

    /// @dev Fixes the seed (an empty draw) and seats the honest committee.
    function _drawn() internal returns (uint256 taskId, uint256[] memory members) {
        taskId = _posted();
        _seedReady();
        vm.prank(keeper);
        market.drawCommittee(taskId, new uint256[](0));
        members = _bestReviewers(taskId, COMMITTEE);
        vm.prank(keeper);
        market.drawCommittee(taskId, members);
    }

    /// @dev At the commit phase, each of the `COMMITTEE` best keys commits: the committee is exactly them.
    function _assertCommitteeIsTheBestKeys(uint256 taskId) internal {
        uint256[] memory top = _bestReviewers(taskId, COMMITTEE);
        vm.warp(market.getTask(taskId).drawClosesAt);
        for (uint256 i; i < COMMITTEE; ++i) {
            vm.prank(_reviewer(top[i]).owner);
            market.commitVote(taskId, top[i], bytes32(uint256(1)));
        }
        assertEq(market.getTask(taskId).commits, COMMITTEE);
    }

    function _salt(uint256 agentId) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", agentId));
    }

    /// @dev Moves time to the commit phase if it is not there yet (never backwards), then every member commits.
    function _commitAll(uint256 taskId, uint256[] memory members, bool[] memory votes) internal {
        uint256 opens = market.getTask(taskId).drawClosesAt;
        if (block.timestamp < opens) vm.warp(opens);
        for (uint256 i; i < members.length; ++i) {
            bytes32 c = market.commitmentOf(taskId, members[i], votes[i], _salt(members[i]));
            vm.prank(_reviewer(members[i]).owner);
            market.commitVote(taskId, members[i], c);
        }
    }

    function _revealAll(uint256 taskId, uint256[] memory members, bool[] memory votes) internal {
        for (uint256 i; i < members.length; ++i) {
            market.revealVote(taskId, members[i], votes[i], _salt(members[i]));
        }
    }

    function _reveals(uint256[] memory members, bool[] memory votes)
        internal
        pure
        returns (ITaskMarket.Reveal[] memory r)
    {
        r = new ITaskMarket.Reveal[](members.length);
        for (uint256 i; i < members.length; ++i) r[i] = ITaskMarket.Reveal(members[i], votes[i], _salt(members[i]));
    }

    function _single(uint256 id) internal pure returns (uint256[] memory one) {
        one = new uint256[](1);
        one[0] = id;
    }

    function _first(uint256[] memory ids, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 i; i < n; ++i) out[i] = ids[i];
    }

    /// @dev Submits `r`, has the executor bid `price` and post its result after the bidding window (an explicit
    ///      keeper `assign` first), fixes the seed and seats the honest committee (drawn by `keeper`).
    function _drawnRequest(ITaskMarket.TaskRequest memory r, uint96 price)
        internal
        returns (uint256 taskId, uint256[] memory members)
    {
        vm.prank(requester);
        taskId = market.submitTask(r, _noPermit());
        _bid(taskId, executor, price);
        vm.warp(block.timestamp + 1 hours);
        market.assign(taskId);
        vm.prank(executor.key);
        market.postResult(taskId, keccak256("result"), "");
        _seedReady();
        market.drawCommittee(taskId, _noIds());
        members = _bestReviewers(taskId, COMMITTEE);
        vm.prank(keeper);
        market.drawCommittee(taskId, members);
    }

    function _noReveals() internal pure returns (ITaskMarket.Reveal[] memory) {
        return new ITaskMarket.Reveal[](0);
    }

    function _noIds() internal pure returns (uint256[] memory) {
        return new uint256[](0);
    }

    /// @dev The last second of the fill phase of a task whose seed is fixed (under the fixture's params).
    function _lastFillTime(uint256 taskId) internal view returns (uint256) {
        return market.getTask(taskId).drawClosesAt - _marketParams().drawWindow / 2;
    }

    function _votes(uint256 approvals, uint256 total) internal pure returns (bool[] memory v) {
        v = new bool[](total);
        for (uint256 i; i < approvals; ++i) v[i] = true;
    }
}
